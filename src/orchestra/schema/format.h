#pragma once

#include <string_view>

#include "orchestra/schema/node.h"

// Module-internal: the "format" values the validator can assert.
namespace orchestra::schema {

// The Format named `name` ("date", "date-time", "time", "email", "uri", "uuid", "ipv4");
// Format::kNone for names only kept as annotations.
Format FormatFromName(std::string_view name);

// Whether `text` is a valid `format` value: RFC 3339 full-date / date-time / full-time,
// an address with one '@' and a dotted domain, an absolute URI (scheme ":" and no spaces),
// an RFC 4122 textual UUID, a dotted-quad IPv4 address. kNone accepts everything.
bool CheckFormat(Format format, std::string_view text);

}  // namespace orchestra::schema
