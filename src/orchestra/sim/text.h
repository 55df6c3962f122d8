#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "orchestra/core/json.h"
#include "orchestra/core/text.h"

// Small text helpers of the simulated experts: key normalisation and "Label: value." parsing
// (words and sentences are core/text.h's). All pure and thread-safe.
namespace orchestra::sim {

// A key reduced for matching: lower case, only ASCII letters and digits kept, so
// "published_date", "publishedDate" and "Published Date" all give "publisheddate".
std::string NormalizeKey(std::string_view key);

// How well a record key matches a wanted key, both already normalised: 0 equal, 1 equal up
// to a plural "s", 2 synonyms (name/title/company, description/about/summary, link/url),
// -1 no match. Lower is better.
int KeyMatchRank(std::string_view wanted, std::string_view have);

// Records parsed from labelled text such as "Gap: X. Opportunity: Y. Difficulty: Medium - Z.".
// A label is 1-4 words (letters, digits, '-', '&', '/') at the start of the text or of a
// sentence, followed by ": "; its value runs to the next label (so it may span sentences),
// trimmed, with one trailing '.' removed. A label seen again starts a new record. Keys keep
// the label's spelling. Text without labels gives no records.
std::vector<JsonObject> ParseLabelledText(std::string_view text);

// Whether `text` ends like a cut-off excerpt ("..." or U+2026).
bool LooksTruncated(std::string_view text);

}  // namespace orchestra::sim
