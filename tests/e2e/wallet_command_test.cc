// `orchestra wallet` as a btcli user drives it: real keyfiles in a temporary wallets folder.
#include <gtest/gtest.h>

#include <filesystem>

#include "e2e/subprocess.h"

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

}  // namespace
}  // namespace orchestra
