#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "orchestra/core/json.h"

// Unambiguous conversions of scalar text the standardizer may apply. Each returns nullopt
// when the conversion would be a guess.
namespace orchestra::schema {

// A number written as text: surrounding whitespace, an optional sign, one leading currency
// symbol ($, €, £, ¥, ₹) and thousands separators (',' between groups of exactly three
// digits: "1,234,567") are allowed; nothing else ("6.6%", "1,5", "12 USD", "0x1f", "nan" fail).
// Integral text without '.' or exponent gives an int64 value, everything else a double.
std::optional<Json> ParseLooseNumber(std::string_view text);

// "true" / "false" in any letter case, surrounding whitespace allowed.
std::optional<bool> ParseLooseBool(std::string_view text);

// The items of a comma-joined list ("a, b,c" -> {"a", "b", "c"}), trimmed, empty items dropped.
std::vector<std::string> SplitCommaList(std::string_view text);

// The int64 equal to `value` when it is a double with no fractional part within int64 range.
std::optional<int64_t> IntegralDouble(const Json& value);

// The text to put in a string field for a number: integers as digits, doubles as Python's
// repr writes them.
std::string NumberText(const Json& value);

}  // namespace orchestra::schema
