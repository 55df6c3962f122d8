#include "orchestra/sim/text.h"

#include <algorithm>
#include <array>
#include <cstdint>

namespace orchestra::sim {
namespace {

bool IsAsciiAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Length of the UTF-8 sequence starting at text[i] and its code point; a stray byte counts as
// one byte of U+FFFD.
size_t DecodeUtf8(std::string_view text, size_t i, uint32_t* code_point) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  size_t length = 1;
  uint32_t cp = 0xFFFD;
  if (lead >= 0xF0) {
    length = 4;
    cp = lead & 0x07;
  } else if (lead >= 0xE0) {
    length = 3;
    cp = lead & 0x0F;
  } else if (lead >= 0xC0) {
    length = 2;
    cp = lead & 0x1F;
  } else {
    *code_point = 0xFFFD;
    return 1;
  }
  if (i + length > text.size()) {
    *code_point = 0xFFFD;
    return 1;
  }
  for (size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) {
      *code_point = 0xFFFD;
      return 1;
    }
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  *code_point = cp;
  return length;
}

// Non-ASCII code points that separate words: Latin-1 punctuation and symbols, general
// punctuation (dashes, quotes, ellipsis), CJK punctuation, full-width ASCII punctuation.
bool IsSeparatorCodePoint(uint32_t cp) {
  return (cp >= 0x80 && cp <= 0xBF) || cp == 0xD7 || cp == 0xF7 || (cp >= 0x2000 && cp <= 0x2BFF) ||
         (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFF00 && cp <= 0xFF0F) || cp == 0xFEFF ||
         cp == 0xFFFD;
}

bool IsLabelWordChar(char c) {
  return IsAsciiAlnum(c) || c == '-' || c == '&' || c == '/' || c == '\'';
}

// If a label ("Difficulty: ", "Price point: ") starts at `pos`, the offset just past ": ".
size_t MatchLabel(std::string_view text, size_t pos, std::string* label) {
  if (pos >= text.size()) return 0;
  const char first = text[pos];
  if (!((first >= 'a' && first <= 'z') || (first >= 'A' && first <= 'Z'))) return 0;
  size_t i = pos;
  int words = 0;
  while (true) {
    const size_t word_start = i;
    while (i < text.size() && IsLabelWordChar(text[i])) ++i;
    if (i == word_start) return 0;
    ++words;
    if (i >= text.size()) return 0;
    if (text[i] == ':') break;
    if (text[i] != ' ' || words == 4) return 0;
    ++i;
  }
  // text[i] == ':'; a label needs whitespace (or the end) after its colon.
  if (i + 1 < text.size() && !IsSpace(text[i + 1])) return 0;
  if (i + 1 < text.size() && text[i + 1] == '\n') return 0;
  *label = std::string(text.substr(pos, i - pos));
  size_t value_start = i + 1;
  while (value_start < text.size() && IsSpace(text[value_start])) ++value_start;
  return value_start;
}

struct LabelHit {
  size_t start;        // first character of the label
  size_t value_start;  // first character of its value
  std::string label;
};

}  // namespace

std::string Stem(std::string word) {
  const auto ends_with = [&](std::string_view suffix) {
    return word.size() >= suffix.size() &&
           std::string_view(word).substr(word.size() - suffix.size()) == suffix;
  };
  if (word.size() > 4 && ends_with("ies")) {
    word.resize(word.size() - 3);
    word += 'y';
  } else if (word.size() > 3 && ends_with("s") && !ends_with("ss") && !ends_with("us") &&
             !ends_with("is")) {
    word.pop_back();
  }
  return word;
}

std::string_view Trim(std::string_view text) {
  size_t begin = 0, end = text.size();
  while (begin < end && IsSpace(text[begin])) ++begin;
  while (end > begin && IsSpace(text[end - 1])) --end;
  return text.substr(begin, end - begin);
}

std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> words;
  std::string current;
  const auto flush = [&] {
    if (!current.empty()) words.push_back(std::move(current));
    current.clear();
  };
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (static_cast<unsigned char>(c) < 0x80) {
      if (IsAsciiAlnum(c)) {
        current += Lower(c);
      } else {
        flush();
      }
      ++i;
      continue;
    }
    uint32_t cp;
    const size_t length = DecodeUtf8(text, i, &cp);
    if (IsSeparatorCodePoint(cp)) {
      flush();
    } else {
      current.append(text.substr(i, length));
    }
    i += length;
  }
  flush();
  return words;
}

