// Untrusted bytes as Bittensor synapse request headers: one "name: value" field per line, read
// by the header parser of every synapse class we serve; what parses is written back out as
// headers and a body and read again. Any crash, hang, sanitizer report or leak is a bug; errors
// are expected and fine.
#include <cstddef>
#include <cstdint>
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
    (void)SynapseFromHeaders(*cls, ToHeaders(*cls, *synapse));
    (void)SynapseFromBody(*cls, ToBody(*cls, *synapse));
    (void)VerifyMessageSignature(
        synapse->dendrite.hotkey.value_or(""),
        SignatureMessage(synapse->dendrite.nonce, synapse->dendrite.hotkey, "5Axon",
                         synapse->dendrite.uuid, synapse->computed_body_hash),
        synapse->dendrite.signature.value_or(""));
  }
  return 0;
}
