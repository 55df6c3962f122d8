#include "orchestra/crypto/hex.h"

#include <array>
#include <cstring>

#include "orchestra/core/hash.h"

namespace orchestra::crypto {
namespace {

// The value of each byte as a hex digit, or kNotHex.
constexpr uint8_t kNotHex = 0xff;
constexpr std::array<uint8_t, 256> kHexValues = [] {
  std::array<uint8_t, 256> values;
  values.fill(kNotHex);
  for (int i = 0; i < 10; ++i) values['0' + i] = static_cast<uint8_t>(i);
  for (int i = 0; i < 6; ++i) {
    values['a' + i] = static_cast<uint8_t>(10 + i);
    values['A' + i] = static_cast<uint8_t>(10 + i);
  }
  return values;
}();

uint8_t HexValue(char c) { return kHexValues[static_cast<uint8_t>(c)]; }

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
  // One pass that decodes and notes any non-digit (kNotHex has the high bits no digit has); the
  // error path scans again to name the first one. Signatures are decoded on every request.
  std::vector<uint8_t> out(digits.size() / 2);
  uint8_t seen = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    const uint8_t high = HexValue(digits[2 * i]);
    const uint8_t low = HexValue(digits[2 * i + 1]);
    seen |= high | low;
    out[i] = static_cast<uint8_t>(high << 4 | low);
  }
  if ((seen & 0xf0) == 0 && digits.size() % 2 == 0) return out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (HexValue(digits[i]) == kNotHex) {
      return Error(ErrorCode::kParse, std::string(what) + ": " + Printable(digits[i]) +
                                          " at position " + std::to_string(i + offset) +
                                          " is not a hex digit");
    }
  }
  return Error(ErrorCode::kParse, std::string(what) + ": odd number of hex digits (" +
                                      std::to_string(digits.size()) + ")");
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
  return PrefixedHex(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

}  // namespace orchestra::crypto
