#include "orchestra/ledger/sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>

namespace orchestra::ledger {
namespace {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/orchestra-ledger-XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

TEST(SeedSnapshotTest, HoldsTheSeedEntriesWithTheirFigures) {
  auto seed = SeedSnapshot();
  ASSERT_TRUE(seed.ok()) << seed.error().ToString();
  const LedgerEntry* sn22 = seed->Find("SN22");
  ASSERT_NE(sn22, nullptr);
  EXPECT_EQ(sn22->name, "Desearch");
  EXPECT_EQ(sn22->avg_latency_ms, 340);
  EXPECT_EQ(sn22->reliability, 0.97);
  EXPECT_EQ(sn22->cost_per_query, 0.002);
  const LedgerEntry* sn13 = seed->Find("SN13");
  ASSERT_NE(sn13, nullptr);
  EXPECT_EQ(sn13->avg_latency_ms, 890);
  EXPECT_EQ(CanonicalJson(sn13->input_schema),
            R"({"extract_fields":"list[str]","urls":"list[str]"})");
  // Every capability has a fallback: SN1 Apex, SN64 Chutes and SN19 Nineteen synthesize.
  EXPECT_EQ(seed->WithCapability("synthesis").size(), 3u);
  EXPECT_EQ(seed->WithCapability("web_scraping").size(), 2u);
}

TEST(OpenLedgerTest, SeedsOnFirstUseAndKeepsLaterEdits) {
  TempDir dir;
  auto first = OpenLedger(dir.path() / "nested");
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  EXPECT_EQ((*first)->entries().size(), SeedSnapshot()->entries().size());
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "nested" / "ledger.db"));

  auto store = SqliteStore::Open(dir.path() / "nested" / "ledger.db");
  ASSERT_TRUE(store.ok());
  LedgerEntry changed = *(*first)->Find("SN22");
  changed.avg_latency_ms = 410;
  ASSERT_TRUE((*store)->Upsert(changed).ok());

  auto second = OpenLedger(dir.path() / "nested");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ((*second)->Find("SN22")->avg_latency_ms, 410);
  EXPECT_NE((*second)->version(), (*first)->version());
}

TEST(SnapshotTest, VersionDependsOnContentOnly) {
  auto a = SeedSnapshot();
  auto b = Snapshot::FromJson(a->ToJson());
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(a->version(), b->version());
  EXPECT_EQ(a->version().rfind("lv-", 0), 0u);
}

TEST(SnapshotTest, BadEntryErrorNamesSubnetAndField) {
  auto json = SeedSnapshot()->ToJson();
  json.as_object()["entries"].as_object()["SN13"].as_object()["reliability"] = 1.5;
  auto bad = Snapshot::FromJson(json);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "SN13.reliability: must be in [0, 1]");
}

TEST(SqliteStoreTest, CorruptRowIsReportedNotCrashed) {
  TempDir dir;
  auto store = SqliteStore::Open(dir.path() / "ledger.db");
  ASSERT_TRUE(store.ok());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir.path() / "ledger.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "INSERT INTO ledger_entries(subnet_id, entry) VALUES('SN9', '{oops')",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto loaded = (*store)->Load();
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.error().message.find("ledger entry SN9"), std::string::npos)
      << loaded.error().message;
}

TEST(SqliteStoreTest, EntryWhoseOutputSchemaDoesNotCompileFailsTheLoadNamingIt) {
  TempDir dir;
  auto store = SqliteStore::Open(dir.path() / "ledger.db");
  ASSERT_TRUE(store.ok());
  LedgerEntry entry = *SeedSnapshot()->Find("SN22");
  entry.output_schema = *ParseJson(R"({"results": "list[dikt]"})");
  ASSERT_TRUE((*store)->Upsert(entry).ok());
  auto loaded = (*store)->Load();
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().message.rfind("SN22.output_schema.results: ", 0), 0u)
      << loaded.error().message;
}

}  // namespace
}  // namespace orchestra::ledger
