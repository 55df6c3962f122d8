// Regression tests for the keyfile parser, from fuzz/fuzz_keyfile.cc's findings and btwallet's
// reading rules. Loading and wallet layout are in wallet_test.cc.
#include "orchestra/crypto/keyfile.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <string>

#include "orchestra/crypto/ss58.h"

namespace orchestra::crypto {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr std::string_view kPhrase =
    "bottom drive obey lake curtain smoke basket hold race lonely fit walk";
constexpr std::string_view kPublicHex =
    "0x46ebddef8cd9bb167dc30878d7113b7e168e6f0646beffd77d69d39bad76b47a";
constexpr std::string_view kAddress = "5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV";
constexpr std::string_view kFile = "wallets/miner/hotkeys/default";

// An error fit for a terminal or a log: one line, no control characters.
void ExpectPrintable(const std::string& message) {
  for (const char c : message) {
    const auto byte = static_cast<unsigned char>(c);
    EXPECT_TRUE(byte >= 0x20 && byte < 0x7f) << "byte " << int{byte} << " in: " << message;
  }
}

TEST(KeyfileTest, AMistypedPhraseWithControlCharactersGivesAPrintableError) {
  // Found by fuzz_keyfile when the BIP39 error quoted the word, DEL and all; now it names only
  // the word's position.
  const std::string text = R"({"secretPhrase": "bott\u007fm drive obey lake curtain smoke basket )"
                           R"(hold race lonely fit walk"})";
  auto parsed = ParseKeyfile(text, kFile);
  ASSERT_FALSE(parsed.ok());
  EXPECT_THAT(parsed.error().message, StartsWith(std::string(kFile) + ": secretPhrase: "));
  EXPECT_THAT(parsed.error().message, HasSubstr("mnemonic word 1 is not in the BIP39"));
  ExpectPrintable(parsed.error().message);
}

TEST(KeyfileTest, AHugeWordInThePhraseGivesAShortError) {
  // Found by fuzz_keyfile: a 4 KB word came back whole in the message.
  const std::string text = R"({"secretPhrase": "bottom drive obey l)" + std::string(4000, 'a') +
                           R"(ke curtain smoke basket hold race lonely fit walk"})";
  auto parsed = ParseKeyfile(text, kFile);
  ASSERT_FALSE(parsed.ok());
  EXPECT_THAT(parsed.error().message, StartsWith(std::string(kFile) + ": secretPhrase: "));
  EXPECT_LE(parsed.error().message.size(), 300u) << parsed.error().message;
  ExpectPrintable(parsed.error().message);
}

TEST(KeyfileTest, StatedPublicKeyIsComparedAsBytesNotText) {
  auto key = KeyFromMnemonic(kPhrase);
  ASSERT_TRUE(key.ok());
  std::string text = SerializeKeyfile(*key);
  std::string upper(kPublicHex);
  std::transform(upper.begin() + 2, upper.end(), upper.begin() + 2,
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  for (size_t at = text.find(kPublicHex); at != std::string::npos; at = text.find(kPublicHex)) {
    text.replace(at, kPublicHex.size(), upper);
  }
  auto parsed = ParseKeyfile(text, kFile);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->ss58_address, kAddress);
}

TEST(KeyfileTest, MalformedStatedPublicKeySaysWhatIsWrongWithIt) {
  auto key = KeyFromMnemonic(kPhrase);
  ASSERT_TRUE(key.ok());
  std::string text = SerializeKeyfile(*key);
  text.replace(text.find(kPublicHex, text.find("publicKey")), kPublicHex.size(), "0x12\\n");
  auto parsed = ParseKeyfile(text, kFile);
  ASSERT_FALSE(parsed.ok());
  EXPECT_THAT(parsed.error().message, StartsWith(std::string(kFile) + ": publicKey: "));
  EXPECT_THAT(parsed.error().message, HasSubstr("is not a hex digit"));
  ExpectPrintable(parsed.error().message);
}

TEST(KeyfileTest, MismatchedPublicKeyErrorQuotesTheStatedValue) {
  auto key = KeyFromMnemonic(kPhrase);
  ASSERT_TRUE(key.ok());
  std::string text = SerializeKeyfile(*key);
  const std::string other = "0x" + std::string(64, '1');
  text.replace(text.find(kPublicHex, text.find("publicKey")), kPublicHex.size(), other);
  auto parsed = ParseKeyfile(text, kFile);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().message, std::string(kFile) + ": publicKey " + other +
                                        " does not belong to the key in the file");
}

TEST(KeyfileTest, PublicOnlyFileWithJustAnAddressLoadsAsBtwalletDoes) {
  const std::string text = R"({"accountId": null, "publicKey": null, "privateKey": null, )"
                           R"("secretPhrase": null, "secretSeed": null, "ss58Address": ")" +
                           std::string(kAddress) + R"("})";
  auto parsed = ParseKeyfile(text, kFile);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_FALSE(parsed->keypair.has_value());
  EXPECT_EQ(parsed->public_key.ToHex(), kPublicHex);
  EXPECT_EQ(parsed->ss58_address, kAddress);
}

TEST(KeyfileTest, FileWithoutAnyKeySaysWhichFieldsItLooksFor) {
  auto parsed = ParseKeyfile(R"({"privateKey": null, "secretPhrase": 12})", kFile);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().message,
            std::string(kFile) +
                ": no key: none of secretPhrase, secretSeed, privateKey, publicKey, accountId "
                "or ss58Address is a string");
}

