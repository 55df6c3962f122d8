#pragma once

// Helpers of the net tests that run a JavaScript peer from tests/interop on node.

#include <array>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

#include "orchestra/core/reference_test_util.h"
#include "orchestra/crypto/hex.h"

namespace orchestra::net::testing {

// tests/interop of the source tree.
inline std::filesystem::path InteropDir() {
  return orchestra::testing::SourceDir() / "tests" / "interop";
}

// Why the JavaScript `peer` (as named in the message) cannot run here, or "" when it can.
inline std::string InteropUnavailable(std::string_view peer) {
  const std::string why = orchestra::testing::NodeInteropUnavailable();
  return why.empty() ? why : why + ": the JavaScript interop " + std::string(peer) + " cannot run";
}

// 64 hex digits of a 32-byte seed filled with `byte`, as the .mjs peers take keys.
inline std::string SeedHex(uint8_t byte) {
  std::array<uint8_t, 32> seed;
  seed.fill(byte);
  return crypto::PrefixedHexOf(seed).substr(2);
}

}  // namespace orchestra::net::testing
