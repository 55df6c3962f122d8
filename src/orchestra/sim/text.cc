#include "orchestra/sim/text.h"

#include <algorithm>
#include <array>

namespace orchestra::sim {
namespace {

bool IsAsciiAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

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
