// Untrusted schema and document, validated: the input is split at the first NUL byte (or a line
// "%%") into a schema (JSON Schema or the seed shorthand) and an instance (JSON, else the bytes
// as one string). Compiles the schema ("format" asserted on every other input) and validates the
// instance twice: in full (every violation, with messages and measures) and in the fast mode the
// standardizer uses (first failure only); the two must agree on the verdict, and the measures
// must stay in range. Any crash, hang, sanitizer report or leak is a bug; errors are fine.
// Run (see docs/schema.md, "Fuzzing"):
//   ORCHESTRA_SANITIZE=1 ORCHESTRA_BUILD_DIR=build-fuzz scripts/build fuzz_schema
//   mkdir -p /tmp/fuzz_schema && build-fuzz/fuzz/fuzz_schema -max_total_time=600 -timeout=10 \
//       -max_len=4096 /tmp/fuzz_schema fuzz/corpus/schema
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "orchestra/core/json.h"
#include "orchestra/schema/schema.h"
#include "orchestra/schema/shorthand.h"
#include "orchestra/schema/validator.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace orchestra;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t split = input.find('\0');
  size_t skip = 1;
  if (split == std::string_view::npos) {
    split = input.find("\n%%\n");
    skip = 4;
  }
  if (split == std::string_view::npos) return 0;
  auto schema_json = ParseJson(input.substr(0, split));
  if (!schema_json) return 0;
  schema::CompileOptions options;
  options.assert_format = size % 2 == 0;
  options.max_evaluations = 1 << 20;
  auto compiled = schema::LooksLikeJsonSchema(*schema_json)
                      ? schema::Schema::Compile(*schema_json, options)
                      : schema::Schema::FromTarget(*schema_json);
  if (!compiled) return 0;
  const std::string_view instance_text = input.substr(split + skip);
  auto instance = ParseJson(instance_text);
  const Json document = instance ? std::move(*instance) : Json(std::string(instance_text));

  const schema::ValidationReport report = compiled->Validate(document);
  if (report.valid != report.violations.empty()) __builtin_trap();
  if (!(report.compliance >= 0 && report.compliance <= 1)) __builtin_trap();
  if (!(report.completeness >= 0 && report.completeness <= 1)) __builtin_trap();
  if (report.total_fields < 1 || report.populated_fields > report.total_fields) __builtin_trap();
  if (report.required_populated > report.required_fields) __builtin_trap();
  // The fast mode stops at the first failure, so it may finish where the full walk ran out of
  // its evaluation budget; otherwise the verdicts must be the same.
  bool limited = false;
  for (const auto& v : report.violations) limited = limited || v.rule == "limit";
  const bool accepted = schema::Accepts(compiled->root(), document, compiled->options());
  if (!limited && accepted != report.valid) __builtin_trap();
  return 0;
}
