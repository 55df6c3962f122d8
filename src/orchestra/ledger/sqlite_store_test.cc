#include "orchestra/ledger/sqlite_store.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <string>

#include "orchestra/core/temp_dir.h"
#include "orchestra/ledger/store_test_util.h"

namespace orchestra::ledger {
namespace {

using orchestra::testing::TempDir;

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

using testing::Child;
using testing::Counter;
using testing::Increment;
using testing::WriteLine;

int64_t UserVersion(const std::filesystem::path& path) {
  auto db = SqliteDb::Open(path);
  if (!db) return -1;
  auto version = db->QueryInt64("PRAGMA user_version");
  return version ? *version : -1;
}

// A file as the store wrote it before schemas were versioned (user_version 0, entries only).
TEST(SqliteStoreMigrationTest, UnversionedFileIsMigratedKeepingItsEntries) {
  TempDir dir;
  const auto path = dir.path() / "ledger.db";
  {
    auto db = SqliteDb::Open(path);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->Exec("CREATE TABLE IF NOT EXISTS ledger_entries ("
                         " subnet_id TEXT PRIMARY KEY,"
                         " entry TEXT NOT NULL,"
                         " written_at TEXT NOT NULL DEFAULT "
                         "(strftime('%Y-%m-%dT%H:%M:%fZ','now')));")
                    .ok());
    auto st = db->Prepare(
        "INSERT INTO ledger_entries(subnet_id, entry, written_at) VALUES(?1, ?2, "
        "'2025-01-02T03:04:05.000Z')");
    ASSERT_TRUE(st.ok());
    const Snapshot seed = *SeedSnapshot();
    for (const auto& [id, entry] : seed.entries()) {
      ASSERT_TRUE(st->BindText(1, id).ok());
      ASSERT_TRUE(st->BindText(2, CanonicalJson(ToJson(entry))).ok());
      ASSERT_TRUE(st->Run().ok());
    }
  }
  ASSERT_EQ(UserVersion(path), 0);

  auto store = SqliteStore::Open(path);
  ASSERT_TRUE(store.ok()) << store.error().ToString();
  EXPECT_EQ(UserVersion(path), SqliteStore::kSchemaVersion);
  auto loaded = (*store)->Load();
  ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
  EXPECT_EQ(loaded->version(), SeedSnapshot()->version());
  auto event = (*store)->Append("drift", "SN22", JsonObject());
  ASSERT_TRUE(event.ok()) << event.error().ToString();

  auto db = SqliteDb::Open(path);
  ASSERT_TRUE(db.ok());
  auto written = db->Prepare("SELECT written_at FROM ledger_entries WHERE subnet_id = 'SN22'");
  ASSERT_TRUE(written.ok());
  ASSERT_TRUE(*written->Step());
  EXPECT_EQ(*written->ColumnText(0), "2025-01-02T03:04:05.000Z");
}

TEST(SqliteStoreMigrationTest, FileFromANewerVersionIsRefusedNamingIt) {
  TempDir dir;
  const auto path = dir.path() / "ledger.db";
  ASSERT_TRUE(SqliteStore::Open(path).ok());
  ASSERT_TRUE(SqliteDb::Open(path)->Exec("PRAGMA user_version = 3").ok());

  auto store = SqliteStore::Open(path);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::kIo);
  EXPECT_EQ(store.error().message,
            "sqlite " + path.string() +
                ": ledger schema version 3 is newer than this build's 2; open it with a newer "
                "orchestra, or move it aside");
  EXPECT_EQ(UserVersion(path), 3);  // left as it was
}

TEST(SqliteStoreMigrationTest, FileThatIsNotSqliteIsRefusedNamingIt) {
  TempDir dir;
  const auto path = dir.path() / "ledger.db";
  std::FILE* f = std::fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fputs("{\"entries\": {}} is JSON, not a database, and long enough to have a header\n", f);
  std::fclose(f);
  auto store = SqliteStore::Open(path);
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.error().message.find(path.string()), std::string::npos) << store.error().message;
}

// Miners started together all open (and migrate) the same new file: each succeeds, and the
// schema is created once.
TEST(SqliteStoreMigrationTest, ProcessesCreatingTheFileAtOnceAllSucceed) {
  TempDir dir;
  const auto path = dir.path() / "ledger.db";
  int start[2];
  ASSERT_EQ(pipe(start), 0);
  std::vector<std::unique_ptr<Child>> children;
  for (int c = 0; c < 4; ++c) {
    children.push_back(std::make_unique<Child>([&path, &start](int out) {
      close(start[1]);
      char go;
      if (read(start[0], &go, 1) != 0) return 2;
      auto store = SqliteStore::Open(path);
      WriteLine(out, store ? "ok" : "error " + store.error().ToString());
      return store ? 0 : 1;
    }));
  }
  close(start[0]);
  close(start[1]);
  for (auto& child : children) {
    EXPECT_EQ(child->reader().Next().value_or("no report"), "ok");
    EXPECT_EQ(child->Wait(), 0);
  }
  EXPECT_EQ(UserVersion(path), SqliteStore::kSchemaVersion);
}

