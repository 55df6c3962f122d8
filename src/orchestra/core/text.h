#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

// Words and sentences of English prose, for overlap and relevance scoring: the miner's audit,
// the validator's answer keys and the simulated experts use the same ones. All pure and
// thread-safe.
namespace orchestra {

// Lower-cased words of `text`: runs of ASCII letters and digits, plus non-ASCII letters (UTF-8
// sequences outside the common punctuation blocks). Everything else separates words.
std::vector<std::string> Words(std::string_view text);

// The words of `text` that carry meaning, for overlap scoring: Words() without English stop
// words, lightly stemmed (Stem). Splits snake_case and camelCase first, so a field name such
// as "marketGaps" gives {"market", "gap"}.
std::vector<std::string> ContentWords(std::string_view text);

// `word` (lower case) without a plural ending: "gaps" -> "gap", "companies" -> "company";
// "ss", "us" and "is" endings are kept ("class", "status", "analysis").
std::string Stem(std::string word);

// Whether `word` (lower case) is an English stop word ("the", "of", "and", ...).
bool IsStopWord(std::string_view word);

// Sentences of `text`, split after '.', '!' or '?' followed by whitespace, and at line
// breaks; trimmed, empty ones dropped. Views into `text`.
std::vector<std::string_view> SplitSentences(std::string_view text);

// `url` reduced to the form two spellings of one page share: no scheme, no "www.", no
// fragment, host lower-cased, no trailing slash ("https://www.Akash.network/#x" ->
// "akash.network").
std::string NormalizeUrl(std::string_view url);

// Whether `word` is one of `list` (exact comparison): for the small fixed word lists of
// planning and relevance rules.
bool IsOneOf(std::string_view word, std::initializer_list<std::string_view> list);

// `text` without leading and trailing ASCII whitespace.
std::string_view Trim(std::string_view text);

}  // namespace orchestra
