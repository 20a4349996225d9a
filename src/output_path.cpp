#include "microreach/output_path.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "microreach/error.hpp"

namespace microreach {
namespace {

namespace fs = std::filesystem;

int g_stdout_fd = -1;  // the original standard output once claimed

// What a non-regular file is, for the message; nullptr for a regular file.
const char* kind_of(mode_t m) {
  if (S_ISREG(m)) return nullptr;
  if (S_ISDIR(m)) return "a directory";
  if (S_ISCHR(m)) return "a character device";
  if (S_ISBLK(m)) return "a block device";
  if (S_ISFIFO(m)) return "a FIFO (named pipe)";
  if (S_ISSOCK(m)) return "a socket";
  return "not a regular file";
}

// Where a path points: device and inode when it exists (through symbolic links), and its
// canonical path (existing parts resolved, the rest appended) for files still to be created.
struct Identity {
  bool exists = false;
  dev_t dev = 0;
  ino_t ino = 0;
  std::string canonical;
};

Identity identify(const std::string& path) {
  Identity id;
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    id.exists = true;
    id.dev = st.st_dev;
    id.ino = st.st_ino;
  }
  std::error_code ec;
  const fs::path c = fs::weakly_canonical(fs::absolute(fs::path(path), ec), ec);
  id.canonical = ec ? fs::absolute(fs::path(path), ec).lexically_normal().string() : c.string();
  return id;
}

bool same_file(const Identity& a, const Identity& b) {
  if (a.exists && b.exists) return a.dev == b.dev && a.ino == b.ino;
  return a.canonical == b.canonical;
}

// "--in 'x.h5'"; a positional argument (no option name) is just "'x.h5'".
std::string quoted(const std::string& option, const std::string& path) {
  return (option.empty() ? "" : option + " ") + "'" + path + "'";
}

}  // namespace

bool is_standard_stream(const std::string& path) {
  return path == "-";
}

int standard_output_fd() {
  return g_stdout_fd >= 0 ? g_stdout_fd : 1;
}

void check_output_target(const std::string& option, const std::string& path) {
  if (path.empty()) throw ConfigError(option, "", "a file name, or '-' for standard output");
  if (is_standard_stream(path)) return;
  struct stat lst {};
  fs::path target(path);
  if (::lstat(path.c_str(), &lst) == 0) {
    if (S_ISLNK(lst.st_mode)) {
      struct stat st {};
      if (::stat(path.c_str(), &st) == 0) {
        if (const char* k = kind_of(st.st_mode))
          throw ConfigError(option, path,
                            std::string("a regular file to write, but it is a symbolic link to ") +
                                k + "; microreach replaces only regular files");
        std::error_code ec;
        const fs::path c = fs::canonical(target, ec);
        if (!ec) target = c;  // written beside, and renamed over, the file the link names
      }
    } else if (S_ISDIR(lst.st_mode)) {
      throw Error("cannot write '" + path + "': it is a directory; give a file name (" + option +
                  ")");
    } else if (const char* k = kind_of(lst.st_mode)) {
      throw ConfigError(option, path,
                        std::string("a regular file to write, but it is ") + k +
                            "; microreach replaces only regular files");
    }
  }
  fs::path dir = target.parent_path();
  if (dir.empty()) dir = ".";
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw Error("cannot write '" + path + "': the directory '" + dir.string() +
                "' does not exist; create it or choose another " + option);
  if (::access(dir.c_str(), W_OK) != 0)
    throw Error("cannot write '" + path + "': the directory '" + dir.string() +
                "' is not writable (" + std::strerror(errno) + ")");
}

void check_output_paths(const std::vector<OutputUse>& outputs,
                        const std::vector<InputUse>& inputs) {
  std::vector<const OutputUse*> given;
  for (const OutputUse& o : outputs)
    if (o.given || !o.path.empty()) given.push_back(&o);
  bool to_stdout = false;
  for (const OutputUse* o : given) {
    check_output_target(o->option, o->path);
    if (!is_standard_stream(o->path)) continue;
    if (o->format == OutputFormat::update)
      throw ConfigError(o->option, o->path,
                        "a file name: this file is read and updated in place, which standard "
                        "output cannot be");
    if (o->format == OutputFormat::binary && ::isatty(1))
      throw ConfigError(o->option, o->path,
                        "a file name: '-' writes HDF5 (binary) to standard output, which is a "
                        "terminal here; name a file, or redirect standard output to a file or "
                        "a pipe");
    to_stdout = true;
  }
  std::vector<Identity> out_ids;
  for (const OutputUse* o : given) out_ids.push_back(identify(o->path));
  for (std::size_t i = 0; i < given.size(); ++i)
    for (std::size_t j = 0; j < i; ++j) {
      const bool both_stdout =
          is_standard_stream(given[i]->path) && is_standard_stream(given[j]->path);
      const bool both_files =
          !is_standard_stream(given[i]->path) && !is_standard_stream(given[j]->path);
      if (both_stdout || (both_files && same_file(out_ids[i], out_ids[j])))
        throw ConfigError(given[i]->option, given[i]->path,
                          "a different " + std::string(both_stdout ? "destination" : "file") +
                              " than " + quoted(given[j]->option, given[j]->path) +
                              ": two outputs of one run would overwrite each other");
    }
  for (const InputUse& in : inputs) {
    if (in.path.empty() || is_standard_stream(in.path)) continue;
    const Identity in_id = identify(in.path);
    for (std::size_t i = 0; i < given.size(); ++i) {
      if (is_standard_stream(given[i]->path)) continue;
      if (same_file(out_ids[i], in_id))
        throw ConfigError(
            given[i]->option, given[i]->path,
            "a file other than the input " + quoted(in.option, in.path) + " (it is the same file" +
                (in.path == given[i]->path ? "" : ", through a link or another name") +
                "; writing it would destroy the input)");
    }
  }
  if (to_stdout && g_stdout_fd < 0) {
    // The data goes to the original standard output; the command's messages to standard error.
    std::cout.flush();
    std::fflush(stdout);
    g_stdout_fd = ::dup(1);
    if (g_stdout_fd < 0 || ::dup2(2, 1) < 0)
      throw Error(std::string("cannot use standard output: ") + std::strerror(errno));
  }
}

}  // namespace microreach
