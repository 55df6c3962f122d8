#include "orchestra/crypto/wallet.h"

#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <cstdlib>

#include "orchestra/crypto/bip39.h"

namespace orchestra::crypto {
namespace {

Result<KeyfileKey> NewKey(int words) {
  auto phrase = GenerateMnemonic(words);
  if (!phrase) return phrase.error();
  return KeyFromMnemonic(*phrase);
}

// Writes the secret file and its public companion; the public file goes last so that a
// failure never leaves a public key without its secret.
Status WritePair(const std::filesystem::path& secret, const std::filesystem::path& pub,
                 std::string_view secret_bytes, const KeyfileKey& key, bool overwrite) {
  if (!overwrite && std::filesystem::exists(pub)) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("{} already exists (refusing to overwrite a key)", pub.string()));
  }
  if (auto s = WriteKeyfile(secret, secret_bytes, overwrite); !s) return s;
  return WriteKeyfile(pub, SerializeKeyfile(key, /*public_only=*/true), overwrite);
}

// A keyfile that holds a secret, decrypted with `password` when it is $NACL data (the same
// path for coldkeys and hotkeys).
Result<KeyfileKey> LoadSecretKeyfile(const std::filesystem::path& path,
                                     const std::optional<std::string>& password,
                                     const KeyfileKdf& kdf) {
  auto bytes = ReadKeyfile(path);
  if (!bytes) return bytes.error();
  if (!IsEncryptedKeyfile(*bytes) || !password) return ParseKeyfile(*bytes, path.string());
  auto plain = DecryptKeyfile(*bytes, *password, kdf);
  if (!plain) {
    return Error(plain.error().code, fmt::format("{}: {}", path.string(), plain.error().message));
  }
  auto key = ParseKeyfile(*plain, path.string());
  sodium_memzero(plain->data(), plain->size());
  return key;
}

}  // namespace

std::filesystem::path DefaultWalletPath() {
  const char* home = std::getenv("HOME");
  return std::filesystem::path(home && *home ? home : ".") / ".bittensor" / "wallets";
}

Result<KeyfileKey> CreateColdkey(const WalletPaths& wallet, int words,
                                 const std::optional<std::string>& password, bool overwrite,
                                 const KeyfileKdf& kdf) {
  auto key = NewKey(words);
  if (!key) return key;
  std::string bytes = SerializeKeyfile(*key);
  if (password) {
    auto sealed = EncryptKeyfile(bytes, *password, kdf);
    if (!sealed) return sealed.error();
    bytes = std::move(*sealed);
  }
  if (auto s = WritePair(wallet.Coldkey(), wallet.ColdkeyPub(), bytes, *key, overwrite); !s) {
    return s.error();
  }
  return key;
}

Result<KeyfileKey> CreateHotkey(const WalletPaths& wallet, int words, bool overwrite) {
  auto key = NewKey(words);
  if (!key) return key;
  if (auto s =
          WritePair(wallet.Hotkey(), wallet.HotkeyPub(), SerializeKeyfile(*key), *key, overwrite);
      !s) {
    return s.error();
  }
  return key;
}

Result<KeyfileKey> RegenHotkey(const WalletPaths& wallet, std::string_view mnemonic,
                               bool overwrite) {
  auto key = KeyFromMnemonic(mnemonic);
  if (!key) return Error(key.error().code, "mnemonic: " + key.error().message);
  if (auto s =
          WritePair(wallet.Hotkey(), wallet.HotkeyPub(), SerializeKeyfile(*key), *key, overwrite);
      !s) {
    return s.error();
  }
  return key;
}

Result<KeyfileKey> LoadHotkey(const WalletPaths& wallet, const std::optional<std::string>& password,
                              const KeyfileKdf& kdf) {
  return LoadSecretKeyfile(wallet.Hotkey(), password, kdf);
}

Result<KeyfileKey> LoadColdkey(const WalletPaths& wallet, std::string_view password,
                               const KeyfileKdf& kdf) {
  return LoadSecretKeyfile(wallet.Coldkey(), std::string(password), kdf);
}

Result<KeyfileKey> LoadColdkeyPub(const WalletPaths& wallet) {
  auto bytes = ReadKeyfile(wallet.ColdkeyPub());
  if (!bytes) return bytes.error();
  return ParseKeyfile(*bytes, wallet.ColdkeyPub().string());
}

Result<KeyfileKey> LoadHotkeyPub(const WalletPaths& wallet) {
  auto bytes = ReadKeyfile(wallet.HotkeyPub());
  if (!bytes) return bytes.error();
  return ParseKeyfile(*bytes, wallet.HotkeyPub().string());
}

std::vector<WalletListing> ListWallets(const std::filesystem::path& path) {
  std::vector<WalletListing> out;
  std::error_code ec;
  for (const auto& dir : std::filesystem::directory_iterator(path, ec)) {
    if (!dir.is_directory()) continue;
    WalletListing listing;
    listing.name = dir.path().filename().string();
    WalletPaths wallet{path, listing.name, ""};
    if (auto pub = LoadColdkeyPub(wallet)) listing.coldkey_ss58 = pub->ss58_address;
    for (const auto& file : std::filesystem::directory_iterator(wallet.Dir() / "hotkeys", ec)) {
      const std::string name = file.path().filename().string();
      if (name.size() > 7 && name.ends_with("pub.txt")) continue;
      if (name.ends_with(".tmp")) continue;
      wallet.hotkey = name;
      auto key = LoadHotkey(wallet);
      if (!key) key = LoadHotkeyPub(wallet);  // an encrypted hotkey: its public file
      listing.hotkeys.emplace_back(name, key ? key->ss58_address : "(unreadable)");
    }
    std::sort(listing.hotkeys.begin(), listing.hotkeys.end());
    out.push_back(std::move(listing));
  }
  std::sort(out.begin(), out.end(),
            [](const WalletListing& a, const WalletListing& b) { return a.name < b.name; });
  return out;
}

}  // namespace orchestra::crypto
