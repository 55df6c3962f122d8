#include "orchestra/cli/embedded_experts.h"

#include "orchestra/sim/corpus.h"

namespace orchestra::cli {

Result<std::unique_ptr<sim::ExpertNetwork>> StartEmbeddedExperts(const ledger::Snapshot& ledger,
                                                                 uint64_t seed,
                                                                 double latency_scale) {
  auto corpus = sim::Corpus::LoadEmbedded();
  if (!corpus) return Error(corpus.error().code, "corpus: " + corpus.error().message);
  auto network =
      sim::ExpertNetwork::Start(ledger, std::make_shared<const sim::Corpus>(std::move(*corpus)),
                                sim::NetworkOptions{seed, latency_scale});
  if (!network) return Error(network.error().code, "expert network: " + network.error().message);
  return network;
}

}  // namespace orchestra::cli
