#include "orchestra/crypto/keccak.h"

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

// Rotation offsets and the π lane order, walked as one cycle starting at lane 1.
constexpr int kRho[24] = {1,  3,  6,  10, 15, 21, 28, 36, 45, 55, 2,  14,
                          27, 41, 56, 8,  25, 43, 62, 18, 39, 61, 20, 44};
constexpr int kPi[24] = {10, 7,  11, 17, 18, 3, 5,  16, 8,  21, 24, 4,
                         15, 23, 19, 13, 12, 2, 20, 14, 22, 9,  6,  1};

constexpr uint64_t Rotl(uint64_t x, int n) { return (x << n) | (x >> (64 - n)); }

uint64_t LoadLe64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

void StoreLe64(uint8_t* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

}  // namespace

void KeccakF1600(KeccakState& a) {
  for (uint64_t round_constant : kRoundConstants) {
    uint64_t c[5];
    for (int x = 0; x < 5; ++x) c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
    for (int x = 0; x < 5; ++x) {
      const uint64_t d = c[(x + 4) % 5] ^ Rotl(c[(x + 1) % 5], 1);
      for (int y = 0; y < 25; y += 5) a[y + x] ^= d;
    }
    uint64_t current = a[1];
    for (int i = 0; i < 24; ++i) {
      const int j = kPi[i];
      const uint64_t next = a[j];
      a[j] = Rotl(current, kRho[i]);
      current = next;
    }
    for (int y = 0; y < 25; y += 5) {
      uint64_t row[5];
      for (int x = 0; x < 5; ++x) row[x] = a[y + x];
      for (int x = 0; x < 5; ++x) a[y + x] = row[x] ^ (~row[(x + 1) % 5] & row[(x + 2) % 5]);
    }
    a[0] ^= round_constant;
  }
}

void KeccakF1600(std::array<uint8_t, 200>& bytes) {
  KeccakState lanes;
  for (int i = 0; i < 25; ++i) lanes[i] = LoadLe64(bytes.data() + 8 * i);
  KeccakF1600(lanes);
  for (int i = 0; i < 25; ++i) StoreLe64(bytes.data() + 8 * i, lanes[i]);
}

Hash256 Sha3_256(std::string_view input) {
  constexpr size_t kRate = 136;
  std::array<uint8_t, 200> state{};
  const auto* data = reinterpret_cast<const uint8_t*>(input.data());
  size_t left = input.size();
  while (left >= kRate) {
    for (size_t i = 0; i < kRate; ++i) state[i] ^= data[i];
    KeccakF1600(state);
    data += kRate;
    left -= kRate;
  }
  for (size_t i = 0; i < left; ++i) state[i] ^= data[i];
  state[left] ^= 0x06;
  state[kRate - 1] ^= 0x80;
  KeccakF1600(state);
  Hash256 out;
  std::memcpy(out.data(), state.data(), out.size());
  return out;
}

std::string Sha3_256Hex(std::string_view bytes) { return Hex(Sha3_256(bytes)); }

}  // namespace orchestra::crypto
