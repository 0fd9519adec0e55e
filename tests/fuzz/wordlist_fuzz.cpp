// sipcred-lint --audit's word lists: lines of any bytes and length, read a chunk at a time.
// Every candidate found is a line of the input (a final CR dropped), non-empty and at most 256
// bytes; the input's first line, planted as a clear text and as an MD5 HA1, is found when it
// qualifies.
#include "fuzz_input.hpp"

#include "lint/wordlist_search.hpp"
#include "sipcred/util/error.hpp"

#include <set>
#include <string>

#include <sys/mman.h>
#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sipcred;
  const std::string_view text = fuzz::text_of(data, size);
  const int fd = ::memfd_create("wordlist", MFD_CLOEXEC);
  if (fd < 0) return 0;
  if (::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    ::close(fd);
    return 0;
  }
  std::set<std::string> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string line(text.substr(start, end - start));
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty() && line.size() <= 256) lines.insert(line);
    start = end + 1;
  }
  const std::string first = lines.empty() ? std::string("x") : *lines.begin();
  lint::ClearTexts clear{{first, {0}}};
  lint::HashTarget target{1, HashFunction::Md5, "u:r:", {}};
  target.digest = lint::digest_of_hex(HashFunction::Md5, ha1(HashFunction::Md5, "u", "r", first));
  const std::vector<lint::HashTarget> targets{target};
  try {
    const auto matches = lint::search_wordlists({"/proc/self/fd/" + std::to_string(fd)}, targets,
                                                clear, 1, {});
    for (const lint::WordlistMatch& match : matches) fuzz::require(lines.count(match.candidate));
    fuzz::require(lines.empty() || matches.size() == 2);
  } catch (const Error&) {
  }
  ::close(fd);
  return 0;
}
