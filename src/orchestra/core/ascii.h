#pragma once

#include <algorithm>
#include <string_view>

namespace orchestra {

// ASCII case folding for protocol tokens (HTTP field names, header values such as "close"),
// independent of the C locale.
inline char AsciiLower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

inline bool EqualsIgnoringAsciiCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return AsciiLower(x) == AsciiLower(y);
         });
}

}  // namespace orchestra
