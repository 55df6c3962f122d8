// The contract of ledger::Store (store.h), run against every store: the same tests, on a real
// SQLite file and on a real redis-server.

#include <gtest/gtest.h>
#include <poll.h>

#include <map>
#include <set>
#include <vector>

#include "orchestra/core/clock.h"
#include "orchestra/core/reference_test_util.h"
#include "orchestra/core/sqlite.h"
#include "orchestra/core/temp_dir.h"
#include "orchestra/ledger/redis_store.h"
#include "orchestra/ledger/redis_test_util.h"
#include "orchestra/ledger/sqlite_store.h"
#include "orchestra/ledger/store_test_util.h"

namespace orchestra::ledger {
namespace {

using testing::Child;
using testing::Counter;
using testing::Increment;
using testing::SeedEntry;
using testing::WriteLine;

// A store under test, and a way around it to write what the store itself never would.
class SqliteBackend {
 public:
  static constexpr const char* kName = "Sqlite";
  static std::string Unavailable() { return ""; }
  static Status StartSuite() { return {}; }
  static void EndSuite() {}

  Result<std::unique_ptr<Store>> Open(const TimeSource& clock) {
    auto store = SqliteStore::Open(path(), clock);
    if (!store) return store.error();
    return std::unique_ptr<Store>(std::move(*store));
  }
  void WriteRawEntry(const std::string& subnet_id, const std::string& text) {
    Write("INSERT OR REPLACE INTO ledger_entries(subnet_id, entry) VALUES(?1, ?2)", subnet_id,
          text);
  }
  void WriteRawEvent(int64_t id, const std::string& body) {
    Write(
        "INSERT INTO ledger_events(id, kind, subnet_id, created_ms, body) "
        "VALUES(?1, 'drift', 'SN9', 0, ?2)",
        std::to_string(id), body);
  }

 private:
  std::filesystem::path path() const { return dir_.path() / "ledger.db"; }
  void Write(std::string_view sql, const std::string& a, const std::string& b) {
    auto db = SqliteDb::Open(path());
    ASSERT_TRUE(db.ok()) << db.error().ToString();
    auto st = db->Prepare(sql);
    ASSERT_TRUE(st.ok()) << st.error().ToString();
    ASSERT_TRUE(st->BindText(1, a).ok());
    ASSERT_TRUE(st->BindText(2, b).ok());
    auto run = st->Run();
    ASSERT_TRUE(run.ok()) << run.error().ToString();
  }

  orchestra::testing::TempDir dir_;
};

// One redis-server for the suite; each test has a key prefix of its own.
class RedisBackend {
 public:
  static constexpr const char* kName = "Redis";
  static std::string Unavailable() { return testing::RedisServer::Unavailable(); }
  static Status StartSuite() {
    server_ = std::make_unique<testing::RedisServer>();
    return server_->Start();
  }
  static void EndSuite() { server_.reset(); }

  RedisBackend() : prefix_("contract-" + std::to_string(++tests_)) {}
  Result<std::unique_ptr<Store>> Open(const TimeSource& clock) {
    auto store = RedisStore::Open(server_->Options(prefix_), clock);
    if (!store) return store.error();
    return std::unique_ptr<Store>(std::move(*store));
  }
  void WriteRawEntry(const std::string& subnet_id, const std::string& text) {
    ASSERT_EQ(server_->Command({"HSET", prefix_ + ":entries", subnet_id, text}), "1");
  }
  void WriteRawEvent(int64_t id, const std::string& body) {
    const std::string member = std::to_string(id) + " " + body;
    ASSERT_EQ(server_->Command({"ZADD", prefix_ + ":events", std::to_string(id), member}), "1");
  }

 private:
  static inline std::unique_ptr<testing::RedisServer> server_;
  static inline int tests_ = 0;
  std::string prefix_;
};

template <typename Backend>
class StoreContractTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (Backend::Unavailable().empty()) started_ = Backend::StartSuite();
  }
  static void TearDownTestSuite() { Backend::EndSuite(); }

  void SetUp() override {
    ORCHESTRA_REQUIRE_REFERENCE(Backend::Unavailable());
    ASSERT_TRUE(started_.ok()) << started_.error().ToString();
    Reopen();
  }

