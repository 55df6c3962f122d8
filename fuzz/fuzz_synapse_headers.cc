// Untrusted bytes as Bittensor synapse request headers: one "name: value" field per line, read
// by the header parser of every synapse class we serve; what parses is written back out as
// headers and a body and read again, and must come back the same (oracle). Any crash, hang,
// sanitizer report, leak or changed round trip is a bug; errors are expected and fine.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "orchestra/protocol/bittensor_synapse.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace orchestra::protocol;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  WireHeaders headers;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      headers.Add(line, "");
      continue;
    }
    std::string_view value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    headers.Add(line.substr(0, colon), value);
  }
  for (const SynapseClass* cls : {&OrchestraSynapseClass(), &LedgerSynapseClass()}) {
    auto synapse = SynapseFromHeaders(*cls, headers);
    if (!synapse) continue;
    (void)BodyHash(*cls, *synapse);
    // What we write, we read back to the same synapse: headers and body are fixpoints.
    const WireHeaders written = ToHeaders(*cls, *synapse);
    auto reread = SynapseFromHeaders(*cls, written);
    if (!reread || !(ToHeaders(*cls, *reread) == written)) __builtin_trap();
    const std::string body = ToBody(*cls, *synapse);
    // A body fails to read back only when a required subclass field is missing (headers carry
    // none of them).
    if (auto from_body = SynapseFromBody(*cls, body); from_body) {
      if (ToBody(*cls, *from_body) != body) __builtin_trap();
    } else if (cls->required_hash_fields.empty() &&
               std::none_of(cls->fields.begin(), cls->fields.end(),
                            [](const SynapseField& f) { return f.required; })) {
      __builtin_trap();
    }
    (void)VerifyMessageSignature(
        synapse->dendrite.hotkey.value_or(""),
        SignatureMessage(synapse->dendrite.nonce, synapse->dendrite.hotkey, "5Axon",
                         synapse->dendrite.uuid, synapse->computed_body_hash),
        synapse->dendrite.signature.value_or(""));
  }
  return 0;
}
