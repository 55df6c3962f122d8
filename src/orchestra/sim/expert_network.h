#pragma once

#include <cstdint>
#include <memory>

#include "orchestra/core/result.h"
#include "orchestra/experts/directory.h"
#include "orchestra/ledger/snapshot.h"
#include "orchestra/sim/corpus.h"

namespace orchestra::sim {

struct NetworkOptions {
  uint64_t seed = 42;          // same seed, same latency sequence per subnet
  double latency_scale = 1.0;  // 0 answers at once; 1 follows the ledger's avg/p95
  std::string host = "127.0.0.1";
};

// The embedded expert network: one loopback HTTP server per ledger subnet the simulator can
// play — web_search (SN22-like Desearch synapse), web_scraping (SN13-like Data Universe synapse)
// and synthesis (OpenAI chat completions) — on ephemeral ports, served by one background thread.
// Each answer is delayed by a log-normal draw matching the subnet's ledger avg and p95 latency.
// Stops (and joins its thread) on destruction.
class ExpertNetwork {
 public:
  static Result<std::unique_ptr<ExpertNetwork>> Start(const ledger::Snapshot& ledger,
                                                      std::shared_ptr<const Corpus> corpus,
                                                      NetworkOptions options);
  virtual ~ExpertNetwork() = default;

  // Where each subnet's UIDs listen; valid while the network runs.
  virtual const experts::Directory& directory() const = 0;
};

}  // namespace orchestra::sim
