#include "orchestra/crypto/keyfile.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "orchestra/core/json.h"
#include "orchestra/crypto/bip39.h"
#include "orchestra/crypto/hex.h"
#include "orchestra/crypto/ss58.h"

namespace orchestra::crypto {
namespace {

constexpr std::string_view kNaclPrefix = "$NACL";
// btwallet's fixed argon2i salt.
constexpr unsigned char kSalt[crypto_pwhash_SALTBYTES] = {
    0x13, 0x71, 0x83, 0xdf, 0xf1, 0x5a, 0x09, 0xbc, 0x9c, 0x90, 0xb5, 0x51, 0x87, 0x39, 0xe9, 0xb1};
Result<std::array<unsigned char, crypto_secretbox_KEYBYTES>> BoxKey(std::string_view password,
                                                                    const KeyfileKdf& kdf) {
  std::array<unsigned char, crypto_secretbox_KEYBYTES> key{};
  if (crypto_pwhash(key.data(), key.size(), password.data(), password.size(), kSalt, kdf.opslimit,
                    kdf.memlimit, crypto_pwhash_ALG_ARGON2I13) != 0) {
    return Error(ErrorCode::kInternal,
                 fmt::format("keyfile: argon2i could not run (needs {} MiB)", kdf.memlimit >> 20));
  }
  return key;
}

// Errors quote at most this much of what a sub-parser said (which may echo the file's text).
constexpr size_t kMaxQuotedError = 200;

// Untrusted text as it may appear in an error: bytes outside printable ASCII escaped as \xNN
// (no terminal control sequences), cut to at most `limit` characters plus "...".
std::string Printable(std::string_view text, size_t limit = 80) {
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    const std::string piece =
        (byte < 0x20 || byte >= 0x7f) ? fmt::format("\\x{:02x}", byte) : std::string(1, c);
    if (out.size() + piece.size() > limit) return out + "...";
    out += piece;
  }
  return out;
}

// The string value of `field`; nullopt when absent, null or of another type.
std::optional<std::string_view> StringField(const Json& object, std::string_view field) {
  const Json* value = JsonFind(object, field);
  if (!value || !value->is_string()) return std::nullopt;
  return std::string_view(value->get_string());
}

// An Ansible Vault or Fernet keyfile: what it is and how to get a $NACL one from it.
Error LegacyEncryptionError(KeyfileEncryption encryption, std::string_view what) {
  const bool vault = encryption == KeyfileEncryption::kAnsibleVault;
  const std::string name = std::filesystem::path(what).filename().string();
  const bool coldkey = name == "coldkey";
  return Error(
      ErrorCode::kInvalidArgument,
      fmt::format(
          "{}: encrypted with {}, which predates btwallet and which orchestra does not read "
          "(only btwallet's $NACL encryption). Migrate it: re-create it from its mnemonic with "
          "`btcli wallet {} --wallet.name <name>{}` (btwallet 4 writes $NACL), or "
          "`orchestra wallet regen-hotkey` for a hotkey",
          what,
          vault ? "Ansible Vault (\"$ANSIBLE_VAULT\")"
                : "bittensor's legacy Fernet scheme (\"gAAAAA...\")",
          coldkey ? "regen-coldkey" : "regen-hotkey", coldkey ? "" : " --wallet.hotkey <hotkey>"));
}

KeyfileKey FromKeypair(Keypair keypair) {
  KeyfileKey k{std::nullopt, keypair.public_key(), Ss58Encode(keypair.public_key().bytes()),
               std::nullopt, std::nullopt};
  k.keypair = std::move(keypair);
  return k;
}

}  // namespace

Result<KeyfileKey> KeyFromMnemonic(std::string_view phrase) {
  auto mini = MiniSecretFromMnemonic(phrase);
  if (!mini) return mini.error();
  KeyfileKey key = KeyFromMiniSecret(*mini);
  key.secret_phrase = std::string(phrase);
  return key;
}

KeyfileKey KeyFromMiniSecret(const MiniSecret& seed) {
  KeyfileKey key = FromKeypair(Keypair::FromMiniSecret(seed));
  key.secret_seed = seed;
  return key;
}

std::string SerializeKeyfile(const KeyfileKey& key, bool public_only) {
  const std::string public_hex = key.public_key.ToHex();
  JsonObject o{{"accountId", public_hex}, {"publicKey", public_hex}};
  o["privateKey"] = (!public_only && key.keypair) ? Json(PrefixedHexOf(key.keypair->SecretBytes()))
                                                  : Json(nullptr);
  o["secretPhrase"] =
      (!public_only && key.secret_phrase) ? Json(*key.secret_phrase) : Json(nullptr);
  o["secretSeed"] =
      (!public_only && key.secret_seed) ? Json(PrefixedHexOf(*key.secret_seed)) : Json(nullptr);
  o["ss58Address"] = key.ss58_address;
  return CompactJson(o);
}

