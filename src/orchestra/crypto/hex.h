#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "orchestra/core/result.h"

namespace orchestra::crypto {

// Decodes hex text, with or without a "0x" prefix, upper or lower case. Errors (kParse) name
// `what`, the offending character and its position, or an odd digit count.
Result<std::vector<uint8_t>> DecodeHex(std::string_view text, std::string_view what = "hex");

// DecodeHex that also requires exactly N bytes (kInvalidArgument otherwise). Instantiated for
// N = 32 and N = 64.
template <size_t N>
Result<std::array<uint8_t, N>> DecodeHexFixed(std::string_view text, std::string_view what);

// "0x" followed by the lower-case hex of `bytes`.
std::string PrefixedHexOf(std::string_view bytes);

template <size_t N>
std::string PrefixedHexOf(const std::array<uint8_t, N>& bytes) {
  return PrefixedHexOf(std::string_view(reinterpret_cast<const char*>(bytes.data()), N));
}

// The bytes of `array` seen as a string_view (no copy; valid while `array` lives).
template <size_t N>
std::string_view AsBytes(const std::array<uint8_t, N>& array) {
  return std::string_view(reinterpret_cast<const char*>(array.data()), N);
}

}  // namespace orchestra::crypto
