#pragma once

#include <cstdint>
#include <random>
#include <string_view>

namespace orchestra {

// Seeded pseudo-random source. Same seed, same sequence: simulations and benchmarks built on
// it are reproducible. Not for cryptography.
class Rng {
 public:
  explicit Rng(uint64_t seed) : engine_(seed) {}

  double Uniform() { return std::uniform_real_distribution<double>(0.0, 1.0)(engine_); }
  uint64_t Next() { return engine_(); }
  // A log-normal draw whose mean is `mean` and whose 95th percentile is `p95` (p95 > mean > 0;
  // a p95 not above the mean gives a tight distribution around the mean).
  double LogNormalMeanP95(double mean, double p95);
  // A log-normal draw with median `p50` and 95th percentile `p95` (p95 >= p50 > 0).
  double LogNormalMedianP95(double p50, double p95);

 private:
  std::mt19937_64 engine_;
};

// Mixes a name into a seed, so each named stream (one per expert UID, say) is independent.
uint64_t DeriveSeed(uint64_t seed, std::string_view name);

}  // namespace orchestra
