#include "orchestra/crypto/hex.h"

#include <cstring>

#include "orchestra/core/hash.h"

namespace orchestra::crypto {
namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string Printable(char c) {
  const auto byte = static_cast<unsigned char>(c);
  if (byte >= 0x20 && byte < 0x7f) return std::string("'") + c + "'";
  static constexpr char kDigits[] = "0123456789abcdef";
  return std::string("byte 0x") + kDigits[byte >> 4] + kDigits[byte & 0xf];
}

}  // namespace

Result<std::vector<uint8_t>> DecodeHex(std::string_view text, std::string_view what) {
  size_t offset = 0;
  if (text.size() >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) offset = 2;
  const std::string_view digits = text.substr(offset);
  for (size_t i = 0; i < digits.size(); ++i) {
    if (HexDigit(digits[i]) < 0) {
      return Error(ErrorCode::kParse, std::string(what) + ": " + Printable(digits[i]) +
                                          " at position " + std::to_string(i + offset) +
                                          " is not a hex digit");
    }
  }
  if (digits.size() % 2 != 0) {
    return Error(ErrorCode::kParse, std::string(what) + ": odd number of hex digits (" +
                                        std::to_string(digits.size()) + ")");
  }
  std::vector<uint8_t> out(digits.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<uint8_t>(HexDigit(digits[2 * i]) << 4 | HexDigit(digits[2 * i + 1]));
  }
  return out;
}

template <size_t N>
Result<std::array<uint8_t, N>> DecodeHexFixed(std::string_view text, std::string_view what) {
  auto bytes = DecodeHex(text, what);
  if (!bytes) return bytes.error();
  if (bytes->size() != N) {
    return Error(ErrorCode::kInvalidArgument, std::string(what) + ": expected " +
                                                  std::to_string(N) + " bytes, got " +
                                                  std::to_string(bytes->size()));
  }
  std::array<uint8_t, N> out;
  std::memcpy(out.data(), bytes->data(), N);
  return out;
}

template Result<std::array<uint8_t, 32>> DecodeHexFixed<32>(std::string_view, std::string_view);
template Result<std::array<uint8_t, 64>> DecodeHexFixed<64>(std::string_view, std::string_view);

std::string PrefixedHexOf(std::string_view bytes) {
  return "0x" + Hex(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

}  // namespace orchestra::crypto
