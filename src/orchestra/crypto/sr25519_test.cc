#include "orchestra/crypto/sr25519.h"

#include <gtest/gtest.h>

#include <string>

#include "orchestra/crypto/key_table_cache.h"
#include "orchestra/crypto/test_util.h"

namespace orchestra::crypto {
namespace {

using testing::HexOf;
using testing::Unhex;
using testing::UnhexArray;

constexpr std::string_view kSeed =
    "5cb9063bc28a07f7444dbb29b6fc15b802b141a4e7dd5c932f2981be69e127e7";
constexpr std::string_view kPublic =
    "9c4189297ad2140c85861f64656d1d1318994599130d98b75ff094176d2ca31e";

Keypair TestKeypair() { return Keypair::FromMiniSecret(UnhexArray<32>(kSeed)); }

std::string Bytes(const SignatureBytes& signature) {
  return std::string(reinterpret_cast<const char*>(signature.data()), signature.size());
}

// Mini-secret → public key pairs from Substrate's sp_core sr25519 tests.
TEST(KeypairTest, ExpandsMiniSecretsLikeSubstrate) {
  EXPECT_EQ(HexOf(TestKeypair().public_key().bytes()), kPublic);
  EXPECT_EQ(
      HexOf(Keypair::FromMiniSecret(
                UnhexArray<32>("7caadbb21966e5e268945005488a3c9be64a37b949d4691a367e477ed9e57995"))
                .public_key()
                .bytes()),
      "26db25c52b007221331a844e5335e59874e45b03e81c3d76ff007377c2c17965");
  EXPECT_EQ(
      HexOf(Keypair::FromMiniSecret(
                UnhexArray<32>("d0f12a951dff55564a1563d7d88018f55c8e7c6596e0e55af410e4902904e14c"))
                .public_key()
                .bytes()),
      "ced7a8ebf15d00260fd329f5df6efe789193366bf71cf0c7edf31902ca466743");
}

// The 64-byte secret as schnorrkel's to_ed25519_bytes / polkadot-js / @scure/sr25519 write it.
TEST(KeypairTest, ExportsTheEd25519SecretLayoutOfOtherImplementations) {
  EXPECT_EQ(HexOf(TestKeypair().Ed25519Bytes()),
            "388b5e5d49fcb16a04f0635023664c900b6b243452271657e24d4aa26e117f54"
            "0ddf49665638d57342510dea81fad867c54951ce1ece88bfb26bcd8b48b389dd");
}

TEST(KeypairTest, SecretBytesRoundTripInBothLayouts) {
  const Keypair keypair = TestKeypair();
  const auto secret = keypair.SecretBytes();
  auto from_secret = Keypair::FromSecretBytes(AsBytes(secret));
  ASSERT_TRUE(from_secret.ok()) << from_secret.error().message;
  EXPECT_EQ(from_secret->public_key(), keypair.public_key());
  EXPECT_EQ(from_secret->Ed25519Bytes(), keypair.Ed25519Bytes());

  const auto ed = keypair.Ed25519Bytes();
  auto from_ed = Keypair::FromEd25519Bytes(AsBytes(ed));
  ASSERT_TRUE(from_ed.ok()) << from_ed.error().message;
  EXPECT_EQ(from_ed->SecretBytes(), secret);
}

TEST(KeypairTest, RejectsMalformedSecretBytes) {
  EXPECT_FALSE(Keypair::FromSecretBytes("").ok());
  EXPECT_FALSE(Keypair::FromSecretBytes(std::string(63, '\1')).ok());
  EXPECT_FALSE(Keypair::FromEd25519Bytes(std::string(65, '\1')).ok());
  auto non_canonical = Keypair::FromSecretBytes(std::string(64, '\xff'));
  ASSERT_FALSE(non_canonical.ok());
  EXPECT_NE(non_canonical.error().message.find("not canonical"), std::string::npos);
  auto zero = Keypair::FromSecretBytes(std::string(64, '\0'));
  ASSERT_FALSE(zero.ok());
  EXPECT_NE(zero.error().message.find("zero"), std::string::npos);
}

// With the same 32 bytes of outside randomness, @scure/sr25519's sign() makes this signature:
// the witness nonce is derived exactly as schnorrkel derives it.
TEST(SignTest, MatchesScureSignatureForTheSameEntropy) {
  std::array<uint8_t, 32> entropy;
  entropy.fill(1);
  const auto signature = SignWithEntropy(TestKeypair(), "hello", kSubstrateContext, entropy);
  EXPECT_EQ(HexOf(signature),
            "3c8bd68bc6cc03e09e63ee969926be416889a2087b5d6fe4488a275d13d8e530"
            "0a463510b51ac0d8f02f6d7ab4497d30dcfb3d79289846e07d0dc45376858285");
}

// Variable-time signing computes the same R, so the same entropy gives the same signature.
TEST(SignTest, VariableTimeSigningMakesTheSameSignatures) {
  const Keypair constant = TestKeypair();
  const Keypair variable = constant.WithVariableTimeSigning();
  EXPECT_FALSE(constant.variable_time_signing());
  EXPECT_TRUE(variable.variable_time_signing());
  EXPECT_EQ(variable.public_key(), constant.public_key());
  for (uint8_t fill = 0; fill < 64; ++fill) {
    std::array<uint8_t, 32> entropy;
    entropy.fill(fill);
    const std::string message = "receipt " + std::to_string(fill);
    const auto signature = SignWithEntropy(variable, message, kSubstrateContext, entropy);
    ASSERT_EQ(HexOf(signature),
              HexOf(SignWithEntropy(constant, message, kSubstrateContext, entropy)));
    EXPECT_TRUE(Verify(variable.public_key(), message, Bytes(signature)).ok());
  }
  EXPECT_TRUE(Verify(variable.public_key(), "m", Bytes(Sign(variable, "m"))).ok());
  // A derived key is a key of its own: it signs in constant time unless asked.
  EXPECT_FALSE(DeriveHard(variable, ChainCode{}).variable_time_signing());
  EXPECT_FALSE(DeriveSoft(variable, ChainCode{}).variable_time_signing());
}

// A signature made by schnorrkel itself (Rust, through @polkadot/wasm-crypto).
TEST(VerifyTest, AcceptsSchnorrkelSignature) {
  const std::string signature = Unhex(
      "469fbff16acbb60e45b75a502b111627bb6e83b9a6e060f21dbe198727b6a960"
      "11d21d59622df33345c86781f462723e5a4171144889362ad31bb25ac53ea988");
  const Status status = Verify(Unhex(kPublic), "hello", signature);
  EXPECT_TRUE(status.ok()) << status.error().message;
}

// The first verification under a key runs without a table, the second builds one, the rest use
// it: every one of them must accept and reject alike.
TEST(VerifyTest, AnswersAlikeBeforeAndAfterTheKeyGetsATable) {
  MiniSecret mini{};
  mini.fill(0xa5);  // a key no other test uses, so that it starts without a table
  const Keypair keypair = Keypair::FromMiniSecret(mini);
  const std::string signature = Bytes(Sign(keypair, "message"));
  std::string tampered = signature;
  tampered[40] = static_cast<char>(tampered[40] ^ 0x04);
  const uint64_t builds_before = KeyTableCache::Default().stats().builds;
  for (int round = 0; round < 4; ++round) {
    EXPECT_TRUE(Verify(keypair.public_key(), "message", signature).ok()) << "round " << round;
    const Status wrong_message = Verify(keypair.public_key(), "massage", signature);
    ASSERT_FALSE(wrong_message.ok()) << "round " << round;
    EXPECT_NE(wrong_message.error().message.find("does not match"), std::string::npos);
    EXPECT_FALSE(Verify(keypair.public_key(), "message", tampered).ok()) << "round " << round;
  }
  EXPECT_EQ(KeyTableCache::Default().stats().builds, builds_before + 1);
}

TEST(SignTest, SignaturesAreRandomizedAndAllVerify) {
  const Keypair keypair = TestKeypair();
  const auto first = Sign(keypair, "message");
  const auto second = Sign(keypair, "message");
  EXPECT_NE(first, second);
  EXPECT_TRUE(Verify(keypair.public_key(), "message", Bytes(first)).ok());
  EXPECT_TRUE(Verify(keypair.public_key(), "message", Bytes(second)).ok());
  EXPECT_TRUE(first[63] & 0x80);
}

TEST(SignTest, RoundTripsManyKeysAndMessages) {
  for (int i = 0; i < 50; ++i) {
    MiniSecret mini;
    mini.fill(static_cast<uint8_t>(i));
    mini[0] = 0xa5;
    const Keypair keypair = Keypair::FromMiniSecret(mini);
    const std::string message(static_cast<size_t>(i * 7), static_cast<char>('a' + i % 26));
    const Status status = Verify(keypair.public_key(), message, Bytes(Sign(keypair, message)));
    ASSERT_TRUE(status.ok()) << i << ": " << status.error().message;
  }
}

class VerifyRejectsTest : public ::testing::Test {
 protected:
  void SetUp() override { signature_ = Bytes(Sign(keypair_, "message")); }

