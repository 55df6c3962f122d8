#pragma once

#include <boost/json.hpp>
#include <string>
#include <string_view>

#include "orchestra/core/result.h"

namespace orchestra {

using Json = boost::json::value;
using JsonObject = boost::json::object;
using JsonArray = boost::json::array;

inline constexpr int kMaxJsonDepth = 128;

// Parses one JSON document. Errors say what was wrong and where ("line 3, column 14"):
// syntax, invalid UTF-8, nesting deeper than kMaxJsonDepth, trailing characters, a number
// that cannot be kept exactly (an integer beyond int64/uint64, which Python keeps and a double
// would change; a magnitude that overflows a double). Doubles are correctly rounded, so
// CanonicalJson(ParseJson(t)) equals Python's canonical json.dumps(json.loads(t)).
// `what` names the input in the message ("--schema", "challenge file"). The document's memory
// comes from `storage` (default: the heap); a copy of one of its values keeps that storage,
// while inserting it into a container on another storage copies it there.
Result<Json> ParseJson(std::string_view text, std::string_view what = "JSON",
                       boost::json::storage_ptr storage = {});

// The same for the first document of `text`: what follows it is left unread, and *consumed
// says how many bytes the document took (with the whitespace around it).
Result<Json> ParseJsonPrefix(std::string_view text, std::string_view what, size_t* consumed,
                             boost::json::storage_ptr storage = {});

// Canonical form, the one that gets hashed: object keys sorted by code point, no whitespace,
// UTF-8 as is (only '"', '\\' and control characters escaped), numbers as Python's json.dumps
// writes them (1.0 stays "1.0", 1e-05, 1e+16). Equal to Python's
// json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False).
std::string CanonicalJson(const Json& value);
// The same, appended to `out`.
void AppendCanonicalJson(std::string& out, const Json& value);

// Human-facing form: two-space indentation, keys in document order, same number format.
std::string PrettyJson(const Json& value);

// Compact form in document order (for wire bodies).
std::string CompactJson(const Json& value);

// The forms above appended to `out`, for writers that build one document from parts:
// AppendCompactJson writes CompactJson(value), AppendJsonString a string as a JSON string
// (quoted and escaped as in every form above), AppendDouble FormatDouble(value).
void AppendCompactJson(std::string& out, const Json& value);
void AppendJsonString(std::string& out, std::string_view text);
void AppendDouble(std::string& out, double value);

// A double as Python's repr() writes it (shortest round-trip digits, ".0" on integral values,
// exponent form below 1e-4 and from 1e16). Non-finite values have no JSON form: "null".
std::string FormatDouble(double value);

// Number as double whatever its JSON representation; nullopt-like false when not a number.
bool JsonNumber(const Json& value, double* out);

// An integral number that fits int64 (3 and 3.0 do; 3.5, 1e300 and strings do not).
bool JsonInteger(const Json& value, int64_t* out);

// Convenience lookups that never throw: nullptr / fallback when absent or of another type.
// JsonFind points into its argument: it takes no temporaries (nor a JsonObject, which would
// convert to a temporary Json; use JsonObject::if_contains).
const Json* JsonFind(const Json& object, std::string_view key);
const Json* JsonFind(Json&& object, std::string_view key) = delete;
const Json* JsonFind(const JsonObject& object, std::string_view key) = delete;
std::string JsonString(const Json& object, std::string_view key, std::string_view fallback = "");
double JsonDouble(const Json& object, std::string_view key, double fallback = 0.0);
int64_t JsonInt(const Json& object, std::string_view key, int64_t fallback = 0);

}  // namespace orchestra
