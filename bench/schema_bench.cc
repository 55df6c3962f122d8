// The schema engine's throughput on realistic documents of about 1 KB, 10 KB and 1 MB (see
// schema_documents.h): parse alone, validate alone (document parsed beforehand), parse +
// validate, and parse + standardize of the dirty variant. Reports documents/s (items_per_second),
// MB/s (bytes_per_second) and heap allocations per document (operator new is counted in this
// binary). Formats are asserted, as Pydantic checks its date and datetime fields.
//
//   build/bench/schema_bench --benchmark_min_time=2
//   build/bench/schema_bench --write_docs=DIR    # the schema and documents, for the Python side
//
// bench/schema_vs_python.sh runs it next to Pydantic v2 and jsonschema on the same bytes.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <new>
#include <string_view>
#include <vector>

#include "orchestra/core/json.h"
#include "orchestra/schema/instance.h"
#include "orchestra/schema/schema.h"
#include "orchestra/schema/standardize.h"
#include "schema_documents.h"

namespace {

// Heap allocations made by this thread (the benchmarks run single-threaded).
thread_local uint64_t t_allocations = 0;

void* Allocate(std::size_t size) {
  ++t_allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}

void* AllocateAligned(std::size_t size, std::align_val_t align) {
  ++t_allocations;
  const auto alignment = static_cast<std::size_t>(align);
  const std::size_t rounded = (size + alignment - 1) / alignment * alignment;
  if (void* p = std::aligned_alloc(alignment, rounded == 0 ? alignment : rounded)) return p;
  throw std::bad_alloc();
}

}  // namespace

