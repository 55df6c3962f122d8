#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "orchestra/core/result.h"

namespace orchestra::crypto {

// SS58 addresses of 32-byte account ids (public keys):
// base58(prefix ‖ account ‖ blake2b-512("SS58PRE" ‖ prefix ‖ account)[0..2]), with the
// network prefix in one byte below 64 and in SS58's two-byte form from 64 to 16383.
inline constexpr uint16_t kBittensorSs58Prefix = 42;
inline constexpr uint16_t kMaxSs58Prefix = 16383;

using AccountId = std::array<uint8_t, 32>;

struct Ss58Address {
  uint16_t prefix = 0;
  AccountId account{};
};

// Encodes `account` under `prefix` (0..kMaxSs58Prefix; larger values are taken mod 2^14).
std::string Ss58Encode(const AccountId& account, uint16_t prefix = kBittensorSs58Prefix);

// Decodes an address of any prefix. Errors (kParse) say what is wrong: empty text, a
// character outside base58 and its position, a length that is not a 32-byte account's, a
// reserved prefix byte, or a checksum mismatch (a mistyped address).
Result<Ss58Address> Ss58DecodeAnyPrefix(std::string_view text);

// Decodes an address and requires `expected_prefix`; another network's address is an error
// (kInvalidArgument) naming both prefixes.
Result<AccountId> Ss58Decode(std::string_view text,
                             uint16_t expected_prefix = kBittensorSs58Prefix);

}  // namespace orchestra::crypto
