#include "orchestra/schema/key_match.h"

#include <array>
#include <cctype>
#include <unordered_map>

namespace orchestra::schema {
namespace {

bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsSeparator(char c) { return c == ' ' || c == '-' || c == '.' || c == '_' || c == '\t'; }

constexpr std::array<std::array<std::string_view, 3>, 3> kSynonymGroups = {{
    {"name", "title", ""},
    {"description", "summary", "about"},
    {"link", "url", ""},
}};

// Index of the synonym group of a normalized key, or -1.
int SynonymGroup(std::string_view key) {
  for (size_t g = 0; g < kSynonymGroups.size(); ++g) {
    for (std::string_view word : kSynonymGroups[g]) {
      if (!word.empty() && word == key) return static_cast<int>(g);
    }
  }
  return -1;
}

}  // namespace

std::string NormalizeKey(std::string_view key) {
  std::string out;
  bool pending_separator = false;
  for (size_t i = 0; i < key.size(); ++i) {
    const char c = key[i];
    if (IsSeparator(c)) {
      pending_separator = true;
      continue;
    }
    // A word starts at an upper-case letter after a lower-case letter or digit ("fooBar"), or
    // at the last capital of an acronym followed by lower case ("HTTPStatus" -> HTTP|Status).
    const bool after_lower = i > 0 && (IsLower(key[i - 1]) || IsDigit(key[i - 1]));
    const bool acronym_end =
        i > 0 && IsUpper(key[i - 1]) && i + 1 < key.size() && IsLower(key[i + 1]);
    if (IsUpper(c) && (after_lower || acronym_end)) pending_separator = true;
    if (pending_separator && !out.empty()) out += '_';
    pending_separator = false;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

bool AreSynonyms(std::string_view a, std::string_view b) {
  const int group = SynonymGroup(a);
  return group >= 0 && group == SynonymGroup(b);
}

std::vector<std::optional<size_t>> MatchKeys(const std::vector<std::string_view>& wanted,
                                             const std::vector<std::string_view>& given,
                                             KeyMatchWork* work) {
  KeyMatchWork local;
  KeyMatchWork& cost = work ? *work : local;
  std::vector<std::optional<size_t>> match(wanted.size());
  std::vector<bool> used(given.size(), false);
  // One pass: the given keys not used yet, grouped by `key_of` in their order; each wanted key
  // still unmatched takes the first unused one of its group. Entries of a group are consumed
  // from the front, so every given key is looked at a bounded number of times.
  auto pass = [&](auto&& wanted_key, auto&& given_key) {
    std::unordered_map<std::string_view, std::vector<size_t>> groups;
    for (size_t g = 0; g < given.size(); ++g) {
      if (used[g]) continue;
      ++cost.lookups;
      if (auto key = given_key(g)) groups[*key].push_back(g);
    }
    std::unordered_map<std::string_view, size_t> next;  // first unconsumed entry of a group
    for (size_t w = 0; w < wanted.size(); ++w) {
      if (match[w]) continue;
      ++cost.lookups;
      const auto key = wanted_key(w);
      if (!key) continue;
      auto it = groups.find(*key);
      if (it == groups.end()) continue;
      size_t& front = next[*key];
      if (front == it->second.size()) continue;
      ++cost.lookups;
      const size_t g = it->second[front++];
      match[w] = g;
      used[g] = true;
    }
  };
  using Key = std::optional<std::string_view>;
  pass([&](size_t w) -> Key { return wanted[w]; }, [&](size_t g) -> Key { return given[g]; });
  std::vector<std::string> wanted_norm(wanted.size()), given_norm(given.size());
  for (size_t w = 0; w < wanted.size(); ++w) {
    if (!match[w]) wanted_norm[w] = NormalizeKey(wanted[w]);
  }
  for (size_t g = 0; g < given.size(); ++g) {
    if (!used[g]) given_norm[g] = NormalizeKey(given[g]);
  }
  pass([&](size_t w) -> Key { return wanted_norm[w]; },
       [&](size_t g) -> Key { return given_norm[g]; });
  // Synonyms: keys of one synonym group meet under the group's first word.
  auto group_word = [](std::string_view normalized) -> Key {
    const int group = SynonymGroup(normalized);
    if (group < 0) return std::nullopt;
    return kSynonymGroups[static_cast<size_t>(group)][0];
  };
  pass([&](size_t w) { return group_word(wanted_norm[w]); },
       [&](size_t g) { return group_word(given_norm[g]); });
  return match;
}

}  // namespace orchestra::schema
