#include "orchestra/ledger/learner.h"

#include <gtest/gtest.h>

namespace orchestra::ledger {
namespace {

SnapshotPtr Seed() { return std::make_shared<const Snapshot>(*SeedSnapshot()); }

CallOutcome Answered(int uid, double latency_ms, std::optional<double> price = std::nullopt) {
  return CallOutcome{"SN22", uid, true, latency_ms, price, 1'800'000'000'000, false};
}
CallOutcome Failed(int uid) {
  return CallOutcome{"SN22", uid, false, 900, {}, 1'800'000'000'000, false};
}

const UidFigures* Uid(const LedgerEntry& e, int uid) {
  for (const UidFigures& f : e.uids) {
    if (f.uid == uid) return &f;
  }
  return nullptr;
}

TEST(LearnerTest, NothingRecordedPublishesNothing) {
  Learner learner(Seed());
  EXPECT_EQ(learner.Publish(0), nullptr);
  learner.Record(CallOutcome{"SN999", 0, true, 10, {}, 0, false});  // not in the ledger
  EXPECT_EQ(learner.Publish(0), nullptr);
}

TEST(LearnerTest, AnswersMoveTheFiguresFromTheSeedTowardsWhatTheSubnetDoes) {
  const SnapshotPtr seed = Seed();
  const LedgerEntry& before = *seed->Find("SN22");
  Learner learner(seed);
  learner.Record(Answered(0, 40, 0.0015));
  SnapshotPtr one = learner.Publish(1'800'000'000'000);
  ASSERT_NE(one, nullptr);
  const LedgerEntry& after_one = *one->Find("SN22");
  // One fast answer nudges the average down, not to 40 ms; too few samples keep the seed's p95.
  EXPECT_LT(after_one.avg_latency_ms, before.avg_latency_ms);
  EXPECT_GT(after_one.avg_latency_ms, 40);
  EXPECT_EQ(after_one.p95_latency_ms, before.p95_latency_ms);
  EXPECT_EQ(after_one.cost_per_query, 0.0015);  // the receipt's price, not the seed's estimate
  EXPECT_EQ(after_one.last_updated, "2027-01-15T08:00:00Z");
  EXPECT_NE(one->version(), seed->version());
  EXPECT_EQ(learner.Publish(0), nullptr);  // nothing new since

  for (int i = 0; i < 60; ++i) learner.Record(Answered(i % 2, 40 + i % 10));
  const SnapshotPtr later = learner.Publish(0);
  const LedgerEntry& many = *later->Find("SN22");
  EXPECT_NEAR(many.avg_latency_ms, 45, 5);
  EXPECT_GE(many.p95_latency_ms, 48);
  EXPECT_LE(many.p95_latency_ms, 49);
  EXPECT_GT(many.reliability, before.reliability);
  ASSERT_EQ(many.uids.size(), 2u);
  EXPECT_EQ(Uid(many, 0)->calls, 31);
  EXPECT_EQ(Uid(many, 0)->last_seen_ms, 1'800'000'000'000);
  EXPECT_EQ(Uid(many, 0)->consecutive_failures, 0);
  // Other subnets keep the seed's figures.
  EXPECT_EQ(ToJson(*later->Find("SN33")), ToJson(*seed->Find("SN33")));
}

TEST(LearnerTest, AUidThatKeepsFailingIsAvoidedUntilItAnswersAgain) {
  Learner learner(Seed());
  for (int i = 0; i < 5; ++i) learner.Record(Answered(1, 50));
  for (int i = 0; i < UidFigures::kAvoidAfter; ++i) learner.Record(Failed(0));
  SnapshotPtr snapshot = learner.Publish(0);
  const LedgerEntry& e = *snapshot->Find("SN22");
  EXPECT_TRUE(Uid(e, 0)->avoided());
  EXPECT_LT(Uid(e, 0)->reliability, Uid(e, 1)->reliability);
  EXPECT_FALSE(Uid(e, 1)->avoided());
  // UID 2 has no figures: it is expected to do as the subnet does, and comes before UID 0.
  EXPECT_EQ(UidOrder(e, {0, 1, 2}, 0).back(), 0);

  learner.Record(CallOutcome{"SN22", 0, true, 50, {}, 0, true});  // a probe that got an answer
  const SnapshotPtr probed = learner.Publish(0);
  EXPECT_FALSE(Uid(*probed->Find("SN22"), 0)->avoided());
}

TEST(LearnerTest, AUidWhoseAnswersTheAuditRejectsLosesItsFirstTries) {
  Learner learner(Seed());
  // Equally fast and reliable; UID 2's results are mostly off topic.
  for (int i = 0; i < 6; ++i) {
    for (int uid : {0, 2}) learner.Record(Answered(uid, 40));
    learner.RecordQuality("SN22", 0, 0.8);
    learner.RecordQuality("SN22", 2, 0.2);
  }
  const SnapshotPtr snapshot = learner.Publish(0);
  const LedgerEntry& e = *snapshot->Find("SN22");
  EXPECT_NEAR(Uid(e, 0)->quality, 0.8, 1e-9);
  EXPECT_NEAR(Uid(e, 2)->quality, 0.2, 1e-9);
  for (uint64_t spread = 0; spread < 3; ++spread) {
    const std::vector<int> order = UidOrder(e, {0, 1, 2}, spread);
    EXPECT_EQ(order.back(), 2);   // the worst last, whatever the spread
    EXPECT_NE(order.front(), 2);  // UID 1, unknown, is expected at the mean quality (0.5)
  }
}

TEST(LearnerTest, PublishingSharesTheCompiledSchemasAndRebaseKeepsWhatWasLearned) {
  const SnapshotPtr seed = Seed();
  Learner learner(seed);
  learner.Record(Answered(0, 40));
  SnapshotPtr published = learner.Publish(0);
  EXPECT_EQ(published->Find("SN22")->compiled_output_schema(),
            seed->Find("SN22")->compiled_output_schema());

  // A new base without SN33 (say, an import): SN22's figures carry over.
  std::map<std::string, LedgerEntry> entries = seed->entries();
  entries.erase("SN33");
  learner.Rebase(std::make_shared<const Snapshot>(std::move(entries)));
  SnapshotPtr rebased = learner.Publish(0);
  ASSERT_NE(rebased, nullptr);
  EXPECT_EQ(rebased->Find("SN33"), nullptr);
  EXPECT_EQ(rebased->Find("SN22")->uids.size(), 1u);
}

TEST(UidOrderTest, BestFirstAvoidedLastAndEqualPeersTakeTurns) {
  LedgerEntry e = *SeedSnapshot()->Find("SN22");
  e.avg_latency_ms = 100;
  e.reliability = 1;
  e.uids = {UidFigures{0, 300, 400, 1.0, 1.0, 0, 10, 0}, UidFigures{1, 50, 80, 1.0, 1.0, 0, 10, 0},
            UidFigures{2, 100, 120, 0.5, 1.0, 0, 10, 0}, UidFigures{3, 20, 30, 1.0, 1.0, 3, 10, 0}};
  // UID 4 has no figures (the subnet's: 100 ms); UID 2 takes 200 ms per good answer; UID 3 is
  // fast but avoided.
  EXPECT_EQ(UidOrder(e, {0, 1, 2, 3, 4}, 0), (std::vector<int>{1, 4, 2, 0, 3}));
  // Equally good UIDs share the first place in turn.
  e.uids.clear();
  EXPECT_EQ(UidOrder(e, {0, 1, 2}, 0).front(), 0);
  EXPECT_EQ(UidOrder(e, {0, 1, 2}, 1).front(), 1);
  EXPECT_EQ(UidOrder(e, {0, 1, 2}, 5).front(), 2);
  EXPECT_TRUE(UidOrder(e, {}, 3).empty());
}

TEST(EntryTest, UidFiguresRoundTripAndBadOnesAreNamed) {
  LedgerEntry e = *SeedSnapshot()->Find("SN22");
  e.uids = {UidFigures{0, 30, 60, 0.9, 1.0, 1, 12, 1'800'000'000'000}};
  auto back = EntryFromJson("SN22", ToJson(e));
  ASSERT_TRUE(back.ok()) << back.error().ToString();
  EXPECT_EQ(ToJson(*back), ToJson(e));

  for (const auto& [figures, error] : std::vector<std::pair<std::string, std::string>>{
           {R"("x")", "SN22.uid_figures: must be a list of objects"},
           {R"([{"uid": -1}])", "SN22.uid_figures[0].uid: must be an integer from 0 to 65535"},
           {R"([{"uid": 1, "avg_latency_ms": 5, "reliability": 2}])",
            "SN22.uid_figures[0].reliability: must be in [0, 1]"},
           {R"([{"uid": 1, "avg_latency_ms": 5, "reliability": 1},
                {"uid": 1, "avg_latency_ms": 5, "reliability": 1}])",
            "SN22.uid_figures[1].uid: UIDs must be listed once each, in increasing order"}}) {
    Json json = ToJson(e);
    json.as_object()["uid_figures"] = *ParseJson(figures);
    auto read = EntryFromJson("SN22", json);
    ASSERT_FALSE(read.ok()) << figures;
    EXPECT_EQ(read.error().message, error);
  }
}

}  // namespace
}  // namespace orchestra::ledger
