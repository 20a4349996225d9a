#pragma once
// CSV output: profiles and scores as rows a spreadsheet or pandas reads. Numbers are written in
// the shortest form that reads back to the same double (a missing value as an empty field), so
// import -> export -> import keeps every value.
#include <cstdint>
#include <memory>
#include <string>

#include "microreach/profile.hpp"
#include "microreach/scoring.hpp"

namespace microreach::io {

void put_number(std::string& s, double v);  // nothing for a missing value
void put_count(std::string& s, std::uint64_t v);

// The header line (with its newline) of a profiles table: every profile column, then
// true_fake_share when `truth`, then the score columns when `scores`.
std::string profiles_csv_header(bool scores, bool truth);
// Appends row `r` of `p` (and of `sc`, when not null) as one line.
void append_profile_row(std::string& s, const ProfileChunk& p, std::size_t r, const ScoreChunk* sc,
                        bool truth);

// A CSV destination written all or nothing: a temporary file beside `path`, renamed into place
// by commit(); "-" is standard output (spooled, copied out by commit()). Devices, directories
// and unwritable places are refused naming `option`.
class CsvOutput {
 public:
  CsvOutput(const std::string& path, const std::string& option);
  ~CsvOutput();  // removes the temporary file unless committed
  void write(const std::string& s);
  void commit();
  bool to_stdout() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace microreach::io
