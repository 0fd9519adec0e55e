// pjsip.conf as sipcred-lint --pjsip and sipcred-migrate read it: sections, templates applied
// (bounded work however they inherit), and Asterisk's load rules.
#include "fuzz_input.hpp"

#include "sipcred/config/pjsip_config.hpp"
#include "sipcred/lint/lint.hpp"
#include "sipcred/util/error.hpp"

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
  return 0;
}
