// sipcred-user import's lists: CSV (first byte even) and JSON lines (odd).
#include "fuzz_input.hpp"

#include "sipcred/formats/import_list.hpp"
#include "sipcred/util/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sipcred;
  if (size == 0) return 0;
  const std::string_view text = fuzz::text_of(data + 1, size - 1);
  try {
    std::vector<Diagnostic> diagnostics;
    (void)read_import_list(text, data[0] & 1 ? ImportFormat::JsonLines : ImportFormat::Csv,
                           diagnostics);
  } catch (const Error&) {
  }
  return 0;
}
