#pragma once
// Word lists tried against a store's credentials (SC604): clear texts looked up directly, stored
// HA1s searched by hashing H(user-id:realm:candidate) for every candidate (hashcat modes 20 and
// 1420). Word lists are streamed in chunks; each chunk is searched by several threads, each
// over its share of the HA1s. Private to the lint module.

#include "sipcred/digest/digest.hpp"
#include "sipcred/lint/audit.hpp"

#include <cstddef>
#include <string>
#include <unordered_map>
#include <vector>

namespace sipcred::lint {

// A stored HA1 to look for.
struct HashTarget {
  std::size_t account = 0; // the caller's index of the account
  HashFunction hash = HashFunction::Md5;
  std::string prefix;                // "user-id:realm:"
  std::vector<unsigned char> digest; // the HA1, binary
};

struct WordlistMatch {
  std::size_t account = 0;
  const HashTarget* target = nullptr; // the HA1 found; nullptr: the clear text
  std::string wordlist;               // the file it is in
  std::string candidate;
};

// Clear texts to look for: password -> the accounts that have it.
using ClearTexts = std::unordered_map<std::string, std::vector<std::size_t>>;

// The HA1 of `hex` as binary, or an empty vector when it is not hex of the hash's length.
std::vector<unsigned char> digest_of_hex(HashFunction hash, std::string_view hex);

// Every match of the word lists, at most one per HA1 and per clear text (the first candidate,
// in word list order). Lines are candidates as they are (a final CR dropped); empty lines and
// lines over 256 bytes are skipped. `progress` gets bytes read of the word lists' total.
// Error(NoInput) for a word list that cannot be opened, Error(Io) for one that fails midway.
std::vector<WordlistMatch> search_wordlists(const std::vector<std::string>& wordlists,
                                            const std::vector<HashTarget>& targets,
                                            const ClearTexts& clear_texts, unsigned threads,
                                            const AuditProgress& progress);

} // namespace sipcred::lint
