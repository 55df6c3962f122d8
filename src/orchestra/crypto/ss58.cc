#include "orchestra/crypto/ss58.h"

#include <sodium.h>

#include <cstring>
#include <vector>

#include "orchestra/crypto/base58.h"

namespace orchestra::crypto {
namespace {

// The prefix in SS58's one- or two-byte form.
std::vector<uint8_t> PrefixBytes(uint16_t prefix) {
  prefix &= 0x3fff;
  if (prefix < 64) return {static_cast<uint8_t>(prefix)};
  return {static_cast<uint8_t>(((prefix & 0xfc) >> 2) | 0x40),
          static_cast<uint8_t>((prefix >> 8) | ((prefix & 0x03) << 6))};
}

std::array<uint8_t, 2> Checksum(const uint8_t* body, size_t size) {
  static constexpr char kTag[] = "SS58PRE";
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, 64);
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(kTag), 7);
  crypto_generichash_update(&state, body, size);
  std::array<uint8_t, 64> digest;
  crypto_generichash_final(&state, digest.data(), digest.size());
  return {digest[0], digest[1]};
}

Error ParseError(std::string message) {
  return Error(ErrorCode::kParse, "SS58 address: " + std::move(message));
}

}  // namespace

std::string Ss58Encode(const AccountId& account, uint16_t prefix) {
  std::vector<uint8_t> body = PrefixBytes(prefix);
  body.insert(body.end(), account.begin(), account.end());
  const auto checksum = Checksum(body.data(), body.size());
  body.insert(body.end(), checksum.begin(), checksum.end());
  return Base58Encode(std::string_view(reinterpret_cast<const char*>(body.data()), body.size()));
}

Result<Ss58Address> Ss58DecodeAnyPrefix(std::string_view text) {
  if (text.empty()) return ParseError("empty");
  auto decoded = Base58Decode(text);
  if (!decoded) return ParseError(decoded.error().message);
  const std::vector<uint8_t>& bytes = *decoded;
  if (bytes.size() != 35 && bytes.size() != 36) {
    return ParseError("decodes to " + std::to_string(bytes.size()) +
                      " bytes; a 32-byte account address takes 35 (36 with a two-byte prefix): "
                      "truncated, or not an account address?");
  }
  if (bytes[0] & 0x80) {
    return ParseError("first byte " + std::to_string(bytes[0]) + " is a reserved prefix form");
  }
  const size_t prefix_size = (bytes[0] & 0x40) ? 2 : 1;
  if (bytes.size() != prefix_size + 32 + 2) {
    return ParseError("decodes to " + std::to_string(bytes.size()) + " bytes but announces a " +
                      std::to_string(prefix_size) + "-byte prefix, which takes " +
                      std::to_string(prefix_size + 34));
  }
  Ss58Address address;
  if (prefix_size == 1) {
    address.prefix = bytes[0];
  } else {
    const unsigned lower = ((bytes[0] << 2) | (bytes[1] >> 6)) & 0xff;
    const unsigned upper = bytes[1] & 0x3f;
    address.prefix = static_cast<uint16_t>(lower | (upper << 8));
    if (address.prefix < 64) {
      return ParseError("prefix " + std::to_string(address.prefix) +
                        " is written in the two-byte form; it has a one-byte form");
    }
  }
  const auto checksum = Checksum(bytes.data(), prefix_size + 32);
  if (bytes[prefix_size + 32] != checksum[0] || bytes[prefix_size + 33] != checksum[1]) {
    return ParseError("checksum mismatch (mistyped address?)");
  }
  std::memcpy(address.account.data(), bytes.data() + prefix_size, 32);
  return address;
}

Result<AccountId> Ss58Decode(std::string_view text, uint16_t expected_prefix) {
  auto address = Ss58DecodeAnyPrefix(text);
  if (!address) return address.error();
  if (address->prefix != expected_prefix) {
    return Error(ErrorCode::kInvalidArgument, "SS58 address has network prefix " +
                                                  std::to_string(address->prefix) + ", expected " +
                                                  std::to_string(expected_prefix));
  }
  return address->account;
}

}  // namespace orchestra::crypto
