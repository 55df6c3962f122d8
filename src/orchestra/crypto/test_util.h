#pragma once

// Helpers shared by the crypto module's tests only.

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <string_view>

#include "orchestra/crypto/hex.h"

namespace orchestra::crypto::testing {

// The bytes that `hex` spells; fails the running test on bad hex.
inline std::string Unhex(std::string_view hex) {
  auto bytes = DecodeHex(hex);
  EXPECT_TRUE(bytes.ok()) << bytes.error().message;
  if (!bytes) return {};
  return std::string(bytes->begin(), bytes->end());
}

template <size_t N>
std::array<uint8_t, N> UnhexArray(std::string_view hex) {
  auto bytes = DecodeHexFixed<N>(hex, "test vector");
  EXPECT_TRUE(bytes.ok()) << bytes.error().message;
  return bytes ? *bytes : std::array<uint8_t, N>{};
}

template <size_t N>
std::string HexOf(const std::array<uint8_t, N>& bytes) {
  return PrefixedHexOf(bytes).substr(2);
}

inline std::string HexOf(std::string_view bytes) { return PrefixedHexOf(bytes).substr(2); }

}  // namespace orchestra::crypto::testing
