// A sipcred-lint baseline (a file committed with the project): read without crashing, and what
// is read writes back to text that reads back the same.
#include "fuzz_input.hpp"

#include "sipcred/lint/baseline.hpp"
#include "sipcred/util/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sipcred;
  try {
    const lint::Baseline baseline = lint::Baseline::parse(fuzz::text_of(data, size), "fuzz");
    const std::string text = baseline.text();
    fuzz::require(lint::Baseline::parse(text, "again").text() == text);
  } catch (const Error& error) {
    fuzz::require(error.kind() == ErrorKind::DataError);
  }
  return 0;
}
