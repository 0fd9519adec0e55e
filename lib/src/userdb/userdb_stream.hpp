#pragma once
// A userdb read from a stream in pieces, for files too large to hold: each piece scans on its
// own (userdb::scan_piece) and gives the same lines and diagnostics as one scan would.

#include "sipcred/util/input_stream.hpp"
#include "userdb/userdb_scan.hpp"

#include <cstddef>
#include <string>

namespace sipcred::userdb {

class PieceReader {
public:
  PieceReader(InputStream& input, std::size_t piece_size)
      : m_input(input), m_piece_size(piece_size) {}

  // The next piece and the number of its first line; false at the end. A piece ends where
  // end_of_piece allows, never inside a line or inside a run of indented CRLF lines (they may
  // continue a comment): such a run, or a single line, longer than a piece makes the piece
  // that long. An empty input is one empty piece, so that it gets reported.
  bool next(std::string& text, std::size_t& first_line);

private:
  InputStream& m_input;
  const std::size_t m_piece_size;
  std::string m_carry;
  bool m_end = false;
  bool m_first = true;
  std::size_t m_next_line = 1;
};

} // namespace sipcred::userdb
