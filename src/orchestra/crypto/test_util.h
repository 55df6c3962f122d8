#pragma once

// Helpers shared by tests: hex vectors and deterministic test keys.

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <string_view>

#include "orchestra/crypto/hex.h"
#include "orchestra/crypto/sr25519.h"
#include "orchestra/crypto/ss58.h"

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

// A deterministic test key: the keypair of the mini secret made of 32 `byte`s.
inline Keypair KeyFromByte(uint8_t byte) {
  MiniSecret seed{};
  seed.fill(byte);
  return Keypair::FromMiniSecret(seed);
}

// The SS58 address of `key`.
inline std::string AddressOf(const Keypair& key) { return Ss58Encode(key.public_key().bytes()); }

}  // namespace orchestra::crypto::testing