Result<KeyfileKey> ParseKeyfile(std::string_view bytes, std::string_view what) {
  switch (KeyfileEncryptionOf(bytes)) {
    case KeyfileEncryption::kNone:
      break;
    case KeyfileEncryption::kNacl:
      return Error(ErrorCode::kInvalidArgument,
                   fmt::format("{}: encrypted ($NACL); a password is needed", what));
    case KeyfileEncryption::kAnsibleVault:
    case KeyfileEncryption::kLegacyFernet:
      return LegacyEncryptionError(KeyfileEncryptionOf(bytes), what);
  }
  auto json = ParseJson(bytes, what);
  if (!json) return json.error();
  if (!json->is_object()) {
    return Error(ErrorCode::kParse, fmt::format("{}: not a JSON object", what));
  }
  // Errors of the parsers below quote the file's text: keep them one short printable line.
  auto file_error = [&](const Error& e) {
    return Error(e.code, fmt::format("{}: {}", what, Printable(e.message, kMaxQuotedError)));
  };
  auto field_error = [&](std::string_view field, const Error& e) {
    return Error(e.code,
                 fmt::format("{}: {}: {}", what, field, Printable(e.message, kMaxQuotedError)));
  };
  // btwallet's order; a field that is null or not a string counts as absent, as there.
  std::optional<KeyfileKey> key;
  if (auto phrase = StringField(*json, "secretPhrase")) {
    auto k = KeyFromMnemonic(*phrase);
    if (!k) return field_error("secretPhrase", k.error());
    key = std::move(*k);
  } else if (auto seed = StringField(*json, "secretSeed")) {
    auto bytes32 = DecodeHexFixed<32>(*seed, "secretSeed");
    if (!bytes32) return file_error(bytes32.error());
    key = KeyFromMiniSecret(*bytes32);
    sodium_memzero(bytes32->data(), bytes32->size());
  } else if (auto priv = StringField(*json, "privateKey")) {
    auto bytes64 = DecodeHexFixed<64>(*priv, "privateKey");
    if (!bytes64) return file_error(bytes64.error());
    auto pair = Keypair::FromSecretBytes(AsBytes(*bytes64));
    sodium_memzero(bytes64->data(), bytes64->size());
    if (!pair) return field_error("privateKey", pair.error());
    key = FromKeypair(std::move(*pair));
  } else if (auto stated = StringField(*json, "publicKey")) {
    auto pub = PublicKey::FromHex(*stated);
    if (!pub) return field_error("publicKey", pub.error());
    key = KeyfileKey{std::nullopt, *pub, Ss58Encode(pub->bytes()), std::nullopt, std::nullopt};
  } else if (auto account = StringField(*json, "accountId")) {
    auto pub = PublicKey::FromHex(*account);
    if (!pub) return field_error("accountId", pub.error());
    key = KeyfileKey{std::nullopt, *pub, Ss58Encode(pub->bytes()), std::nullopt, std::nullopt};
  } else if (auto address = StringField(*json, "ss58Address")) {
    // btwallet's public-only fallback.
    auto decoded = Ss58Decode(*address);
    if (!decoded) return field_error("ss58Address", decoded.error());
    auto pub = PublicKey::FromBytes(AsBytes(*decoded));
    if (!pub) return field_error("ss58Address", pub.error());
    key = KeyfileKey{std::nullopt, *pub, Ss58Encode(pub->bytes()), std::nullopt, std::nullopt};
  } else {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("{}: no key: none of secretPhrase, secretSeed, privateKey, "
                             "publicKey, accountId or ss58Address is a string",
                             what));
  }
  // What the file states about the public side must agree with its secret.
  if (auto stated = StringField(*json, "publicKey")) {
    auto pub = DecodeHexFixed<32>(*stated, "publicKey");
    if (!pub) return file_error(pub.error());
    if (*pub != key->public_key.bytes()) {
      return Error(ErrorCode::kInvalidArgument,
                   fmt::format("{}: publicKey {} does not belong to the key in the file", what,
                               Printable(*stated)));
    }
  }
  if (auto stated = StringField(*json, "ss58Address"); stated && *stated != key->ss58_address) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("{}: ss58Address {} does not belong to the key in the file", what,
                             Printable(*stated)));
  }
  return std::move(*key);
}

bool IsEncryptedKeyfile(std::string_view bytes) {
  return bytes.substr(0, kNaclPrefix.size()) == kNaclPrefix;
}