TEST(KeyfileTest, BadAddressInAPublicOnlyFileIsNamed) {
  auto parsed = ParseKeyfile(R"({"ss58Address": "5Dfh"})", kFile);
  ASSERT_FALSE(parsed.ok());
  EXPECT_THAT(parsed.error().message, StartsWith(std::string(kFile) + ": ss58Address: "));
}

TEST(KeyfileTest, SeedErrorNamesTheFieldOnce) {
  auto parsed = ParseKeyfile(R"({"secretSeed": "0x12"})", kFile);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().message, std::string(kFile) + ": secretSeed: expected 32 bytes, got 1");
}

TEST(KeyfileTest, EncryptedKeyfileRoundTripsUnderTheCheapKdf) {
  constexpr KeyfileKdf kCheap{crypto_pwhash_argon2i_OPSLIMIT_MIN,
                              crypto_pwhash_argon2i_MEMLIMIT_MIN};
  auto key = KeyFromMnemonic(kPhrase);
  ASSERT_TRUE(key.ok());
  auto sealed = EncryptKeyfile(SerializeKeyfile(*key), "pw", kCheap);
  ASSERT_TRUE(sealed.ok()) << sealed.error().message;
  auto unread = ParseKeyfile(*sealed, kFile);
  ASSERT_FALSE(unread.ok());
  EXPECT_EQ(unread.error().message,
            std::string(kFile) + ": encrypted ($NACL); a password is needed");
  auto opened = DecryptKeyfile(*sealed, "pw", kCheap);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  auto parsed = ParseKeyfile(*opened, kFile);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->ss58_address, kAddress);
}

// Before btwallet, bittensor sealed keyfiles with Ansible Vault, and before that with Fernet;
// neither is JSON, and a JSON parse error would only mislead.
TEST(KeyfileTest, AnsibleVaultColdkeySaysWhatItIsAndHowToMigrate) {
  const std::string vault =
      "$ANSIBLE_VAULT;1.1;AES256\n"
      "33363965326261303234376364353337336235393965343366623737653035313633373462353362\n";
  auto parsed = ParseKeyfile(vault, "wallets/w/coldkey");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(KeyfileEncryptionOf(vault), KeyfileEncryption::kAnsibleVault);
  const std::string& message = parsed.error().message;
  EXPECT_THAT(message, StartsWith("wallets/w/coldkey: encrypted with Ansible Vault"));
  EXPECT_THAT(message, HasSubstr("btcli wallet regen-coldkey --wallet.name <name>"));
  EXPECT_THAT(message, ::testing::Not(HasSubstr("JSON")));
  ExpectPrintable(message);
}

TEST(KeyfileTest, LegacyFernetHotkeySaysWhatItIsAndHowToMigrate) {
  const std::string fernet = "gAAAAABlN2hNdWJvZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXo=";
  auto parsed = ParseKeyfile(fernet, kFile);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(KeyfileEncryptionOf(fernet), KeyfileEncryption::kLegacyFernet);
  const std::string& message = parsed.error().message;
  EXPECT_THAT(message, StartsWith(std::string(kFile) + ": encrypted with bittensor's legacy "
                                                       "Fernet scheme"));
  EXPECT_THAT(message, HasSubstr("btcli wallet regen-hotkey"));
  EXPECT_THAT(message, HasSubstr("orchestra wallet regen-hotkey"));
  EXPECT_THAT(message, ::testing::Not(HasSubstr("JSON")));
}

TEST(KeyfileTest, PlainAndNaclKeyfilesAreToldApart) {
  EXPECT_EQ(KeyfileEncryptionOf("{\"secretPhrase\": \"x\"}"), KeyfileEncryption::kNone);
  EXPECT_EQ(KeyfileEncryptionOf("$NACL..."), KeyfileEncryption::kNacl);
  EXPECT_EQ(KeyfileEncryptionOf(""), KeyfileEncryption::kNone);
}

// btwallet's Keyfile.env_var_name and save_password_to_env, as btcli uses them.
TEST(KeyfileTest, PasswordEnvVarNameIsBtwallets) {
  EXPECT_EQ(PasswordEnvVarName("/home/me/.bittensor/wallets/w/hotkeys/h"),
            "BT_PW__HOME_ME__BITTENSOR_WALLETS_W_HOTKEYS_H");
  EXPECT_EQ(PasswordEnvVarName("/root/.bittensor/wallets/default/coldkey"),
            "BT_PW__ROOT__BITTENSOR_WALLETS_DEFAULT_COLDKEY");
}

TEST(KeyfileTest, PasswordEnvValueDecodesAsBtwalletEncodesIt) {
  // base64(password XOR name), computed independently in Python.
  const std::string name = "BT_PW__HOME_ME__BITTENSOR_WALLETS_W_HOTKEYS_H";
  auto password = DecodePasswordEnvValue(name, "KiExJDItbWiM8Suc4iYwOyc=");
  ASSERT_TRUE(password.ok()) << password.error().message;
  EXPECT_EQ(*password,
            "hunter2 \xc3\xbc"
            "n\xc3\xaf"
            "code");  // "hunter2 ünïcode"
  auto bad = DecodePasswordEnvValue(name, "not base64!");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.error().message, HasSubstr(name));
}

}  // namespace
}  // namespace orchestra::crypto
