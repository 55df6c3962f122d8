#include "orchestra/cli/embedded_experts.h"

#include <fmt/format.h>

#include <cstdio>

#include "orchestra/sim/manifest.h"

namespace orchestra::cli {

Result<sim::Corpus> OpenExpertCorpus(std::string_view kind,
                                     const std::filesystem::path& experts_dir) {
  if (kind == "curated") {
    auto corpus = sim::Corpus::LoadEmbedded();
    if (!corpus) return Error(corpus.error().code, "corpus: " + corpus.error().message);
    return corpus;
  }
  if (kind != "full") {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("corpus: {:?} is neither \"full\" nor \"curated\"", kind));
  }
  sim::CorpusOpenOptions options;
  // Only the first build takes long enough to need explaining; stdout stays the command's.
  options.progress = [](std::string_view line) {
    fmt::print(stderr, "orchestra: {}\n", line);
    std::fflush(stderr);
  };
  auto corpus = sim::Corpus::OpenEmbedded(sim::CorpusDirectory(experts_dir), options);
  if (!corpus) return Error(corpus.error().code, "corpus: " + corpus.error().message);
  return corpus;
}

Result<std::unique_ptr<sim::Simulator>> StartEmbeddedExperts(
    uint64_t seed, double latency_scale, std::string_view corpus_kind,
    const std::filesystem::path& experts_dir) {
  auto manifest = sim::Manifest::Default();
  if (!manifest) return Error(manifest.error().code, "manifest: " + manifest.error().message);
  auto corpus = OpenExpertCorpus(corpus_kind, experts_dir);
  if (!corpus) return corpus.error();
  sim::SimulatorOptions options;
  options.seed = seed;
  options.latency_scale = latency_scale;
  auto simulator = sim::Simulator::Start(
      std::move(*manifest), std::make_shared<const sim::Corpus>(std::move(*corpus)), options);
  if (!simulator) {
    return Error(simulator.error().code, "expert simulator: " + simulator.error().message);
  }
  return simulator;
}

}  // namespace orchestra::cli
