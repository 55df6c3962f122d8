#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace orchestra::schema {

// A key in one naming style: camelCase and PascalCase words split ("competitorName",
// "HTTPStatus" -> "competitor_name", "http_status"), lower-cased, and runs of spaces, hyphens,
// dots and underscores turned into one underscore, trimmed at both ends.
std::string NormalizeKey(std::string_view key);

// Whether two normalized keys are synonyms in the small table the standardizer trusts:
// name/title, description/summary/about, link/url.
bool AreSynonyms(std::string_view a, std::string_view b);

// What one MatchKeys call did: every key lookup and every candidate it looked at counts one.
// Linear in the number of keys (at most about 4 × (wanted + given)), however many there are.
struct KeyMatchWork {
  uint64_t lookups = 0;
};

// Pairs each wanted (schema) key with at most one given (dirty) key, each given key used at
// most once. Passes in order of confidence: exact match, then equal normalized keys, then
// synonyms; within a pass, given keys are taken in their order. Entry i of the result is the
// index into `given` matched to wanted[i], or nullopt. Each pass looks keys up by hash (the
// synonym pass by synonym group), so the time is linear in the number of keys. `work`, when
// given, receives the count of lookups.
std::vector<std::optional<size_t>> MatchKeys(const std::vector<std::string_view>& wanted,
                                             const std::vector<std::string_view>& given,
                                             KeyMatchWork* work = nullptr);

}  // namespace orchestra::schema
