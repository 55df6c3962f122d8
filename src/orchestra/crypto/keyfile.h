#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "orchestra/core/result.h"
#include "orchestra/crypto/sr25519.h"

namespace orchestra::crypto {

// A key as a Bittensor keyfile holds it (btwallet v4, PROTOCOL.md §2). `keypair` is absent for
// a public-only file (coldkeypub.txt, <hotkey>pub.txt).
struct KeyfileKey {
  std::optional<Keypair> keypair;
  PublicKey public_key;
  std::string ss58_address;
  std::optional<std::string> secret_phrase;  // the mnemonic, when the key came from one
  std::optional<MiniSecret> secret_seed;     // the mini-secret, when known
};

// A key from a mnemonic / a mini-secret, remembering where it came from (so the keyfile can
// carry the phrase and seed like btwallet's do).
Result<KeyfileKey> KeyFromMnemonic(std::string_view phrase);
KeyfileKey KeyFromMiniSecret(const MiniSecret& seed);

// The plain keyfile JSON: accountId, publicKey, privateKey (schnorrkel layout), secretPhrase,
// secretSeed, ss58Address; absent parts are null. `public_only` writes only the public parts
// (the *pub.txt files).
std::string SerializeKeyfile(const KeyfileKey& key, bool public_only = false);

// Reads a plain keyfile, preferring secretPhrase, then secretSeed, then privateKey (btwallet's
// order), and checks that the public key and address it states agree with the secret. `what`
// names the file in errors. Encrypted data is kInvalidArgument saying which encryption it is
// (for Ansible Vault and legacy Fernet files, also how to migrate them).
Result<KeyfileKey> ParseKeyfile(std::string_view bytes, std::string_view what);

// How a keyfile's bytes are stored, told by their prefix as btwallet tells it.
enum class KeyfileEncryption {
  kNone,
  kNacl,          // "$NACL": btwallet 2+ (argon2i + secretbox); the only one we open
  kAnsibleVault,  // "$ANSIBLE_VAULT": bittensor before btwallet
  kLegacyFernet,  // "gAAAAA": the oldest bittensor wallets (Fernet)
};
KeyfileEncryption KeyfileEncryptionOf(std::string_view bytes);

// Whether `bytes` are an encrypted keyfile ("$NACL" prefix).
bool IsEncryptedKeyfile(std::string_view bytes);

// The environment variable in which btwallet (Keyfile.save_password_to_env, as btcli uses it)
// keeps the password of the keyfile at `path`: "BT_PW_" + the path with '/' and '.' turned
// into '_', upper-cased (e.g. BT_PW__HOME_ME__BITTENSOR_WALLETS_W_HOTKEYS_H).
std::string PasswordEnvVarName(const std::filesystem::path& path);
// The password in such a variable's `value`: base64 of the password XORed with the variable's
// name (btwallet's encrypt_password). kInvalidArgument when it is not base64.
Result<std::string> DecodePasswordEnvValue(std::string_view env_var_name, std::string_view value);
// Cost of the argon2i key derivation. btwallet's (libsodium's "sensitive" limits) is the only
// one real wallets use; a cheaper one exists so that tests of behaviour stay fast.
struct KeyfileKdf {
  unsigned long long opslimit;
  size_t memlimit;
};
inline constexpr KeyfileKdf kBtwalletKdf{8, size_t{512} * 1024 * 1024};

// "$NACL" ‖ 24-byte nonce ‖ XSalsa20-Poly1305 box of `plain`, under the key argon2i (libsodium
// ALG_ARGON2I13) derives from `password` with btwallet's salt.
Result<std::string> EncryptKeyfile(std::string_view plain, std::string_view password,
                                   const KeyfileKdf& kdf = kBtwalletKdf);
// Opens an encrypted keyfile; a wrong password is kInvalidArgument "wrong password".
Result<std::string> DecryptKeyfile(std::string_view bytes, std::string_view password,
                                   const KeyfileKdf& kdf = kBtwalletKdf);

// Writes `bytes` to `path` with mode 0600 by writing a temporary file next to it, syncing it and
// renaming it over the target, so the file is either the old or the new content, never half.
// Refuses to replace an existing file unless `overwrite`.
Status WriteKeyfile(const std::filesystem::path& path, std::string_view bytes, bool overwrite);
Result<std::string> ReadKeyfile(const std::filesystem::path& path);

}  // namespace orchestra::crypto
