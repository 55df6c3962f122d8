#include "orchestra/validator/figures.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

namespace orchestra::validator {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }

// Length of the number starting at `at` ("1,234.5"), 0 when none.
size_t NumberLength(std::string_view text, size_t at) {
  size_t i = at;
  while (i < text.size() &&
         (IsDigit(text[i]) || ((text[i] == ',' || text[i] == '.') && i + 1 < text.size() &&
                               IsDigit(text[i + 1]) && i > at))) {
    ++i;
  }
  return i - at;
}

// The scale word or letter and the per-unit suffix after a money amount ending at `at`.
size_t MoneySuffixLength(std::string_view text, size_t at) {
  size_t i = at;
  for (std::string_view word : {" billion", " million", " trillion", " thousand"}) {
    if (text.substr(i, word.size()) == word &&
        (i + word.size() == text.size() || !IsAlpha(text[i + word.size()]))) {
      i += word.size();
      break;
    }
  }
  if (i == at && i < text.size() && (text[i] == 'B' || text[i] == 'M' || text[i] == 'K') &&
      (i + 1 == text.size() || !IsAlpha(text[i + 1]))) {
    ++i;
  }
  if (i < text.size() && text[i] == '/' && i + 1 < text.size() && IsAlpha(text[i + 1])) {
    size_t j = i + 1;
    while (j < text.size() && IsAlpha(text[j])) ++j;
    i = j;
  }
  return i - at;
}

}  // namespace

std::vector<std::string> ExtractFigures(std::string_view text) {
  std::vector<std::string> out;
  auto add = [&](std::string_view figure) {
    if (std::find(out.begin(), out.end(), figure) == out.end()) out.emplace_back(figure);
  };
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '$' && i + 1 < text.size() && IsDigit(text[i + 1])) {
      const size_t number = NumberLength(text, i + 1);
      const size_t suffix = MoneySuffixLength(text, i + 1 + number);
      add(text.substr(i, 1 + number + suffix));
      i += number + suffix;
    } else if (IsDigit(text[i]) && (i == 0 || (!IsDigit(text[i - 1]) && text[i - 1] != '.' &&
                                               text[i - 1] != ',' && !IsAlpha(text[i - 1])))) {
      const size_t number = NumberLength(text, i);
      if (i + number < text.size() && text[i + number] == '%') add(text.substr(i, number + 1));
      i += number - 1;
    }
  }
  return out;
}

std::optional<std::string> ScaleFigure(std::string_view figure, double factor) {
  size_t start = 0;
  while (start < figure.size() && !IsDigit(figure[start])) ++start;
  if (start == figure.size()) return std::nullopt;
  const size_t length = NumberLength(figure, start);
  std::string digits;
  int decimals = 0;
  bool after_point = false;
  for (char c : figure.substr(start, length)) {
    if (c == ',') continue;
    if (c == '.')
      after_point = true;
    else if (after_point)
      ++decimals;
    digits += c;
  }
  double value = 0;
  if (std::from_chars(digits.data(), digits.data() + digits.size(), value).ec != std::errc()) {
    return std::nullopt;
  }
  const double step = std::pow(10.0, -decimals);
  double scaled = std::round(value * factor / step) * step;
  if (factor != 1.0 && std::abs(scaled - value) < step / 2) {
    scaled = value + (factor > 1.0 ? step : -step);
  }
  if (scaled < 0) scaled = value + step;
  return fmt::format("{}{:.{}f}{}", figure.substr(0, start), scaled, decimals,
                     figure.substr(start + length));
}

}  // namespace orchestra::validator
