// Untrusted bytes as a challenge: JSON parsing, the challenge codec, target_schema compilation,
// validation and standardization of the same bytes against the compiled schema. Oracles: the
// canonical form and a challenge each read back to themselves. Any crash, hang, sanitizer
// report, leak or changed round trip is a bug; errors are expected and fine.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "orchestra/core/json.h"
#include "orchestra/protocol/orchestra_synapse.h"
#include "orchestra/schema/schema.h"
#include "orchestra/schema/standardize.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace orchestra;
  auto json = ParseJson(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!json) return 0;
  // Canonical JSON is what gets hashed: parsed again it must give the same bytes.
  const std::string canonical = CanonicalJson(*json);
  auto reparsed = ParseJson(canonical);
  if (!reparsed || CanonicalJson(*reparsed) != canonical) __builtin_trap();
  auto challenge = protocol::ChallengeFromJson(*json);
  // A challenge written out reads back to the same challenge.
  if (challenge) {
    const std::string written = CanonicalJson(protocol::ToJson(*challenge));
    auto written_json = ParseJson(written);
    if (!written_json) __builtin_trap();
    auto again = protocol::ChallengeFromJson(*written_json);
    if (!again || CanonicalJson(protocol::ToJson(*again)) != written) __builtin_trap();
  }
  const Json& target = challenge ? challenge->target_schema : *json;
  auto schema = schema::Schema::FromTarget(target);
  if (!schema) return 0;
  (void)schema->Validate(*json);
  (void)schema::Standardize(*json, *schema);
  return 0;
}
