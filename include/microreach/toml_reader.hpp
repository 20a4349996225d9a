#pragma once
// TOML files (scenarios, follower models, --config files) read through toml++, flattened into a
// list of entries with their location and their text as written, so that each reader can check
// its own keys and name "file:line: key", the value as given and what is allowed.
//
// Bounds, applied before toml++ sees the text (so no input can exhaust the stack or memory):
//   - a file is at most kMaxTomlBytes bytes (read it with read_text_file, microreach/text_file.hpp,
//     which also refuses a device or FIFO);
//   - a dotted key or table header has at most kMaxKeyParts parts (a.b.c is three);
//   - arrays and inline tables nest at most kMaxValueNesting deep.
// Syntax errors (including a key or table defined twice) throw InputError(file, line, column).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace microreach::toml {

inline constexpr std::size_t kMaxTomlBytes = 1u << 20;  // 1 MiB: our files are a few kB
inline constexpr std::size_t kMaxKeyParts = 8;
inline constexpr std::size_t kMaxValueNesting = 32;

struct Value {
  enum class Kind { table, array, string, integer, floating, boolean, date_time };
  Kind kind = Kind::string;
  std::string key;   // full dotted key: "model.trust.nano"; array items carry the array's key
  std::string text;  // the value as written in the file (for messages)
  std::string str;   // string
  std::int64_t i = 0;
  double d = 0;  // floating, and integer converted
  bool b = false;
  std::vector<Value> items;  // array items
  std::uint64_t line = 0, column = 0;
  bool explicit_table = false;  // a [header] (or an inline table), not a parent made by a.b = 1

  bool is_number() const { return kind == Kind::integer || kind == Kind::floating; }
  // "a number", "a \"string\"", ... for messages saying what was found.
  const char* kind_name() const;
};

// Every table and every key = value of the document, flattened (array items stay inside their
// array), in file order. A float that is inf or nan is refused: every number must be finite.
std::vector<Value> parse(std::string_view text, const std::string& file);

// Quoted TOML basic string ("a\"b") that parse() reads back exactly.
std::string quote(std::string_view s);

}  // namespace microreach::toml
