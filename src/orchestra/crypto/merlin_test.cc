#include "orchestra/crypto/merlin.h"

#include <gtest/gtest.h>

#include <string>

#include "orchestra/crypto/keccak.h"
#include "orchestra/crypto/strobe.h"
#include "orchestra/crypto/test_util.h"

namespace orchestra::crypto {
namespace {

using testing::HexOf;

// The conformance test of merlin's strobe.rs (checked there against the reference STROBE).
TEST(Strobe128Test, PassesMerlinConformanceVector) {
  Strobe128 s("Conformance Test Protocol");
  const std::string message(1024, static_cast<char>(99));
  s.MetaAd("ms", false);
  s.MetaAd("g", true);
  s.Ad(message, false);

  std::array<uint8_t, 32> prf;
  s.MetaAd("prf", false);
  s.Prf(prf, false);
  EXPECT_EQ(HexOf(prf), "b48e645ca17c667fd5206ba57a6a228d72d8e1903814d3f17f622996d7cfefb0");

  s.MetaAd("key", false);
  s.Key(AsBytes(prf), false);
  s.MetaAd("prf", false);
  s.Prf(prf, false);
  EXPECT_EQ(HexOf(prf), "07e45cce8078cee259e3e375bb85d75610e2d1e1201c5f645045a194edd49ff8");
}

// KEY and PRF across several 166-byte blocks, and a PRF continued with `more`: the bytes the
// byte-at-a-time implementation (0f2a3ce, itself checked by the vector above) produced, as a
// SHA3-256 of the 600 PRF bytes. Guards the block-at-a-time Overwrite and Squeeze.
TEST(Strobe128Test, KeyAndPrfAcrossBlocksMatchTheByteAtATimeImplementation) {
  Strobe128 s("strobe blocks");
  std::string ad(400, '\0');
  for (size_t i = 0; i < ad.size(); ++i) ad[i] = static_cast<char>(i * 7 + 1);
  s.Ad(ad, false);
  std::string key(300, '\0');
  for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<char>(i * 13 + 5);
  s.Key(key, false);
  std::array<uint8_t, 600> out;
  s.Prf(std::span(out).first(500), false);
  s.Prf(std::span(out).subspan(500), true);
  EXPECT_EQ(Sha3_256Hex(AsBytes(out)),
            "d448c0f2bd1f1828b58d9ea79179236754d4c9791f469269b5c5ae4a5461c131");
}

TEST(Strobe128Test, CopiesForkIndependently) {
  Strobe128 a("fork");
  a.Ad("common", false);
  Strobe128 b = a;
  a.Ad("left", false);
  b.Ad("right", false);
  std::array<uint8_t, 16> out_a, out_b;
  a.Prf(out_a, false);
  b.Prf(out_b, false);
  EXPECT_NE(out_a, out_b);
}

// merlin's transcript.rs test: the published challenge for the "test protocol" transcript.
TEST(TranscriptTest, MatchesMerlinPublishedVector) {
  Transcript t("test protocol");
  t.AppendMessage("some label", "some data");
  std::array<uint8_t, 32> challenge;
  t.ChallengeBytes("challenge", challenge);
  EXPECT_EQ(HexOf(challenge), "d5a21972d0d5fe320c0d263fac7fffb8145aa640af6e9bca177c03c7efcf0615");
}

TEST(TranscriptTest, ChallengesDependOnEveryLabelAndMessage) {
  auto challenge = [](std::string_view label, std::string_view message) {
    Transcript t("test protocol");
    t.AppendMessage(label, message);
    std::array<uint8_t, 32> out;
    t.ChallengeBytes("challenge", out);
    return out;
  };
  const auto base = challenge("some label", "some data");
  EXPECT_NE(base, challenge("some label", "some datb"));
  EXPECT_NE(base, challenge("some labem", "some data"));
  // Framing: moving bytes between label and message changes the challenge.
  EXPECT_NE(challenge("ab", "c"), challenge("a", "bc"));
}

TEST(TranscriptTest, LongMessagesCrossManyStrobeBlocks) {
  Transcript a("long"), b("long");
  a.AppendMessage("m", std::string(10000, 'x'));
  b.AppendMessage("m", std::string(10000, 'x'));
  std::array<uint8_t, 200> ca, cb;
  a.ChallengeBytes("c", ca);
  b.ChallengeBytes("c", cb);
  EXPECT_EQ(ca, cb);
}

TEST(TranscriptRngTest, IsDeterministicInItsInputsAndBoundToEachOfThem) {
  Transcript t("rng test");
  t.AppendMessage("public", "data");
  auto draw = [&](std::string_view witness, uint8_t entropy_byte) {
    std::array<uint8_t, 32> entropy;
    entropy.fill(entropy_byte);
    std::array<uint8_t, 64> out;
    TranscriptRngBuilder(t).RekeyWithWitnessBytes("w", witness).Finalize(entropy, out);
    return out;
  };
  EXPECT_EQ(draw("secret", 1), draw("secret", 1));
  EXPECT_NE(draw("secret", 1), draw("secreu", 1));
  EXPECT_NE(draw("secret", 1), draw("secret", 2));
}

}  // namespace
}  // namespace orchestra::crypto
