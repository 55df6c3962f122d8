#pragma once

#include <string>
#include <string_view>

#include "orchestra/core/json.h"
#include "orchestra/core/result.h"

namespace orchestra::schema {

// The type names a shorthand leaf may use, for error messages.
inline constexpr std::string_view kShorthandTypeNames =
    "str, int, float, bool, date, datetime, list, dict, any, list[T], dict[str, T], "
    "Optional[T], T | None, Literal[...]";

// One parsed shorthand type expression.
struct ShorthandType {
  Json schema;            // the JSON Schema of the type, without field-level "default"
  bool optional = false;  // the outermost type admits None (Optional[T], T | None, None)
};

// Parses a Python-style type expression of the seed's target_schema shorthand:
//   str | int | float | bool | date | datetime | list | dict | any | None
//   list[T] | dict[str, T] | Optional[T] | Union[T, ...] | Literal[v, ...] | T | U
// Names match case-insensitively ("List[str]" is list[str]); whitespace anywhere between
// tokens is ignored; Literal values are quoted strings, integers, True, False or None.
// The schema is what Pydantic v2 emits for the type, without "title" annotations:
// date and datetime give {"type": "string"} with "format": "date" / "date-time";
// Optional[T] and T | None give {"anyOf": [T, {"type": "null"}]}; Literal gives
// {"enum": [...]} plus "type" when all values share one.
// Errors (kInvalidArgument) carry no path (the caller prefixes it): `unknown type "lst"
// (expected str, ...)` for an unknown name (`unknown type "strr" in "list[strr]" ...` when it
// sits inside), `malformed type "list[str": expected "]" at column 9` for a syntax error.
Result<ShorthandType> ParseShorthandType(std::string_view text);

}  // namespace orchestra::schema
