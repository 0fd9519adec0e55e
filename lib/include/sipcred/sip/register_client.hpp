#pragma once
// The client side of a registration (or of another request a proxy authenticates), without
// the network: the requests to send and what to do with each response (answer a 401/407 once,
// follow stale=true once, stop on a final answer). The tool moves the bytes; this decides.

#include "sipcred/digest/digest.hpp"
#include "sipcred/export.hpp"
#include "sipcred/sip/sip_message.hpp"

#include <optional>
#include <string>

namespace sipcred {

struct SIPCRED_EXPORT RegisterSettings {
  SipUri aor;                         // sip:USER@HOST[:PORT], the address of record
  std::string auth_user;              // digest username; empty: the user of the AOR
  std::string password;               // never printed
  std::string transport = "UDP";      // UDP or TCP, for the Via and Contact
  std::string local_host;             // where responses come back: the Via and Contact
  unsigned short local_port = 0;      //
  unsigned expires = 3600;            //
  std::optional<Algorithm> algorithm; // answer only a challenge of this algorithm
  // REGISTER (to the AOR's domain), or another method sent to the AOR itself (an INVITE
  // to oneself, a MESSAGE...), which a proxy challenges with 407.
  std::string method = "REGISTER";
  std::string user_agent = "sipcred-sim probe";
};

class SIPCRED_EXPORT RegisterClient {
public:
  explicit RegisterClient(RegisterSettings settings);

  // The first request (CSeq 1, no credentials).
  SipMessage first_request();

  enum class Step {
    Wait,     // a provisional or stray response: keep waiting for the final one
    Send,     // send `request` (the challenge answered, CSeq + 1, a new branch)
    Done,     // 2xx: registered
    Rejected, // a final answer other than 2xx, or a challenge after credentials
  };
  struct Next {
    Step step = Step::Wait;
    SipMessage request; // with Step::Send
    std::string why;    // with Step::Rejected, Step::Wait: a reason to show
  };
  // Error(DataError) for a challenge that cannot be parsed or answered.
  Next on_response(const SipMessage& response);

private:
  SipMessage make_request();
  std::string request_uri() const;

  RegisterSettings m_settings;
  std::string m_call_id;
  std::string m_from_tag;
  std::string m_branch;
  unsigned m_cseq = 0;
  unsigned m_answers = 0; // challenges answered
  bool m_followed_stale = false;
  std::string m_authorization_name; // Authorization or Proxy-Authorization, once answered
  std::string m_authorization;      // its value
};

} // namespace sipcred
