#include "orchestra/crypto/keccak.h"

#include <bit>
#include <cstring>

namespace orchestra::crypto {
namespace {

constexpr uint64_t kRoundConstants[24] = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL, 0x8000000080008000ULL,
    0x000000000000808bULL, 0x0000000080000001ULL, 0x8000000080008081ULL, 0x8000000000008009ULL,
    0x000000000000008aULL, 0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
    0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL, 0x8000000000008003ULL,
    0x8000000000008002ULL, 0x8000000000000080ULL, 0x000000000000800aULL, 0x800000008000000aULL,
    0x8000000080008081ULL, 0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
};

using std::rotl;

// One round (θ, ρ, π, χ, ι) from `a` into `e`, fully unrolled: every index and rotation is a
// constant, so once inlined the lanes live in registers or fixed stack slots and no table is
// read. Output plane y is built from input lanes (x + 3y mod 5, x) for x = 0..4, each rotated by
// its ρ offset; the planes below spell that out.
[[gnu::always_inline]] inline void Round(const uint64_t (&a)[25], uint64_t (&e)[25],
                                         uint64_t round_constant) {
  const uint64_t c0 = a[0] ^ a[5] ^ a[10] ^ a[15] ^ a[20];
  const uint64_t c1 = a[1] ^ a[6] ^ a[11] ^ a[16] ^ a[21];
  const uint64_t c2 = a[2] ^ a[7] ^ a[12] ^ a[17] ^ a[22];
  const uint64_t c3 = a[3] ^ a[8] ^ a[13] ^ a[18] ^ a[23];
  const uint64_t c4 = a[4] ^ a[9] ^ a[14] ^ a[19] ^ a[24];
  const uint64_t d0 = c4 ^ rotl(c1, 1);
  const uint64_t d1 = c0 ^ rotl(c2, 1);
  const uint64_t d2 = c1 ^ rotl(c3, 1);
  const uint64_t d3 = c2 ^ rotl(c4, 1);
  const uint64_t d4 = c3 ^ rotl(c0, 1);

  uint64_t b0 = a[0] ^ d0;
  uint64_t b1 = rotl(a[6] ^ d1, 44);
  uint64_t b2 = rotl(a[12] ^ d2, 43);
  uint64_t b3 = rotl(a[18] ^ d3, 21);
  uint64_t b4 = rotl(a[24] ^ d4, 14);
  e[0] = b0 ^ (~b1 & b2) ^ round_constant;
  e[1] = b1 ^ (~b2 & b3);
  e[2] = b2 ^ (~b3 & b4);
  e[3] = b3 ^ (~b4 & b0);
  e[4] = b4 ^ (~b0 & b1);

  b0 = rotl(a[3] ^ d3, 28);
  b1 = rotl(a[9] ^ d4, 20);
  b2 = rotl(a[10] ^ d0, 3);
  b3 = rotl(a[16] ^ d1, 45);
  b4 = rotl(a[22] ^ d2, 61);
  e[5] = b0 ^ (~b1 & b2);
  e[6] = b1 ^ (~b2 & b3);
  e[7] = b2 ^ (~b3 & b4);
  e[8] = b3 ^ (~b4 & b0);
  e[9] = b4 ^ (~b0 & b1);

  b0 = rotl(a[1] ^ d1, 1);
  b1 = rotl(a[7] ^ d2, 6);
  b2 = rotl(a[13] ^ d3, 25);
  b3 = rotl(a[19] ^ d4, 8);
  b4 = rotl(a[20] ^ d0, 18);
  e[10] = b0 ^ (~b1 & b2);
  e[11] = b1 ^ (~b2 & b3);
  e[12] = b2 ^ (~b3 & b4);
  e[13] = b3 ^ (~b4 & b0);
  e[14] = b4 ^ (~b0 & b1);

  b0 = rotl(a[4] ^ d4, 27);
  b1 = rotl(a[5] ^ d0, 36);
  b2 = rotl(a[11] ^ d1, 10);
  b3 = rotl(a[17] ^ d2, 15);
  b4 = rotl(a[23] ^ d3, 56);
  e[15] = b0 ^ (~b1 & b2);
  e[16] = b1 ^ (~b2 & b3);
  e[17] = b2 ^ (~b3 & b4);
  e[18] = b3 ^ (~b4 & b0);
  e[19] = b4 ^ (~b0 & b1);

  b0 = rotl(a[2] ^ d2, 62);
  b1 = rotl(a[8] ^ d3, 55);
  b2 = rotl(a[14] ^ d4, 39);
  b3 = rotl(a[15] ^ d0, 41);
  b4 = rotl(a[21] ^ d1, 2);
  e[20] = b0 ^ (~b1 & b2);
  e[21] = b1 ^ (~b2 & b3);
  e[22] = b2 ^ (~b3 & b4);
  e[23] = b3 ^ (~b4 & b0);
  e[24] = b4 ^ (~b0 & b1);
}

uint64_t LoadLe64(const uint8_t* p) {
  if constexpr (std::endian::native == std::endian::little) {
    uint64_t v;
    std::memcpy(&v, p, sizeof(v));
    return v;
  } else {
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
    return v;
  }
}

void StoreLe64(uint8_t* p, uint64_t v) {
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(p, &v, sizeof(v));
  } else {
    for (int i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
  }
}

}  // namespace

void KeccakF1600(KeccakState& state) {
  uint64_t a[25];
  uint64_t e[25];
  std::memcpy(a, state.data(), sizeof(a));
  // Two rounds per iteration, ping-ponging between `a` and `e`, so no lane is copied back.
  for (int round = 0; round < 24; round += 2) {
    Round(a, e, kRoundConstants[round]);
    Round(e, a, kRoundConstants[round + 1]);
  }
  std::memcpy(state.data(), a, sizeof(a));
}

void KeccakF1600(std::array<uint8_t, 200>& bytes) {
  KeccakState lanes;
  for (int i = 0; i < 25; ++i) lanes[i] = LoadLe64(bytes.data() + 8 * i);
  KeccakF1600(lanes);
  for (int i = 0; i < 25; ++i) StoreLe64(bytes.data() + 8 * i, lanes[i]);
}

Hash256 Sha3_256(std::string_view input) {
  constexpr size_t kRate = 136;
  constexpr size_t kRateLanes = kRate / 8;
  KeccakState state{};
  const auto* data = reinterpret_cast<const uint8_t*>(input.data());
  size_t left = input.size();
  while (left >= kRate) {
    for (size_t i = 0; i < kRateLanes; ++i) state[i] ^= LoadLe64(data + 8 * i);
    KeccakF1600(state);
    data += kRate;
    left -= kRate;
  }
  uint8_t last[kRate] = {};
  if (left != 0) std::memcpy(last, data, left);  // `data` may be null when the input is empty
  last[left] ^= 0x06;
  last[kRate - 1] ^= 0x80;
  for (size_t i = 0; i < kRateLanes; ++i) state[i] ^= LoadLe64(last + 8 * i);
  KeccakF1600(state);
  Hash256 out;
  for (size_t i = 0; i < out.size() / 8; ++i) StoreLe64(out.data() + 8 * i, state[i]);
  return out;
}

std::string Sha3_256Hex(std::string_view bytes) { return Hex(Sha3_256(bytes)); }

}  // namespace orchestra::crypto