  void Reopen() {
    auto store = backend_.Open(clock_);
    ASSERT_TRUE(store.ok()) << store.error().ToString();
    store_ = std::move(*store);
  }

  Snapshot Seed() { return *SeedSnapshot(); }

  static inline Status started_;
  ManualTime clock_{1'700'000'000'000};
  Backend backend_;
  std::unique_ptr<Store> store_;
};

class BackendNames {
 public:
  template <typename T>
  static std::string GetName(int) {
    return T::kName;
  }
};

using Backends = ::testing::Types<SqliteBackend, RedisBackend>;
TYPED_TEST_SUITE(StoreContractTest, Backends, BackendNames);

TYPED_TEST(StoreContractTest, NewStoreIsEmpty) {
  auto count = this->store_->Count();
  ASSERT_TRUE(count.ok()) << count.error().ToString();
  EXPECT_EQ(*count, 0);
  auto loaded = this->store_->Load();
  ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
  EXPECT_TRUE(loaded->entries().empty());
  auto events = this->store_->Events(0, 10);
  ASSERT_TRUE(events.ok()) << events.error().ToString();
  EXPECT_TRUE(events->empty());
}

TYPED_TEST(StoreContractTest, UpsertedEntryLoadsBackAsWritten) {
  LedgerEntry entry = SeedEntry("SN22");
  entry.avg_latency_ms = 410;
  entry.notes = "probed";
  ASSERT_TRUE(this->store_->Upsert(entry).ok());
  entry.notes = "probed twice";
  ASSERT_TRUE(this->store_->Upsert(entry).ok());

  auto loaded = this->store_->Load();
  ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
  ASSERT_EQ(loaded->entries().size(), 1u);
  EXPECT_EQ(CanonicalJson(ToJson(*loaded->Find("SN22"))), CanonicalJson(ToJson(entry)));
  EXPECT_NE(loaded->Find("SN22")->compiled_output_schema(), nullptr);
  EXPECT_EQ(*this->store_->Count(), 1);
}

TYPED_TEST(StoreContractTest, ReplaceAllLeavesExactlyTheNewEntries) {
  ASSERT_TRUE(this->store_->Upsert(SeedEntry("SN22")).ok());
  LedgerEntry stray = SeedEntry("SN13");
  stray.subnet_id = "SN999";
  ASSERT_TRUE(this->store_->Upsert(stray).ok());

  ASSERT_TRUE(this->store_->ReplaceAll(this->Seed()).ok());
  auto loaded = this->store_->Load();
  ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
  EXPECT_EQ(loaded->version(), this->Seed().version());
  EXPECT_EQ(loaded->Find("SN999"), nullptr);

  ASSERT_TRUE(this->store_->ReplaceAll(Snapshot(std::map<std::string, LedgerEntry>())).ok());
  EXPECT_EQ(*this->store_->Count(), 0);
}

TYPED_TEST(StoreContractTest, SeedIfEmptyWritesOnlyIntoAnEmptyStore) {
  auto first = this->store_->SeedIfEmpty(this->Seed());
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  EXPECT_TRUE(*first);
  LedgerEntry changed = SeedEntry("SN22");
  changed.notes = "kept";
  ASSERT_TRUE(this->store_->Upsert(changed).ok());

  auto second = this->store_->SeedIfEmpty(this->Seed());
  ASSERT_TRUE(second.ok()) << second.error().ToString();
  EXPECT_FALSE(*second);
  EXPECT_EQ(this->store_->Load()->Find("SN22")->notes, "kept");
  EXPECT_EQ(*this->store_->Count(), static_cast<int>(this->Seed().entries().size()));
}

TYPED_TEST(StoreContractTest, LoadOrSeedSeedsAnEmptyStoreOnce) {
  auto first = LoadOrSeed(*this->store_);
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  EXPECT_EQ((*first)->version(), this->Seed().version());
  ASSERT_TRUE(this->store_->Update("SN22", Increment("SN22")).ok());
  auto second = LoadOrSeed(*this->store_);
  ASSERT_TRUE(second.ok()) << second.error().ToString();
  EXPECT_EQ(Counter(*(*second)->Find("SN22")), 1);
}

