#include "sipcred/sip/exchange_rehearsal.hpp"

#include "sipcred/util/error.hpp"

namespace sipcred {

Rehearsal rehearse_exchange(Registrar& registrar, RegisterClient& client,
                            Registrar::Clock::time_point now, unsigned max_requests) {
  Rehearsal out;
  SipMessage request = client.first_request();
  for (unsigned sent = 0; sent < max_requests; ++sent) {
    out.messages.push_back({true, request, {}});
    Registrar::Outcome outcome = registrar.handle(request, now);
    out.accepted = outcome.accepted;
    out.reason = outcome.reason;
    if (!outcome.response) break;
    out.messages.push_back({false, *outcome.response, outcome.reason});
    if (outcome.accepted) break;
    RegisterClient::Next next;
    try {
      next = client.on_response(*outcome.response);
    } catch (const Error& e) {
      out.reason += std::string("; the client cannot answer: ") + e.what();
      break;
    }
    if (next.step != RegisterClient::Step::Send) {
      if (!next.why.empty()) out.reason += " (the client: " + next.why + ")";
      break;
    }
    request = std::move(next.request);
  }
  return out;
}

} // namespace sipcred
