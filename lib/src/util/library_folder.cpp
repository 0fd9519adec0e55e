#include "sipcred/util/library_folder.hpp"

#include <dlfcn.h>

namespace sipcred {

std::filesystem::path library_folder() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&library_folder), &info) == 0 || !info.dli_fname) return {};
  return std::filesystem::path(info.dli_fname).lexically_normal().parent_path();
}

} // namespace sipcred
