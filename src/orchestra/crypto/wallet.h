#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "orchestra/core/result.h"
#include "orchestra/crypto/keyfile.h"

namespace orchestra::crypto {

// Where a Bittensor wallet keeps its keys, as btwallet lays them out:
// <path>/<name>/coldkey, coldkeypub.txt, hotkeys/<hotkey>, hotkeys/<hotkey>pub.txt.
struct WalletPaths {
  std::filesystem::path path;  // the wallets folder, default ~/.bittensor/wallets
  std::string name = "default";
  std::string hotkey = "default";

  std::filesystem::path Dir() const { return path / name; }
  std::filesystem::path Coldkey() const { return Dir() / "coldkey"; }
  std::filesystem::path ColdkeyPub() const { return Dir() / "coldkeypub.txt"; }
  std::filesystem::path Hotkey() const { return Dir() / "hotkeys" / hotkey; }
  std::filesystem::path HotkeyPub() const { return Dir() / "hotkeys" / (hotkey + "pub.txt"); }
};

// ~/.bittensor/wallets ($HOME; "." when unset).
std::filesystem::path DefaultWalletPath();

// A new key from a fresh `words`-word mnemonic, written with its public file. The coldkey is
// encrypted when `password` is given; hotkeys are plain (as btcli writes them). Refuses to
// replace existing files unless `overwrite`. Returns the key (with its phrase, to show once).
Result<KeyfileKey> CreateColdkey(const WalletPaths& wallet, int words,
                                 const std::optional<std::string>& password, bool overwrite,
                                 const KeyfileKdf& kdf = kBtwalletKdf);
Result<KeyfileKey> CreateHotkey(const WalletPaths& wallet, int words, bool overwrite);
// Writes the hotkey derived from `mnemonic` (btcli wallet regen_hotkey).
Result<KeyfileKey> RegenHotkey(const WalletPaths& wallet, std::string_view mnemonic,
                               bool overwrite);

// Loads the hotkey with its secret. A hotkey btwallet 4 encrypted ($NACL, `btcli wallet
// new-hotkey --use-password`) is opened with `password` as a coldkey is; without a password such
// a file is kInvalidArgument "encrypted ($NACL); a password is needed". Errors name the file.
// (Where the password comes from, a flag or btcli's BT_PW_* variable, is the caller's choice:
// see PasswordEnvVarName.)
Result<KeyfileKey> LoadHotkey(const WalletPaths& wallet,
                              const std::optional<std::string>& password = std::nullopt,
                              const KeyfileKdf& kdf = kBtwalletKdf);
// Loads the coldkey: decrypted with `password` when the file is encrypted. A wrong password
// fails without touching the file.
Result<KeyfileKey> LoadColdkey(const WalletPaths& wallet, std::string_view password,
                               const KeyfileKdf& kdf = kBtwalletKdf);
// Public keys only (coldkeypub.txt / <hotkey>pub.txt).
Result<KeyfileKey> LoadColdkeyPub(const WalletPaths& wallet);
Result<KeyfileKey> LoadHotkeyPub(const WalletPaths& wallet);

struct WalletListing {
  std::string name;
  std::optional<std::string> coldkey_ss58;
  std::vector<std::pair<std::string, std::string>> hotkeys;  // hotkey name → SS58
};
// Every wallet under `path`, names sorted; unreadable keys are listed without an address.
std::vector<WalletListing> ListWallets(const std::filesystem::path& path);

}  // namespace orchestra::crypto
