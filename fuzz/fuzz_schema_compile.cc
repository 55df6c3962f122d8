// Untrusted schemas, compiled: the whole input is a target_schema (JSON Schema or the seed
// shorthand) compiled with both "format" modes, then validated against itself as an instance;
// input that is not JSON is compiled as a "pattern" and searched in its own text. Any crash,
// hang, sanitizer report or leak is a bug; compile errors are expected and fine.
// Run (see docs/schema.md, "Fuzzing"):
//   ORCHESTRA_SANITIZE=1 ORCHESTRA_BUILD_DIR=build-fuzz scripts/build fuzz_schema_compile
//   mkdir -p /tmp/fuzz_schema_compile && build-fuzz/fuzz/fuzz_schema_compile \
//       -max_total_time=600 -timeout=10 -max_len=4096 /tmp/fuzz_schema_compile \
//       fuzz/corpus/schema_compile
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "orchestra/core/json.h"
#include "orchestra/schema/pattern.h"
#include "orchestra/schema/schema.h"
#include "orchestra/schema/shorthand.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace orchestra;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto json = ParseJson(input);
  if (!json) {
    if (auto pattern = schema::Pattern::Compile(input)) (void)pattern->Search(input);
    return 0;
  }
  if (!schema::LooksLikeJsonSchema(*json)) {
    // Whatever shorthand converts must compile: the converter emits only what Compile accepts.
    auto converted = schema::ShorthandToJsonSchema(*json);
    if (!converted) return 0;
    auto target = schema::Schema::FromTarget(*json);
    if (!target) __builtin_trap();
    (void)target->Validate(*converted);
    return 0;
  }
  for (bool assert_format : {false, true}) {
    schema::CompileOptions options;
    options.assert_format = assert_format;
    options.max_evaluations = 1 << 18;
    auto compiled = schema::Schema::Compile(*json, options);
    if (!compiled) return 0;
    (void)compiled->Validate(*json);
  }
  return 0;
}
