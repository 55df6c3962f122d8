// Untrusted bytes as an sr25519 public key and signature (what every axon verifies for each
// request and every validator for each receipt), checked against libsodium:
// - ristretto::Decode must accept exactly the encodings libsodium's constant-time
//   crypto_core_ristretto255_is_valid_point accepts (bit 255 clear; libsodium 1.0.18 ignores
//   that bit, RFC 9496 rejects it), and re-encode them to the same bytes;
// - the variable-time a·A + b·B, by window NAF and by A's FixedBaseTable, must equal
//   libsodium's scalarmult + scalarmult_base + add;
// - Verify must never crash, whatever the key, signature and message.
// Input: 32 bytes of point, 32 + 32 bytes of scalars, the rest a signature and message.
#include <sodium.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "orchestra/crypto/ristretto.h"
#include "orchestra/crypto/sr25519.h"

namespace {

using orchestra::crypto::ristretto::Bytes32;
namespace ristretto = orchestra::crypto::ristretto;

void Fail(const char* what) {
  std::fprintf(stderr, "fuzz_sr25519_verify: %s\n", what);
  std::abort();
}

Bytes32 Take(const uint8_t* data) {
  Bytes32 out;
  std::memcpy(out.data(), data, 32);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (sodium_init() < 0) Fail("sodium_init");
  if (size < 96) return 0;
  const Bytes32 encoding = Take(data);
  Bytes32 a = Take(data + 32);
  Bytes32 b = Take(data + 64);
  a[31] &= 0x7f;  // DoubleScalarMulBasepoint takes scalars below 2^255
  b[31] &= 0x7f;

  const auto point = ristretto::Decode(encoding);
  if ((encoding[31] & 0x80) == 0) {
    const bool sodium_valid = crypto_core_ristretto255_is_valid_point(encoding.data()) == 1;
    if (point.has_value() != sodium_valid) Fail("Decode disagrees with libsodium");
  } else if (point) {
    Fail("Decode accepted an encoding with bit 255 set");
  }
  if (point) {
    if (ristretto::Encode(*point) != encoding) Fail("Decode/Encode round trip");
    // libsodium's scalarmult refuses a zero result; compare only where it gives one.
    Bytes32 a_a, b_b, sum;
    if (crypto_scalarmult_ristretto255(a_a.data(), a.data(), encoding.data()) == 0 &&
        crypto_scalarmult_ristretto255_base(b_b.data(), b.data()) == 0 &&
        crypto_core_ristretto255_add(sum.data(), a_a.data(), b_b.data()) == 0) {
      if (ristretto::Encode(ristretto::DoubleScalarMulBasepoint(a, *point, b)) != sum) {
        Fail("a·A + b·B disagrees with libsodium");
      }
      const ristretto::FixedBaseTable table(*point);
      if (ristretto::Encode(ristretto::DoubleScalarMulBasepoint(a, table, b)) != sum) {
        Fail("a·A + b·B by A's table disagrees with libsodium");
      }
    }
  }

  // The rest: a 64-byte signature and a message, verified under the fuzzed key.
  const std::string_view rest(reinterpret_cast<const char*>(data + 96), size - 96);
  const std::string_view signature = rest.substr(0, 64);
  const std::string_view message = rest.size() > 64 ? rest.substr(64) : std::string_view();
  const std::string_view key(reinterpret_cast<const char*>(encoding.data()), 32);
  (void)orchestra::crypto::Verify(key, message, signature);
  return 0;
}
