#pragma once
// The subcommands of sipcred-sim that run whole exchanges: probe (a client, against a live
// server), serve (a registrar, for a real phone) and exchange (both, in memory).

#include "password_input.hpp"

#include <string>
#include <vector>

namespace sipcred::sim {

struct ProbeOptions {
  std::string aor;       // sip:USER@HOST[:PORT]
  std::string transport; // udp or tcp; empty: the URI's transport parameter, else udp
  std::string auth_user;
  cli::PasswordOptions password;
  double timeout = 10; // seconds, per transaction
  std::string algorithm;
};
int run_probe(const ProbeOptions& options);

struct ServeOptions {
  std::string listen = "127.0.0.1:5060";
  std::string config; // flexisip.conf: its settings and store
  std::string store;  // a store locator (overrides the config's)
  std::string schema; // of an SQL store
  std::string realm;
  std::vector<std::string> algorithms;
  bool no_qop = false;
  bool no_403 = false;
  unsigned nonce_expires = 3600;
  std::string transport = "both";
  unsigned idle_timeout = 120;   // seconds a TCP connection may stay idle
  unsigned message_timeout = 20; // seconds from a message's first byte on TCP to its last
  std::string max_failures;      // "N/MINUTES"; empty: no limit
  bool quiet = false;
};
int run_serve(const ServeOptions& options);

struct ExchangeOptions {
  std::string config;
  std::string store;
  std::string schema; // of an SQL store
  std::string user;   // USER@DOMAIN
  std::string auth_user;
  cli::PasswordOptions password;
  std::string method = "REGISTER";
  bool json = false;
  bool quiet = false;
};
int run_exchange(const ExchangeOptions& options);

} // namespace sipcred::sim
