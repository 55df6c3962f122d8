#include "orchestra/cli/wallet_command.h"

#include <fmt/format.h>

#include <cstdlib>
#include <iostream>

#include "orchestra/core/hash.h"
#include "orchestra/crypto/hex.h"
#include "orchestra/crypto/ss58.h"
#include "orchestra/crypto/wallet.h"

namespace orchestra::cli {
namespace {

constexpr int kExitInvalid = 1;
constexpr int kExitError = 2;

int Fail(const std::string& action, const Error& e) {
  fmt::print(stderr, "orchestra wallet {}: {}\n", action, e.message);
  return kExitError;
}

std::optional<std::string> ReadPassword() {
  if (const char* env = std::getenv("ORCHESTRA_WALLET_PASSWORD"); env && *env) return env;
  fmt::print(stderr, "Coldkey password: ");
  std::string line;
  if (!std::getline(std::cin, line) || line.empty()) return std::nullopt;
  return line;
}

bool HotkeyIsEncrypted(const crypto::WalletPaths& wallet) {
  auto bytes = crypto::ReadKeyfile(wallet.Hotkey());
  return bytes && crypto::IsEncryptedKeyfile(*bytes);
}

void PrintNewKey(const std::string& what, const crypto::KeyfileKey& key) {
  fmt::print("{} {} ({})\n", what, key.ss58_address, key.public_key.ToHex());
  if (key.secret_phrase) {
    fmt::print("Mnemonic (write it down; anyone with it controls the key):\n    {}\n",
               *key.secret_phrase);
  }
}

}  // namespace

Result<crypto::KeyfileKey> LoadHotkeyWithPassword(const crypto::WalletPaths& wallet,
                                                  const std::string& password_flag) {
  std::optional<std::string> password;
  const std::string env_name = crypto::PasswordEnvVarName(wallet.Hotkey());
  const char* env = std::getenv(env_name.c_str());
  if (!password_flag.empty()) {
    password = password_flag;
  } else if (env && *env && HotkeyIsEncrypted(wallet)) {  // btwallet reads it only to decrypt
    auto decoded = crypto::DecodePasswordEnvValue(env_name, env);
    if (!decoded) return decoded.error();
    password = std::move(*decoded);
  }
  auto key = crypto::LoadHotkey(wallet, password);
  if (!key && !password && HotkeyIsEncrypted(wallet)) {
    return Error(key.error().code,
                 fmt::format("{} (give it with --wallet.hotkey_password, or in {} as btcli "
                             "saves it)",
                             key.error().message, env_name));
  }
  return key;
}

int WalletCommand(const WalletFlags& f) {
  const crypto::WalletPaths wallet{
      f.path.empty() ? crypto::DefaultWalletPath() : std::filesystem::path(f.path), f.name,
      f.hotkey};
  const std::string& action = f.action;
  if (action == "new-coldkey") {
    std::optional<std::string> password;
    if (!f.no_password) {
      password = ReadPassword();
      if (!password) {
        return Fail(action, Error(ErrorCode::kInvalidArgument,
                                  "no password given (set ORCHESTRA_WALLET_PASSWORD, type one, or "
                                  "pass --no-password)"));
      }
    }
    auto key = crypto::CreateColdkey(wallet, f.words, password, f.overwrite);
    if (!key) return Fail(action, key.error());
    PrintNewKey("coldkey", *key);
    return 0;
  }
  if (action == "new-hotkey" || action == "regen-hotkey") {
    auto key = action == "new-hotkey" ? crypto::CreateHotkey(wallet, f.words, f.overwrite)
                                      : crypto::RegenHotkey(wallet, f.mnemonic, f.overwrite);
    if (!key) return Fail(action, key.error());
    PrintNewKey("hotkey", *key);
    return 0;
  }
  if (action == "list") {
    for (const auto& w : crypto::ListWallets(wallet.path)) {
      fmt::print("{}  coldkey {}\n", w.name, w.coldkey_ss58.value_or("-"));
      for (const auto& [name, ss58] : w.hotkeys) fmt::print("    {}  {}\n", name, ss58);
    }
    return 0;
  }
  if (action == "show") {
    auto key = LoadHotkeyWithPassword(wallet, f.hotkey_password);
    std::string note;
    if (!key) {
      // Without its password an encrypted hotkey still has its public file; a password that
      // was given and is wrong is an error, not a reason to look elsewhere.
      const char* env = std::getenv(crypto::PasswordEnvVarName(wallet.Hotkey()).c_str());
      const bool password_given = !f.hotkey_password.empty() || (env && *env);
      auto pub = HotkeyIsEncrypted(wallet) && !password_given ? crypto::LoadHotkeyPub(wallet) : key;
      if (!pub) return Fail(action, key.error());
      key = std::move(pub);
      note = fmt::format(" (encrypted; from {})", wallet.HotkeyPub().filename().string());
    }
    fmt::print("hotkey {}/{}{}\n  ss58 {}\n  public key {}\n", f.name, f.hotkey, note,
               key->ss58_address, key->public_key.ToHex());
    if (auto cold = crypto::LoadColdkeyPub(wallet)) {
      fmt::print("coldkey {}\n  ss58 {}\n  public key {}\n", f.name, cold->ss58_address,
                 cold->public_key.ToHex());
    }
    return 0;
  }
  if (action == "sign") {
    auto key = LoadHotkeyWithPassword(wallet, f.hotkey_password);
    if (!key) return Fail(action, key.error());
    if (!key->keypair) {
      return Fail(action, Error(ErrorCode::kInvalidArgument, "the hotkey file holds no secret"));
    }
    const auto signature = crypto::Sign(*key->keypair, f.message);
    fmt::print("0x{}\n", Hex(signature.data(), signature.size()));
    return 0;
  }
  if (action == "verify") {
    auto account = crypto::Ss58Decode(f.ss58);
    if (!account)
      return Fail(action, Error(account.error().code, "--ss58: " + account.error().message));
    auto signature = crypto::DecodeHex(f.signature, "--signature");
    if (!signature) return Fail(action, signature.error());
    if (signature->size() != 64) {
      return Fail(action,
                  Error(ErrorCode::kInvalidArgument,
                        fmt::format("--signature: {} bytes, expected 64", signature->size())));
    }
    const std::string_view key(reinterpret_cast<const char*>(account->data()), account->size());
    const std::string_view sig(reinterpret_cast<const char*>(signature->data()), signature->size());
    if (auto ok = crypto::Verify(key, f.message, sig); !ok) {
      fmt::print("invalid: {}\n", ok.error().message);
      return kExitInvalid;
    }
    fmt::print("valid\n");
    return 0;
  }
  return Fail(action, Error(ErrorCode::kInvalidArgument, "unknown wallet action"));
}

}  // namespace orchestra::cli
