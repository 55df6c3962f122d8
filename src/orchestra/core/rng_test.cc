#include "orchestra/core/rng.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <vector>

namespace orchestra {
namespace {

TEST(RngTest, SameSeedSameSequenceOtherSeedOtherSequence) {
  Rng a(42), b(42), c(43);
  std::vector<uint64_t> from_a, from_c;
  for (int i = 0; i < 100; ++i) {
    from_a.push_back(a.Next());
    EXPECT_EQ(from_a.back(), b.Next()) << "draw " << i;
    from_c.push_back(c.Next());
  }
  EXPECT_NE(from_a, from_c);
  EXPECT_EQ(std::set<uint64_t>(from_a.begin(), from_a.end()).size(), from_a.size());
}

// Known answers: xoshiro256** (Blackman and Vigna) from the state SplitMix64 spreads seed 0 into
// (its first output, 0xe220a8397b1dcdaf, is the published one), computed apart in Python.
TEST(RngTest, MatchesTheReferenceAlgorithm) {
  Rng rng(0);
  EXPECT_EQ(rng.Next(), 0x99ec5f36cb75f2b4ull);
  EXPECT_EQ(rng.Next(), 0xbf6e1f784956452aull);
  EXPECT_EQ(rng.Next(), 0x1a5f849d4933e6e0ull);
  EXPECT_EQ(rng.Next(), 0x6aa594f1262d2d2cull);
}

TEST(RngTest, ZeroSeedIsAsGoodAsAny) {
  Rng rng(0);
  std::set<uint64_t> seen;
  for (int i = 0; i < 100; ++i) seen.insert(rng.Next());
  EXPECT_EQ(seen.size(), 100u);
}

TEST(RngTest, UniformStaysInTheUnitIntervalAndSpreadsOverIt) {
  Rng rng(7);
  constexpr int kDraws = 100'000;
  std::vector<int> deciles(10, 0);
  for (int i = 0; i < kDraws; ++i) {
    const double u = rng.Uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    ++deciles[static_cast<int>(u * 10)];
  }
  // 10,000 expected per decile; the binomial's standard deviation is 95.
  for (int d = 0; d < 10; ++d) EXPECT_NEAR(deciles[d], kDraws / 10, 500) << "decile " << d;
}

TEST(RngTest, LogNormalMedianP95HitsItsQuantiles) {
  Rng rng(11);
  std::vector<double> draws(20'000);
  for (double& x : draws) x = rng.LogNormalMedianP95(100.0, 400.0);
  std::sort(draws.begin(), draws.end());
  EXPECT_NEAR(draws[draws.size() / 2], 100.0, 5.0);
  EXPECT_NEAR(draws[draws.size() * 95 / 100], 400.0, 30.0);
  EXPECT_GT(draws.front(), 0.0);
}

TEST(RngTest, LogNormalMeanP95HitsItsMean) {
  Rng rng(12);
  double sum = 0;
  constexpr int kDraws = 50'000;
  for (int i = 0; i < kDraws; ++i) sum += rng.LogNormalMeanP95(50.0, 120.0);
  EXPECT_NEAR(sum / kDraws, 50.0, 1.5);
}

TEST(RngTest, DerivedSeedsNameIndependentStreams) {
  EXPECT_EQ(DeriveSeed(1, "uid-0"), DeriveSeed(1, "uid-0"));
  EXPECT_NE(DeriveSeed(1, "uid-0"), DeriveSeed(1, "uid-1"));
  EXPECT_NE(DeriveSeed(1, "uid-0"), DeriveSeed(2, "uid-0"));
  std::set<uint64_t> seeds;
  for (uint64_t n = 0; n < 1000; ++n) {
    seeds.insert(DeriveSeed(9, n));
    EXPECT_EQ(DeriveSeed(9, n), DeriveSeed(9, n));
  }
  EXPECT_EQ(seeds.size(), 1000u);
  EXPECT_NE(DeriveSeed(9, uint64_t{5}), DeriveSeed(10, uint64_t{5}));
}

}  // namespace
}  // namespace orchestra
