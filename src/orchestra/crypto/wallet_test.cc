#include "orchestra/crypto/wallet.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "orchestra/crypto/ss58.h"

namespace orchestra::crypto {
namespace {

constexpr std::string_view kPhrase =
    "bottom drive obey lake curtain smoke basket hold race lonely fit walk";
constexpr std::string_view kAddress = "5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV";

class WalletTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/orchestra-wallet-XXXXXX";
    root_ = mkdtemp(tmpl);
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  WalletPaths Wallet() const { return WalletPaths{root_, "miner", "default"}; }
  std::filesystem::path root_;
};

TEST_F(WalletTest, RegenHotkeyWritesBtwalletLayoutWithMode0600) {
  auto key = RegenHotkey(Wallet(), kPhrase, false);
  ASSERT_TRUE(key.ok()) << key.error().message;
  EXPECT_EQ(key->ss58_address, kAddress);
  struct stat st {};
  ASSERT_EQ(stat(Wallet().Hotkey().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_TRUE(std::filesystem::exists(Wallet().HotkeyPub()));
  auto loaded = LoadHotkey(Wallet());
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(loaded->ss58_address, kAddress);
  ASSERT_TRUE(loaded->secret_phrase);
  EXPECT_EQ(*loaded->secret_phrase, kPhrase);
  // The public file carries no secret.
  auto pub = ReadKeyfile(Wallet().HotkeyPub());
  EXPECT_NE(pub->find("\"privateKey\":null"), std::string::npos) << *pub;
  EXPECT_NE(pub->find(std::string(kAddress)), std::string::npos);
}

TEST_F(WalletTest, RefusesToOverwriteAnExistingKey) {
  ASSERT_TRUE(RegenHotkey(Wallet(), kPhrase, false).ok());
  auto again = CreateHotkey(Wallet(), 12, false);
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().message.find("already exists"), std::string::npos);
  EXPECT_EQ(LoadHotkey(Wallet())->ss58_address, kAddress);
}

TEST_F(WalletTest, KeyfileLoadPrefersPhraseThenSeedThenPrivateKey) {
  auto from_phrase = KeyFromMnemonic(kPhrase);
  ASSERT_TRUE(from_phrase.ok());
  // A file with only the private key gives the same key.
  std::string only_private = SerializeKeyfile(*from_phrase);
  auto parsed_full = ParseKeyfile(only_private, "full");
  ASSERT_TRUE(parsed_full.ok()) << parsed_full.error().message;
  KeyfileKey stripped = *from_phrase;
  stripped.secret_phrase.reset();
  stripped.secret_seed.reset();
  auto parsed_private = ParseKeyfile(SerializeKeyfile(stripped), "private");
  ASSERT_TRUE(parsed_private.ok()) << parsed_private.error().message;
  EXPECT_EQ(parsed_private->ss58_address, kAddress);
  EXPECT_TRUE(parsed_private->keypair.has_value());
}

TEST_F(WalletTest, MismatchedAddressInAKeyfileIsAnError) {
  auto key = KeyFromMnemonic(kPhrase);
  std::string text = SerializeKeyfile(*key);
  const size_t at = text.find(std::string(kAddress));
  text.replace(at, kAddress.size(), Ss58Encode(AccountId{1}));
  auto parsed = ParseKeyfile(text, "hotkeys/default");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().message.find("hotkeys/default: ss58Address"), std::string::npos)
      << parsed.error().message;
}

TEST_F(WalletTest, MalformedKeyfilesGetClearErrors) {
  EXPECT_NE(ParseKeyfile("{oops", "f").error().message.find("f:"), std::string::npos);
  EXPECT_NE(ParseKeyfile(R"({"secretPhrase": "bottom drive obey"})", "f")
                .error()
                .message.find("secretPhrase"),
            std::string::npos);
  EXPECT_NE(ParseKeyfile(R"({"secretSeed": "0x12"})", "f").error().message.find("secretSeed"),
            std::string::npos);
  EXPECT_NE(ParseKeyfile(R"({"privateKey": "zz"})", "f").error().message.find("privateKey"),
            std::string::npos);
  EXPECT_FALSE(ParseKeyfile("[]", "f").ok());
}

// Behaviour tests use a cheap KDF; one test below runs btwallet's real parameters once.
constexpr KeyfileKdf kFastKdf{3, 8192};  // argon2i minimums

TEST_F(WalletTest, EncryptedColdkeyOpensWithItsPasswordOnlyAndWrongPasswordTouchesNothing) {
  auto created = CreateColdkey(Wallet(), 12, std::string("correct horse"), false, kFastKdf);
  ASSERT_TRUE(created.ok()) << created.error().message;
  auto sealed_before = ReadKeyfile(Wallet().Coldkey());
  ASSERT_TRUE(IsEncryptedKeyfile(*sealed_before));
  auto wrong = LoadColdkey(Wallet(), "battery staple", kFastKdf);
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.error().message.find("wrong password"), std::string::npos);
  EXPECT_EQ(*ReadKeyfile(Wallet().Coldkey()), *sealed_before);
  auto right = LoadColdkey(Wallet(), "correct horse", kFastKdf);
  ASSERT_TRUE(right.ok()) << right.error().message;
  EXPECT_EQ(right->ss58_address, created->ss58_address);
  EXPECT_EQ(LoadColdkeyPub(Wallet())->ss58_address, created->ss58_address);
}