// A child updates three entries (and logs an event for each update) as fast as it can,
// reporting each update on a pipe once Update and Append have returned. The parent SIGKILLs
// it after a number of reports that varies from round to round (0: while it opens the file),
// then checks that the file is intact and holds every update that was reported, and at most
// the one in flight besides.
TEST(SqliteStoreCrashTest, SigkillNeverLosesAReportedUpdateNorCorruptsTheFile) {
  constexpr int kRounds = 100;
  TempDir dir;
  const auto path = dir.path() / "ledger.db";
  // A killed process leaves what it wrote with the kernel: against a kill, WAL without any
  // fsync (synchronous OFF) keeps exactly what FULL keeps. FULL's fsyncs guard against power
  // loss, which no test can make, and cost this test most of its time on a busy disk.
  SqliteOptions options;
  options.synchronous = SqliteSynchronous::kOff;
  const std::vector<std::string> ids = {"SN1", "SN13", "SN22"};
  std::map<std::string, int64_t> committed;  // each counter as found after the last kill
  int64_t last_event = 0;
  int verified = 0;
  int awaited = 0;  // reports the parent waited for before killing
  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    const int kill_after = (round * 5) % 12;
    awaited += kill_after;
    Child child([&path, &ids, &options](int out) {
      auto store = SqliteStore::Open(path, RealTime(), options);
      if (!store) {
        WriteLine(out, "error " + store.error().ToString());
        return 1;
      }
      for (size_t n = 0;; ++n) {
        const std::string& id = ids[n % ids.size()];
        auto written = (*store)->Update(id, Increment(id));
        if (!written) {
          WriteLine(out, "error " + written.error().ToString());
          return 1;
        }
        JsonObject body;
        body["value"] = Counter(*written);
        auto event = (*store)->Append("probe", id, body);
        if (!event) {
          WriteLine(out, "error " + event.error().ToString());
          return 1;
        }
        WriteLine(out, fmt::format("{} {} {}", id, Counter(*written), *event));
      }
    });
    std::vector<std::string> lines;
    while (static_cast<int>(lines.size()) < kill_after) {
      auto line = child.reader().Next();
      if (!line) break;
      lines.push_back(*line);
    }
    child.Kill();
    child.Wait();
    while (auto line = child.reader().Next()) lines.push_back(*line);  // written before death

    std::map<std::string, int64_t> reported = committed;
    std::map<int64_t, std::pair<std::string, int64_t>> reported_events;
    for (const std::string& line : lines) {
      ASSERT_NE(line.rfind("error", 0), 0u) << line;
      char id[16];
      long long value = 0, event = 0;
      ASSERT_EQ(std::sscanf(line.c_str(), "%15s %lld %lld", id, &value, &event), 3) << line;
      reported[id] = std::max<int64_t>(reported[id], value);
      reported_events[event] = {id, value};
    }
    verified += static_cast<int>(lines.size());

    {
      auto db = SqliteDb::Open(path, options);
      ASSERT_TRUE(db.ok()) << db.error().ToString();
      auto check = db->Prepare("PRAGMA integrity_check");
      ASSERT_TRUE(check.ok());
      ASSERT_TRUE(*check->Step());
      EXPECT_EQ(*check->ColumnText(0), "ok");
    }
    auto store = SqliteStore::Open(path, RealTime(), options);
    ASSERT_TRUE(store.ok()) << store.error().ToString();
    auto loaded = (*store)->Load();
    ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
    int64_t unreported = 0;
    for (const std::string& id : ids) {
      const LedgerEntry* entry = loaded->Find(id);
      const int64_t stored = entry ? Counter(*entry) : 0;
      EXPECT_GE(stored, reported[id]) << id << ": a reported update was lost";
      unreported += stored - reported[id];
      committed[id] = stored;
    }
    EXPECT_LE(unreported, 1) << "more updates than were made";

    auto events = (*store)->Events(last_event, 1 << 20);
    ASSERT_TRUE(events.ok()) << events.error().ToString();
    std::map<int64_t, std::pair<std::string, int64_t>> stored_events;
    for (const StoredEvent& e : *events) {
      stored_events[e.id] = {e.subnet_id, JsonInt(e.body, "value")};
      last_event = e.id;
    }
    for (const auto& [event, what] : reported_events) {
      auto found = stored_events.find(event);
      ASSERT_NE(found, stored_events.end()) << "reported event " << event << " was lost";
      EXPECT_EQ(found->second, what);
    }
    EXPECT_LE(stored_events.size(), reported_events.size() + 1);
  }
  RecordProperty("reported_updates_verified", verified);
  std::printf("[ crash    ] %d SIGKILLs, %d reported updates (and their events) verified\n",
              kRounds, verified);
  EXPECT_GE(verified, awaited);
}

}  // namespace
}  // namespace orchestra::ledger
