#include "orchestra/core/rng.h"

#include <cmath>
#include <string_view>

namespace orchestra {

double Rng::LogNormalMeanP95(double mean, double p95) {
  constexpr double kZ95 = 1.6448536269514722;
  // mean = exp(mu + s^2/2), p95 = exp(mu + z s)  =>  s^2/2 - z s + ln(p95/mean) = 0.
  const double gap = std::log(std::max(p95, mean * 1.01) / mean);
  const double disc = std::max(kZ95 * kZ95 - 2.0 * gap, 0.0);
  const double sigma = kZ95 - std::sqrt(disc);
  const double mu = std::log(mean) - sigma * sigma / 2.0;
  return std::lognormal_distribution<double>(mu, sigma)(engine_);
}

double Rng::LogNormalMedianP95(double p50, double p95) {
  constexpr double kZ95 = 1.6448536269514722;
  const double sigma = std::log(std::max(p95, p50) / p50) / kZ95;
  return std::lognormal_distribution<double>(std::log(p50), sigma)(engine_);
}

uint64_t DeriveSeed(uint64_t seed, std::string_view name) {
  uint64_t h = 1469598103934665603ull ^ seed;  // FNV-1a over the name, keyed by the seed
  for (unsigned char c : name) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace orchestra
