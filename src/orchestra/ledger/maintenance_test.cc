#include "orchestra/ledger/maintenance.h"

#include <gtest/gtest.h>

#include "orchestra/ledger/snapshot.h"

namespace orchestra::ledger {
namespace {

const Snapshot& Seed() {
  static const Snapshot seed = *SeedSnapshot();
  return seed;
}

ProbeRound Round(std::initializer_list<std::string_view> answers, int64_t at_ms = 1000) {
  ProbeRound r;
  r.at_ms = at_ms;
  r.probes = 3;
  for (auto a : answers) {
    r.answers.push_back(*ParseJson(a));
    r.latencies_ms.push_back(40);
    r.receipts.push_back("0xreceipt" + std::to_string(r.receipts.size()));
  }
  return r;
}

constexpr std::string_view kGood = R"({"results": [{"title": "a"}], "total_found": 1})";
constexpr std::string_view kDrifted = R"({"items": [{"title": "a"}], "total_found": "1"})";

TEST(MaintenanceTest, AnAnsweringSubnetStaysHealthyAndUnchanged) {
  const LedgerEntry& sn22 = *Seed().Find("SN22");
  Maintained m = ApplyProbes(sn22, sn22.compiled_output_schema(), Round({kGood, kGood}));
  EXPECT_FALSE(m.drift);
  EXPECT_FALSE(m.was);
  EXPECT_TRUE(m.proposals.empty());
  EXPECT_EQ(m.entry.output_schema, sn22.output_schema);
  ASSERT_EQ(m.entry.probe_history.size(), 1u);
  EXPECT_TRUE(m.entry.probe_history[0].ok);
  EXPECT_EQ(m.entry.probe_history[0].latency_ms, 40);
  EXPECT_FALSE(m.entry.output_fingerprint.empty());
}

TEST(MaintenanceTest, DriftIsRecordedWithAProposalAndTheRenameIsLearned) {
  const LedgerEntry& sn22 = *Seed().Find("SN22");
  Maintained m = ApplyProbes(sn22, sn22.compiled_output_schema(), Round({kDrifted, kDrifted}));
  ASSERT_TRUE(m.drift);
  EXPECT_EQ(m.drift->changes.size(), 3u);  // results gone, items new, total_found retyped
  EXPECT_NE(m.drift->before, m.drift->after);
  EXPECT_EQ(CompactJson(m.entry.output_schema), R"({"items":"list[dict]","total_found":"str"})");
  EXPECT_EQ(m.entry.output_renames, (std::map<std::string, std::string>{{"results", "items"}}));
  ASSERT_EQ(m.proposals.size(), 1u);
  EXPECT_EQ(m.proposals[0].at("kind"), "schema_update");
  EXPECT_EQ(m.proposals[0].at("evidence").at("receipts").as_array().size(), 2u);

  // Next round, against the new schema: nothing more changed. A later rename back is undone.
  auto compiled = schema::Schema::FromTarget(m.entry.output_schema);
  ASSERT_TRUE(compiled.ok());
  Maintained again = ApplyProbes(m.entry, &*compiled, Round({kDrifted, kDrifted}, 2000));
  EXPECT_FALSE(again.drift);
  Maintained back = ApplyProbes(m.entry, &*compiled, Round({kGood, kGood}, 3000));
  ASSERT_TRUE(back.drift);
  EXPECT_TRUE(back.entry.output_renames.empty());
}

TEST(MaintenanceTest, FieldsAddedBesideTheDeclaredOnesAreNoDrift) {
  const LedgerEntry& sn22 = *Seed().Find("SN22");
  constexpr std::string_view kMore =
      R"({"results": [{"title": "a"}], "total_found": 1, "took_ms": 3})";
  EXPECT_FALSE(ApplyProbes(sn22, sn22.compiled_output_schema(), Round({kMore, kMore})).drift);
}

TEST(MaintenanceTest, OneAnswerOrOneOddAnswerIsNotDrift) {
  const LedgerEntry& sn22 = *Seed().Find("SN22");
  EXPECT_FALSE(ApplyProbes(sn22, sn22.compiled_output_schema(), Round({kDrifted})).drift);
  EXPECT_FALSE(
      ApplyProbes(sn22, sn22.compiled_output_schema(), Round({kGood, kGood, kDrifted})).drift);
}

TEST(MaintenanceTest, ASilentSubnetIsDegradedThenDeprecatedAndRecovers) {
  LedgerEntry e = *Seed().Find("SN22");
  Maintained m = ApplyProbes(e, e.compiled_output_schema(), Round({}));
  EXPECT_EQ(m.entry.status, EntryStatus::kDegraded);
  ASSERT_TRUE(m.was);
  EXPECT_EQ(*m.was, EntryStatus::kHealthy);
  e = m.entry;
  std::vector<Json> proposals;
  for (int i = 1; i < 10; ++i) {
    m = ApplyProbes(e, e.compiled_output_schema(), Round({}, 1000 + i));
    e = m.entry;
    for (auto& p : m.proposals) proposals.push_back(p);
  }
  EXPECT_EQ(e.status, EntryStatus::kDeprecated);
  EXPECT_EQ(e.probe_history.size(), LedgerEntry::kProbeWindow);
  ASSERT_EQ(proposals.size(), 1u);
  EXPECT_EQ(proposals[0].at("kind"), "deprecation");
  // Two answered rounds out of ten are still too few; the third brings it back.
  for (int i = 0; i < 2; ++i) e = ApplyProbes(e, nullptr, Round({kGood})).entry;
  EXPECT_EQ(e.status, EntryStatus::kDeprecated);
  e = ApplyProbes(e, nullptr, Round({kGood})).entry;
  EXPECT_EQ(e.status, EntryStatus::kHealthy);
  // What the loop kept reads back.
  auto read = EntryFromJson("SN22", ToJson(e));
  ASSERT_TRUE(read.ok()) << read.error().ToString();
  EXPECT_EQ(ToJson(*read), ToJson(e));
}

}  // namespace
}  // namespace orchestra::ledger
