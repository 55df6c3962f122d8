#include "orchestra/protocol/orchestra_synapse.h"

#include <gtest/gtest.h>

#include "orchestra/core/hash.h"

namespace orchestra::protocol {
namespace {

TEST(ChallengeTest, ReadsAllFieldsAndDefaultsTheDeadline) {
  auto json = ParseJson(R"({"challenge_id": "0x4f2a", "objective": "Find things",
                            "target_schema": {"a": "str"}, "hints": {"k": 1}})");
  auto c = ChallengeFromJson(*json);
  ASSERT_TRUE(c.ok()) << c.error().ToString();
  EXPECT_EQ(c->challenge_id, "0x4f2a");
  EXPECT_EQ(c->objective, "Find things");
  EXPECT_EQ(c->deadline_ms, kDefaultDeadlineMs);
  EXPECT_TRUE(c->hints.is_object());
}

TEST(ChallengeTest, ErrorNamesTheBadField) {
  auto bad_deadline = ChallengeFromJson(
      *ParseJson(R"({"objective": "x", "target_schema": {}, "deadline_ms": "soon"})"));
  ASSERT_FALSE(bad_deadline.ok());
  EXPECT_EQ(bad_deadline.error().message, "deadline_ms: must be an integer");
  auto no_schema = ChallengeFromJson(*ParseJson(R"({"objective": "x"})"));
  ASSERT_FALSE(no_schema.ok());
  EXPECT_EQ(no_schema.error().message, "target_schema: is required");
  auto negative = ChallengeFromJson(
      *ParseJson(R"({"objective": "x", "target_schema": {}, "deadline_ms": -5})"));
  ASSERT_FALSE(negative.ok());
  EXPECT_EQ(negative.error().message, "deadline_ms: must be a positive integer");
}

TEST(ResponseTest, RoundTripsThroughJson) {
  Response r;
  r.challenge_id = "0xabc";
  TaskStep s;
  s.step = 2;
  s.subnet = "SN13";
  s.task = "competitor_scraping";
  s.query = JsonObject{{"urls", JsonArray{"https://akash.network"}}};
  s.hash = "0x" + std::string(64, 'e');
  s.latency_ms = 812;
  s.cost = 0.003;
  s.depends_on = {1};
  s.error = "deadline_exceeded: no answer";
  r.task_pipeline.push_back(s);
  r.total_cost = 0.003;
  r.standardized_data = JsonObject{{"k", "v"}};
  auto back = ResponseFromJson(ToJson(r));
  ASSERT_TRUE(back.ok()) << back.error().ToString();
  EXPECT_EQ(CanonicalJson(ToJson(*back)), CanonicalJson(ToJson(r)));
}

}  // namespace
}  // namespace orchestra::protocol