TYPED_TEST(StoreContractTest, UpdateCreatesAnAbsentEntryThenChangesIt) {
  bool saw_none = false;
  auto created = this->store_->Update(
      "SN22", [&saw_none](std::optional<LedgerEntry> current) -> Result<LedgerEntry> {
        saw_none = !current.has_value();
        return SeedEntry("SN22");
      });
  ASSERT_TRUE(created.ok()) << created.error().ToString();
  EXPECT_TRUE(saw_none);

  for (int i = 0; i < 3; ++i) {
    auto updated = this->store_->Update("SN22", Increment("SN22"));
    ASSERT_TRUE(updated.ok()) << updated.error().ToString();
    EXPECT_EQ(Counter(*updated), i + 1);
  }
  EXPECT_EQ(Counter(*this->store_->Load()->Find("SN22")), 3);
}

TYPED_TEST(StoreContractTest, UpdateWhoseFunctionFailsWritesNothing) {
  ASSERT_TRUE(this->store_->Update("SN22", Increment("SN22")).ok());
  auto failed = this->store_->Update("SN22", [](std::optional<LedgerEntry>) -> Result<LedgerEntry> {
    return Error(ErrorCode::kInvalidArgument, "SN22: proposal rejected");
  });
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().message, "SN22: proposal rejected");
  EXPECT_EQ(Counter(*this->store_->Load()->Find("SN22")), 1);
  // The store is usable after an abandoned update (Redis: nothing stays WATCHed).
  ASSERT_TRUE(this->store_->ReplaceAll(this->Seed()).ok());
  EXPECT_EQ(*this->store_->Count(), static_cast<int>(this->Seed().entries().size()));
}

TYPED_TEST(StoreContractTest, UpdateThatAnswersForAnotherSubnetIsRejected) {
  auto wrong = this->store_->Update(
      "SN22", [](std::optional<LedgerEntry>) -> Result<LedgerEntry> { return SeedEntry("SN13"); });
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(wrong.error().message.find("ledger entry SN22"), std::string::npos)
      << wrong.error().message;
  EXPECT_EQ(*this->store_->Count(), 0);
}

TYPED_TEST(StoreContractTest, EventsComeBackInIdOrderWithTheTimeTheyWereAppended) {
  std::vector<int64_t> ids;
  for (int i = 0; i < 5; ++i) {
    JsonObject body;
    body["n"] = i;
    auto id = this->store_->Append(i % 2 ? "proposal" : "drift", "SN" + std::to_string(i), body);
    ASSERT_TRUE(id.ok()) << id.error().ToString();
    if (!ids.empty()) {
      EXPECT_GT(*id, ids.back());
    }
    ids.push_back(*id);
    this->clock_.Advance(std::chrono::milliseconds(250));
  }

  auto all = this->store_->Events(0, 100);
  ASSERT_TRUE(all.ok()) << all.error().ToString();
  ASSERT_EQ(all->size(), 5u);
  for (int i = 0; i < 5; ++i) {
    const StoredEvent& e = (*all)[i];
    EXPECT_EQ(e.id, ids[i]);
    EXPECT_EQ(e.kind, i % 2 ? "proposal" : "drift");
    EXPECT_EQ(e.subnet_id, "SN" + std::to_string(i));
    EXPECT_EQ(e.created_ms, 1'700'000'000'000 + 250 * i);
    EXPECT_EQ(CanonicalJson(e.body), "{\"n\":" + std::to_string(i) + "}");
  }

  // A reader pages with the last id it saw.
  auto page = this->store_->Events(ids[1], 2);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[0].id, ids[2]);
  EXPECT_EQ((*page)[1].id, ids[3]);
  EXPECT_TRUE(this->store_->Events(ids[4], 10)->empty());
}

TYPED_TEST(StoreContractTest, EventWithoutKindOrPageWithoutLimitIsRejected) {
  auto no_kind = this->store_->Append("", "SN22", JsonObject());
  ASSERT_FALSE(no_kind.ok());
  EXPECT_EQ(no_kind.error().code, ErrorCode::kInvalidArgument);
  auto no_limit = this->store_->Events(0, 0);
  ASSERT_FALSE(no_limit.ok());
  EXPECT_EQ(no_limit.error().code, ErrorCode::kInvalidArgument);
}

