#pragma once

#include <string>

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
};

// Runs one wallet action. Exit codes: 0 done (verify: valid), 1 verify: invalid signature,
// 2 bad input or a failure (the message says what and where). The coldkey password comes from
// $ORCHESTRA_WALLET_PASSWORD, else from the first line of standard input.
int WalletCommand(const WalletFlags& flags);

}  // namespace orchestra::cli
