#include "orchestra/ledger/merge.h"

#include <gtest/gtest.h>

#include "orchestra/core/temp_dir.h"
#include "orchestra/ledger/sqlite_store.h"

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
  EXPECT_EQ(merge.report.outcomes.size(), 1u);
  return merge.report.outcomes.front();
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
  EXPECT_TRUE(merge.report.changed());
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
  EXPECT_FALSE(merge.report.changed());
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
  ASSERT_EQ(merge.report.outcomes.size(), 2u);
  EXPECT_EQ(merge.report.outcomes[0].subnet_id, "SN22");
  EXPECT_EQ(merge.report.outcomes[0].outcome, ImportOutcome::kUnchanged);
  EXPECT_EQ(merge.report.outcomes[1].subnet_id, "SN9");
  EXPECT_EQ(merge.report.outcomes[1].outcome, ImportOutcome::kAdded);
  EXPECT_EQ(merge.entries.size(), Seed().entries().size() + 1);
}

TEST(MergeImportTest, RejectedEntriesAreReportedWithTheirReasonAndChangeNothing) {
  LedgerDocument document;
  document.rejected.push_back({"SN13", Error(ErrorCode::kInvalidArgument, "SN13.reliability: x")});
  const ImportMerge merge = MergeImport(Seed(), document);
  EXPECT_EQ(Only(merge).outcome, ImportOutcome::kRejected);
  EXPECT_EQ(Only(merge).reason, "SN13.reliability: x");
  EXPECT_EQ(merge.report.Count(ImportOutcome::kRejected), 1u);
  EXPECT_FALSE(merge.report.changed());
  EXPECT_EQ(Snapshot(merge.entries).version(), Seed().version());
}

UidFigures Figures(int uid, double avg_latency_ms) {
  UidFigures f;
  f.uid = uid;
  f.avg_latency_ms = avg_latency_ms;
  f.p95_latency_ms = avg_latency_ms * 2;
  f.calls = 10;
  return f;
}

TEST(MergeImportTest, WhatWeLearnedPerUidIsOursAndSurvivesAnUpdate) {
  Snapshot ours = [] {
    std::map<std::string, LedgerEntry> entries = Seed().entries();
    entries["SN22"].uids = {Figures(3, 300)};
    return Snapshot(std::move(entries));
  }();
  const ImportMerge merge = MergeImport(ours, ImportOf("SN22", [](LedgerEntry& e) {
                                          e.avg_latency_ms = 410;
                                          e.last_updated = "2026-02-09T10:00:00Z";
                                          e.uids = {Figures(3, 900), Figures(7, 100)};
                                        }));
  EXPECT_EQ(Only(merge).outcome, ImportOutcome::kUpdated);
  for (const FieldChange& change : Only(merge).changes) EXPECT_NE(change.field, "uid_figures");
  const LedgerEntry& sn22 = merge.entries.at("SN22");
  EXPECT_EQ(sn22.avg_latency_ms, 410);
  ASSERT_EQ(sn22.uids.size(), 1u);
  EXPECT_EQ(sn22.uids[0].avg_latency_ms, 300);
}

TEST(MergeImportTest, ASubnetTheImportAddsStartsWithoutUidFigures) {
  LedgerDocument document;
  LedgerEntry sn9 = *Seed().Find("SN42");
  sn9.subnet_id = "SN9";
  sn9.uids = {Figures(1, 100)};
  document.entries["SN9"] = sn9;
  const ImportMerge merge = MergeImport(Seed(), document);
  EXPECT_EQ(Only(merge).outcome, ImportOutcome::kAdded);
  EXPECT_TRUE(merge.entries.at("SN9").uids.empty());
}

