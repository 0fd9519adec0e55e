// SIP messages as serve receives them (UDP datagrams, TCP framing), and the URIs in them.
#include "fuzz_input.hpp"

#include "sipcred/error.hpp"
#include "sipcred/sip_message.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sipcred;
  const std::string_view text = fuzz::text_of(data, size);
  try {
    (void)sip_message_size(text);
  } catch (const Error&) {
  }
  try {
    const SipMessage message = parse_sip_message(text);
    // What a parsed message formats to must parse again, to the same start line and headers.
    const SipMessage again = parse_sip_message(message.format());
    fuzz::require(again.start_line() == message.start_line());
    fuzz::require(again.headers.size() ==
                  message.headers.size() + !message.header("Content-Length"));
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
