#pragma once
// Output paths that cannot destroy data: the one check every command runs on the files it is
// about to write, before any work starts.
//
// check_output_paths() refuses, with a ConfigError naming the option, the path as given and the
// reason:
//   - an empty path (an option given as "");
//   - a path naming anything but a regular file or a file still to be created: a directory, a
//     character or block device, a FIFO, a socket, or a symbolic link to one of them (also when
//     running as root, where a rename would otherwise replace /dev/null with a regular file);
//   - a path whose directory does not exist or is not writable;
//   - an output that is the same file as one of the command's inputs: the same device and inode
//     (which catches symbolic and hard links), or, for a file that does not exist yet, the same
//     canonical path;
//   - two outputs of one run naming the same file (or both naming standard output);
//   - "-" (standard output) for an output that cannot go there: a binary format such as HDF5
//     when standard output is a terminal, or a file that is updated in place.
// "-" means standard output for every output option. Such an output is written to a temporary
// file and copied to standard output only when the command succeeded (AtomicOutput::commit), so
// a failed run writes nothing there either; while it is claimed, everything else the command
// prints on standard output goes to standard error instead, so the data stays clean.
#include <string>
#include <vector>

namespace microreach {

// What an output holds; decides whether "-" is allowed.
enum class OutputFormat {
  text,    // CSV, HTML, TOML: fine on a terminal or a pipe
  binary,  // HDF5: a pipe or a redirected file, never a terminal
  update,  // a file read and rewritten in place (audit --append-to): never "-"
};

struct OutputUse {
  std::string option;  // "--out", "--csv", "--rejects"
  std::string path;    // as given
  OutputFormat format = OutputFormat::binary;
  // False when the option was not given at all (an optional output); an option given as ""
  // is refused.
  bool given = true;
};

struct InputUse {
  std::string option;  // "--in", "--scenario", "file.toml:3: market.input"; "" for a positional
  std::string path;    // as given; "" and "-" (standard input) are skipped
};

// True for "-", the name of standard output (and of standard input for inputs).
bool is_standard_stream(const std::string& path);

// The checks above; throws ConfigError. When an output is "-", redirects the process's standard
// output to standard error and keeps the original for the data (standard_output_fd()).
void check_output_paths(const std::vector<OutputUse>& outputs, const std::vector<InputUse>& inputs);

// Checks one output path as above but against no inputs (also used by AtomicOutput, so a caller
// that skipped check_output_paths still cannot replace a device). `option` names the option in
// the error. Returns normally for "-".
void check_output_target(const std::string& option, const std::string& path);

// The file descriptor data for "-" is written to: the original standard output once
// check_output_paths claimed it, else 1.
int standard_output_fd();

}  // namespace microreach
