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
  if (IsEncryptedKeyfile(bytes)) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("{}: encrypted; a password is needed", what));
  }
  auto json = ParseJson(bytes, what);
  if (!json) return json.error();
  if (!json->is_object())
    return Error(ErrorCode::kParse, fmt::format("{}: not a JSON object", what));
  auto field_error = [&](std::string_view field, const Error& e) {
    return Error(e.code, fmt::format("{}: {}: {}", what, field, e.message));
  };
  std::optional<KeyfileKey> key;
  if (const Json* phrase = JsonFind(*json, "secretPhrase"); phrase && phrase->is_string()) {
    auto k = KeyFromMnemonic(phrase->get_string());
    if (!k) return field_error("secretPhrase", k.error());
    key = std::move(*k);
  } else if (const Json* seed = JsonFind(*json, "secretSeed"); seed && seed->is_string()) {
    auto bytes32 = DecodeHexFixed<32>(seed->get_string(), "secretSeed");
    if (!bytes32) return field_error("secretSeed", bytes32.error());
    key = KeyFromMiniSecret(*bytes32);
  } else if (const Json* priv = JsonFind(*json, "privateKey"); priv && priv->is_string()) {
    auto bytes64 = DecodeHexFixed<64>(priv->get_string(), "privateKey");
    if (!bytes64) return field_error("privateKey", bytes64.error());
    auto pair = Keypair::FromSecretBytes(AsBytes(*bytes64));
    if (!pair) return field_error("privateKey", pair.error());
    key = FromKeypair(std::move(*pair));
  } else {
    const std::string stated = JsonString(*json, "publicKey", JsonString(*json, "accountId"));
    auto pub = PublicKey::FromHex(stated);
    if (!pub) return field_error("publicKey", pub.error());
    key = KeyfileKey{std::nullopt, *pub, Ss58Encode(pub->bytes()), std::nullopt, std::nullopt};
  }
  // What the file states about the public side must agree with its secret.
  if (const std::string stated = JsonString(*json, "publicKey");
      !stated.empty() && stated != key->public_key.ToHex()) {
    return Error(
        ErrorCode::kInvalidArgument,
        fmt::format("{}: publicKey {} does not belong to the secret in the file", what, stated));
  }
  if (const std::string stated = JsonString(*json, "ss58Address");
      !stated.empty() && stated != key->ss58_address) {
    return Error(
        ErrorCode::kInvalidArgument,
        fmt::format("{}: ss58Address {} does not belong to the key in the file", what, stated));
  }
  return std::move(*key);
}

bool IsEncryptedKeyfile(std::string_view bytes) {
  return bytes.substr(0, kNaclPrefix.size()) == kNaclPrefix;
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
