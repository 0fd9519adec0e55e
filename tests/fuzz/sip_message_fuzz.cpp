// SIP messages as serve receives them (UDP datagrams, TCP framing), and the URIs in them.
#include "fuzz_input.hpp"

#include "sipcred/sip/sip_message.hpp"
#include "sipcred/util/error.hpp"

namespace {

std::vector<std::pair<std::string, std::string>>
without_content_length(const sipcred::SipMessage& message) {
  sipcred::SipMessage rest = message;
  rest.remove_header("Content-Length");
  return rest.headers;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sipcred;
  const std::string_view text = fuzz::text_of(data, size);
  try {
    (void)sip_message_size(text);
  } catch (const Error&) {
  }
  try {
    const SipMessage message = parse_sip_message(text);
    // What a parsed message formats to must parse again: the same start line, the same headers
    // in order, and one Content-Length (format() writes its own in place of any).
    const SipMessage again = parse_sip_message(message.format());
    fuzz::require(again.start_line() == message.start_line());
    fuzz::require(again.body == message.body);
    fuzz::require(again.headers_named("Content-Length").size() == 1);
    fuzz::require(without_content_length(again) == without_content_length(message));
    for (const char* name : {"From", "To", "Contact"})
      if (auto value = message.header(name)) {
        (void)header_parameter(*value, "tag");
        try {
          (void)parse_sip_uri(name_addr_uri(*value));
        } catch (const Error&) {
        }
      }
  } catch (const Error&) {
  }
  return 0;
}
