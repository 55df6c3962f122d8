#include "orchestra/core/logfmt.h"

#include <fmt/format.h>

#include "orchestra/core/utf8.h"

namespace orchestra {
namespace {

bool IsControl(unsigned char c) { return c < 0x20 || c == 0x7f; }

bool IsBare(std::string_view value) {
  if (value.empty() || !IsValidUtf8(value)) return false;
  for (const char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    if (IsControl(c) || c == ' ' || c == '"' || c == '=' || c == '\\') return false;
  }
  return true;
}

}  // namespace

std::string LogfmtValue(std::string_view value) {
  if (IsBare(value)) return std::string(value);
  std::string out = "\"";
  for (size_t i = 0; i < value.size();) {
    const auto c = static_cast<unsigned char>(value[i]);
    if (c >= 0x80) {
      // Well-formed multi-byte characters stay as they are; stray bytes are escaped.
      if (const size_t n = Utf8SequenceLength(value, i); n > 0) {
        out.append(value.substr(i, n));
        i += n;
      } else {
        fmt::format_to(std::back_inserter(out), "\\x{:02x}", c);
        ++i;
      }
      continue;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (IsControl(c)) {
          fmt::format_to(std::back_inserter(out), "\\x{:02x}", c);
        } else {
          out += static_cast<char>(c);
        }
    }
    ++i;
  }
  return out + "\"";
}

}  // namespace orchestra
