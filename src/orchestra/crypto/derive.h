#pragma once

#include <string_view>
#include <vector>

#include "orchestra/core/result.h"
#include "orchestra/crypto/sr25519.h"

namespace orchestra::crypto {

// Substrate's secret URIs and derivation paths: "<phrase or 0x seed>//hard/soft///password".

// The phrase Substrate's dev accounts (//Alice, //Bob, ...) derive from.
inline constexpr std::string_view kDevPhrase =
    "bottom drive obey lake curtain smoke basket hold race lonely fit walk";

// One step of a derivation path. The chain code is the SCALE encoding of the junction: a
// decimal number that fits u64 as 8 little-endian bytes, other text as compact-length-prefixed
// UTF-8; zero-padded to 32 bytes, or blake2b-256 of it when longer.
struct Junction {
  bool hard = false;
  ChainCode chain_code{};
};

Junction JunctionFromText(std::string_view text, bool hard);

// Parses "//hard/soft//0": "//" starts a hard junction, "/" a soft one. Errors
// (kInvalidArgument) on text not starting with '/', or an empty junction, naming the position.
Result<std::vector<Junction>> ParseDerivationPath(std::string_view path);

// Applies `path` to `keypair`, junction by junction (see DeriveHard, DeriveSoft).
Keypair DeriveKeypair(const Keypair& keypair, const std::vector<Junction>& path);

// A keypair from a secret URI as `subkey` and polkadot-js read it: a BIP39 phrase (or
// "0x" + 64 hex mini-secret; nothing means kDevPhrase), then an optional path, then an
// optional "///password" (used with a phrase only). Errors name the part that is wrong.
Result<Keypair> KeypairFromUri(std::string_view uri);

}  // namespace orchestra::crypto