TEST(ApplyImportTest, WritesWhatItAddsAndUpdatesAndKeepsWhatIsNewer) {
  orchestra::testing::TempDir dir;
  auto store = SqliteStore::Open(dir.path() / "ledger.db");
  ASSERT_TRUE(store.ok()) << store.error().ToString();
  LedgerDocument document = ImportOf("SN22", [](LedgerEntry& e) {
    e.avg_latency_ms = 410;
    e.last_updated = "2026-02-09T10:00:00Z";
  });
  LedgerEntry older = *Seed().Find("SN13");
  older.reliability = 0.5;
  older.last_updated = "2026-01-01T00:00:00Z";
  document.entries["SN13"] = older;
  LedgerEntry sn9 = *Seed().Find("SN42");
  sn9.subnet_id = "SN9";
  sn9.netuid = 9;
  document.entries["SN9"] = sn9;
  document.rejected.push_back({"SN5", Error(ErrorCode::kInvalidArgument, "SN5.name: x")});

  auto report = ApplyImport(**store, document);
  ASSERT_TRUE(report.ok()) << report.error().ToString();
  ASSERT_EQ(report->outcomes.size(), 4u);
  EXPECT_EQ(report->outcomes[0].outcome, ImportOutcome::kKeptOurs);  // SN13
  EXPECT_EQ(report->outcomes[1].outcome, ImportOutcome::kUpdated);   // SN22
  EXPECT_EQ(report->outcomes[2].outcome, ImportOutcome::kRejected);  // SN5
  EXPECT_EQ(report->outcomes[3].outcome, ImportOutcome::kAdded);     // SN9
  auto stored = (*store)->Load();
  ASSERT_TRUE(stored.ok()) << stored.error().ToString();
  EXPECT_EQ(stored->entries().size(), Seed().entries().size() + 1);  // seeded, then SN9
  EXPECT_EQ(stored->Find("SN22")->avg_latency_ms, 410);
  EXPECT_EQ(stored->Find("SN13")->reliability, Seed().Find("SN13")->reliability);
  EXPECT_NE(stored->Find("SN9"), nullptr);
  EXPECT_EQ(stored->Find("SN5"), nullptr);
}

// A store that, the first time it is asked to update, lets another writer put a newer entry
// in first: what a second process writing between the import's load and its write looks like.
class RacedStore : public Store {
 public:
  RacedStore(Store& inner, LedgerEntry newer) : inner_(inner), newer_(std::move(newer)) {}
  Result<Snapshot> Load() override { return inner_.Load(); }
  Status Upsert(const LedgerEntry& entry) override { return inner_.Upsert(entry); }
  Status ReplaceAll(const Snapshot& snapshot) override { return inner_.ReplaceAll(snapshot); }
  Result<bool> SeedIfEmpty(const Snapshot& seed) override { return inner_.SeedIfEmpty(seed); }
  Result<int> Count() override { return inner_.Count(); }
  Result<LedgerEntry> Update(std::string_view subnet_id, const EntryUpdate& fn) override {
    if (!raced_) {
      raced_ = true;
      if (auto s = inner_.Upsert(newer_); !s) return s.error();
    }
    return inner_.Update(subnet_id, fn);
  }
  Result<int64_t> Append(std::string_view kind, std::string_view subnet_id,
                         const Json& body) override {
    return inner_.Append(kind, subnet_id, body);
  }
  Result<std::vector<StoredEvent>> Events(int64_t since_id, int limit) override {
    return inner_.Events(since_id, limit);
  }
  std::string Describe() const override { return inner_.Describe(); }

 private:
  Store& inner_;
  LedgerEntry newer_;
  bool raced_ = false;
};

TEST(ApplyImportTest, AnEntryAnotherWriterMadeNewerMeanwhileIsKept) {
  orchestra::testing::TempDir dir;
  auto store = SqliteStore::Open(dir.path() / "ledger.db");
  ASSERT_TRUE(store.ok()) << store.error().ToString();
  LedgerEntry newer = *Seed().Find("SN22");
  newer.avg_latency_ms = 500;
  newer.last_updated = "2026-03-01T00:00:00Z";
  RacedStore raced(**store, newer);

  auto report = ApplyImport(raced, ImportOf("SN22", [](LedgerEntry& e) {
                              e.avg_latency_ms = 410;
                              e.last_updated = "2026-02-09T10:00:00Z";
                            }));
  ASSERT_TRUE(report.ok()) << report.error().ToString();
  ASSERT_EQ(report->outcomes.size(), 1u);
  EXPECT_EQ(report->outcomes[0].outcome, ImportOutcome::kKeptOurs);
  EXPECT_EQ(report->outcomes[0].reason,
            "ours was updated later (2026-03-01T00:00:00Z) than the import's "
            "(2026-02-09T10:00:00Z)");
  EXPECT_EQ((*store)->Load()->Find("SN22")->avg_latency_ms, 500);
}

}  // namespace
}  // namespace orchestra::ledger
