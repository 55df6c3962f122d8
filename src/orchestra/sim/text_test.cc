#include "orchestra/sim/text.h"

#include <gtest/gtest.h>

namespace orchestra::sim {
namespace {

TEST(ParseLabelledTextTest, SplitsGapOpportunityDifficultyIntoOneRecord) {
  const auto records = ParseLabelledText(
      "Gap: No dominant player for ML inference workloads. Opportunity: Purpose-built inference "
      "routing with latency guarantees. Difficulty: Medium - requires validator network for SLA "
      "enforcement.");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].at("Gap"), "No dominant player for ML inference workloads");
  EXPECT_EQ(records[0].at("Opportunity"),
            "Purpose-built inference routing with latency guarantees");
  EXPECT_EQ(records[0].at("Difficulty"), "Medium - requires validator network for SLA enforcement");
}

TEST(ParseLabelledTextTest, RepeatedLabelStartsANewRecord) {
  const auto records =
      ParseLabelledText("Trend: A rises. Evidence: B.\nTrend: C falls. Evidence: D.");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].at("Trend"), "A rises");
  EXPECT_EQ(records[1].at("Evidence"), "D");
}

TEST(ParseLabelledTextTest, ValueSpansSentencesUntilTheNextLabel) {
  const auto records = ParseLabelledText(
      "Recommendation: Focus on inference. No player owns it. Price point: 1.99. Rationale: "
      "cheap.");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].at("Recommendation"), "Focus on inference. No player owns it");
  EXPECT_EQ(records[0].at("Price point"), "1.99");
  EXPECT_EQ(records[0].at("Rationale"), "cheap");
}

TEST(ParseLabelledTextTest, IgnoresColonsInsideSentencesAndLongLabels) {
  EXPECT_TRUE(ParseLabelledText("The market has three big players: Akash, Render, Golem.").empty());
  EXPECT_TRUE(ParseLabelledText("See https://akash.network at 10:30 today.").empty());
}

TEST(NormalizeKeyTest, IgnoresCaseSeparatorsAndCamelCase) {
  EXPECT_EQ(NormalizeKey("published_date"), "publisheddate");
  EXPECT_EQ(NormalizeKey("publishedDate"), "publisheddate");
  EXPECT_EQ(NormalizeKey("Published Date"), "publisheddate");
}

TEST(KeyMatchRankTest, PrefersExactThenPluralThenSynonym) {
  EXPECT_EQ(KeyMatchRank("name", "name"), 0);
  EXPECT_EQ(KeyMatchRank("strengths", "strength"), 1);
  EXPECT_EQ(KeyMatchRank("companies", "company"), 1);
  EXPECT_EQ(KeyMatchRank("name", "title"), 2);
  EXPECT_EQ(KeyMatchRank("description", "about"), 2);
  EXPECT_EQ(KeyMatchRank("link", "url"), 2);
  EXPECT_EQ(KeyMatchRank("name", "snippet"), -1);
}

}  // namespace
}  // namespace orchestra::sim
