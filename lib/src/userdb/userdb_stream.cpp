#include "userdb/userdb_stream.hpp"

#include "sipcred/userdb/userdb.hpp"
#include "util/text.hpp"

namespace sipcred::userdb {

bool PieceReader::next(std::string& text, std::size_t& first_line) {
  while (!m_end && (m_carry.size() < m_piece_size || end_of_piece(m_carry) == 0)) {
    const std::size_t old = m_carry.size();
    m_carry.resize(old + m_piece_size);
    const std::size_t got = m_input.read(m_carry.data() + old, m_piece_size);
    m_carry.resize(old + got);
    m_end = got == 0;
  }
  if (m_end && m_carry.empty() && !m_first) {
    return false;
  }
  const std::size_t end = m_end ? m_carry.size() : end_of_piece(m_carry);
  // The piece takes the buffer; only the short tail after its end is copied back.
  text.swap(m_carry);
  m_carry.assign(text, end);
  text.resize(end);
  first_line = m_next_line;
  m_next_line += count_lines(text);
  m_first = false;
  return true;
}

} // namespace sipcred::userdb
