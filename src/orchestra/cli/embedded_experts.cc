#include "orchestra/cli/embedded_experts.h"

#include "orchestra/sim/corpus.h"
#include "orchestra/sim/manifest.h"

namespace orchestra::cli {

Result<std::unique_ptr<sim::Simulator>> StartEmbeddedExperts(uint64_t seed, double latency_scale) {
  auto manifest = sim::Manifest::Default();
  if (!manifest) return Error(manifest.error().code, "manifest: " + manifest.error().message);
  auto corpus = sim::Corpus::LoadEmbedded();
  if (!corpus) return Error(corpus.error().code, "corpus: " + corpus.error().message);
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