TYPED_TEST(StoreContractTest, CorruptEntryIsReportedNamingTheSubnetAndTheStore) {
  ASSERT_TRUE(this->store_->Upsert(SeedEntry("SN22")).ok());
  this->backend_.WriteRawEntry("SN9", "{oops");

  auto loaded = this->store_->Load();
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code, ErrorCode::kParse);
  EXPECT_NE(loaded.error().message.find("ledger entry SN9 in " + this->store_->Describe()),
            std::string::npos)
      << loaded.error().message;
  auto updated = this->store_->Update("SN9", Increment("SN9"));
  ASSERT_FALSE(updated.ok());
  EXPECT_NE(updated.error().message.find("ledger entry SN9"), std::string::npos);
  EXPECT_EQ(*this->store_->Count(), 2);

  // Writing the entry anew repairs the ledger.
  LedgerEntry repaired = SeedEntry("SN13");
  repaired.subnet_id = "SN9";
  ASSERT_TRUE(this->store_->Upsert(repaired).ok());
  EXPECT_TRUE(this->store_->Load().ok());
}

TYPED_TEST(StoreContractTest, StoredJsonThatIsNoEntryIsReportedNamingSubnetAndField) {
  Json bad = ToJson(SeedEntry("SN13"));
  bad.as_object()["reliability"] = 1.5;
  this->backend_.WriteRawEntry("SN13", CanonicalJson(bad));
  auto loaded = this->store_->Load();
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().message.rfind("SN13.reliability: must be in [0, 1]", 0), 0u)
      << loaded.error().message;
  EXPECT_NE(loaded.error().message.find(this->store_->Describe()), std::string::npos);
}

TYPED_TEST(StoreContractTest, EntryWhoseOutputSchemaDoesNotCompileFailsTheLoadNamingIt) {
  LedgerEntry entry = SeedEntry("SN22");
  entry.output_schema = *ParseJson(R"({"results": "list[dikt]"})");
  ASSERT_TRUE(this->store_->Upsert(entry).ok());
  auto loaded = this->store_->Load();
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().message.rfind("SN22.output_schema.results: ", 0), 0u)
      << loaded.error().message;
}

TYPED_TEST(StoreContractTest, CorruptEventIsReportedNamingItsId) {
  ASSERT_TRUE(this->store_->Append("drift", "SN22", JsonObject()).ok());
  this->backend_.WriteRawEvent(1000, "{oops");
  auto events = this->store_->Events(0, 10);
  ASSERT_FALSE(events.ok());
  EXPECT_NE(events.error().message.find("ledger event 1000 in " + this->store_->Describe()),
            std::string::npos)
      << events.error().message;
}

TYPED_TEST(StoreContractTest, AnotherInstanceSeesTheWrites) {
  auto other = this->backend_.Open(this->clock_);
  ASSERT_TRUE(other.ok()) << other.error().ToString();
  ASSERT_TRUE(this->store_->Update("SN22", Increment("SN22")).ok());
  ASSERT_TRUE(this->store_->Append("drift", "SN22", JsonObject()).ok());
  EXPECT_EQ(Counter(*(*other)->Load()->Find("SN22")), 1);
  EXPECT_EQ((*other)->Events(0, 10)->size(), 1u);
}

