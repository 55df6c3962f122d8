#include "orchestra/crypto/keccak.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>

namespace orchestra::crypto {
namespace {

// A deliberately plain Keccak-f[1600] (the loop-and-table form this module used before it was
// unrolled), kept here as the oracle the fast permutation is checked against.
void ReferenceKeccakF1600(KeccakState& a) {
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
  const auto rotl = [](uint64_t x, int n) { return (x << n) | (x >> (64 - n)); };

  for (uint64_t round_constant : kRoundConstants) {
    uint64_t c[5];
    for (int x = 0; x < 5; ++x) c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
    for (int x = 0; x < 5; ++x) {
      const uint64_t d = c[(x + 4) % 5] ^ rotl(c[(x + 1) % 5], 1);
      for (int y = 0; y < 25; y += 5) a[y + x] ^= d;
    }
    uint64_t current = a[1];
    for (int i = 0; i < 24; ++i) {
      const int j = kPi[i];
      const uint64_t next = a[j];
      a[j] = rotl(current, kRho[i]);
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

// SHA3-256 absorbed a byte at a time over ReferenceKeccakF1600, straight from FIPS 202.
Hash256 ReferenceSha3_256(std::string_view input) {
  constexpr size_t kRate = 136;
  KeccakState lanes{};
  const auto xor_byte = [&lanes](size_t i, uint8_t byte) {
    lanes[i / 8] ^= static_cast<uint64_t>(byte) << (8 * (i % 8));
  };
  size_t pos = 0;
  for (char c : input) {
    xor_byte(pos, static_cast<uint8_t>(c));
    if (++pos == kRate) {
      ReferenceKeccakF1600(lanes);
      pos = 0;
    }
  }
  xor_byte(pos, 0x06);
  xor_byte(kRate - 1, 0x80);
  ReferenceKeccakF1600(lanes);
  Hash256 out;
  for (size_t i = 0; i < out.size(); ++i)
    out[i] = static_cast<uint8_t>(lanes[i / 8] >> (8 * (i % 8)));
  return out;
}

// Reference digests from FIPS 202 examples and Python's hashlib.sha3_256.
TEST(Sha3Test, MatchesReferenceDigests) {
  EXPECT_EQ(Sha3_256Hex(""), "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a");
  EXPECT_EQ(Sha3_256Hex("abc"), "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532");
}

TEST(Sha3Test, HandlesInputsAroundTheRateBoundary) {
  EXPECT_EQ(Sha3_256Hex(std::string(135, 'a')),
            "8094bb53c44cfb1e67b7c30447f9a1c33696d2463ecc1d9c92538913392843c9");
  EXPECT_EQ(Sha3_256Hex(std::string(136, 'a')),
            "3fc5559f14db8e453a0a3091edbd2bc25e11528d81c66fa570a4efdcc2695ee1");
  EXPECT_EQ(Sha3_256Hex(std::string(137, 'a')),
            "f8d6846cedd2ccfadf15c5879ef95af724d799eed7391fb1c91f95344e738614");
}

TEST(Sha3Test, HashesOneMillionBytes) {
  EXPECT_EQ(Sha3_256Hex(std::string(1000000, 'a')),
            "5c8875ae474a3634ba4fd55ec85bffd661f32aca75c6d699d0cdcb6c115891c1");
}

TEST(KeccakTest, PermutesTheZeroStateAsTheKeccakTeamPublished) {
  KeccakState state{};
  KeccakF1600(state);
  EXPECT_EQ(state[0], 0xF1258F7940E1DDE7ULL);
  EXPECT_EQ(state[1], 0x84D5CCF933C0478AULL);
}

TEST(KeccakTest, ByteAndLaneFormsAgree) {
  KeccakState lanes{};
  std::array<uint8_t, 200> bytes{};
  for (int i = 0; i < 25; ++i) lanes[i] = 0x0102030405060708ULL * (i + 1);
  for (int i = 0; i < 200; ++i) bytes[i] = static_cast<uint8_t>(lanes[i / 8] >> (8 * (i % 8)));
  KeccakF1600(lanes);
  KeccakF1600(bytes);
  for (int i = 0; i < 200; ++i) {
    ASSERT_EQ(bytes[i], static_cast<uint8_t>(lanes[i / 8] >> (8 * (i % 8)))) << "byte " << i;
  }
}

TEST(KeccakTest, MatchesTheReferencePermutationOnRandomStates) {
  std::mt19937_64 rng(20240601);
  for (int trial = 0; trial < 2000; ++trial) {
    KeccakState fast;
    for (uint64_t& lane : fast) lane = rng();
    KeccakState reference = fast;
    KeccakF1600(fast);
    ReferenceKeccakF1600(reference);
    ASSERT_EQ(fast, reference) << "trial " << trial;
  }
}

TEST(Sha3Test, MatchesTheReferenceSpongeOnRandomInputs) {
  std::mt19937_64 rng(1600);
  // Every length up to three blocks first, so the padding lands at each offset of a block and
  // after one and two absorbed blocks; then random lengths up to five blocks.
  constexpr size_t kSweep = 3 * 136;
  std::uniform_int_distribution<size_t> random_length(0, 5 * 136 + 7);
  for (size_t trial = 0; trial < 3000; ++trial) {
    std::string input(trial < kSweep ? trial : random_length(rng), '\0');
    for (char& c : input) c = static_cast<char>(rng());
    ASSERT_EQ(Hex(Sha3_256(input)), Hex(ReferenceSha3_256(input)))
        << "trial " << trial << ", " << input.size() << " bytes";
  }
}

TEST(Sha3Test, ReadsUnalignedInput) {
  const std::string buffer(1 + 3 * 136, 'q');
  const std::string_view unaligned = std::string_view(buffer).substr(1);
  EXPECT_EQ(Sha3_256(unaligned), ReferenceSha3_256(unaligned));
}

}  // namespace
}  // namespace orchestra::crypto