KeyfileEncryption KeyfileEncryptionOf(std::string_view bytes) {
  if (IsEncryptedKeyfile(bytes)) return KeyfileEncryption::kNacl;
  if (bytes.starts_with("$ANSIBLE_VAULT")) return KeyfileEncryption::kAnsibleVault;
  if (bytes.starts_with("gAAAAA")) return KeyfileEncryption::kLegacyFernet;
  return KeyfileEncryption::kNone;
}

std::string PasswordEnvVarName(const std::filesystem::path& path) {
  std::string name = "BT_PW_";
  for (const char c : path.string()) {
    const char mapped = (c == '/' || c == '.') ? '_' : c;
    // Rust's str::to_uppercase; keyfile paths are ASCII in practice, other bytes stay as they are.
    name += (mapped >= 'a' && mapped <= 'z') ? static_cast<char>(mapped - 'a' + 'A') : mapped;
  }
  return name;
}

Result<std::string> DecodePasswordEnvValue(std::string_view env_var_name, std::string_view value) {
  std::string xored(value.size(), '\0');
  size_t length = 0;
  if (env_var_name.empty() ||
      sodium_base642bin(reinterpret_cast<unsigned char*>(xored.data()), xored.size(), value.data(),
                        value.size(), nullptr, &length, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("{}: not btwallet's base64 password", env_var_name));
  }
  xored.resize(length);
  for (size_t i = 0; i < xored.size(); ++i) xored[i] ^= env_var_name[i % env_var_name.size()];
  return xored;
}

Result<std::string> EncryptKeyfile(std::string_view plain, std::string_view password,
                                   const KeyfileKdf& kdf) {
  auto key = BoxKey(password, kdf);
  if (!key) return key.error();
  std::string out(kNaclPrefix);
  std::string nonce(crypto_secretbox_NONCEBYTES, '\0');
  randombytes_buf(nonce.data(), nonce.size());
  std::string box(plain.size() + crypto_secretbox_MACBYTES, '\0');
  crypto_secretbox_easy(reinterpret_cast<unsigned char*>(box.data()),
                        reinterpret_cast<const unsigned char*>(plain.data()), plain.size(),
                        reinterpret_cast<const unsigned char*>(nonce.data()), key->data());
  sodium_memzero(key->data(), key->size());
  return out + nonce + box;
}

Result<std::string> DecryptKeyfile(std::string_view bytes, std::string_view password,
                                   const KeyfileKdf& kdf) {
  if (!IsEncryptedKeyfile(bytes)) {
    return Error(ErrorCode::kInvalidArgument, "keyfile is not encrypted ($NACL) data");
  }
  const std::string_view sealed = bytes.substr(kNaclPrefix.size());
  if (sealed.size() < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
    return Error(ErrorCode::kParse, "encrypted keyfile is truncated");
  }
  auto key = BoxKey(password, kdf);
  if (!key) return key.error();
  const std::string_view nonce = sealed.substr(0, crypto_secretbox_NONCEBYTES);
  const std::string_view box = sealed.substr(crypto_secretbox_NONCEBYTES);
  std::string plain(box.size() - crypto_secretbox_MACBYTES, '\0');
  const int rc =
      crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()),
                                 reinterpret_cast<const unsigned char*>(box.data()), box.size(),
                                 reinterpret_cast<const unsigned char*>(nonce.data()), key->data());
  sodium_memzero(key->data(), key->size());
  if (rc != 0) return Error(ErrorCode::kInvalidArgument, "wrong password (or a damaged keyfile)");
  return plain;
}

Status WriteKeyfile(const std::filesystem::path& path, std::string_view bytes, bool overwrite) {
  std::error_code ec;
  if (!overwrite && std::filesystem::exists(path, ec)) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("{} already exists (refusing to overwrite a key)", path.string()));
  }
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  const std::string tmp = path.string() + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Error(ErrorCode::kIo, fmt::format("cannot write {}: {}", tmp, std::strerror(errno)));
  }
  size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0) {
      ::close(fd);
      ::unlink(tmp.c_str());
      return Error(ErrorCode::kIo, fmt::format("cannot write {}: {}", tmp, std::strerror(errno)));
    }
    written += static_cast<size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced || ::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return Error(ErrorCode::kIo,
                 fmt::format("cannot replace {}: {}", path.string(), std::strerror(errno)));
  }
  ::chmod(path.c_str(), 0600);
  return {};
}

Result<std::string> ReadKeyfile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(ErrorCode::kNotFound, fmt::format("cannot read keyfile {}", path.string()));
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

}  // namespace orchestra::crypto
