#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "orchestra/core/json.h"

// Helpers about instance values (the documents a schema judges), shared by the validator and
// the standardizer. None of them throws.
namespace orchestra::schema {

// JSON Schema instance types as bits of a set. "number" in a schema admits integers too, so
// a schema's "number" sets both kNumberBit and kIntegerBit.
enum TypeBit : uint8_t {
  kNullBit = 1,
  kBooleanBit = 2,
  kIntegerBit = 4,
  kNumberBit = 8,
  kStringBit = 16,
  kArrayBit = 32,
  kObjectBit = 64,
};
inline constexpr uint8_t kAllTypeBits = 127;

// The JSON Schema type of `value`: kIntegerBit for int64/uint64 and for doubles with a zero
// fractional part (1.0 is an integer), kNumberBit for other doubles.
uint8_t InstanceType(const Json& value);

// The JSON Schema name of one type bit ("integer"), "" for anything else.
std::string_view TypeBitName(uint8_t bit);

// The type bit named `name` ("number" gives kNumberBit | kIntegerBit); 0 for unknown names.
uint8_t TypeBitsFromName(std::string_view name);

// The names in `bits`, joined with " or " ("integer or null"). "number" stands for the pair.
std::string TypeBitsText(uint8_t bits);

// JSON Schema equality: numbers compare by value whatever their representation (1 == 1.0),
// objects ignore member order, everything else compares structurally.
bool JsonEqual(const Json& a, const Json& b);

// A hash consistent with JsonEqual: values JsonEqual calls equal hash alike (1 and 1.0 too).
size_t JsonHash(const Json& value);

// Transparent string hashing, so that maps keyed by std::string find a std::string_view.
struct NameHash {
  using is_transparent = void;
  size_t operator()(std::string_view name) const { return std::hash<std::string_view>{}(name); }
};

// Whether a present value carries information: not null, not "", not [], not {}.
bool IsPopulated(const Json& value);

// Number of Unicode code points in the UTF-8 text (what minLength/maxLength count).
size_t CodePointCount(std::string_view utf8);

// Instance paths in JSONPath style: "$.competitors[0].name"; keys that are not identifiers
// are written "$['two words']".
std::string MemberPath(std::string_view parent, std::string_view key);
std::string ElementPath(std::string_view parent, size_t index);

// Compact JSON of `value`, cut to about `max_chars` characters with "..." (for messages).
std::string Excerpt(const Json& value, size_t max_chars = 40);

}  // namespace orchestra::schema
