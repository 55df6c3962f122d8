#include "orchestra/sim/relevance.h"

#include <gtest/gtest.h>

namespace orchestra::sim {
namespace {

using Terms = std::vector<std::string>;

TEST(RelevanceTest, TopicTermsLeaveOutInstructionsAndFraming) {
  EXPECT_EQ(TopicFilter("Compare open-source message brokers for IoT telemetry").topic_terms(),
            (Terms{"broker", "iot", "messag", "telemetry"}));
  EXPECT_EQ(TopicFilter("Explain what the zstd compression format is good for").topic_terms(),
            (Terms{"compression", "format", "zstd"}));
  EXPECT_EQ(TopicFilter("Find recent AI funding rounds in 2025 and summarize trends").topic_terms(),
            (Terms{"ai", "fund", "round"}));
}

TEST(RelevanceTest, StemsMatchAcrossWordForms) {
  EXPECT_EQ(MatchStem("pricing"), MatchStem("price"));
  EXPECT_EQ(MatchStem("messaging"), MatchStem("message"));
  EXPECT_EQ(MatchStem("used"), "used");  // too short to strip
  const TopicFilter filter("GPU pricing for computing marketplaces");
  EXPECT_EQ(filter.SharedTerms(TextTerms("The GPU market: prices compared")), 3u);
  // A short word is never a prefix match: "gp" is not "gpu".
  EXPECT_EQ(filter.SharedTerms(TextTerms("gp comp")), 0u);
}

TEST(RelevanceTest, NeedsTwoSharedTermsOrTheOnlyOne) {
  const TopicFilter brokers("Compare open-source message brokers for IoT telemetry");
  EXPECT_EQ(brokers.required_terms(), 2u);
  EXPECT_TRUE(brokers.IsRelevant(TextTerms("RabbitMQ: a robust messaging broker")));
  EXPECT_FALSE(brokers.IsRelevant(TextTerms("Open-source telemetry for GPU compute clouds")));
  EXPECT_FALSE(brokers.IsRelevant(TextTerms("Akash: a decentralized open source compute market")));

  const TopicFilter zstd("zstd");
  EXPECT_EQ(zstd.required_terms(), 1u);
  EXPECT_TRUE(zstd.IsRelevant(TextTerms("zstd: fast lossless compression")));
  EXPECT_FALSE(zstd.IsRelevant(TextTerms("gzip: GNU compression utilities")));
}

TEST(RelevanceTest, LongerObjectivesNeedAThirdOfTheirTerms) {
  const TopicFilter final(
      "List the starting line-ups of both teams in the 2026 FIFA World Cup final");
  EXPECT_EQ(final.topic_terms(), (Terms{"cup", "fifa", "final", "line", "start", "ups", "world"}));
  EXPECT_EQ(final.required_terms(), 3u);
  EXPECT_FALSE(final.IsRelevant(TextTerms("The smartest command line parser in the world")));
  EXPECT_TRUE(final.IsRelevant(TextTerms("World Cup final: the starting XI")));
}

TEST(RelevanceTest, UrlPiecesAndFramingVerbsAreNotTopics) {
  EXPECT_EQ(TopicFilter("Summarise what https://mosquitto.org/ offers and which MQTT versions it "
                        "supports")
                .topic_terms(),
            (Terms{"mosquitto", "mqtt", "version"}));
  EXPECT_EQ(TopicFilter("Explain how MQTT and AMQP differ for device telemetry").topic_terms(),
            (Terms{"amqp", "devic", "mqtt", "telemetry"}));
}

TEST(RelevanceTest, AnObjectiveWithoutTopicTermsJudgesNothingOffTopic) {
  const TopicFilter filter("Please summarize the latest overview");
  EXPECT_TRUE(filter.topic_terms().empty());
  EXPECT_TRUE(filter.IsRelevant(TextTerms("anything at all")));
}

}  // namespace
}  // namespace orchestra::sim
