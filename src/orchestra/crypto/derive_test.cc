#include "orchestra/crypto/derive.h"

#include <gtest/gtest.h>

#include <string>

#include "orchestra/core/hash.h"
#include "orchestra/crypto/ss58.h"
#include "orchestra/crypto/test_util.h"

namespace orchestra::crypto {
namespace {

using testing::HexOf;

std::string PublicOf(std::string_view uri) {
  auto keypair = KeypairFromUri(uri);
  EXPECT_TRUE(keypair.ok()) << uri << ": " << keypair.error().message;
  return keypair ? HexOf(keypair->public_key().bytes()) : "";
}

std::string Phrase(std::string_view path) { return std::string(kDevPhrase) + std::string(path); }

// Substrate's well-known dev accounts.
TEST(KeypairFromUriTest, DerivesSubstrateDevAccounts) {
  EXPECT_EQ(PublicOf("//Alice"),
            "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d");
  EXPECT_EQ(PublicOf(Phrase("//Bob")),
            "8eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a48");
  EXPECT_EQ(PublicOf("//Alice//stash"),
            "be5ddb1579b72e84524fc29e78609e3caf42e85aa118ebfe0b0ad404b5bdd25f");
  auto alice = KeypairFromUri("//Alice");
  ASSERT_TRUE(alice.ok());
  EXPECT_EQ(Ss58Encode(alice->public_key().bytes()),
            "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY");
}

// Public keys computed by @polkadot/util-crypto's keyExtractSuri + keyFromPath.
TEST(KeypairFromUriTest, MatchesPolkadotJsForSoftNumericAndPasswordPaths) {
  EXPECT_EQ(PublicOf(kDevPhrase),
            "46ebddef8cd9bb167dc30878d7113b7e168e6f0646beffd77d69d39bad76b47a");
  EXPECT_EQ(PublicOf(Phrase("/soft")),
            "84aedc0aba19f398f70dbcbc94b318e1e8d4eab5854e4d8de569bc4890afa45e");
  EXPECT_EQ(PublicOf(Phrase("//0")),
            "2afba9278e30ccf6a6ceb3a8b6e336b70068f045c666f2e7f4f9cc5f47db8972");
  EXPECT_EQ(PublicOf(Phrase("//Alice/soft//0")),
            "2c804cb95190fde15d3adbacb7c7933dba6fed11dcc061ce9db8e180696e665d");
  EXPECT_EQ(PublicOf(Phrase("///pw")),
            "f059637e84952f13fb7cdc6a646b09692f9bc23cc17eea2055b62ecc478f0e13");
  EXPECT_EQ(PublicOf(Phrase("//Alice///pw")),
            "12d0a764fee8ee7a262c3294818ae4c0429832cdf4a899f9d1f2adb0c29aca39");
}

TEST(KeypairFromUriTest, AcceptsHexSeed) {
  EXPECT_EQ(PublicOf("0x5cb9063bc28a07f7444dbb29b6fc15b802b141a4e7dd5c932f2981be69e127e7"),
            "9c4189297ad2140c85861f64656d1d1318994599130d98b75ff094176d2ca31e");
}

TEST(JunctionTest, EncodesTextAndNumbersAsScale) {
  EXPECT_EQ(HexOf(JunctionFromText("Alice", true).chain_code),
            "14416c6963650000000000000000000000000000000000000000000000000000");
  EXPECT_EQ(HexOf(JunctionFromText("7", false).chain_code),
            "0700000000000000000000000000000000000000000000000000000000000000");
  // Longer than 32 bytes once encoded: blake2b-256 of the encoding.
  const Junction long_one = JunctionFromText(std::string(40, 'x'), true);
  EXPECT_EQ(long_one.chain_code, Blake2b256("\xa0" + std::string(40, 'x')));
}

TEST(ParseDerivationPathTest, SplitsHardAndSoftJunctions) {
  auto path = ParseDerivationPath("//a/b//c");
  ASSERT_TRUE(path.ok());
  ASSERT_EQ(path->size(), 3u);
  EXPECT_TRUE((*path)[0].hard);
  EXPECT_FALSE((*path)[1].hard);
  EXPECT_TRUE((*path)[2].hard);
  auto empty = ParseDerivationPath("");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST(ParseDerivationPathTest, RejectsEmptyJunctionsAndMissingSlash) {
  auto empty = ParseDerivationPath("//a//");
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.error().message.find("empty junction at position 5"), std::string::npos)
      << empty.error().message;
  auto no_slash = ParseDerivationPath("a/b");
  ASSERT_FALSE(no_slash.ok());
  EXPECT_NE(no_slash.error().message.find("expected '/' at position 0"), std::string::npos);
}

TEST(KeypairFromUriTest, ReportsWhatIsWrong) {
  auto bad_word = KeypairFromUri(
      "bottom drive obey lake curtain smoke basket hold race lonely "
      "fit walx//Alice");
  ASSERT_FALSE(bad_word.ok());
  EXPECT_NE(bad_word.error().message.find("word 12 is not in the BIP39"), std::string::npos)
      << bad_word.error().message;
  EXPECT_EQ(bad_word.error().message.find("walx"), std::string::npos) << bad_word.error().message;
  auto bad_seed = KeypairFromUri("0x1234");
  ASSERT_FALSE(bad_seed.ok());
  EXPECT_NE(bad_seed.error().message.find("expected 32 bytes, got 2"), std::string::npos)
      << bad_seed.error().message;
  EXPECT_FALSE(KeypairFromUri("0xzz").ok());
  EXPECT_FALSE(KeypairFromUri("//Alice//").ok());
}

}  // namespace
}  // namespace orchestra::crypto
