#include "orchestra/crypto/bip39.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "orchestra/crypto/pbkdf2.h"
#include "orchestra/crypto/test_util.h"

namespace orchestra::crypto {
namespace {

using testing::HexOf;
using testing::Unhex;

constexpr std::string_view kDevPhrase =
    "bottom drive obey lake curtain smoke basket hold race lonely fit walk";

std::string Pbkdf2Hex(std::string_view password, std::string_view salt, uint32_t iterations,
                      size_t length) {
  std::string out(length, '\0');
  Pbkdf2HmacSha512(password, salt, iterations,
                   std::span<uint8_t>(reinterpret_cast<uint8_t*>(out.data()), out.size()));
  return HexOf(out);
}

// Reference values from Python's hashlib.pbkdf2_hmac("sha512", ...).
TEST(Pbkdf2Test, MatchesReferenceDerivations) {
  EXPECT_EQ(Pbkdf2Hex("password", "salt", 1, 64),
            "867f70cf1ade02cff3752599a3a53dc4af34c7a669815ae5d513554e1c8cf252"
            "c02d470a285a0501bad999bfe943c08f050235d7d68b1da55e63f73b60a57fce");
  EXPECT_EQ(Pbkdf2Hex("password", "salt", 2, 64),
            "e1d9c16aa681708a45f5c7c4e215ceb66e011a2e9f0040713f18aefdb866d53c"
            "f76cab2868a39b9f7840edce4fef5a82be67335c77a6068e04112754f27ccf4e");
  // Output longer than one HMAC block.
  EXPECT_EQ(
      Pbkdf2Hex("passwordPASSWORDpassword", "saltSALTsaltSALTsaltSALTsaltSALTsalt", 4096, 100),
      "8c0511f4c6e597c6ac6315d8f0362e225f3c501495ba23b868c005174dc4ee71115b59f9e60cd953"
      "2fa33e0f75aefe30225c583a186cd82bd4daea9724a3d3b804f75bdd41494fa324cab24bcc680fb3"
      "b96a30cf5d21fac3c2875913919f3399b1d9ce7e");
}

// BIP39's own seed rule (over the phrase) from the Trezor test vectors: checks PBKDF2 at the
// iteration count Substrate uses.
TEST(Pbkdf2Test, ReproducesTrezorBip39Seed) {
  EXPECT_EQ(Pbkdf2Hex("abandon abandon abandon abandon abandon abandon abandon abandon abandon "
                      "abandon abandon about",
                      "mnemonicTREZOR", 2048, 64),
            "c55257c360c07c72029aebc1b53c05ed0362ada38ead3e3e9efa3708e53495531f09a6987599d182"
            "64c1e1c92f2cf141630c7a3c4ab7c81b2f001698e7463b04");
}

TEST(WordlistTest, HoldsTheBip39EnglishWords) {
  auto words = EnglishWordlist();
  ASSERT_TRUE(words.ok()) << words.error().message;
  ASSERT_EQ((*words)->size(), 2048u);
  EXPECT_EQ((**words)[0], "abandon");
  EXPECT_EQ((**words)[2047], "zoo");
}

struct TrezorVector {
  std::string_view entropy;
  std::string_view phrase;
};

// Entropy ↔ phrase pairs from the Trezor BIP39 test vectors.
constexpr TrezorVector kTrezorVectors[] = {
    {"00000000000000000000000000000000",
     "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon "
     "about"},
    {"7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f",
     "legal winner thank year wave sausage worth useful legal winner thank yellow"},
    {"80808080808080808080808080808080",
     "letter advice cage absurd amount doctor acoustic avoid letter advice cage above"},
    {"ffffffffffffffffffffffffffffffff", "zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo wrong"},
    {"0000000000000000000000000000000000000000000000000000000000000000",
     "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon "
     "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon "
     "abandon art"},
    {"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
     "zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo "
     "vote"},
};

TEST(MnemonicTest, EncodesAndDecodesTrezorVectors) {
  for (const auto& vector : kTrezorVectors) {
    auto phrase = EntropyToMnemonic(Unhex(vector.entropy));
    ASSERT_TRUE(phrase.ok()) << phrase.error().message;
    EXPECT_EQ(*phrase, vector.phrase);
    auto entropy = MnemonicToEntropy(vector.phrase);
    ASSERT_TRUE(entropy.ok()) << entropy.error().message;
    EXPECT_EQ(HexOf(std::string(entropy->begin(), entropy->end())), vector.entropy);
  }
}

TEST(MnemonicTest, DevPhraseGivesSubstrateMiniSecret) {
  auto entropy = MnemonicToEntropy(kDevPhrase);
  ASSERT_TRUE(entropy.ok());
  EXPECT_EQ(HexOf(std::string(entropy->begin(), entropy->end())),
            "1a486a5fbe53639984cb64b070755f7b");
  auto mini = MiniSecretFromMnemonic(kDevPhrase);
  ASSERT_TRUE(mini.ok());
  EXPECT_EQ(HexOf(*mini), "fac7959dbfe72f052e5a0c3c8d6530f202b02fd8f9f5ca3580ec8deb7797479e");
  EXPECT_EQ(HexOf(Keypair::FromMiniSecret(*mini).public_key().bytes()),
            "46ebddef8cd9bb167dc30878d7113b7e168e6f0646beffd77d69d39bad76b47a");
}

TEST(MnemonicTest, PasswordChangesTheMiniSecret) {
  auto plain = MiniSecretFromMnemonic(kDevPhrase);
  auto with_password = MiniSecretFromMnemonic(kDevPhrase, "hunter2");
  ASSERT_TRUE(plain.ok() && with_password.ok());
  EXPECT_NE(*plain, *with_password);
}

TEST(MnemonicTest, ToleratesExtraWhitespaceAndCapitals) {
  auto messy = MnemonicToEntropy(
      "  Bottom drive\tobey lake\ncurtain smoke basket hold race "
      "lonely FIT walk  ");
  auto clean = MnemonicToEntropy(kDevPhrase);
  ASSERT_TRUE(messy.ok()) << messy.error().message;
  EXPECT_EQ(*messy, *clean);
}

TEST(MnemonicTest, GeneratesValidPhrasesOfEachLength) {
  std::set<std::string> seen;
  for (int words : {12, 15, 18, 21, 24}) {
    auto phrase = GenerateMnemonic(words);
    ASSERT_TRUE(phrase.ok()) << phrase.error().message;
    EXPECT_EQ(std::count(phrase->begin(), phrase->end(), ' '), words - 1);
    EXPECT_TRUE(MnemonicToEntropy(*phrase).ok()) << *phrase;
    seen.insert(*phrase);
  }
  EXPECT_EQ(seen.size(), 5u);
}

void ExpectError(std::string_view phrase, std::string_view why) {
  auto entropy = MnemonicToEntropy(phrase);
  ASSERT_FALSE(entropy.ok()) << phrase;
  EXPECT_EQ(entropy.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(entropy.error().message.find(why), std::string::npos) << entropy.error().message;
}

TEST(MnemonicErrorsTest, NamesThePositionOfAnUnknownWordButNeverTheWord) {
  const std::string phrase =
      "bottom drive obey lake curtian smoke basket hold race lonely fit walk";
  ExpectError(phrase, "mnemonic word 5 is not in the BIP39 English wordlist");
  auto entropy = MnemonicToEntropy(phrase);
  ASSERT_FALSE(entropy.ok());
  EXPECT_EQ(entropy.error().message.find("curt"), std::string::npos) << entropy.error().message;
  ExpectError("bottom drive obey lake 12345 smoke basket hold race lonely fit walk", "word 5 ");
}

TEST(MnemonicErrorsTest, RejectsWrongChecksum) {
  ExpectError("bottom drive obey lake curtain smoke basket hold race lonely fit fit",
              "checksum does not match");
  ExpectError("drive bottom obey lake curtain smoke basket hold race lonely fit walk",
              "checksum does not match");
}

TEST(MnemonicErrorsTest, RejectsWrongWordCounts) {
  ExpectError("", "has 0 words");
  ExpectError("bottom drive obey lake curtain smoke basket hold race lonely fit",
              "has 11 words; a BIP39 phrase has 12, 15, 18, 21 or 24");
  ExpectError(
      "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon "
      "abandon abandon about",
      "has 13 words");
  ExpectError(std::string(2000, ' ') + "zoo", "has 1 words");
}

TEST(MnemonicErrorsTest, SurvivesBinaryGarbage) {
  std::string garbage;
  for (int i = 0; i < 256; ++i) garbage.push_back(static_cast<char>(i));
  EXPECT_FALSE(MnemonicToEntropy(garbage).ok());
  EXPECT_FALSE(MnemonicToEntropy(std::string(12, '\0')).ok());
}

TEST(EntropyErrorsTest, RejectsSizesOutsideBip39) {
  for (size_t size : {0u, 15u, 17u, 33u, 64u}) {
    EXPECT_FALSE(EntropyToMnemonic(std::string(size, 'x')).ok()) << size;
    EXPECT_FALSE(MiniSecretFromEntropy(std::string(size, 'x')).ok()) << size;
  }
  EXPECT_FALSE(GenerateMnemonic(13).ok());
  EXPECT_FALSE(GenerateMnemonic(0).ok());
  EXPECT_FALSE(GenerateMnemonic(27).ok());
}

}  // namespace
}  // namespace orchestra::crypto
