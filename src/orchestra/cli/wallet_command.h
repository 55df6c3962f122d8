#pragma once

#include <string>

#include "orchestra/core/result.h"
#include "orchestra/crypto/wallet.h"

namespace orchestra::cli {

// Flags of `orchestra wallet <action>`, named as btcli names them.
struct WalletFlags {
  std::string action;  // new-coldkey, new-hotkey, regen-hotkey, list, show, sign, verify
  std::string name = "default";
  std::string hotkey = "default";
  std::string path;  // default ~/.bittensor/wallets
  int words = 12;
  bool no_password = false;
  bool overwrite = false;
  std::string mnemonic;
  std::string message;
  std::string ss58;
  std::string signature;
  std::string hotkey_password;  // --wallet.hotkey_password
};

// Loads `wallet`'s hotkey as `orchestra wallet` and `orchestra miner` do: a hotkey encrypted by
// btwallet 4 ($NACL) is opened with `password_flag` (--wallet.hotkey_password) when given, else
// with the password btcli saved in the hotkey's BT_PW_<path> environment variable. Without
// either, the error names both.
Result<crypto::KeyfileKey> LoadHotkeyWithPassword(const crypto::WalletPaths& wallet,
                                                  const std::string& password_flag);

// Runs one wallet action. Exit codes: 0 done (verify: valid), 1 verify: invalid signature,
// 2 bad input or a failure (the message says what and where). The coldkey password comes from
// $ORCHESTRA_WALLET_PASSWORD, else from the first line of standard input; an encrypted hotkey's
// as LoadHotkeyWithPassword says. `show` of an encrypted hotkey without its password prints the
// address from <hotkey>pub.txt and says so.
int WalletCommand(const WalletFlags& flags);

}  // namespace orchestra::cli
