#pragma once
// MD5 HA1s written into an output in batches: md5_many hashes 16 users side by side in SIMD
// lanes, several times faster than one at a time (MD5 one user at a time was the largest
// hashing cost of sipcred-convert). Each HA1 gets a placeholder in the output, filled in when
// its batch is hashed. Private to the library; bench/convert_bench uses it for the raw cost.

#include "digest/md5_many.hpp"
#include "util/text.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace sipcred {

class Md5Batch {
public:
  // HA1s go into `output`, which may grow (placeholders are offsets, not pointers) but must
  // outlive the batch.
  explicit Md5Batch(std::string& output) : m_output(output) {}

  // Appends a placeholder for H(user:realm:password) in hex; the strings are copied.
  void add(std::string_view user, std::string_view realm, std::string_view password) {
    m_places.push_back(m_output.size());
    // Not hex: a placeholder left unfilled by a bug would not pass for a hash.
    m_output.append(hex_size, '?');
    m_a1.append(user).append(":").append(realm).append(":").append(password);
    m_a1_ends.push_back(m_a1.size());
    if (m_places.size() == batch_size) flush();
  }

  // Fills in every pending placeholder: call before the output is used.
  void flush() {
    std::size_t start = 0;
    for (std::size_t end : m_a1_ends) {
      m_messages.push_back(std::string_view(m_a1).substr(start, end - start));
      start = end;
    }
    m_digests.resize(m_messages.size());
    md5_many(m_messages, m_digests);
    for (std::size_t i = 0; i < m_places.size(); ++i)
      write_hex(m_output.data() + m_places[i], m_digests[i].data(), m_digests[i].size());
    m_places.clear();
    m_a1.clear();
    m_a1_ends.clear();
    m_messages.clear();
  }

private:
  static constexpr std::size_t batch_size = 256;
  static constexpr std::size_t hex_size = 2 * std::tuple_size_v<Md5Digest>;
  std::string& m_output;
  std::vector<std::size_t> m_places; // where each hex HA1 goes in the output
  std::string m_a1;                  // the A1 strings, one after the other
  std::vector<std::size_t> m_a1_ends;
  std::vector<std::string_view> m_messages;
  std::vector<Md5Digest> m_digests;
};

} // namespace sipcred
