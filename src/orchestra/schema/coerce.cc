#include "orchestra/schema/coerce.h"

#include <array>
#include <charconv>
#include <cmath>

namespace orchestra::schema {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view Trim(std::string_view text) {
  while (!text.empty() && IsSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsSpace(text.back())) text.remove_suffix(1);
  return text;
}

bool ConsumeCurrency(std::string_view* text) {
  static constexpr std::array<std::string_view, 5> kSymbols = {"$", "€", "£", "¥", "₹"};
  for (std::string_view symbol : kSymbols) {
    if (text->starts_with(symbol)) {
      text->remove_prefix(symbol.size());
      return true;
    }
  }
  return false;
}

// The integer part with thousands separators removed: plain digits, or 1-3 digits followed by
// groups of ",ddd". Empty on anything else.
std::string IntegerDigits(std::string_view part) {
  if (part.find(',') == std::string_view::npos) {
    for (char c : part) {
      if (!IsDigit(c)) return "";
    }
    return std::string(part);
  }
  std::string digits;
  size_t group_start = 0;
  bool first = true;
  while (true) {
    const size_t comma = part.find(',', group_start);
    const std::string_view group = part.substr(group_start, comma - group_start);
    const bool size_ok = first ? (!group.empty() && group.size() <= 3) : group.size() == 3;
    if (!size_ok) return "";
    for (char c : group) {
      if (!IsDigit(c)) return "";
    }
    digits += group;
    first = false;
    if (comma == std::string_view::npos) return digits;
    group_start = comma + 1;
  }
}

}  // namespace

std::optional<Json> ParseLooseNumber(std::string_view text) {
  text = Trim(text);
  bool negative = false;
  bool signed_already = false;
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
    negative = text.front() == '-';
    signed_already = true;
    text.remove_prefix(1);
  }
  if (ConsumeCurrency(&text) && !signed_already && !text.empty() &&
      (text.front() == '-' || text.front() == '+')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  // Split into integer part, fraction and exponent.
  size_t end_of_int = 0;
  while (end_of_int < text.size() && (IsDigit(text[end_of_int]) || text[end_of_int] == ',')) {
    ++end_of_int;
  }
  const std::string integer = IntegerDigits(text.substr(0, end_of_int));
  std::string_view rest = text.substr(end_of_int);
  std::string_view fraction;  // ".5"; "1." has the empty fraction "."
  if (!rest.empty() && rest.front() == '.') {
    size_t i = 1;
    while (i < rest.size() && IsDigit(rest[i])) ++i;
    fraction = rest.substr(0, i);
    rest.remove_prefix(i);
  }
  if (integer.empty() && fraction.size() < 2) return std::nullopt;
  std::string_view exponent;
  if (!rest.empty() && (rest.front() == 'e' || rest.front() == 'E')) {
    size_t i = 1;
    if (i < rest.size() && (rest[i] == '-' || rest[i] == '+')) ++i;
    const size_t digits_start = i;
    while (i < rest.size() && IsDigit(rest[i])) ++i;
    if (i == digits_start) return std::nullopt;
    exponent = rest.substr(0, i);
    rest.remove_prefix(i);
  }
  if (!rest.empty()) return std::nullopt;
  const bool fractional = !fraction.empty() || !exponent.empty();
  std::string number = negative ? "-" : "";
  number += integer.empty() ? std::string("0") : integer;
  if (fraction.size() > 1) number += fraction;
  number += exponent;
  const char* first = number.data();
  const char* last = number.data() + number.size();
  if (!fractional) {
    int64_t value = 0;
    auto [ptr, ec] = std::from_chars(first, last, value);
    if (ec == std::errc() && ptr == last) return Json(value);
  }
  double value = 0;
  auto [ptr, ec] = std::from_chars(first, last, value);
  if (ec != std::errc() || ptr != last || !std::isfinite(value)) return std::nullopt;
  return Json(value);
}

std::optional<bool> ParseLooseBool(std::string_view text) {
  text = Trim(text);
  auto equals = [&](std::string_view word) {
    if (text.size() != word.size()) return false;
    for (size_t i = 0; i < word.size(); ++i) {
      const char c = text[i] >= 'A' && text[i] <= 'Z' ? static_cast<char>(text[i] + 32) : text[i];
      if (c != word[i]) return false;
    }
    return true;
  };
  if (equals("true")) return true;
  if (equals("false")) return false;
  return std::nullopt;
}

std::vector<std::string> SplitCommaList(std::string_view text) {
  std::vector<std::string> items;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    const std::string_view item = Trim(text.substr(start, comma - start));
    if (!item.empty()) items.emplace_back(item);
    start = comma + 1;
  }
  return items;
}

std::optional<int64_t> IntegralDouble(const Json& value) {
  int64_t out = 0;
  if (!value.is_double() || !JsonInteger(value, &out)) return std::nullopt;
  return out;
}

std::string NumberText(const Json& value) {
  if (value.is_int64()) return std::to_string(value.get_int64());
  if (value.is_uint64()) return std::to_string(value.get_uint64());
  if (value.is_double()) return FormatDouble(value.get_double());
  return "";
}

}  // namespace orchestra::schema
