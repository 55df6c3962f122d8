#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "orchestra/core/result.h"

namespace orchestra::crypto {

// Base58 with the Bitcoin alphabet (what SS58 uses); leading zero bytes become '1's.
std::string Base58Encode(std::string_view bytes);

// The inverse. Errors (kParse) name the first character outside the alphabet and its
// position. Inputs longer than 256 characters are refused (nothing we decode is that long,
// and decoding is quadratic).
Result<std::vector<uint8_t>> Base58Decode(std::string_view text);

}  // namespace orchestra::crypto
