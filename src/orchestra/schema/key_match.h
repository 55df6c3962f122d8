#pragma once

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

// Pairs each wanted (schema) key with at most one given (dirty) key, each given key used at
// most once. Passes in order of confidence: exact match, then equal normalized keys, then
// synonyms; within a pass, given keys are taken in their order. Entry i of the result is the
// index into `given` matched to wanted[i], or nullopt.
std::vector<std::optional<size_t>> MatchKeys(const std::vector<std::string_view>& wanted,
                                             const std::vector<std::string_view>& given);

}  // namespace orchestra::schema
