#pragma once
// Internal (not installed): recognising a file that is not text from its first block, so a
// binary file (an HDF5 file, a spreadsheet, a zip) is refused at once with what it looks like,
// not after its whole size has been read as one unterminated record.
#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>

namespace microreach::text {

// Empty if [p, p+n) (the start of a file) may be text; else what the file looks like.
// Binary: a known signature, or NUL bytes or other control characters (not tab, newline, CR,
// form feed) making up more than 1 % of the first 64 KiB (and at least 16 of them). A single NUL
// byte in a text file is left to the readers, which refuse it with its line and column.
inline std::string binary_kind(const char* p, std::size_t n) {
  const auto starts = [&](std::string_view sig) {
    return n >= sig.size() && std::memcmp(p, sig.data(), sig.size()) == 0;
  };
  if (starts("\x89HDF\r\n\x1a\n")) return "an HDF5 file";
  if (starts("PK\x03\x04")) return "a zip archive (an .xlsx spreadsheet is one: save it as CSV)";
  if (starts("\x1f\x8b")) return "a gzip-compressed file (decompress it first)";
  if (starts("\xd0\xcf\x11\xe0")) return "an old Office file (an .xls spreadsheet: save it as CSV)";
  if (starts("%PDF")) return "a PDF document";
  if (starts("\x28\xb5\x2f\xfd")) return "a zstd-compressed file (decompress it first)";
  if (starts("BZh")) {
    // a CSV may start with "BZh" too: only with a binary byte after it
    if (n > 4 && static_cast<unsigned char>(p[4]) >= 0x80) return "a bzip2-compressed file";
  }
  const std::size_t m = n < (std::size_t{64} << 10) ? n : (std::size_t{64} << 10);
  std::size_t control = 0;
  for (std::size_t i = 0; i < m; ++i) {
    const auto c = static_cast<unsigned char>(p[i]);
    control += (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') || c == 0x7f;
  }
  if (control >= 16 && control * 100 > m)
    return "binary data (control characters in the first block)";
  return {};
}

}  // namespace microreach::text
