// pjsip.conf as sipcred-lint --pjsip and sipcred-migrate read it: sections, templates applied
// (bounded work however they inherit), and Asterisk's load rules of each auth object
// (formats/pjsip_auth), read through the pjsip: store itself from a file in memory.
#include "fuzz_input.hpp"

#include "sipcred/config/pjsip_config.hpp"
#include "sipcred/lint/lint.hpp"
#include "sipcred/store/store.hpp"
#include "sipcred/util/error.hpp"

#include <fstream>
#include <string>

#include <unistd.h>

namespace {

// The input as the file a pjsip: locator names (in /dev/shm: no disk I/O per input).
std::string as_file(std::string_view text) {
  static const std::string path = "/dev/shm/sipcred-fuzz-pjsip-" + std::to_string(::getpid());
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(text.data(), text.size());
  return path;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sipcred;
  const std::string_view text = fuzz::text_of(data, size);
  try {
    std::vector<Diagnostic> diagnostics;
    const auto config = config::PjsipConfig::parse(text, diagnostics);
    for (const auto& section : config.sections()) (void)config.effective_entries(section);
    std::vector<Diagnostic> lint_diagnostics;
    lint::lint_pjsip(text, lint_diagnostics);
  } catch (const Error&) {
  }
  try {
    const auto store = open_store(parse_locator("pjsip:" + as_file(text)), {});
    store->read([](Account&& account) { fuzz::require(!account.credentials.empty()); });
  } catch (const Error&) { // a refused file: InvalidStoreData, with its problems
  }
  return 0;
}
