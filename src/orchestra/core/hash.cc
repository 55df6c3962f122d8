#include "orchestra/core/hash.h"

#include <sodium.h>

namespace orchestra {

Hash256 Blake2b256(std::string_view bytes) {
  Hash256 out;
  crypto_generichash(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                     bytes.size(), nullptr, 0);
  return out;
}

std::string Hex(const uint8_t* data, size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(size * 2, '0');
  for (size_t i = 0; i < size; ++i) {
    out[2 * i] = kDigits[data[i] >> 4];
    out[2 * i + 1] = kDigits[data[i] & 0xf];
  }
  return out;
}

std::string CanonicalHash(const Json& value) {
  return PrefixedHex(Blake2b256(CanonicalJson(value)));
}

bool IsPrefixedHash256(std::string_view text) {
  if (text.size() != 66 || text.substr(0, 2) != "0x") return false;
  for (char c : text.substr(2)) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace orchestra
