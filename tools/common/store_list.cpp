#include "store_list.hpp"

#include "sipcred/store/store.hpp"

#include <iostream>

namespace sipcred::cli {

std::string store_forms() {
  const auto& backends = store_backends();
  std::string out;
  std::size_t column = 0;
  for (std::size_t i = 0; i < backends.size(); ++i) {
    std::string item = backends[i].kind == StoreKind::Userdb ? "a userdb " : "";
    item += backends[i].form;
    if (i + 2 < backends.size()) item += ",";
    if (i + 2 == backends.size()) item += " or";
    if (column > 0 && column + 1 + item.size() > 90) {
      out += '\n';
      column = 0;
    } else if (column > 0) {
      out += ' ';
      ++column;
    }
    out += item;
    column += item.size();
  }
  return out;
}

void add_list_stores_option(CLI::App& app) {
  app.add_flag_callback(
         "--list-stores",
         [] {
           for (const StoreBackend& backend : store_backends())
             std::cout << backend.form << '\t' << backend.description << '\n';
           throw CLI::Success();
         },
         "Print the kinds of store this tool opens (FORM, tab, description) and exit")
      ->trigger_on_parse();
}

} // namespace sipcred::cli
