#pragma once

#include <string>
#include <utility>
#include <vector>

#include "orchestra/core/json.h"
#include "orchestra/schema/schema.h"

namespace orchestra::schema {

// Dirty data mapped onto a schema.
struct Standardized {
  Json clean;                        // the repaired document
  std::vector<std::string> missing;  // paths of required fields nothing could fill
  // One "path: what was done" line per change, and one "path: left <value> as is: <why>" line
  // per value kept unchanged because converting it would be a guess (an ambiguous date).
  std::vector<std::string> coercions;
  // Where each leaf of `clean` (scalar, [] or {}) came from, in output order: output path ->
  // input path ("$.company_name" <- "$.data.companyName", "$.tags[1]" <- "$.tags" for an
  // item split out of a comma-joined string), or "(schema default)" / "(null: absent nullable
  // field)" for filled fields. What was done on the way is in `coercions` under the output path.
  std::vector<std::pair<std::string, std::string>> provenance;
};

// Maps `dirty` (typically an expert's answer) onto `schema` without inventing values. Walking
// schema and data together, it
//   - matches object keys across naming styles (NormalizeKey: case, camelCase, snake_case,
//     spaces, hyphens) and a small synonym table (name/title, description/summary/about,
//     link/url), preferring exact over normalized over synonym matches;
//   - unwraps envelopes: {"data" | "result" | "results": X} when the schema wants X's shape and
//     none of the envelope's keys is a wanted field; a one-element list where a single value
//     (e.g. an object) is wanted; a JSON document held in a string where an object or array is
//     wanted;
//   - coerces when unambiguous: numeric strings to numbers (ParseLooseNumber: a leading
//     currency symbol and thousands separators only), "true"/"false" to booleans, integral
//     floats to integers for integer fields, numbers to their text for string fields, a scalar
//     to a one-element list, a comma-joined string to a list where a list of strings is wanted,
//     an enum string differing only in case or surrounding spaces to the enum's spelling;
//   - rewrites dates where "format" is "date" or "date-time" (Pydantic's date and datetime;
//     shorthand date and datetime): a string in another notation ReadLooseDate reads
//     ("March 5, 2024", "Tue, 05 Mar 2024 14:30:00 GMT", "25/03/2024") becomes "2024-03-05"
//     (a time of day is dropped) or RFC 3339 "2024-03-05T14:30:00Z", and a 10-digit integer
//     for a date-time is read as Unix seconds. What cannot be read without guessing (day and
//     month order in "03/05/2024", a two-digit year, a date-time without a time of day or
//     without a UTC offset) stays as it is, with the reason in `coercions`;
//   - drops members not in "properties" when additionalProperties is false, list items that
//     cannot be made to fit, duplicate list items (after repair), items beyond maxItems, and
//     values that fit no coercion (an Optional field then falls back to null);
//   - fills an absent field that is not required with its schema "default", or with null
//     when the field is explicitly nullable (anyOf with {"type": "null"}, or "null" among its
//     types); an absent required field that is explicitly nullable becomes null too.
// Any other absent required field stays absent and its path ("$.competitors[1].name") goes to
// `missing`. anyOf picks the first branch that accepts the value as is, else the first whose
// repaired value it accepts, else the first that yields anything. Sibling keywords next to a
// $ref apply after the referenced schema. Other constraints (minItems, lengths) are left to
// Validate. Never fails: a root that fits nothing becomes an empty object (when the root is a
// model, so that its required fields are listed in `missing`) or null with "$" missing.
// Work is bounded whatever the schema: after 2^20 subschema applications (a schema that
// applies the same subschemas over and over) it stops, drops what it did not reach and says
// so in `coercions`. Key matching, enum lookups and de-duplication use hashes, so wide objects,
// large enums and long lists cost time linear in their size.
Standardized Standardize(const Json& dirty, const Schema& schema);

}  // namespace orchestra::schema
