// Untrusted text as an SS58 address (what `orchestra wallet verify --ss58` and hotkey fields
// receive): base58 decoding, prefix forms, checksum. Any crash, hang or sanitizer report is a
// bug; errors are expected. Whatever decodes must re-encode to the same text.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "orchestra/crypto/base58.h"
#include "orchestra/crypto/ss58.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace orchestra::crypto;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto address = Ss58DecodeAnyPrefix(text)) {
    if (Ss58Encode(address->account, address->prefix) != text) std::abort();
  }
  (void)Ss58Decode(text);
  if (auto bytes = Base58Decode(text)) {
    const std::string_view raw(reinterpret_cast<const char*>(bytes->data()), bytes->size());
    if (Base58Encode(raw) != text) std::abort();
  }
  return 0;
}
