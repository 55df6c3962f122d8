#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "orchestra/core/result.h"
#include "orchestra/crypto/ristretto.h"

namespace orchestra::crypto {

// sr25519: Schnorr signatures over ristretto255 as schnorrkel (and so Substrate and Bittensor)
// makes them. Transcripts are Merlin; Verify uses ristretto.h, the rest libsodium (constant time).

inline constexpr std::string_view kSubstrateContext = "substrate";

using MiniSecret = std::array<uint8_t, 32>;
using ChainCode = std::array<uint8_t, 32>;
using SignatureBytes = std::array<uint8_t, 64>;

// A public key known to be a canonical ristretto255 encoding other than the identity.
class PublicKey {
 public:
  // Errors (kInvalidArgument) on a length other than 32, a non-canonical or invalid
  // encoding, or the identity point (for which anyone could forge signatures).
  static Result<PublicKey> FromBytes(std::string_view bytes);
  // FromBytes of "0x"-prefixed (or bare) hex.
  static Result<PublicKey> FromHex(std::string_view hex);

  const std::array<uint8_t, 32>& bytes() const { return bytes_; }
  // The decoded point, kept so that each Verify does not decode the key again.
  const ristretto::EdwardsPoint& point() const { return point_; }
  std::string ToHex() const;  // "0x" + 64 lower-case hex digits
  bool operator==(const PublicKey& other) const { return bytes_ == other.bytes_; }

 private:
  friend class Keypair;
  PublicKey(const std::array<uint8_t, 32>& bytes, const ristretto::EdwardsPoint& point)
      : bytes_(bytes), point_(point) {}
  // The key a secret scalar gives (libsodium's canonical encoding, so it decodes).
  static PublicKey OfScalar(const std::array<uint8_t, 32>& scalar);

  std::array<uint8_t, 32> bytes_;
  ristretto::EdwardsPoint point_;
};

// A secret key (scalar and signing nonce, schnorrkel's SecretKey) with its public key. The
// secret bytes are wiped when the keypair is destroyed.
class Keypair {
 public:
  // schnorrkel's MiniSecretKey::expand_to_keypair(ExpandMode::Ed25519), as Substrate uses:
  // h = SHA-512(mini); scalar = clamp(h[0..32]) / 8; nonce = h[32..64].
  static Keypair FromMiniSecret(const MiniSecret& mini_secret);
  // From schnorrkel's 64-byte SecretKey::to_bytes layout (canonical scalar ‖ nonce), the
  // `privateKey` of a Bittensor keyfile. Errors on wrong length or a non-canonical scalar.
  static Result<Keypair> FromSecretBytes(std::string_view bytes);
  // From the 64-byte "ed25519" layout (scalar·8 ‖ nonce) that polkadot-js and @scure/sr25519
  // call the secret key.
  static Result<Keypair> FromEd25519Bytes(std::string_view bytes);

  ~Keypair();
  Keypair(const Keypair&) = default;
  Keypair& operator=(const Keypair&) = default;

  const PublicKey& public_key() const { return public_; }

  // A copy whose signatures compute R = r·B (r the witness nonce) on the variable-time
  // ristretto.h instead of libsodium's constant-time code: the same signatures, about 4 µs
  // less each. Their timing then depends on r, and r with the signature gives away the secret
  // key, so this is only for keys whose secret is public anyway, such as the expert
  // simulator's UIDs (derived from the manifest's seed: whoever holds the manifest can compute
  // them). Never for a wallet's key. Keys derived from the copy sign in constant time again.
  Keypair WithVariableTimeSigning() const;
  bool variable_time_signing() const { return variable_time_signing_; }

  std::array<uint8_t, 64> SecretBytes() const;
  std::array<uint8_t, 64> Ed25519Bytes() const;

 private:
  friend Keypair DeriveHard(const Keypair&, const ChainCode&);
  friend Keypair DeriveSoft(const Keypair&, const ChainCode&);
  friend SignatureBytes SignWithEntropy(const Keypair&, std::string_view, std::string_view,
                                        const std::array<uint8_t, 32>&);
  Keypair(const std::array<uint8_t, 32>& scalar, const std::array<uint8_t, 32>& nonce);

  std::array<uint8_t, 32> scalar_;
  std::array<uint8_t, 32> nonce_;
  PublicKey public_;
  bool variable_time_signing_ = false;
};

// Signs `message` under the signing `context` (Substrate and Bittensor use "substrate").
// The witness nonce is schnorrkel's: drawn from the transcript RNG keyed with the key's nonce
// and 32 fresh bytes from libsodium's randombytes. Signature = R ‖ s with bit 7 of byte 63 set.
SignatureBytes Sign(const Keypair& keypair, std::string_view message,
                    std::string_view context = kSubstrateContext);

// Sign with the outside randomness given instead of drawn: reproducible signatures for tests
// and benchmarks. Reusing `entropy` is still safe (the nonce also binds key and message) but
// makes signatures deterministic.
SignatureBytes SignWithEntropy(const Keypair& keypair, std::string_view message,
                               std::string_view context, const std::array<uint8_t, 32>& entropy);

// Checks `signature` (64 bytes) on `message` by `public_key` under `context`. Errors
// (kInvalidArgument) say why: wrong length, schnorrkel marker bit missing, scalar not
// canonical, R not a valid point, or the signature does not match (wrong key, message or
// context). Never crashes on any input. A key whose signatures verified twice gets a
// precomputed table (KeyTableCache::Default(): 64 keys, about 2 MiB), which halves the time of
// its later verifications.
Status Verify(const PublicKey& public_key, std::string_view message, std::string_view signature,
              std::string_view context = kSubstrateContext);

// Verify with the public key as raw bytes (32); key errors come back the same way.
Status Verify(std::string_view public_key, std::string_view message, std::string_view signature,
              std::string_view context = kSubstrateContext);

// Hard derivation (Substrate `//junction`): schnorrkel's hard_derive_mini_secret_key with
// transcript "SchnorrRistrettoHDKD", then expansion as FromMiniSecret.
Keypair DeriveHard(const Keypair& parent, const ChainCode& chain_code);

// Soft derivation (Substrate `/junction`) of a secret key: scalar + HDKD-scalar. The child
// nonce is drawn from the transcript RNG (as schnorrkel does), so only the public key is
// reproducible.
Keypair DeriveSoft(const Keypair& parent, const ChainCode& chain_code);

// Soft derivation of a public key alone; equals DeriveSoft(...).public_key().
PublicKey DeriveSoftPublic(const PublicKey& parent, const ChainCode& chain_code);

}  // namespace orchestra::crypto
