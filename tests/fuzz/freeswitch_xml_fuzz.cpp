// FreeSWITCH directory XML (freeswitch:PATH): parsed, every user's credentials rewritten, a user
// added and one removed; what is written back must parse again with the same users.
#include "fuzz_input.hpp"

#include "formats/freeswitch_xml.hpp"
#include "sipcred/util/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sipcred;
  try {
    freeswitch::Document doc = freeswitch::Document::parse(fuzz::text_of(data, size), "fuzz.xml");
    std::vector<freeswitch::Problem> problems;
    const auto users = doc.users(&problems);
    for (const auto& user : users) doc.set_credentials(user.node, "pw", std::nullopt);
    try {
      doc.add_user("example.org", "example.org", "new");
    } catch (const Error&) { // no place for it: a Usage error, never a crash
    }
    const std::size_t expected = users.size() + 1;
    auto after = doc.users();
    fuzz::require(after.size() == expected || after.size() == users.size());
    if (!after.empty()) doc.remove_user(after.front().node);
    const std::string text = doc.text();
    if (text.size() <= freeswitch::max_file_size) {
      const freeswitch::Document again = freeswitch::Document::parse(text, "again.xml");
      fuzz::require(again.users().size() == doc.users().size());
    }
  } catch (const Error&) {
  }
  return 0;
}
