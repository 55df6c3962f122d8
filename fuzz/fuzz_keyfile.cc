// Untrusted bytes as a Bittensor keyfile (what `orchestra wallet` reads from ~/.bittensor):
// plain JSON keyfiles, public-only ones and $NACL-encrypted ones. Any crash, hang or sanitizer
// report is a bug, and so is an error that does not name the file, carries control characters
// or runs on for pages. Whatever parses must survive a write/read round trip unchanged.
//
// Decryption uses libsodium's minimum argon2i cost (btwallet's is 512 MiB, which would make
// every run take a second); the seed corpus's encrypted keyfile is sealed with kPassword under
// it, so the fuzzer reaches the plaintext parser through DecryptKeyfile too.
#include <sodium.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "orchestra/crypto/keyfile.h"
#include "orchestra/crypto/ss58.h"

namespace {

using namespace orchestra::crypto;

constexpr std::string_view kWhat = "wallets/fuzz/hotkeys/default";
constexpr std::string_view kPassword = "orchestra-fuzz";
constexpr KeyfileKdf kCheapKdf{crypto_pwhash_argon2i_OPSLIMIT_MIN,
                               crypto_pwhash_argon2i_MEMLIMIT_MIN};
constexpr size_t kMaxErrorMessage = 512;

// Aborts (the fuzzer's signal of a bug) saying which invariant broke and about what.
void Check(bool condition, std::string_view invariant, std::string_view about = "") {
  if (condition) return;
  std::fprintf(stderr, "fuzz_keyfile: %.*s: %.*s\n", static_cast<int>(invariant.size()),
               invariant.data(), static_cast<int>(about.size()), about.data());
  std::abort();
}

// A clear error: it names the file, and it is one short line of printable text.
void CheckClearError(const std::string& message) {
  Check(std::string_view(message).substr(0, kWhat.size() + 2) == std::string(kWhat) + ": ",
        "the error does not start with the file name", message);
  Check(message.size() <= kMaxErrorMessage, "the error is too long", message);
  for (const char c : message) {
    const auto byte = static_cast<unsigned char>(c);
    Check(byte >= 0x20 && byte != 0x7f, "the error holds a control character", message);
  }
}

bool SameKey(const KeyfileKey& a, const KeyfileKey& b) {
  if (a.public_key.bytes() != b.public_key.bytes() || a.ss58_address != b.ss58_address) {
    return false;
  }
  if (a.keypair.has_value() != b.keypair.has_value()) return false;
  return !a.keypair || a.keypair->SecretBytes() == b.keypair->SecretBytes();
}

void ParseAndRoundTrip(std::string_view text) {
  auto key = ParseKeyfile(text, kWhat);
  if (!key) {
    CheckClearError(key.error().message);
    return;
  }
  Check(key->ss58_address == Ss58Encode(key->public_key.bytes()),
        "ss58Address is not the public key's", key->ss58_address);
  if (key->keypair) {
    Check(key->keypair->public_key().bytes() == key->public_key.bytes(),
          "public key is not the secret's");
  }
  auto again = ParseKeyfile(SerializeKeyfile(*key), kWhat);
  Check(again.ok() && SameKey(*key, *again), "the key does not survive a round trip",
        again.ok() ? "" : again.error().message);
  auto public_only = ParseKeyfile(SerializeKeyfile(*key, /*public_only=*/true), kWhat);
  Check(public_only.ok() && !public_only->keypair &&
            public_only->public_key.bytes() == key->public_key.bytes(),
        "the public-only file does not read back");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  ParseAndRoundTrip(text);

  const bool encrypted = IsEncryptedKeyfile(text);
  Check(encrypted == (text.substr(0, 5) == "$NACL"), "IsEncryptedKeyfile is not the prefix");
  auto plain = DecryptKeyfile(text, kPassword, kCheapKdf);
  if (!plain) return 0;
  Check(encrypted, "plain bytes decrypted");
  ParseAndRoundTrip(*plain);
  auto resealed = EncryptKeyfile(*plain, kPassword, kCheapKdf);
  Check(resealed.ok() && IsEncryptedKeyfile(*resealed), "cannot re-encrypt");
  auto reopened = DecryptKeyfile(*resealed, kPassword, kCheapKdf);
  Check(reopened.ok() && *reopened == *plain, "re-encrypted keyfile does not open the same");
  return 0;
}
