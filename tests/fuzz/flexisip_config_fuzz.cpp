// flexisip.conf: the reader, the mapping to the exchange's settings and the lint rules. The
// "long input" half (first byte odd) repeats the rest to 64 KiB, for the number and regex checks.
#include "fuzz_input.hpp"

#include "sipcred/config/auth_config.hpp"
#include "sipcred/config/flexisip_config.hpp"
#include "sipcred/lint/lint.hpp"
#include "sipcred/util/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sipcred;
  if (size == 0) return 0;
  std::string text(fuzz::text_of(data + 1, size - 1));
  if (data[0] & 1) text = "[module::Authentication]\n" + fuzz::repeated_to_64k(text);
  try {
    std::vector<Diagnostic> diagnostics;
    (void)lint::lint_flexisip_config(text, diagnostics);
    (void)read_auth_config(text);
  } catch (const Error&) {
  }
  return 0;
}
