#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace orchestra {

// Seeded pseudo-random source (xoshiro256**, its state spread from the seed by SplitMix64).
// Same seed, same sequence: simulations and benchmarks built on it are reproducible. Cheap to
// seed (the simulator makes one per expert call). Not for cryptography.
class Rng {
 public:
  // A UniformRandomBitGenerator, so that <random>'s distributions can draw from it.
  using result_type = uint64_t;
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return ~uint64_t{0}; }

  explicit Rng(uint64_t seed);

  uint64_t Next();
  result_type operator()() { return Next(); }
  // Uniform on [0, 1), 53 random bits.
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  // A log-normal draw whose mean is `mean` and whose 95th percentile is `p95` (p95 > mean > 0;
  // a p95 not above the mean gives a tight distribution around the mean).
  double LogNormalMeanP95(double mean, double p95);
  // A log-normal draw with median `p50` and 95th percentile `p95` (p95 >= p50 > 0).
  double LogNormalMedianP95(double p50, double p95);

 private:
  std::array<uint64_t, 4> state_;
};

// Mixes a name into a seed, so each named stream (one per expert UID, say) is independent.
uint64_t DeriveSeed(uint64_t seed, std::string_view name);
// Mixes a number into a seed: DeriveSeed(DeriveSeed(s, "call"), n) names stream n of "call"
// without formatting a string.
uint64_t DeriveSeed(uint64_t seed, uint64_t value);

}  // namespace orchestra
