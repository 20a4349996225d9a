#pragma once
// Small text files read whole (scenario, model and config files, list:FILE strategies), with a
// bound: a device, FIFO or directory given as such a file, or a file larger than the bound, is
// refused with its name instead of read without end.
#include <cstddef>
#include <string>

namespace microreach {

// Reads a regular file of at most `max_bytes` bytes; InputError naming the file otherwise
// (cannot open, not a regular file, larger, read error). `what` names the file's role in
// messages ("scenario file").
std::string read_text_file(const std::string& path, std::size_t max_bytes, const std::string& what);

}  // namespace microreach
