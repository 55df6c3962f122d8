#include "orchestra/schema/key_match.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <string>

namespace orchestra::schema {
namespace {

using ::testing::ElementsAre;
using ::testing::Optional;

TEST(NormalizeKeyTest, NamingStylesMeetInSnakeCase) {
  EXPECT_EQ(NormalizeKey("competitorName"), "competitor_name");
  EXPECT_EQ(NormalizeKey("CompetitorName"), "competitor_name");
  EXPECT_EQ(NormalizeKey("competitor_name"), "competitor_name");
  EXPECT_EQ(NormalizeKey("Competitor Name"), "competitor_name");
  EXPECT_EQ(NormalizeKey("competitor-name"), "competitor_name");
  EXPECT_EQ(NormalizeKey("  __Competitor--name__ "), "competitor_name");
}

TEST(NormalizeKeyTest, AcronymsSplitBeforeTheNextWord) {
  EXPECT_EQ(NormalizeKey("HTTPStatus"), "http_status");
  EXPECT_EQ(NormalizeKey("URL"), "url");
  EXPECT_EQ(NormalizeKey("p95LatencyMs"), "p95_latency_ms");
}

TEST(MatchKeysTest, PrefersExactThenNormalizedThenSynonym) {
  const auto match = MatchKeys({"name", "price_point"}, {"title", "Name", "name", "pricePoint"});
  EXPECT_THAT(match, ElementsAre(Optional(2u), Optional(3u)));
}

TEST(MatchKeysTest, EachGivenKeyIsUsedOnce) {
  const auto match = MatchKeys({"name", "title"}, {"title"});
  EXPECT_EQ(match[0], std::nullopt);
  EXPECT_THAT(match[1], Optional(0u));
}

TEST(MatchKeysTest, UnrelatedKeysDoNotMatch) {
  EXPECT_EQ(MatchKeys({"gap"}, {"gaps"})[0], std::nullopt);
}

// The pairwise definition MatchKeys must agree with: each pass takes, for each wanted key in
// order, the first unused given key that qualifies.
std::vector<std::optional<size_t>> PairwiseMatch(const std::vector<std::string_view>& wanted,
                                                 const std::vector<std::string_view>& given) {
  std::vector<std::optional<size_t>> match(wanted.size());
  std::vector<bool> used(given.size(), false);
  auto pass = [&](auto&& same) {
    for (size_t w = 0; w < wanted.size(); ++w) {
      for (size_t g = 0; g < given.size() && !match[w]; ++g) {
        if (used[g] || !same(w, g)) continue;
        match[w] = g;
        used[g] = true;
      }
    }
  };
  pass([&](size_t w, size_t g) { return wanted[w] == given[g]; });
  pass([&](size_t w, size_t g) { return NormalizeKey(wanted[w]) == NormalizeKey(given[g]); });
  pass([&](size_t w, size_t g) {
    return AreSynonyms(NormalizeKey(wanted[w]), NormalizeKey(given[g]));
  });
  return match;
}

TEST(MatchKeysTest, AgreesWithThePairwiseDefinition) {
  const std::vector<std::string> pool = {"name",       "Name",        "title",       "Title",
                                         "url",        "link",        "URL",         "about",
                                         "summary",    "description", "price_point", "pricePoint",
                                         "PricePoint", "price-point", "gap",         "x"};
  std::mt19937 rng(16);
  for (int round = 0; round < 2000; ++round) {
    std::vector<std::string_view> wanted, given;
    const size_t w = rng() % 7, g = rng() % 9;
    for (size_t i = 0; i < w; ++i) wanted.push_back(pool[rng() % pool.size()]);
    for (size_t i = 0; i < g; ++i) given.push_back(pool[rng() % pool.size()]);
    ASSERT_EQ(MatchKeys(wanted, given), PairwiseMatch(wanted, given)) << "round " << round;
  }
}

TEST(MatchKeysTest, HundredThousandKeysMatchWithLinearWork) {
  // Wanted "f0_value" ... in order; given "F99999Value" ... "F0Value" (the same keys in another
  // naming style, reversed) plus 10 exact keys and a synonym.
  constexpr size_t kKeys = 100'000;
  std::vector<std::string> wanted_text, given_text;
  for (size_t i = 0; i < kKeys; ++i) wanted_text.push_back("f" + std::to_string(i) + "_value");
  wanted_text.push_back("title");
  for (size_t i = kKeys; i-- > 0;) {
    given_text.push_back(i < 10 ? wanted_text[i] : "F" + std::to_string(i) + "Value");
  }
  given_text.push_back("name");
  const std::vector<std::string_view> wanted(wanted_text.begin(), wanted_text.end());
  const std::vector<std::string_view> given(given_text.begin(), given_text.end());
  KeyMatchWork work;
  const auto match = MatchKeys(wanted, given, &work);
  for (size_t i = 0; i < kKeys; ++i) ASSERT_EQ(match[i], kKeys - 1 - i) << wanted[i];
  EXPECT_EQ(match[kKeys], kKeys);
  // Pairwise passes would look at up to 10^10 pairs.
  EXPECT_LE(work.lookups, 4 * (wanted.size() + given.size()));
}

}  // namespace
}  // namespace orchestra::schema
