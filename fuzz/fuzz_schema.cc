// Untrusted schema and document: the input is split at the first NUL byte (or a line "%%")
// into a schema and an instance. Compiles the schema (JSON Schema or shorthand, with "format"
// asserted on every other input), validates the instance, standardizes it, and validates the
// clean result; also runs any "pattern" on the instance text. Any crash, hang, sanitizer
// report or leak is a bug; errors are expected and fine.
// Run: cmake -S . -B build-fuzz -G Ninja -DORCHESTRA_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++-14 &&
//      ninja -C build-fuzz fuzz_schema &&
//      build-fuzz/fuzz/fuzz_schema -max_total_time=600 -timeout=10 fuzz/corpus/schema
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "orchestra/core/json.h"
#include "orchestra/schema/pattern.h"
#include "orchestra/schema/schema.h"
#include "orchestra/schema/shorthand.h"
#include "orchestra/schema/standardize.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace orchestra;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t split = input.find('\0');
  size_t skip = 1;
  if (split == std::string_view::npos) {
    split = input.find("\n%%\n");
    skip = 4;
  }
  const std::string_view schema_text = input.substr(0, split);
  const std::string_view instance_text =
      split == std::string_view::npos ? std::string_view() : input.substr(split + skip);
  auto schema_json = ParseJson(schema_text);
  if (!schema_json) {
    // Not JSON: try the bytes as a regular expression instead.
    if (auto pattern = schema::Pattern::Compile(schema_text)) (void)pattern->Search(instance_text);
    return 0;
  }
  schema::CompileOptions options;
  options.assert_format = size % 2 == 0;
  options.max_evaluations = 1 << 20;
  auto compiled = schema::LooksLikeJsonSchema(*schema_json)
                      ? schema::Schema::Compile(*schema_json, options)
                      : schema::Schema::FromTarget(*schema_json);
  if (!compiled) return 0;
  auto instance = ParseJson(instance_text);
  const Json document = instance ? std::move(*instance) : Json(std::string(instance_text));
  (void)compiled->Validate(document);
  const schema::Standardized standardized = schema::Standardize(document, *compiled);
  (void)compiled->Validate(standardized.clean);
  return 0;
}
