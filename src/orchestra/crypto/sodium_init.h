#pragma once

namespace orchestra::crypto {

// Initialises libsodium once per process (thread-safe, idempotent). Every public entry point
// that draws randomness or uses libsodium's optimised primitives calls it first.
void EnsureSodium();

}  // namespace orchestra::crypto