  void ExpectRejected(std::string_view public_key, std::string_view message,
                      std::string_view signature, std::string_view context, std::string_view why) {
    const Status status = Verify(public_key, message, signature, context);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(status.error().message.find(why), std::string::npos) << status.error().message;
  }

  std::string PublicBytes() const { return std::string(AsBytes(keypair_.public_key().bytes())); }

  Keypair keypair_ = TestKeypair();
  std::string signature_;
};

TEST_F(VerifyRejectsTest, SignatureOfWrongLength) {
  ExpectRejected(PublicBytes(), "message", "", kSubstrateContext, "64 bytes, got 0");
  ExpectRejected(PublicBytes(), "message", signature_.substr(0, 63), kSubstrateContext, "got 63");
  ExpectRejected(PublicBytes(), "message", signature_ + "x", kSubstrateContext, "got 65");
}

TEST_F(VerifyRejectsTest, SignatureWithoutMarkerBit) {
  signature_[63] = static_cast<char>(signature_[63] & 0x7f);
  ExpectRejected(PublicBytes(), "message", signature_, kSubstrateContext, "marker");
}

TEST_F(VerifyRejectsTest, NonCanonicalScalar) {
  // s = the group order itself, marker set.
  std::string bad = signature_.substr(0, 32) +
                    Unhex("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000090");
  ExpectRejected(PublicBytes(), "message", bad, kSubstrateContext, "not canonical");
  bad = signature_.substr(0, 32) + std::string(32, '\xff');
  ExpectRejected(PublicBytes(), "message", bad, kSubstrateContext, "not canonical");
}

TEST_F(VerifyRejectsTest, InvalidPointR) {
  std::string bad = signature_;
  bad.replace(0, 32, Unhex("0100000000000000000000000000000000000000000000000000000000000000"));
  ExpectRejected(PublicBytes(), "message", bad, kSubstrateContext, "R is not");
  bad.replace(0, 32, std::string(32, '\xff'));
  ExpectRejected(PublicBytes(), "message", bad, kSubstrateContext, "R is not");
}

TEST_F(VerifyRejectsTest, DegenerateSignatures) {
  // s = 0 (marker set) and R = the identity: well-formed, and wrong.
  const std::string zero_s = signature_.substr(0, 32) + std::string(31, '\0') + "\x80";
  ExpectRejected(PublicBytes(), "message", zero_s, kSubstrateContext, "does not match");
  std::string identity_r = signature_;
  identity_r.replace(0, 32, std::string(32, '\0'));
  ExpectRejected(PublicBytes(), "message", identity_r, kSubstrateContext, "does not match");
  ExpectRejected(PublicBytes(), "message", std::string(63, '\0') + "\x80", kSubstrateContext,
                 "does not match");
}

TEST_F(VerifyRejectsTest, TamperedMessage) {
  ExpectRejected(PublicBytes(), "messagf", signature_, kSubstrateContext, "does not match");
  ExpectRejected(PublicBytes(), "", signature_, kSubstrateContext, "does not match");
}

TEST_F(VerifyRejectsTest, OtherContext) {
  ExpectRejected(PublicBytes(), "message", signature_, "substrat", "does not match");
}

TEST_F(VerifyRejectsTest, TamperedSignatureBits) {
  for (size_t byte : {0u, 17u, 31u, 32u, 50u, 62u}) {
    std::string bad = signature_;
    bad[byte] = static_cast<char>(bad[byte] ^ 0x01);
    const Status status = Verify(PublicBytes(), "message", bad);
    EXPECT_FALSE(status.ok()) << "flipped a bit of byte " << byte;
  }
}

TEST_F(VerifyRejectsTest, OtherKey) {
  MiniSecret other{};
  other[0] = 1;
  const Keypair stranger = Keypair::FromMiniSecret(other);
  ExpectRejected(std::string(AsBytes(stranger.public_key().bytes())), "message", signature_,
                 kSubstrateContext, "does not match");
}

TEST_F(VerifyRejectsTest, MalformedPublicKeys) {
  ExpectRejected("", "message", signature_, kSubstrateContext, "32 bytes, got 0");
  ExpectRejected(PublicBytes().substr(1), "message", signature_, kSubstrateContext, "got 31");
  ExpectRejected(std::string(32, '\0'), "message", signature_, kSubstrateContext, "identity");
  ExpectRejected(std::string(32, '\xff'), "message", signature_, kSubstrateContext,
                 "not a canonical");
  ExpectRejected(Unhex("0100000000000000000000000000000000000000000000000000000000000000"),
                 "message", signature_, kSubstrateContext, "not a canonical");
}

// RFC 9496 (and schnorrkel) reject an encoding with bit 255 set; Debian's libsodium 1.0.18
// ignores that bit, so a valid key or R with it set would otherwise pass as the same point.
TEST_F(VerifyRejectsTest, EncodingsWithBit255Set) {
  std::string key = PublicBytes();
  key[31] = static_cast<char>(key[31] | 0x80);
  ExpectRejected(key, "message", signature_, kSubstrateContext, "not a canonical");
  std::string bad = signature_;
  bad[31] = static_cast<char>(bad[31] | 0x80);
  ExpectRejected(PublicBytes(), "message", bad, kSubstrateContext, "R is not");
}

TEST(PublicKeyTest, ParsesHexWithOrWithoutPrefix) {
  auto with_prefix = PublicKey::FromHex(std::string("0x") + std::string(kPublic));
  auto bare = PublicKey::FromHex(kPublic);
  ASSERT_TRUE(with_prefix.ok() && bare.ok());
  EXPECT_EQ(*with_prefix, *bare);
  EXPECT_EQ(with_prefix->ToHex(), std::string("0x") + std::string(kPublic));
  auto bad = PublicKey::FromHex("0x9c41zz");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("'z' at position 6"), std::string::npos)
      << bad.error().message;
}

// Soft derivation of public keys, as @scure/sr25519 and schnorrkel compute it.
TEST(DeriveTest, SoftPublicMatchesSecretSoftDerivation) {
  const Keypair parent = TestKeypair();
  ChainCode chain_code{};
  chain_code[0] = 0x10;
  const Keypair child = DeriveSoft(parent, chain_code);
  EXPECT_EQ(child.public_key(), DeriveSoftPublic(parent.public_key(), chain_code));
  EXPECT_NE(child.public_key(), parent.public_key());
  EXPECT_TRUE(Verify(child.public_key(), "m", Bytes(Sign(child, "m"))).ok());
}

TEST(DeriveTest, HardDerivationIsDeterministicAndSignsValidly) {
  const Keypair parent = TestKeypair();
  ChainCode chain_code{};
  chain_code[0] = 0x14;
  const Keypair a = DeriveHard(parent, chain_code);
  const Keypair b = DeriveHard(parent, chain_code);
  EXPECT_EQ(a.SecretBytes(), b.SecretBytes());
  EXPECT_NE(a.public_key(), parent.public_key());
  EXPECT_TRUE(Verify(a.public_key(), "m", Bytes(Sign(a, "m"))).ok());
}

}  // namespace
}  // namespace orchestra::crypto
