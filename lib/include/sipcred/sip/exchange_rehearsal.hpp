#pragma once
// A whole digest exchange rehearsed in memory: a RegisterClient (the phone) and a Registrar
// (Flexisip's Authentication module) pass SIP messages to each other, with no network, until
// the registrar lets the request through or the client gives up. `sipcred-sim exchange`
// prints the transcript; the same two objects serve real peers in `probe` and `serve`.

#include "sipcred/export.hpp"
#include "sipcred/sip/register_client.hpp"
#include "sipcred/sip/registrar.hpp"
#include "sipcred/sip/sip_message.hpp"

#include <string>
#include <vector>

namespace sipcred {

struct SIPCRED_EXPORT RehearsedMessage {
  bool from_client = false; // a request of the client, else a response of the registrar
  SipMessage message;
  std::string verdict; // for a response: the registrar's reason (no secret)
};

struct SIPCRED_EXPORT Rehearsal {
  std::vector<RehearsedMessage> messages;
  bool accepted = false; // the registrar let the request through
  std::string reason;    // the registrar's last verdict, and why the client stopped if it did
};

// The client's first request, then each response and the client's next request, until the
// registrar accepts, answers without a challenge the client takes up (403, a challenge after
// credentials), or `max_requests` requests were sent. Error(DataError) from the client (a
// challenge it cannot answer) ends the exchange as a refusal, with the reason.
SIPCRED_EXPORT Rehearsal rehearse_exchange(Registrar& registrar, RegisterClient& client,
                                           Registrar::Clock::time_point now,
                                           unsigned max_requests = 4);

} // namespace sipcred
