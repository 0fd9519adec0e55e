#pragma once
// What a tool says about the stores it opens, from the one table of them (store_backends()):
// its help and --list-stores, which the man pages and completions are tested against.

#include <CLI/CLI.hpp>

#include <string>

namespace sipcred::cli {

// "a userdb PATH, htdigest:PATH, ... or mysql://db=D host=H user=U ...", wrapped for --help.
std::string store_forms();

// --list-stores: prints FORM<TAB>DESCRIPTION for each store this tool opens, and exits 0.
void add_list_stores_option(CLI::App& app);

} // namespace sipcred::cli
