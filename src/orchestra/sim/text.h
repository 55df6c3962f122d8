#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "orchestra/core/json.h"

// Small text helpers shared by the simulated experts: word splitting, key normalisation,
// sentence splitting and "Label: value." parsing. All pure and thread-safe.
namespace orchestra::sim {

// Lower-cased words of `text`: runs of ASCII letters and digits, plus non-ASCII letters (UTF-8
// sequences outside the common punctuation blocks). Everything else separates words.
std::vector<std::string> Words(std::string_view text);

// The words of `text` that carry meaning, for overlap scoring: Words() without English stop
// words, lightly stemmed ("gaps" -> "gap", "companies" -> "company"). Splits snake_case and
// camelCase first, so a field name such as "marketGaps" gives {"market", "gap"}.
std::vector<std::string> ContentWords(std::string_view text);

// `word` (lower case) without a plural ending, as ContentWords stems: "gaps" -> "gap",
// "companies" -> "company"; "ss", "us" and "is" endings and words of 3 letters are kept.
std::string Stem(std::string word);

// Whether `word` (lower case) is an English stop word ("the", "of", "and", ...).
bool IsStopWord(std::string_view word);

// A key reduced for matching: lower case, only ASCII letters and digits kept, so
// "published_date", "publishedDate" and "Published Date" all give "publisheddate".
std::string NormalizeKey(std::string_view key);

// How well a record key matches a wanted key, both already normalised: 0 equal, 1 equal up
// to a plural "s", 2 synonyms (name/title/company, description/about/summary, link/url),
// -1 no match. Lower is better.
int KeyMatchRank(std::string_view wanted, std::string_view have);

// Sentences of `text`, split after '.', '!' or '?' followed by whitespace, and at line
// breaks; trimmed, empty ones dropped. Views into `text`.
std::vector<std::string_view> SplitSentences(std::string_view text);

// Records parsed from labelled text such as "Gap: X. Opportunity: Y. Difficulty: Medium - Z.".
// A label is 1-4 words (letters, digits, '-', '&', '/') at the start of the text or of a
// sentence, followed by ": "; its value runs to the next label (so it may span sentences),
// trimmed, with one trailing '.' removed. A label seen again starts a new record. Keys keep
// the label's spelling. Text without labels gives no records.
std::vector<JsonObject> ParseLabelledText(std::string_view text);

// Whether `text` ends like a cut-off excerpt ("..." or U+2026).
bool LooksTruncated(std::string_view text);

// `text` without leading and trailing ASCII whitespace.
std::string_view Trim(std::string_view text);

}  // namespace orchestra::sim
