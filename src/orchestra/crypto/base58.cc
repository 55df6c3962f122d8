#include "orchestra/crypto/base58.h"

#include <algorithm>

namespace orchestra::crypto {
namespace {

constexpr char kAlphabet[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
constexpr size_t kMaxDecodeLength = 256;

int DigitValue(char c) {
  const char* found = std::find(kAlphabet, kAlphabet + 58, c);
  return found == kAlphabet + 58 ? -1 : static_cast<int>(found - kAlphabet);
}

std::string Describe(char c) {
  const auto byte = static_cast<unsigned char>(c);
  if (byte >= 0x21 && byte < 0x7f) return std::string("'") + c + "'";
  static constexpr char kDigits[] = "0123456789abcdef";
  return std::string("byte 0x") + kDigits[byte >> 4] + kDigits[byte & 0xf];
}

}  // namespace

std::string Base58Encode(std::string_view bytes) {
  size_t zeros = 0;
  while (zeros < bytes.size() && bytes[zeros] == 0) ++zeros;
  // Base-58 digits, least significant first.
  std::vector<uint8_t> digits;
  digits.reserve(bytes.size() * 138 / 100 + 1);
  for (size_t i = zeros; i < bytes.size(); ++i) {
    unsigned carry = static_cast<uint8_t>(bytes[i]);
    for (uint8_t& digit : digits) {
      carry += static_cast<unsigned>(digit) << 8;
      digit = static_cast<uint8_t>(carry % 58);
      carry /= 58;
    }
    while (carry > 0) {
      digits.push_back(static_cast<uint8_t>(carry % 58));
      carry /= 58;
    }
  }
  std::string out(zeros, '1');
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) out.push_back(kAlphabet[*it]);
  return out;
}

Result<std::vector<uint8_t>> Base58Decode(std::string_view text) {
  if (text.size() > kMaxDecodeLength) {
    return Error(ErrorCode::kParse, "base58 text is " + std::to_string(text.size()) +
                                        " characters, more than the " +
                                        std::to_string(kMaxDecodeLength) + " accepted");
  }
  size_t ones = 0;
  while (ones < text.size() && text[ones] == '1') ++ones;
  // Bytes, least significant first.
  std::vector<uint8_t> bytes;
  for (size_t i = ones; i < text.size(); ++i) {
    const int value = DigitValue(text[i]);
    if (value < 0) {
      return Error(ErrorCode::kParse, Describe(text[i]) + " at position " + std::to_string(i) +
                                          " is not a base58 character");
    }
    unsigned carry = static_cast<unsigned>(value);
    for (uint8_t& byte : bytes) {
      carry += static_cast<unsigned>(byte) * 58;
      byte = static_cast<uint8_t>(carry & 0xff);
      carry >>= 8;
    }
    while (carry > 0) {
      bytes.push_back(static_cast<uint8_t>(carry & 0xff));
      carry >>= 8;
    }
  }
  std::vector<uint8_t> out(ones, 0);
  out.insert(out.end(), bytes.rbegin(), bytes.rend());
  return out;
}

}  // namespace orchestra::crypto
