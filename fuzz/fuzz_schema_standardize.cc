// Untrusted schema and dirty document, standardized: the input is split at the first NUL byte
// (or a line "%%") into a target_schema (JSON Schema or the seed shorthand, "format" asserted
// on every other input) and a dirty document (JSON, else the bytes as one string). Standardizes
// the document, validates the clean result and, when it is valid, standardizes it again, which
// must change nothing (idempotence). The instance bytes are
// also read as a loose date: whatever ReadLooseDate accepts must format to a valid RFC 3339
// date (and date-time when it has a time and an offset). Any crash, hang, sanitizer report or
// leak is a bug; errors and unfixable documents are fine.
// Run (see docs/schema.md, "Fuzzing"):
//   ORCHESTRA_SANITIZE=1 ORCHESTRA_BUILD_DIR=build-fuzz scripts/build fuzz_schema_standardize
//   mkdir -p /tmp/fuzz_schema_standardize && build-fuzz/fuzz/fuzz_schema_standardize \
//       -max_total_time=600 -timeout=10 -max_len=4096 /tmp/fuzz_schema_standardize \
//       fuzz/corpus/schema_standardize
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "orchestra/core/json.h"
#include "orchestra/schema/format.h"
#include "orchestra/schema/loose_date.h"
#include "orchestra/schema/schema.h"
#include "orchestra/schema/shorthand.h"
#include "orchestra/schema/standardize.h"

namespace {

void CheckLooseDate(std::string_view text) {
  using namespace orchestra::schema;
  auto date = ReadLooseDate(text);
  if (!date) return;
  if (!CheckFormat(Format::kDate, FormatIsoDate(*date))) __builtin_trap();
  if (date->has_time && date->has_offset && !CheckFormat(Format::kDateTime, FormatRfc3339(*date))) {
    __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace orchestra;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t split = input.find('\0');
  size_t skip = 1;
  if (split == std::string_view::npos) {
    split = input.find("\n%%\n");
    skip = 4;
  }
  if (split == std::string_view::npos) {
    CheckLooseDate(input);
    return 0;
  }
  const std::string_view dirty_text = input.substr(split + skip);
  CheckLooseDate(dirty_text);
  auto schema_json = ParseJson(input.substr(0, split));
  if (!schema_json) return 0;
  schema::CompileOptions options;
  options.assert_format = size % 2 == 0;
  options.max_evaluations = 1 << 20;
  auto compiled = schema::LooksLikeJsonSchema(*schema_json)
                      ? schema::Schema::Compile(*schema_json, options)
                      : schema::Schema::FromTarget(*schema_json);
  if (!compiled) return 0;
  auto dirty = ParseJson(dirty_text);
  const Json document = dirty ? std::move(*dirty) : Json(std::string(dirty_text));
  const schema::Standardized once = schema::Standardize(document, *compiled);
  // Idempotence: a clean document that satisfies the schema is left as it is.
  if (compiled->Validate(once.clean).valid) {
    const schema::Standardized twice = schema::Standardize(once.clean, *compiled);
    if (CanonicalJson(twice.clean) != CanonicalJson(once.clean)) __builtin_trap();
  }
  return 0;
}