void* operator new(std::size_t size) { return Allocate(size); }
void* operator new[](std::size_t size) { return Allocate(size); }
void* operator new(std::size_t size, std::align_val_t align) {
  return AllocateAligned(size, align);
}
void* operator new[](std::size_t size, std::align_val_t align) {
  return AllocateAligned(size, align);
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  ++t_allocations;
  return std::malloc(size == 0 ? 1 : size);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  ++t_allocations;
  return std::malloc(size == 0 ? 1 : size);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

namespace orchestra::bench {
namespace {

struct Documents {
  std::string label;
  std::string clean;  // valid against the schema
  std::string dirty;  // the same content, dirty (standardizes back to `clean`: checked)
  Json parsed;        // `clean`, parsed
};

struct Corpus {
  schema::Schema schema;
  std::vector<Documents> sizes;
};

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "schema_bench: %s\n", what.c_str());
  std::exit(1);
}

// Built once; checks that every document is what its benchmark claims to measure.
const Corpus& TheCorpus() {
  static const Corpus corpus = [] {
    auto schema_json = ParseJson(LandscapeSchema(), "LandscapeSchema");
    if (!schema_json) Fail(schema_json.error().message);
    schema::CompileOptions options;
    options.assert_format = true;
    auto schema = schema::Schema::Compile(*schema_json, options);
    if (!schema) Fail(schema.error().message);
    Corpus c{*schema, {}};
    for (const DocumentSize& size : kDocumentSizes) {
      Documents d;
      d.label = std::string(size.label);
      d.clean = LandscapeDocument(size.competitors, size.sources_per_competitor);
      d.dirty = DirtyLandscapeDocument(size.competitors, size.sources_per_competitor);
      d.parsed = *ParseJson(d.clean);
      const auto report = c.schema.Validate(d.parsed);
      if (!report.valid) Fail(d.label + ": clean document invalid: " + report.violations[0].path);
      c.sizes.push_back(std::move(d));
    }
    return c;
  }();
  return corpus;
}

void Report(benchmark::State& state, const Documents& d, size_t bytes, uint64_t allocations) {
  const auto n = static_cast<int64_t>(state.iterations());
  if (n == 0) return;  // skipped with an error
  state.SetItemsProcessed(n);
  state.SetBytesProcessed(n * static_cast<int64_t>(bytes));
  state.SetLabel(d.label + " (" + std::to_string(bytes) + " B)");
  state.counters["allocs_per_doc"] =
      benchmark::Counter(static_cast<double>(allocations) / static_cast<double>(n));
}

void BM_SchemaParse(benchmark::State& state) {
  const Documents& d = TheCorpus().sizes[static_cast<size_t>(state.range(0))];
  const uint64_t before = t_allocations;
  for (auto _ : state) {
    auto parsed = ParseJson(d.clean);
    benchmark::DoNotOptimize(parsed);
  }
  Report(state, d, d.clean.size(), t_allocations - before);
}

void BM_SchemaValidate(benchmark::State& state) {
  const Corpus& c = TheCorpus();
  const Documents& d = c.sizes[static_cast<size_t>(state.range(0))];
  const uint64_t before = t_allocations;
  for (auto _ : state) {
    auto report = c.schema.Validate(d.parsed);
    benchmark::DoNotOptimize(report);
  }
  Report(state, d, d.clean.size(), t_allocations - before);
}

void BM_SchemaParseValidate(benchmark::State& state) {
  const Corpus& c = TheCorpus();
  const Documents& d = c.sizes[static_cast<size_t>(state.range(0))];
  const uint64_t before = t_allocations;
  for (auto _ : state) {
    auto parsed = ParseJson(d.clean);
    auto report = c.schema.Validate(*parsed);
    if (!report.valid) state.SkipWithError("document became invalid");
    benchmark::DoNotOptimize(report);
  }
  Report(state, d, d.clean.size(), t_allocations - before);
}

// Not the production path: ParseJson (core) allocates every string, array and object from the
// heap. This is what parsing into a reused monotonic buffer would give instead.
void BM_SchemaParseMonotonicValidate(benchmark::State& state) {
  const Corpus& c = TheCorpus();
  const Documents& d = c.sizes[static_cast<size_t>(state.range(0))];
  std::vector<unsigned char> buffer(d.clean.size() * 4 + 4096);
  boost::json::parse_options options;
  options.max_depth = kMaxJsonDepth;
  const uint64_t before = t_allocations;
  for (auto _ : state) {
    boost::json::monotonic_resource arena(buffer.data(), buffer.size());
    boost::system::error_code ec;
    const Json parsed = boost::json::parse(d.clean, ec, &arena, options);
    auto report = c.schema.Validate(parsed);
    if (ec || !report.valid) state.SkipWithError("document became invalid");
    benchmark::DoNotOptimize(report);
  }
  Report(state, d, d.clean.size(), t_allocations - before);
}

void BM_SchemaParseStandardize(benchmark::State& state) {
  const Corpus& c = TheCorpus();
  const Documents& d = c.sizes[static_cast<size_t>(state.range(0))];
  if (!schema::JsonEqual(schema::Standardize(*ParseJson(d.dirty), c.schema).clean, d.parsed)) {
    state.SkipWithError("the dirty document does not standardize to the clean one");
  }
  const uint64_t before = t_allocations;
  for (auto _ : state) {
    auto parsed = ParseJson(d.dirty);
    auto standardized = schema::Standardize(*parsed, c.schema);
    benchmark::DoNotOptimize(standardized);
  }
  Report(state, d, d.dirty.size(), t_allocations - before);
}

// A hostile target_schema: one object with state.range(0) properties, each of them required
// (100,000 is the 1.6 MB challenge of issue 16). Compiled with the default limits (100,000 is
// rejected by max_nodes), or with limits raised past it when state.range(1) is 1.
void BM_SchemaCompileWide(benchmark::State& state) {
  const auto n = static_cast<size_t>(state.range(0));
  schema::CompileOptions options;
  if (state.range(1) == 1) {
    options.max_nodes = 1'000'000;
    options.max_work = 10'000'000;
  }
  JsonObject properties;
  JsonArray required;
  for (size_t i = 0; i < n; ++i) {
    const std::string name = "f" + std::to_string(i);
    properties[name] = JsonObject{{"type", "string"}};
    required.emplace_back(name);
  }
  const Json schema_json = JsonObject{
      {"type", "object"}, {"properties", std::move(properties)}, {"required", std::move(required)}};
  for (auto _ : state) {
    auto schema = schema::Schema::Compile(schema_json, options);
    benchmark::DoNotOptimize(schema);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
}

constexpr int kSizes = static_cast<int>(std::size(kDocumentSizes));
BENCHMARK(BM_SchemaParse)->DenseRange(0, kSizes - 1);
BENCHMARK(BM_SchemaValidate)->DenseRange(0, kSizes - 1);
BENCHMARK(BM_SchemaParseValidate)->DenseRange(0, kSizes - 1);
BENCHMARK(BM_SchemaParseMonotonicValidate)->DenseRange(0, kSizes - 1);
BENCHMARK(BM_SchemaParseStandardize)->DenseRange(0, kSizes - 1);
BENCHMARK(BM_SchemaCompileWide)
    ->Args({1000, 0})
    ->Args({100'000, 0})
    ->Args({100'000, 1})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

// Writes schema.json, <label>.json and dirty_<label>.json per size and a manifest.json listing
// them with their labels, for bench/schema_vs_python.py.
int WriteDocuments(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  auto write = [&](const std::string& name, std::string_view bytes) {
    std::ofstream out(dir / name, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) Fail("cannot write " + (dir / name).string());
  };
  const Corpus& c = TheCorpus();
  write("schema.json", LandscapeSchema());
  JsonArray manifest;
  for (const Documents& d : c.sizes) {
    write(d.label + ".json", d.clean);
    write("dirty_" + d.label + ".json", d.dirty);
    manifest.push_back(JsonObject{{"label", d.label},
                                  {"clean", d.label + ".json"},
                                  {"dirty", "dirty_" + d.label + ".json"},
                                  {"bytes", d.clean.size()}});
  }
  write("manifest.json", CompactJson(Json(std::move(manifest))));
  return 0;
}

}  // namespace
}  // namespace orchestra::bench

int main(int argc, char** argv) {
  constexpr std::string_view kWriteDocs = "--write_docs=";
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg.starts_with(kWriteDocs)) {
      return orchestra::bench::WriteDocuments(std::string(arg.substr(kWriteDocs.size())));
    }
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
