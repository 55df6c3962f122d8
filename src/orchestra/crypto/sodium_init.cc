#include "orchestra/crypto/sodium_init.h"

#include <sodium.h>

#include <cstdlib>

namespace orchestra::crypto {

void EnsureSodium() {
  // sodium_init() returns 1 when already initialised; -1 means no usable random source, which
  // leaves nothing safe to do.
  static const int initialized = sodium_init();
  if (initialized < 0) std::abort();
}

}  // namespace orchestra::crypto
