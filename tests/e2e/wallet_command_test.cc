// `orchestra wallet` as a btcli user drives it: real keyfiles in a temporary wallets folder.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "e2e/subprocess.h"
#include "orchestra/crypto/keyfile.h"
#include "orchestra/crypto/wallet.h"

namespace orchestra {
namespace {

using testing::OrchestraBinary;
using testing::RunProcess;
using testing::TempDir;

constexpr const char* kPhrase =
    "bottom drive obey lake curtain smoke basket hold race lonely fit walk";
constexpr const char* kAddress = "5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV";

TEST(WalletCommandTest, RegenShowSignVerifyRoundTrip) {
  TempDir dir;
  const std::vector<std::string> where = {"--wallet.path", dir.path(),        "--wallet.name",
                                          "miner",         "--wallet.hotkey", "hk"};
  auto with = [&](std::vector<std::string> args) {
    std::vector<std::string> all = {OrchestraBinary(), "wallet"};
    all.insert(all.end(), args.begin(), args.end());
    all.insert(all.end(), where.begin(), where.end());
    return RunProcess(all);
  };
  auto regen = with({"regen-hotkey", "--mnemonic", kPhrase});
  ASSERT_EQ(regen.exit_code, 0) << regen.err;
  EXPECT_TRUE(std::filesystem::exists(dir.path() + "/miner/hotkeys/hk"));
  EXPECT_TRUE(std::filesystem::exists(dir.path() + "/miner/hotkeys/hkpub.txt"));

  auto show = with({"show"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find(kAddress), std::string::npos);
  EXPECT_NE(show.out.find("0x46ebddef8cd9bb167dc30878d7113b7e168e6f0646beffd77d69d39bad76b47a"),
            std::string::npos);

  auto sign = with({"sign", "--message", "hello"});
  ASSERT_EQ(sign.exit_code, 0) << sign.err;
  const std::string signature = sign.out.substr(0, sign.out.find('\n'));
  ASSERT_EQ(signature.size(), 130u) << signature;

  auto verify = [&](const std::string& ss58, const std::string& message, const std::string& sig) {
    return RunProcess({OrchestraBinary(), "wallet", "verify", "--ss58", ss58, "--message", message,
                       "--signature", sig});
  };
  EXPECT_EQ(verify(kAddress, "hello", signature).exit_code, 0);
  EXPECT_EQ(verify(kAddress, "hellO", signature).exit_code, 1);
  auto bad_address = verify(std::string(kAddress).substr(0, 47) + "X", "hello", signature);
  EXPECT_EQ(bad_address.exit_code, 2);
  EXPECT_NE(bad_address.err.find("--ss58"), std::string::npos) << bad_address.err;
  EXPECT_EQ(verify(kAddress, "hello", "0x1234").exit_code, 2);
}

TEST(WalletCommandTest, RegenWithABadMnemonicNamesTheProblemAndWritesNothing) {
  TempDir dir;
  auto run = RunProcess({OrchestraBinary(), "wallet", "regen-hotkey", "--wallet.path", dir.path(),
                         "--mnemonic",
                         "bottom drive obey lake curtain smoke basket hold race lonely fit wallk"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("mnemonic"), std::string::npos) << run.err;
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/default/hotkeys/default"));
}

// Standard base64, as btwallet's save_password_to_env encodes.
std::string Base64(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t i = 0; i < bytes.size(); i += 3) {
    uint32_t chunk = static_cast<uint8_t>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) chunk |= static_cast<uint8_t>(bytes[i + 1]) << 8;
    if (i + 2 < bytes.size()) chunk |= static_cast<uint8_t>(bytes[i + 2]);
    for (size_t j = 0; j < 4; ++j) {
      out += (i + j <= bytes.size()) ? kAlphabet[(chunk >> (18 - 6 * j)) & 63] : '=';
    }
  }
  return out;
}

// A hotkey btwallet 4 encrypted with a password (`btcli wallet new-hotkey --use-password`).
TEST(WalletCommandTest, EncryptedHotkeyOpensWithItsPasswordFromTheFlagOrBtclisVariable) {
  TempDir dir;
  const crypto::WalletPaths wallet{dir.path(), "miner", "hk"};
  auto key = crypto::KeyFromMnemonic(kPhrase);
  ASSERT_TRUE(key.ok());
  auto sealed = crypto::EncryptKeyfile(crypto::SerializeKeyfile(*key), "hot password");
  ASSERT_TRUE(sealed.ok());
  ASSERT_TRUE(crypto::WriteKeyfile(wallet.Hotkey(), *sealed, false).ok());
  ASSERT_TRUE(
      crypto::WriteKeyfile(wallet.HotkeyPub(), crypto::SerializeKeyfile(*key, true), false).ok());
  auto run = [&](std::vector<std::string> args) {
    std::vector<std::string> all = {OrchestraBinary(), "wallet"};
    all.insert(all.end(), args.begin(), args.end());
    all.insert(all.end(),
               {"--wallet.path", dir.path(), "--wallet.name", "miner", "--wallet.hotkey", "hk"});
    return RunProcess(all);
  };

  auto show = run({"show", "--wallet.hotkey_password", "hot password"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find(kAddress), std::string::npos) << show.out;
  EXPECT_EQ(show.out.find("encrypted"), std::string::npos) << show.out;

  // Without a password: sign says where to give it; show falls back to the public file.
  const std::string env_name = crypto::PasswordEnvVarName(wallet.Hotkey());
  unsetenv(env_name.c_str());
  auto sign = run({"sign", "--message", "hello"});
  EXPECT_EQ(sign.exit_code, 2);
  EXPECT_NE(sign.err.find("encrypted ($NACL); a password is needed"), std::string::npos)
      << sign.err;
  EXPECT_NE(sign.err.find("--wallet.hotkey_password"), std::string::npos) << sign.err;
  EXPECT_NE(sign.err.find(env_name), std::string::npos) << sign.err;
  auto public_only = run({"show"});
  ASSERT_EQ(public_only.exit_code, 0) << public_only.err;
  EXPECT_NE(public_only.out.find("(encrypted; from hkpub.txt)"), std::string::npos)
      << public_only.out;
  EXPECT_NE(public_only.out.find(kAddress), std::string::npos) << public_only.out;
  // A wrong password is an error, not a reason to fall back to the public file.
  auto wrong = run({"show", "--wallet.hotkey_password", "not it"});
  EXPECT_EQ(wrong.exit_code, 2) << wrong.out;
  EXPECT_NE(wrong.err.find("wrong password"), std::string::npos) << wrong.err;

  // The password as btcli leaves it in the environment: base64(password XOR variable name).
  std::string xored = "hot password";
  for (size_t i = 0; i < xored.size(); ++i) xored[i] ^= env_name[i % env_name.size()];
  setenv(env_name.c_str(), Base64(xored).c_str(), 1);
  auto signed_with_env = run({"sign", "--message", "hello"});
  unsetenv(env_name.c_str());
  ASSERT_EQ(signed_with_env.exit_code, 0) << signed_with_env.err;
  auto verify =
      RunProcess({OrchestraBinary(), "wallet", "verify", "--ss58", kAddress, "--message", "hello",
                  "--signature", signed_with_env.out.substr(0, signed_with_env.out.find('\n'))});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
}

// Coldkeys sealed before btwallet fall through to no JSON parser: the error says what they are.
TEST(WalletCommandTest, AnsibleVaultHotkeyIsNamedWithHowToMigrate) {
  TempDir dir;
  const crypto::WalletPaths wallet{dir.path(), "default", "default"};
  ASSERT_TRUE(
      crypto::WriteKeyfile(wallet.Hotkey(), "$ANSIBLE_VAULT;1.1;AES256\n6338\n", false).ok());
  auto show = RunProcess({OrchestraBinary(), "wallet", "show", "--wallet.path", dir.path()});
  EXPECT_EQ(show.exit_code, 2);
  EXPECT_NE(show.err.find("encrypted with Ansible Vault"), std::string::npos) << show.err;
  EXPECT_NE(show.err.find("regen-hotkey"), std::string::npos) << show.err;
}

}  // namespace
}  // namespace orchestra
