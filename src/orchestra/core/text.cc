#include "orchestra/core/text.h"

#include <algorithm>
#include <cstdint>

namespace orchestra {
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

}  // namespace

std::string Stem(std::string word) {
  const auto ends_with = [&](std::string_view suffix) {
    return word.size() >= suffix.size() &&
           std::string_view(word).substr(word.size() - suffix.size()) == suffix;
  };
  if (word.size() > 5 &&
      (ends_with("sses") || ends_with("xes") || ends_with("ches") || ends_with("shes"))) {
    word.resize(word.size() - 2);
  } else if (word.size() > 4 && ends_with("ies")) {
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

std::string NormalizeUrl(std::string_view url) {
  url = Trim(url);
  const auto strip_prefix_ci = [&](std::string_view prefix) {
    if (url.size() < prefix.size()) return false;
    for (size_t i = 0; i < prefix.size(); ++i) {
      const char c = url[i];
      const char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
      if (lower != prefix[i]) return false;
    }
    url.remove_prefix(prefix.size());
    return true;
  };
  if (!strip_prefix_ci("https://") && !strip_prefix_ci("http://")) strip_prefix_ci("//");
  strip_prefix_ci("www.");
  if (const size_t hash = url.find('#'); hash != std::string_view::npos) url = url.substr(0, hash);
  while (!url.empty() && url.back() == '/') url.remove_suffix(1);
  std::string out(url);
  const size_t host_end = std::min(out.find_first_of("/?"), out.size());
  for (size_t i = 0; i < host_end; ++i) {
    if (out[i] >= 'A' && out[i] <= 'Z') out[i] = static_cast<char>(out[i] - 'A' + 'a');
  }
  return out;
}

bool IsOneOf(std::string_view word, std::initializer_list<std::string_view> list) {
  return std::find(list.begin(), list.end(), word) != list.end();
}

}  // namespace orchestra
