#pragma once
// A userdb (or any file a store reads) written to a fresh temporary directory, opened through
// open_store as the tools open it; the directory goes with the object.

#include "sipcred/store/store.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>

#include <stdlib.h>

namespace sipcred::test {

class TempStore {
public:
  explicit TempStore(std::string_view content, std::string_view name = "users") {
    std::string pattern = (std::filesystem::temp_directory_path() / "sipcred-unit-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    m_dir = pattern;
    m_path = (std::filesystem::path(m_dir) / name).string();
    std::ofstream(m_path, std::ios::binary) << content;
    m_store = open_store(parse_locator(m_path), StoreOptions{});
  }
  ~TempStore() {
    m_store.reset();
    std::error_code ignored;
    std::filesystem::remove_all(m_dir, ignored);
  }
  TempStore(const TempStore&) = delete;
  TempStore& operator=(const TempStore&) = delete;

  Store& store() { return *m_store; }
  const std::string& path() const { return m_path; }
  const std::string& dir() const { return m_dir; }

private:
  std::string m_dir;
  std::string m_path;
  std::unique_ptr<Store> m_store;
};

} // namespace sipcred::test
