// Untrusted bytes as a challenge: JSON parsing, the challenge codec, target_schema compilation,
// validation and standardization of the same bytes against the compiled schema. Any crash,
// hang, sanitizer report or leak is a bug; errors are expected and fine.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "orchestra/core/json.h"
#include "orchestra/protocol/orchestra_synapse.h"
#include "orchestra/schema/schema.h"
#include "orchestra/schema/standardize.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace orchestra;
  auto json = ParseJson(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!json) return 0;
  (void)CanonicalJson(*json);
  auto challenge = protocol::ChallengeFromJson(*json);
  const Json& target = challenge ? challenge->target_schema : *json;
  auto schema = schema::Schema::FromTarget(target);
  if (!schema) return 0;
  (void)schema->Validate(*json);
  (void)schema::Standardize(*json, *schema);
  return 0;
}
