#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace orchestra::crypto {

// PBKDF2 (RFC 8018) with HMAC-SHA-512 (libsodium's crypto_auth_hmacsha512), filling `out`
// (any length) from `password`, `salt` and `iterations` (at least 1).
void Pbkdf2HmacSha512(std::string_view password, std::string_view salt, uint32_t iterations,
                      std::span<uint8_t> out);

}  // namespace orchestra::crypto
