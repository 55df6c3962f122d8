#include "orchestra/ledger/merge.h"

#include <gtest/gtest.h>

namespace orchestra::ledger {
namespace {

Snapshot Seed() {
  auto seed = SeedSnapshot();
  EXPECT_TRUE(seed.ok());
  return *seed;
}

// An import holding the seed's `id` changed by `edit`.
template <typename Edit>
LedgerDocument ImportOf(const std::string& id, Edit edit) {
  LedgerDocument document;
  LedgerEntry entry = *Seed().Find(id);
  edit(entry);
  document.entries[id] = entry;
  return document;
}

const EntryImport& Only(const ImportMerge& merge) {
  EXPECT_EQ(merge.outcomes.size(), 1u);
  return merge.outcomes.front();
}

TEST(MergeImportTest, ANewerEntryReplacesOursAndSaysWhatChanged) {
  const ImportMerge merge = MergeImport(Seed(), ImportOf("SN22", [](LedgerEntry& e) {
                                          e.avg_latency_ms = 410;
                                          e.last_updated = "2026-02-09T10:00:00Z";
                                        }));
  const EntryImport& sn22 = Only(merge);
  EXPECT_EQ(sn22.outcome, ImportOutcome::kUpdated);
  ASSERT_EQ(sn22.changes.size(), 2u);
  EXPECT_EQ(sn22.changes[0].field, "avg_latency_ms");
  EXPECT_EQ(sn22.changes[1].field, "last_updated");
  EXPECT_TRUE(merge.changed());
  EXPECT_EQ(merge.entries.at("SN22").avg_latency_ms, 410);
  EXPECT_EQ(merge.entries.size(), Seed().entries().size());  // the others are kept
}

TEST(MergeImportTest, AnOlderEntryDoesNotOverwriteWhatWeLearnedLater) {
  const ImportMerge merge = MergeImport(Seed(), ImportOf("SN22", [](LedgerEntry& e) {
                                          e.avg_latency_ms = 410;
                                          e.last_updated = "2026-02-07T10:00:00Z";
                                        }));
  const EntryImport& sn22 = Only(merge);
  EXPECT_EQ(sn22.outcome, ImportOutcome::kKeptOurs);
  EXPECT_EQ(sn22.reason,
            "ours was updated later (2026-02-08T10:00:00Z) than the import's "
            "(2026-02-07T10:00:00Z)");
  EXPECT_FALSE(merge.changed());
  EXPECT_EQ(merge.entries.at("SN22").avg_latency_ms, 340);
}

TEST(MergeImportTest, TimesAreComparedAsInstantsNotAsText) {
  // Same instant, another spelling: not older, so the different figure is taken.
  const ImportMerge merge = MergeImport(Seed(), ImportOf("SN22", [](LedgerEntry& e) {
                                          e.reliability = 0.9;
                                          e.last_updated = "2026-02-08T11:00:00.000+01:00";
                                        }));
  EXPECT_EQ(Only(merge).outcome, ImportOutcome::kUpdated);
}

TEST(MergeImportTest, AnEntryWithoutAReadableTimeDoesNotOverwriteOneWithIt) {
  const ImportMerge merge = MergeImport(Seed(), ImportOf("SN22", [](LedgerEntry& e) {
                                          e.reliability = 0.9;
                                          e.last_updated = "";
                                        }));
  EXPECT_EQ(Only(merge).outcome, ImportOutcome::kKeptOurs);
  EXPECT_EQ(Only(merge).reason,
            "the import's last_updated \"\" is no ISO 8601 time; ours is 2026-02-08T10:00:00Z");
}

TEST(MergeImportTest, EqualEntriesAreUnchangedAndNewSubnetsAdded) {
  LedgerDocument document = ImportOf("SN22", [](LedgerEntry&) {});
  LedgerEntry sn9 = *Seed().Find("SN42");
  sn9.subnet_id = "SN9";
  sn9.netuid = 9;
  document.entries["SN9"] = sn9;
  const ImportMerge merge = MergeImport(Seed(), document);
  ASSERT_EQ(merge.outcomes.size(), 2u);
  EXPECT_EQ(merge.outcomes[0].subnet_id, "SN22");
  EXPECT_EQ(merge.outcomes[0].outcome, ImportOutcome::kUnchanged);
  EXPECT_EQ(merge.outcomes[1].subnet_id, "SN9");
  EXPECT_EQ(merge.outcomes[1].outcome, ImportOutcome::kAdded);
  EXPECT_EQ(merge.entries.size(), Seed().entries().size() + 1);
}

TEST(MergeImportTest, RejectedEntriesAreReportedWithTheirReasonAndChangeNothing) {
  LedgerDocument document;
  document.rejected.push_back({"SN13", Error(ErrorCode::kInvalidArgument, "SN13.reliability: x")});
  const ImportMerge merge = MergeImport(Seed(), document);
  EXPECT_EQ(Only(merge).outcome, ImportOutcome::kRejected);
  EXPECT_EQ(Only(merge).reason, "SN13.reliability: x");
  EXPECT_EQ(merge.Count(ImportOutcome::kRejected), 1u);
  EXPECT_FALSE(merge.changed());
  EXPECT_EQ(Snapshot(merge.entries).version(), Seed().version());
}

}  // namespace
}  // namespace orchestra::ledger
