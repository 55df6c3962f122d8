#pragma once

#include <cstdint>
#include <memory>

#include "orchestra/core/result.h"
#include "orchestra/sim/simulator.h"

namespace orchestra::cli {

// The simulated expert subnets of the embedded manifest, serving the embedded corpus on
// loopback ports in this process (the embedded default until real subnets are wired in).
Result<std::unique_ptr<sim::Simulator>> StartEmbeddedExperts(uint64_t seed, double latency_scale);

}  // namespace orchestra::cli
