#pragma once
// Errors with context. The library throws these; only main() turns them into exit codes.
#include <cstdint>
#include <stdexcept>
#include <string>

namespace microreach {

// Exit codes used by the CLI (documented in README "What microreach promises").
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;   // runtime failure (I/O, disk full, ...)
inline constexpr int kExitUsage = 2;     // invalid option / config value
inline constexpr int kExitBadInput = 3;  // invalid input file contents
inline constexpr int kExitInterrupted = 130;

// Base class: the message is complete and meant for the user.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
  virtual int exit_code() const { return kExitFailure; }
};

// An option, config-file key or scenario value that is not allowed.
// Message: "<option>: <value> is not valid: <what is allowed>".
class ConfigError : public Error {
 public:
  ConfigError(const std::string& option, const std::string& value, const std::string& expected)
      : Error(option + ": '" + value + "' is not valid: " + expected), option_(option) {}
  explicit ConfigError(const std::string& message) : Error(message) {}
  int exit_code() const override { return kExitUsage; }
  const std::string& option() const { return option_; }

 private:
  std::string option_;
};

// Bad contents of an input file, with its location. line/column are 1-based; 0 = unknown.
class InputError : public Error {
 public:
  InputError(const std::string& file, std::uint64_t line, std::uint64_t column,
             const std::string& message)
      : Error(format(file, line, column, message)),
        file_(file),
        line_(line),
        column_(column),
        reason_(message) {}
  int exit_code() const override { return kExitBadInput; }
  const std::string& file() const { return file_; }
  std::uint64_t line() const { return line_; }
  std::uint64_t column() const { return column_; }
  const std::string& reason() const { return reason_; }

  static std::string format(const std::string& file, std::uint64_t line, std::uint64_t column,
                            const std::string& message) {
    // Built with append() only: GCC 12 warns falsely (-Wrestrict) on chained operator+.
    std::string s;
    s.reserve(file.size() + message.size() + 48);
    s.append(file);
    if (line > 0) s.append(":").append(std::to_string(line));
    if (column > 0) s.append(":").append(std::to_string(column));
    s.append(": ").append(message);
    return s;
  }

 private:
  std::string file_;
  std::uint64_t line_, column_;
  std::string reason_;
};

// The run was interrupted (SIGINT/SIGTERM); outputs have been removed.
class Interrupted : public Error {
 public:
  Interrupted() : Error("interrupted: no output was written") {}
  int exit_code() const override { return kExitInterrupted; }
};

}  // namespace microreach
