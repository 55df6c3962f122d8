#include "orchestra/core/rng.h"

#include <cmath>
#include <random>
#include <string_view>

namespace orchestra {
namespace {

// SplitMix64's step: a bijective mix, so distinct inputs give distinct outputs.
uint64_t SplitMix64(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

uint64_t RotateLeft(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

Rng::Rng(uint64_t seed) {
  // SplitMix64 never gives four zero words in a row, the one state xoshiro must avoid.
  for (uint64_t& word : state_) word = SplitMix64(seed);
}

uint64_t Rng::Next() {
  uint64_t* s = state_.data();
  const uint64_t result = RotateLeft(s[1] * 5, 7) * 9;
  const uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = RotateLeft(s[3], 45);
  return result;
}

double Rng::LogNormalMeanP95(double mean, double p95) {
  constexpr double kZ95 = 1.6448536269514722;
  // mean = exp(mu + s^2/2), p95 = exp(mu + z s)  =>  s^2/2 - z s + ln(p95/mean) = 0.
  const double gap = std::log(std::max(p95, mean * 1.01) / mean);
  const double disc = std::max(kZ95 * kZ95 - 2.0 * gap, 0.0);
  const double sigma = kZ95 - std::sqrt(disc);
  const double mu = std::log(mean) - sigma * sigma / 2.0;
  return std::lognormal_distribution<double>(mu, sigma)(*this);
}

double Rng::LogNormalMedianP95(double p50, double p95) {
  constexpr double kZ95 = 1.6448536269514722;
  const double sigma = std::log(std::max(p95, p50) / p50) / kZ95;
  return std::lognormal_distribution<double>(std::log(p50), sigma)(*this);
}

uint64_t DeriveSeed(uint64_t seed, std::string_view name) {
  uint64_t h = 1469598103934665603ull ^ seed;  // FNV-1a over the name, keyed by the seed
  for (unsigned char c : name) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

uint64_t DeriveSeed(uint64_t seed, uint64_t value) {
  uint64_t x = seed ^ SplitMix64(value);
  return SplitMix64(x);
}

}  // namespace orchestra
