#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "orchestra/core/json.h"

namespace orchestra {

using Hash256 = std::array<uint8_t, 32>;

// BLAKE2b with a 32-byte digest (libsodium crypto_generichash), unkeyed.
Hash256 Blake2b256(std::string_view bytes);

// Lower-case hex of `bytes`; with "0x" in front for the Prefixed form.
std::string Hex(const uint8_t* data, size_t size);
inline std::string Hex(const Hash256& h) { return Hex(h.data(), h.size()); }
std::string PrefixedHex(const uint8_t* data, size_t size);
inline std::string PrefixedHex(const Hash256& h) { return PrefixedHex(h.data(), h.size()); }

// blake2b-256 of the canonical JSON of `value`, as "0x" + 64 hex.
std::string CanonicalHash(const Json& value);

// Whether `text` is "0x" followed by exactly 64 lower-case hex digits.
bool IsPrefixedHash256(std::string_view text);

}  // namespace orchestra
