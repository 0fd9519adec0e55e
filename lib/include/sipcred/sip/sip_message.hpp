#pragma once
// The few SIP messages (RFC 3261) a registrar and a REGISTER client exchange: a request or a
// response as a start line, headers in order and a body. Parsing is lenient where stacks
// differ (LF or CRLF line ends, compact header names, folded lines, any case of names) and
// strict where a wrong guess would mislead (a bad start line, a header without a colon, a
// Content-Length that the data contradicts): those are Error(DataError).

#include "sipcred/export.hpp"
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sipcred {

struct SIPCRED_EXPORT SipMessage {
  // A request when `method` is not empty, else a response.
  std::string method;
  std::string uri;
  int status = 0;
  std::string reason;
  std::vector<std::pair<std::string, std::string>> headers; // name as received, trimmed value
  std::string body;

  bool is_request() const { return !method.empty(); }
  // The first header of this name (long or compact form, any case); nullopt when absent.
  std::optional<std::string_view> header(std::string_view name) const;
  // Every value of that name, in order; a header line holding a comma-separated list is one
  // value (Digest challenges contain commas, so they are not split here).
  std::vector<std::string_view> headers_named(std::string_view name) const;
  void add_header(std::string name, std::string value);
  // Removes every header of that name.
  void remove_header(std::string_view name);

  // The message as sent: CRLF line ends, Content-Length set to the body's size.
  std::string format() const;
  // The first line without its line end: "REGISTER sip:x SIP/2.0" or "SIP/2.0 200 OK".
  std::string start_line() const;
};

// A whole message (as a UDP datagram carries it). Error(DataError) when it is not one.
SIPCRED_EXPORT SipMessage parse_sip_message(std::string_view data);

// Stream framing (TCP): the size of the first whole message at the start of `data`, or nullopt
// when more bytes are needed. Leading CRLFs (keep-alives) count as part of the message.
// Error(DataError) when the headers give no usable Content-Length (it is mandatory on streams)
// or when the headers grow past `max_header_bytes` without an end.
SIPCRED_EXPORT std::optional<std::size_t> sip_message_size(std::string_view data,
                                                           std::size_t max_header_bytes = 65536);
// The same framing one step earlier: once the headers at the start of `data` are whole, the
// size of the message they begin, though its body may not all be in `data` yet (so that a
// reader can refuse a message too large before it arrives); nullopt while the headers are not
// whole. The same errors.
SIPCRED_EXPORT std::optional<std::size_t>
sip_message_expected_size(std::string_view data, std::size_t max_header_bytes = 65536);

// A header parameter: "tag" in `<sip:a@b>;tag=12`, "branch" in a Via. Empty when absent.
SIPCRED_EXPORT std::string header_parameter(std::string_view value, std::string_view name);
// The URI of a From, To or Contact value: `sip:a@b` from `"A" <sip:a@b>;tag=1`.
SIPCRED_EXPORT std::string_view name_addr_uri(std::string_view value);

// The parts of a SIP URI that a client or a server needs.
struct SIPCRED_EXPORT SipUri {
  std::string scheme; // "sip" or "sips"
  std::string user;   // as written (may hold %-escapes); empty when absent
  std::string host;   // without brackets for IPv6
  std::optional<unsigned short> port;
  std::string transport; // the transport URI parameter, lower case; empty when absent
};
// Error(DataError) when `text` is not a sip: or sips: URI.
SIPCRED_EXPORT SipUri parse_sip_uri(std::string_view text);

// The response a server gives to `request`: Via, From, To, Call-ID and CSeq copied, a To tag
// added when it has none (`to_tag`), no body.
SIPCRED_EXPORT SipMessage make_response(const SipMessage& request, int status, std::string reason,
                                        std::string_view to_tag);

} // namespace sipcred
