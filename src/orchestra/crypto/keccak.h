#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "orchestra/core/hash.h"

namespace orchestra::crypto {

// The Keccak-f[1600] permutation (24 rounds) over 25 little-endian 64-bit lanes, lane (x, y)
// at index x + 5·y, as FIPS 202 defines it.
using KeccakState = std::array<uint64_t, 25>;
void KeccakF1600(KeccakState& state);

// The same permutation over the 200-byte serialisation of the state (lane i is bytes
// 8i..8i+7, little-endian); what STROBE works on.
void KeccakF1600(std::array<uint8_t, 200>& bytes);

// SHA3-256 (FIPS 202) of `bytes`.
Hash256 Sha3_256(std::string_view bytes);

// Lower-case hex of Sha3_256(bytes): what Bittensor's body hash is built from.
std::string Sha3_256Hex(std::string_view bytes);

}  // namespace orchestra::crypto
