#pragma once

#include <string>
#include <string_view>

// Bench-only: realistic documents for the schema engine's benchmarks, generated
// deterministically so that the C++ benchmark and the Python comparison read identical bytes.
namespace orchestra::bench {

// The JSON Schema Pydantic v2 emits for the competitive-landscape model in
// bench/schema_vs_python.py (TypeAdapter(Landscape).json_schema(), compact): $defs and $ref,
// Optional fields (anyOf with null), date and date-time formats, a pattern, enums, bounds.
std::string_view LandscapeSchema();

// A competitive-landscape answer as an expert-fed miner would return it: nested lists of
// competitors (each with pricing plans and search-result sources), market gaps, numbers,
// dates. `competitors` and `sources_per_competitor` set the size (see kDocumentSizes).
// Compact JSON; always valid against LandscapeSchema().
std::string LandscapeDocument(int competitors, int sources_per_competitor);

// The same content as an expert would send it dirty: wrapped in {"status": "ok", "data": ...},
// camelCase keys, numbers as text ("1,234", "$12.50"), dates as "March 5, 2019" and RFC 2822,
// strengths as one comma-joined string. Standardize(dirty, schema) turns it back into a
// document LandscapeSchema() accepts.
std::string DirtyLandscapeDocument(int competitors, int sources_per_competitor);

// The three benchmark sizes: about 1 KB, 10 KB and 1 MB.
struct DocumentSize {
  std::string_view label;
  int competitors;
  int sources_per_competitor;
};
inline constexpr DocumentSize kDocumentSizes[] = {
    {"1KB", 1, 1},
    {"10KB", 6, 3},
    {"1MB", 620, 3},
};

}  // namespace orchestra::bench
