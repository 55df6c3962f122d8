#pragma once

#include <string>
#include <string_view>

// Module-internal: RFC 3986 reference resolution for $id and $ref.
namespace orchestra::schema {

// `reference` resolved against the absolute URI `base` (RFC 3986 section 5.2, with dot
// segments removed). Works for hierarchical URIs and for URNs ("urn:uuid:...#/$defs/a").
std::string ResolveUri(std::string_view base, std::string_view reference);

// `uri` split at its first '#': the part before and the fragment (without '#'; empty when
// there is none).
std::pair<std::string, std::string> SplitFragment(std::string_view uri);

}  // namespace orchestra::schema
