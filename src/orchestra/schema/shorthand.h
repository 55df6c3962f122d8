#pragma once

#include <string>

#include "orchestra/core/json.h"
#include "orchestra/core/result.h"

namespace orchestra::schema {

// Converts the seed's `target_schema` shorthand into JSON Schema:
//   - a string is a type expression (see ParseShorthandType): "str", "list[str]",
//     "dict[str, float]", "Optional[int]", "int | None", "Literal['a', 'b']", ...;
//   - an object is a nested model: every key is a field, required unless its type admits
//     None (Optional[T], T | None), in which case the field gets "default": null instead;
//   - an array with exactly one element [X] is a list of X.
// The result is what Pydantic v2 `model_json_schema()` emits for the equivalent model, except
// that (1) nested models are inlined as {"type": "object", "properties": ..., "required": ...}
// instead of being placed under "$defs" and referenced (the shorthand has no model names to
// key them by), and (2) "title" annotations are left out (they do not affect validation).
// "required" is omitted when no field is required, as Pydantic does.
// Errors (kInvalidArgument) name the JSON path from "target_schema", e.g.
// `target_schema.competitors[0].strengths: unknown type "lst" (expected str, int, ...)`;
// also for a list shorthand without exactly one element and for a leaf that is neither a
// string, an object nor a list (numbers, booleans, null).
Result<Json> ShorthandToJsonSchema(const Json& shorthand);
// The same, errors naming the path from `root` instead ("SN22.output_schema.results: ...").
Result<Json> ShorthandToJsonSchema(const Json& shorthand, const std::string& root);

// Whether `value` is already a JSON Schema rather than shorthand: an object with, at top
// level, "$schema" (a string), "$defs" (an object of schemas), "$ref" (a "#..." or URI
// string), "type" (a JSON Schema type name such as "object", or an array of them),
// "anyOf" (an array of schemas), or "properties" (an object whose members are schemas, at
// least one recognisably so). A shorthand field named "type" with value "str" does not count:
// shorthand type names never collide with JSON Schema ones.
bool LooksLikeJsonSchema(const Json& value);

}  // namespace orchestra::schema