// btwallet 4 encrypts a hotkey when asked (`btcli wallet new-hotkey --use-password`): it opens
// as a coldkey does; its public file still lists it.
TEST_F(WalletTest, HotkeyEncryptedByBtwalletOpensWithItsPassword) {
  auto key = KeyFromMnemonic(kPhrase);
  ASSERT_TRUE(key.ok());
  auto sealed = EncryptKeyfile(SerializeKeyfile(*key), "hot password", kFastKdf);
  ASSERT_TRUE(sealed.ok());
  ASSERT_TRUE(WriteKeyfile(Wallet().Hotkey(), *sealed, false).ok());
  ASSERT_TRUE(WriteKeyfile(Wallet().HotkeyPub(), SerializeKeyfile(*key, true), false).ok());

  auto without = LoadHotkey(Wallet());
  ASSERT_FALSE(without.ok());
  EXPECT_EQ(without.error().message,
            Wallet().Hotkey().string() + ": encrypted ($NACL); a password is needed");
  auto wrong = LoadHotkey(Wallet(), std::string("cold password"), kFastKdf);
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.error().message.find("wrong password"), std::string::npos);
  auto right = LoadHotkey(Wallet(), std::string("hot password"), kFastKdf);
  ASSERT_TRUE(right.ok()) << right.error().message;
  EXPECT_EQ(right->ss58_address, kAddress);
  ASSERT_TRUE(right->keypair.has_value());

  auto wallets = ListWallets(root_);
  ASSERT_EQ(wallets.size(), 1u);
  ASSERT_EQ(wallets[0].hotkeys.size(), 1u);
  EXPECT_EQ(wallets[0].hotkeys[0].second, kAddress);
}

TEST_F(WalletTest, BtwalletKdfParametersRoundTrip) {
  auto sealed = EncryptKeyfile("{\"k\": 1}", "pw");
  ASSERT_TRUE(sealed.ok()) << sealed.error().message;
  EXPECT_EQ(sealed->size(), 5 + 24 + 16 + 8u);  // $NACL, nonce, MAC, plaintext
  auto opened = DecryptKeyfile(*sealed, "pw");
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  EXPECT_EQ(*opened, "{\"k\": 1}");
}

TEST_F(WalletTest, TruncatedEncryptedKeyfileIsReported) {
  EXPECT_EQ(DecryptKeyfile("$NACL1234", "pw").error().message, "encrypted keyfile is truncated");
}

TEST_F(WalletTest, ListsWalletsAndHotkeys) {
  ASSERT_TRUE(RegenHotkey(Wallet(), kPhrase, false).ok());
  WalletPaths second = Wallet();
  second.hotkey = "second";
  ASSERT_TRUE(CreateHotkey(second, 12, false).ok());
  auto wallets = ListWallets(root_);
  ASSERT_EQ(wallets.size(), 1u);
  EXPECT_EQ(wallets[0].name, "miner");
  ASSERT_EQ(wallets[0].hotkeys.size(), 2u);
  EXPECT_EQ(wallets[0].hotkeys[0].first, "default");
  EXPECT_EQ(wallets[0].hotkeys[0].second, kAddress);
}

}  // namespace
}  // namespace orchestra::crypto
