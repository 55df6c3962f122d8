#include "orchestra/core/hash.h"

#include <sodium.h>

namespace orchestra {

Hash256 Blake2b256(std::string_view bytes) {
  Hash256 out;
  crypto_generichash(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                     bytes.size(), nullptr, 0);
  return out;
}

namespace {

// Writes the 2 * size hex digits of `data` at `out`.
void WriteHex(const uint8_t* data, size_t size, char* out) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (size_t i = 0; i < size; ++i) {
    out[2 * i] = kDigits[data[i] >> 4];
    out[2 * i + 1] = kDigits[data[i] & 0xf];
  }
}

// What a thread's canonical-JSON buffer may keep between calls; a larger document's is freed.
constexpr size_t kKeptCanonicalBytes = 64 << 10;

}  // namespace

std::string Hex(const uint8_t* data, size_t size) {
  std::string out(size * 2, '0');
  WriteHex(data, size, out.data());
  return out;
}

std::string PrefixedHex(const uint8_t* data, size_t size) {
  std::string out(2 + 2 * size, 'x');
  out[0] = '0';
  WriteHex(data, size, out.data() + 2);
  return out;
}

std::string CanonicalHash(const Json& value) {
  // Written into a buffer the thread keeps: a simulator answer of 1.5 KB grew a fresh string
  // through eight allocations, twice per call.
  thread_local std::string canonical;
  canonical.clear();
  AppendCanonicalJson(canonical, value);
  const Hash256 hash = Blake2b256(canonical);
  if (canonical.capacity() > kKeptCanonicalBytes) std::string().swap(canonical);
  return PrefixedHex(hash);
}

bool IsPrefixedHash256(std::string_view text) {
  if (text.size() != 66 || text.substr(0, 2) != "0x") return false;
  for (char c : text.substr(2)) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace orchestra
