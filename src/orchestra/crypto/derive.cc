#include "orchestra/crypto/derive.h"

#include <sodium.h>

#include <algorithm>
#include <charconv>
#include <string>

#include "orchestra/core/hash.h"
#include "orchestra/crypto/bip39.h"
#include "orchestra/crypto/hex.h"

namespace orchestra::crypto {
namespace {

// SCALE's compact encoding of a length.
std::string CompactLength(size_t length) {
  std::string out;
  auto put = [&out](uint64_t value, int bytes) {
    for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>(value >> (8 * i)));
  };
  if (length < (1u << 6)) {
    put(length << 2, 1);
  } else if (length < (1u << 14)) {
    put((length << 2) | 1, 2);
  } else if (length < (1u << 30)) {
    put((length << 2) | 2, 4);
  } else {
    int bytes = 4;
    while (bytes < 8 && (static_cast<uint64_t>(length) >> (8 * bytes)) != 0) ++bytes;
    out.push_back(static_cast<char>(((bytes - 4) << 2) | 3));
    put(length, bytes);
  }
  return out;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

}  // namespace

Junction JunctionFromText(std::string_view text, bool hard) {
  std::string encoded;
  uint64_t number = 0;
  const bool all_digits = !text.empty() && std::all_of(text.begin(), text.end(),
                                                       [](char c) { return c >= '0' && c <= '9'; });
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (all_digits && ec == std::errc() && end == text.data() + text.size()) {
    for (int i = 0; i < 8; ++i) encoded.push_back(static_cast<char>(number >> (8 * i)));
  } else {
    encoded = CompactLength(text.size());
    encoded.append(text);
  }
  Junction junction;
  junction.hard = hard;
  if (encoded.size() > junction.chain_code.size()) {
    junction.chain_code = Blake2b256(encoded);
  } else {
    std::copy(encoded.begin(), encoded.end(), junction.chain_code.begin());
  }
  return junction;
}

Result<std::vector<Junction>> ParseDerivationPath(std::string_view path) {
  std::vector<Junction> junctions;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] != '/') {
      return Error(ErrorCode::kInvalidArgument, "derivation path: expected '/' at position " +
                                                    std::to_string(i) + ", found '" +
                                                    std::string(1, path[i]) + "'");
    }
    const bool hard = i + 1 < path.size() && path[i + 1] == '/';
    const size_t start = i + (hard ? 2 : 1);
    const size_t end = std::min(path.find('/', start), path.size());
    if (end == start) {
      return Error(ErrorCode::kInvalidArgument,
                   "derivation path: empty junction at position " + std::to_string(start));
    }
    junctions.push_back(JunctionFromText(path.substr(start, end - start), hard));
    i = end;
  }
  return junctions;
}

Keypair DeriveKeypair(const Keypair& keypair, const std::vector<Junction>& path) {
  Keypair current = keypair;
  for (const Junction& junction : path) {
    current = junction.hard ? DeriveHard(current, junction.chain_code)
                            : DeriveSoft(current, junction.chain_code);
  }
  return current;
}

Result<Keypair> KeypairFromUri(std::string_view uri) {
  std::string_view password;
  const size_t password_at = uri.find("///");
  const bool has_password = password_at != std::string_view::npos;
  if (has_password) {
    password = uri.substr(password_at + 3);
    uri = uri.substr(0, password_at);
  }
  const size_t path_at = std::min(uri.find('/'), uri.size());
  const std::string_view secret = Trim(uri.substr(0, path_at));
  auto path = ParseDerivationPath(uri.substr(path_at));
  if (!path) return path.error();

  MiniSecret mini_secret;
  if (secret.starts_with("0x")) {
    auto seed = DecodeHexFixed<32>(secret, "secret seed");
    if (!seed) return seed.error();
    mini_secret = *seed;
  } else {
    auto from_phrase = MiniSecretFromMnemonic(secret.empty() ? kDevPhrase : secret, password);
    if (!from_phrase) return from_phrase.error();
    mini_secret = *from_phrase;
  }
  Keypair keypair = DeriveKeypair(Keypair::FromMiniSecret(mini_secret), *path);
  sodium_memzero(mini_secret.data(), mini_secret.size());
  return keypair;
}

}  // namespace orchestra::crypto
