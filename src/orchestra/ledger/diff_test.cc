#include "orchestra/ledger/diff.h"

#include <gtest/gtest.h>

namespace orchestra::ledger {
namespace {

Snapshot Seed() {
  auto seed = SeedSnapshot();
  EXPECT_TRUE(seed.ok());
  return *seed;
}

// The seed with SN22 changed, SN1 removed and an SN9 added.
Snapshot Edited() {
  std::map<std::string, LedgerEntry> entries = Seed().entries();
  entries["SN22"].avg_latency_ms = 410;
  entries["SN22"].capabilities.push_back("image_search");
  entries.erase("SN1");
  LedgerEntry sn9 = entries["SN42"];
  sn9.subnet_id = "SN9";
  sn9.netuid = 9;
  sn9.name = "Pretrain";
  entries["SN9"] = sn9;
  return Snapshot(std::move(entries));
}

TEST(LedgerDiffTest, EqualLedgersAreIdentical) {
  const LedgerDiff diff = DiffLedgers(Seed(), Seed());
  EXPECT_TRUE(diff.identical());
  EXPECT_EQ(diff.from_version, diff.to_version);
}

TEST(LedgerDiffTest, NamesEveryAddedRemovedAndChangedSubnetWithOldAndNewValues) {
  const LedgerDiff diff = DiffLedgers(Seed(), Edited());
  ASSERT_EQ(diff.subnets.size(), 3u);
  EXPECT_EQ(diff.subnets[0].subnet_id, "SN1");
  EXPECT_EQ(diff.subnets[0].change, SubnetChange::kRemoved);
  EXPECT_EQ(JsonString(diff.subnets[0].entry, "name"), "Apex");
  EXPECT_EQ(diff.subnets[1].subnet_id, "SN22");
  EXPECT_EQ(diff.subnets[1].change, SubnetChange::kChanged);
  ASSERT_EQ(diff.subnets[1].fields.size(), 2u);
  EXPECT_EQ(diff.subnets[1].fields[0].field, "avg_latency_ms");
  EXPECT_EQ(CanonicalJson(diff.subnets[1].fields[0].old_value), "340.0");
  EXPECT_EQ(CanonicalJson(diff.subnets[1].fields[0].new_value), "410.0");
  EXPECT_EQ(diff.subnets[1].fields[1].field, "capabilities");
  EXPECT_EQ(diff.subnets[2].subnet_id, "SN9");
  EXPECT_EQ(diff.subnets[2].change, SubnetChange::kAdded);
  EXPECT_EQ(JsonString(diff.subnets[2].entry, "name"), "Pretrain");
}

TEST(LedgerDiffTest, ReversingTheDiffSwapsAddedWithRemovedAndOldWithNew) {
  const LedgerDiff forward = DiffLedgers(Seed(), Edited());
  const LedgerDiff back = DiffLedgers(Edited(), Seed());
  ASSERT_EQ(back.subnets.size(), 3u);
  EXPECT_EQ(back.subnets[0].change, SubnetChange::kAdded);
  EXPECT_EQ(back.subnets[2].change, SubnetChange::kRemoved);
  EXPECT_EQ(CanonicalJson(back.subnets[1].fields[0].old_value),
            CanonicalJson(forward.subnets[1].fields[0].new_value));
}

TEST(LedgerDiffTest, JsonFormCarriesVersionsAndFieldChanges) {
  const Json json = ToJson(DiffLedgers(Seed(), Edited()));
  EXPECT_EQ(JsonString(*JsonFind(json, "from"), "version"), Seed().version());
  EXPECT_EQ(JsonString(*JsonFind(json, "to"), "version"), Edited().version());
  EXPECT_FALSE(JsonFind(json, "identical")->as_bool());
  const Json& sn22 = JsonFind(json, "subnets")->as_array()[1];
  EXPECT_EQ(JsonString(sn22, "change"), "changed");
  EXPECT_EQ(CanonicalJson(JsonFind(sn22, "fields")->as_array()[0]),
            R"({"field":"avg_latency_ms","new":410.0,"old":340.0})");
}

}  // namespace
}  // namespace orchestra::ledger
