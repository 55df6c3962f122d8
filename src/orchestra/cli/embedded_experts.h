#pragma once

#include <cstdint>
#include <memory>

#include "orchestra/core/result.h"
#include "orchestra/ledger/snapshot.h"
#include "orchestra/sim/expert_network.h"

namespace orchestra::cli {

// The simulated expert subnets of `ledger`, serving the embedded corpus on loopback ports
// (the embedded default until real subnets are wired in).
Result<std::unique_ptr<sim::ExpertNetwork>> StartEmbeddedExperts(const ledger::Snapshot& ledger,
                                                                 uint64_t seed,
                                                                 double latency_scale);

}  // namespace orchestra::cli
