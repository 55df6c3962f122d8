#pragma once

// Helpers of the net tests that run a JavaScript peer from tests/interop on node.

#include <array>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

#include "orchestra/crypto/hex.h"

namespace orchestra::net::testing {

// tests/interop of the source tree ($ORCHESTRA_SOURCE_DIR, else the configured source dir).
inline std::filesystem::path InteropDir() {
  std::filesystem::path source = std::filesystem::current_path();
#ifdef ORCHESTRA_SOURCE_DIR_DEFAULT
  source = ORCHESTRA_SOURCE_DIR_DEFAULT;
#endif
  if (const char* dir = std::getenv("ORCHESTRA_SOURCE_DIR"); dir && *dir) source = dir;
  return source / "tests" / "interop";
}

// Why the JavaScript `peer` (as named in the message) cannot run here, or "" when it can.
inline std::string InteropUnavailable(const std::filesystem::path& interop, std::string_view peer) {
  if (std::system("command -v node > /dev/null 2>&1") != 0) {
    return "node is not installed; the JavaScript interop " + std::string(peer) + " cannot run";
  }
  if (!std::filesystem::exists(interop / "node_modules" / "@scure" / "sr25519") ||
      !std::filesystem::exists(interop / "node_modules" / "@polkadot" / "util-crypto")) {
    return "tests/interop/node_modules is missing (run `npm ci` in " + interop.string() +
           " or scripts/setup)";
  }
  return "";
}

// 64 hex digits of a 32-byte seed filled with `byte`, as the .mjs peers take keys.
inline std::string SeedHex(uint8_t byte) {
  std::array<uint8_t, 32> seed;
  seed.fill(byte);
  return crypto::PrefixedHexOf(seed).substr(2);
}

}  // namespace orchestra::net::testing
