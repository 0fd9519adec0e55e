#include "sipcred/userdb/line_edits.hpp"

#include "sipcred/util/error.hpp"

#include <algorithm>

namespace sipcred::userdb {

std::string_view LineEdits::line_end() const {
  const std::size_t first = m_original.find('\n');
  return first != std::string_view::npos && first > 0 && m_original[first - 1] == '\r' ? "\r\n"
                                                                                       : "\n";
}

void LineEdits::replace(std::string_view line, std::string text) {
  const std::string_view original = m_original;
  if (line.data() < original.data() ||
      line.data() + line.size() > original.data() + original.size())
    throw Error(ErrorKind::Internal, "LineEdits: the line is not part of the original");
  text += line.ends_with("\r\n") ? "\r\n" : "\n";
  m_edits.push_back(Edit{static_cast<std::size_t>(line.data() - m_original.data()), line.size(),
                         std::move(text)});
}

void LineEdits::erase(std::string_view line) {
  replace(line, "");
  m_edits.back().text.clear();
}

void LineEdits::append(std::string text) {
  if (m_appended.empty() && !m_original.empty() && m_original.back() != '\n')
    m_appended += line_end();
  m_appended += text;
  m_appended += line_end();
}

std::vector<LineEdits::Change> LineEdits::changes() const {
  std::vector<Change> changes;
  for (const Edit& edit : m_edits) changes.push_back({edit.offset, edit.text});
  if (!m_appended.empty()) changes.push_back({m_original.size(), m_appended});
  return changes;
}

std::vector<std::string_view> LineEdits::pieces() const {
  std::vector<const Edit*> order;
  for (const Edit& edit : m_edits) order.push_back(&edit);
  std::sort(order.begin(), order.end(),
            [](const Edit* a, const Edit* b) { return a->offset < b->offset; });
  std::vector<std::string_view> pieces;
  std::size_t done = 0;
  for (const Edit* edit : order) {
    if (edit->offset < done) throw Error(ErrorKind::Internal, "LineEdits: a line edited twice");
    pieces.push_back(m_original.substr(done, edit->offset - done));
    if (!edit->text.empty()) pieces.push_back(edit->text);
    done = edit->offset + edit->length;
  }
  pieces.push_back(m_original.substr(done));
  if (!m_appended.empty()) pieces.push_back(m_appended);
  return pieces;
}

} // namespace sipcred::userdb