bool IsStopWord(std::string_view word) {
  static constexpr std::string_view kStopWords[] = {
      "a",     "about",  "all", "also", "an",    "and",  "any",  "are",   "as",    "at",    "be",
      "been",  "but",    "by",  "can",  "could", "do",   "does", "each",  "for",   "from",  "had",
      "has",   "have",   "how", "i",    "if",    "in",   "into", "is",    "it",    "its",   "me",
      "more",  "most",   "my",  "no",   "not",   "of",   "on",   "or",    "other", "our",   "over",
      "per",   "should", "so",  "such", "than",  "that", "the",  "their", "then",  "these", "they",
      "this",  "those",  "to",  "via",  "vs",    "was",  "we",   "were",  "what",  "when",  "where",
      "which", "who",    "why", "will", "with",  "would"};
  return std::find(std::begin(kStopWords), std::end(kStopWords), word) != std::end(kStopWords);
}

std::vector<std::string> ContentWords(std::string_view text) {
  std::string spaced;
  spaced.reserve(text.size() + 8);
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (i > 0 && c >= 'A' && c <= 'Z' && text[i - 1] >= 'a' && text[i - 1] <= 'z') spaced += ' ';
    spaced += c;
  }
  std::vector<std::string> out;
  for (auto& word : Words(spaced)) {
    if (IsStopWord(word)) continue;
    out.push_back(Stem(std::move(word)));
  }
  return out;
}

std::string NormalizeKey(std::string_view key) {
  std::string out;
  out.reserve(key.size());
  for (char c : key) {
    if (IsAsciiAlnum(c)) out += Lower(c);
  }
  return out;
}

int KeyMatchRank(std::string_view wanted, std::string_view have) {
  if (wanted.empty() || have.empty()) return -1;
  if (wanted == have) return 0;
  const auto plural_of = [](std::string_view a, std::string_view b) {
    if (a.size() == b.size() + 1 && a.back() == 's' && a.substr(0, b.size()) == b) return true;
    return a.size() > 3 && a.size() == b.size() + 2 && a.substr(a.size() - 3) == "ies" &&
           b.back() == 'y' && a.substr(0, a.size() - 3) == b.substr(0, b.size() - 1);
  };
  if (plural_of(wanted, have) || plural_of(have, wanted)) return 1;
  static constexpr std::array<std::array<std::string_view, 3>, 3> kSynonyms = {{
      {"name", "title", "company"},
      {"description", "about", "summary"},
      {"link", "url", ""},
  }};
  for (const auto& group : kSynonyms) {
    const bool has_wanted = std::find(group.begin(), group.end(), wanted) != group.end();
    const bool has_have = std::find(group.begin(), group.end(), have) != group.end();
    if (has_wanted && has_have) return 2;
  }
  return -1;
}

std::vector<std::string_view> SplitSentences(std::string_view text) {
  std::vector<std::string_view> sentences;
  size_t start = 0;
  const auto emit = [&](size_t end) {
    const std::string_view sentence = Trim(text.substr(start, end - start));
    if (!sentence.empty()) sentences.push_back(sentence);
    start = end;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') {
      emit(i);
    } else if ((c == '.' || c == '!' || c == '?') &&
               (i + 1 == text.size() || IsSpace(text[i + 1]))) {
      emit(i + 1);
    }
  }
  emit(text.size());
  return sentences;
}

std::vector<JsonObject> ParseLabelledText(std::string_view text) {
  std::vector<LabelHit> hits;
  bool at_boundary = true;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (IsSpace(c)) {
      if (c == '\n') at_boundary = true;
      continue;
    }
    if (at_boundary) {
      std::string label;
      if (const size_t value_start = MatchLabel(text, i, &label)) {
        hits.push_back({i, value_start, std::move(label)});
        i = value_start - 1;
        at_boundary = false;
        continue;
      }
    }
    at_boundary = (c == '.' || c == '!' || c == '?' || c == ';') && i + 1 < text.size() &&
                  IsSpace(text[i + 1]);
  }

  std::vector<JsonObject> records;
  JsonObject current;
  std::vector<std::string> seen;
  for (size_t h = 0; h < hits.size(); ++h) {
    const size_t end = h + 1 < hits.size() ? hits[h + 1].start : text.size();
    std::string_view value = Trim(text.substr(hits[h].value_start, end - hits[h].value_start));
    if (!value.empty() &&
        (value.back() == ';' || (value.back() == '.' && !LooksTruncated(value)))) {
      value.remove_suffix(1);
      value = Trim(value);
    }
    if (value.empty()) continue;
    std::string key = NormalizeKey(hits[h].label);
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
      records.push_back(std::move(current));
      current = JsonObject();
      seen.clear();
    }
    seen.push_back(std::move(key));
    current[hits[h].label] = boost::json::string(value);
  }
  if (!current.empty()) records.push_back(std::move(current));
  return records;
}

bool LooksTruncated(std::string_view text) {
  text = Trim(text);
  const auto ends_with = [&](std::string_view suffix) {
    return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
  };
  return ends_with("...") || ends_with("\xE2\x80\xA6");
}

}  // namespace orchestra::sim
