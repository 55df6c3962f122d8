#include "orchestra/schema/key_match.h"

#include <array>
#include <cctype>

namespace orchestra::schema {
namespace {

bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsSeparator(char c) { return c == ' ' || c == '-' || c == '.' || c == '_' || c == '\t'; }

// Index of the synonym group of a normalized key, or -1.
int SynonymGroup(std::string_view key) {
  static constexpr std::array<std::array<std::string_view, 3>, 3> kGroups = {{
      {"name", "title", ""},
      {"description", "summary", "about"},
      {"link", "url", ""},
  }};
  for (size_t g = 0; g < kGroups.size(); ++g) {
    for (std::string_view word : kGroups[g]) {
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
                                             const std::vector<std::string_view>& given) {
  std::vector<std::optional<size_t>> match(wanted.size());
  std::vector<bool> used(given.size(), false);
  std::vector<std::string> wanted_norm, given_norm;
  for (auto key : wanted) wanted_norm.push_back(NormalizeKey(key));
  for (auto key : given) given_norm.push_back(NormalizeKey(key));
  auto pass = [&](auto&& same) {
    for (size_t w = 0; w < wanted.size(); ++w) {
      if (match[w]) continue;
      for (size_t g = 0; g < given.size(); ++g) {
        if (used[g] || !same(w, g)) continue;
        match[w] = g;
        used[g] = true;
        break;
      }
    }
  };
  pass([&](size_t w, size_t g) { return wanted[w] == given[g]; });
  pass([&](size_t w, size_t g) { return wanted_norm[w] == given_norm[g]; });
  pass([&](size_t w, size_t g) { return AreSynonyms(wanted_norm[w], given_norm[g]); });
  return match;
}

}  // namespace orchestra::schema
