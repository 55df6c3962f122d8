#include "orchestra/schema/key_match.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace orchestra::schema
