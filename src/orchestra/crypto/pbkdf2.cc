#include "orchestra/crypto/pbkdf2.h"

#include <sodium.h>

#include <algorithm>
#include <array>

#include "orchestra/crypto/sodium_init.h"

namespace orchestra::crypto {

void Pbkdf2HmacSha512(std::string_view password, std::string_view salt, uint32_t iterations,
                      std::span<uint8_t> out) {
  EnsureSodium();
  constexpr size_t kDigest = crypto_auth_hmacsha512_BYTES;
  // The keyed state is computed once; each HMAC starts from a copy of it.
  crypto_auth_hmacsha512_state keyed;
  crypto_auth_hmacsha512_init(&keyed, reinterpret_cast<const unsigned char*>(password.data()),
                              password.size());
  std::array<uint8_t, kDigest> u;
  std::array<uint8_t, kDigest> t;
  for (uint32_t block = 1; !out.empty(); ++block) {
    const uint8_t index[4] = {static_cast<uint8_t>(block >> 24), static_cast<uint8_t>(block >> 16),
                              static_cast<uint8_t>(block >> 8), static_cast<uint8_t>(block)};
    crypto_auth_hmacsha512_state state = keyed;
    crypto_auth_hmacsha512_update(&state, reinterpret_cast<const unsigned char*>(salt.data()),
                                  salt.size());
    crypto_auth_hmacsha512_update(&state, index, sizeof(index));
    crypto_auth_hmacsha512_final(&state, u.data());
    t = u;
    for (uint32_t i = 1; i < iterations; ++i) {
      state = keyed;
      crypto_auth_hmacsha512_update(&state, u.data(), u.size());
      crypto_auth_hmacsha512_final(&state, u.data());
      for (size_t j = 0; j < kDigest; ++j) t[j] ^= u[j];
    }
    const size_t take = std::min(out.size(), kDigest);
    std::copy_n(t.begin(), take, out.begin());
    out = out.subspan(take);
    sodium_memzero(&state, sizeof(state));
  }
  sodium_memzero(&keyed, sizeof(keyed));
  sodium_memzero(u.data(), u.size());
  sodium_memzero(t.data(), t.size());
}

}  // namespace orchestra::crypto