// Several processes increment one entry at once, each appending an event with the value its
// update wrote: nothing is lost, and every update saw a value no other update saw.
TYPED_TEST(StoreContractTest, ConcurrentUpdatesFromSeveralProcessesLoseNothing) {
  constexpr int kProcesses = 4;
  constexpr int kUpdatesEach = 50;
  int start[2];
  ASSERT_EQ(pipe(start), 0);
  this->store_.reset();  // no connection crosses a fork (SQLite forbids it)
  std::vector<std::unique_ptr<Child>> children;
  for (int c = 0; c < kProcesses; ++c) {
    auto& backend = this->backend_;
    children.push_back(std::make_unique<Child>([&backend, &start, c](int out) {
      close(start[1]);
      char go;
      if (read(start[0], &go, 1) != 0) return 2;  // all start together, when the pipe closes
      auto store = backend.Open(RealTime());
      if (!store) {
        WriteLine(out, "error " + store.error().ToString());
        return 1;
      }
      for (int m = 0; m < kUpdatesEach; ++m) {
        auto written = (*store)->Update("SN22", Increment("SN22"));
        if (!written) {
          WriteLine(out, "error " + written.error().ToString());
          return 1;
        }
        JsonObject body;
        body["child"] = c;
        body["value"] = Counter(*written);
        if (auto id = (*store)->Append("probe", "SN22", body); !id) {
          WriteLine(out, "error " + id.error().ToString());
          return 1;
        }
      }
      WriteLine(out, "ok");
      return 0;
    }));
  }
  close(start[0]);
  close(start[1]);
  this->Reopen();
  for (auto& child : children) {
    auto line = child->reader().Next();
    EXPECT_EQ(line.value_or("no report"), "ok");
    EXPECT_EQ(child->Wait(), 0);
  }

  auto loaded = this->store_->Load();
  ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
  EXPECT_EQ(Counter(*loaded->Find("SN22")), kProcesses * kUpdatesEach);

  auto events = this->store_->Events(0, 10 * kProcesses * kUpdatesEach);
  ASSERT_TRUE(events.ok()) << events.error().ToString();
  ASSERT_EQ(events->size(), static_cast<size_t>(kProcesses * kUpdatesEach));
  std::set<int64_t> values;
  std::map<int64_t, int64_t> last_value_of_child;
  for (size_t i = 0; i < events->size(); ++i) {
    const StoredEvent& e = (*events)[i];
    if (i > 0) {
      EXPECT_GT(e.id, (*events)[i - 1].id);
    }
    const int64_t child = JsonInt(e.body, "child");
    const int64_t value = JsonInt(e.body, "value");
    values.insert(value);
    EXPECT_GT(value, last_value_of_child[child]) << "child " << child;
    last_value_of_child[child] = value;
  }
  EXPECT_EQ(values.size(), static_cast<size_t>(kProcesses * kUpdatesEach));
  EXPECT_EQ(*values.begin(), 1);
  EXPECT_EQ(*values.rbegin(), kProcesses * kUpdatesEach);
}

// While another process replaces the whole ledger back and forth, every Load sees one of the
// two ledgers whole.
TYPED_TEST(StoreContractTest, LoadNeverSeesHalfOfAReplaceAll) {
  const Snapshot a = this->Seed();
  std::map<std::string, LedgerEntry> fewer = a.entries();
  fewer.erase("SN22");
  fewer.at("SN13").notes = "replaced";
  const Snapshot b(std::move(fewer));
  ASSERT_TRUE(this->store_->ReplaceAll(a).ok());
  this->store_.reset();  // no connection crosses a fork (SQLite forbids it)

  int stop[2];
  ASSERT_EQ(pipe(stop), 0);
  auto& backend = this->backend_;
  Child writer([&backend, &a, &b, &stop](int out) {
    close(stop[1]);
    auto store = backend.Open(RealTime());
    if (!store) return 1;
    int replaced = 0;
    pollfd stopped{stop[0], POLLIN, 0};
    while (poll(&stopped, 1, 0) == 0) {  // until the reader closes the pipe
      if (!(*store)->ReplaceAll(replaced % 2 ? a : b)) return 1;
      if (++replaced == 1) WriteLine(out, "started");
    }
    WriteLine(out, std::to_string(replaced));
    return 0;
  });
  close(stop[0]);
  this->Reopen();
  ASSERT_EQ(writer.reader().Next().value_or("no report"), "started");
  for (int i = 0; i < 100; ++i) {
    auto loaded = this->store_->Load();
    ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
    ASSERT_TRUE(loaded->version() == a.version() || loaded->version() == b.version())
        << "a Load saw " << loaded->entries().size() << " entries, neither ledger";
  }
  close(stop[1]);
  const std::string replaced = writer.reader().Next().value_or("no report");
  EXPECT_EQ(writer.Wait(), 0);
  EXPECT_GT(std::atoi(replaced.c_str()), 1) << replaced;
}

}  // namespace
}  // namespace orchestra::ledger
