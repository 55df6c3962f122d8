#include "orchestra/crypto/keccak.h"

#include <gtest/gtest.h>

#include <string>

namespace orchestra::crypto {
namespace {

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

}  // namespace
}  // namespace orchestra::crypto
