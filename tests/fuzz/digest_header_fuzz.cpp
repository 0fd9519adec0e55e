// Digest challenges and credentials from a peer: parsed, then formatted and parsed again. A
// formatted header must parse back to the same values (a hostile value must not smuggle a
// parameter in).
#include "fuzz_input.hpp"

#include "sipcred/sip/digest_header.hpp"
#include "sipcred/util/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sipcred;
  const std::string_view text = fuzz::text_of(data, size);
  try {
    for (const DigestChallenge& challenge : parse_challenges(text)) {
      std::string formatted;
      try {
        formatted = format_challenge(challenge);
      } catch (const Error&) {
        continue; // a value the format refuses to write
      }
      const auto again = parse_challenges(formatted);
      fuzz::require(again.size() == 1 && format_challenge(again[0]) == formatted);
    }
  } catch (const Error&) {
  }
  try {
    const DigestCredentials credentials = parse_credentials(text);
    std::string formatted;
    try {
      formatted = format_credentials(credentials);
    } catch (const Error&) {
      return 0;
    }
    fuzz::require(format_credentials(parse_credentials(formatted)) == formatted);
  } catch (const Error&) {
  }
  return 0;
}
