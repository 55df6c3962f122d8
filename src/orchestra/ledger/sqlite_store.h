#pragma once

#include <filesystem>
#include <memory>
#include <mutex>

#include "orchestra/core/clock.h"
#include "orchestra/core/result.h"
#include "orchestra/core/sqlite.h"
#include "orchestra/ledger/snapshot.h"
#include "orchestra/ledger/store.h"

namespace orchestra::ledger {

// The ledger kept in one SQLite file (WAL, synchronous FULL by default): one row per subnet holding
// the entry as JSON, and the event log. Every write is one transaction, so a crash at any moment
// leaves the last committed content; Update runs in a BEGIN IMMEDIATE transaction, so writers
// in several processes queue (up to the busy timeout, then kIo "database is locked") instead
// of losing an update. Errors name the file. See ledger::Store for the contract.
class SqliteStore : public Store {
 public:
  // The schema version this build writes (PRAGMA user_version); docs/ledger.md lists them.
  static constexpr int kSchemaVersion = 2;

  // Opens the ledger at `path`, creating the file and its directory when absent and migrating
  // an older schema forward in one transaction. kIo naming the file when it is not a SQLite
  // database or its schema version is newer than kSchemaVersion. `clock` stamps events and
  // must outlive the store. `options` (WAL stays on) may trade FULL durability, across power
  // loss, for NORMAL, across process crashes only, without an fsync per commit.
  static Result<std::unique_ptr<SqliteStore>> Open(const std::filesystem::path& path,
                                                   const TimeSource& clock = RealTime(),
                                                   SqliteOptions options = {});
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  Result<Snapshot> Load() override;
  Status Upsert(const LedgerEntry& entry) override;
  Status ReplaceAll(const Snapshot& snapshot) override;
  Result<bool> SeedIfEmpty(const Snapshot& seed) override;
  Result<int> Count() override;
  Result<LedgerEntry> Update(std::string_view subnet_id, const EntryUpdate& fn) override;
  Result<int64_t> Append(std::string_view kind, std::string_view subnet_id,
                         const Json& body) override;
  Result<std::vector<StoredEvent>> Events(int64_t since_id, int limit) override;
  std::string Describe() const override;

  const std::filesystem::path& path() const { return db_.path(); }

 private:
  SqliteStore(SqliteDb db, const TimeSource& clock) : db_(std::move(db)), clock_(clock) {}
  Status Migrate();
  Status Put(const LedgerEntry& entry);
  Status PutAll(const Snapshot& snapshot);
  Result<std::optional<LedgerEntry>> Get(std::string_view subnet_id);
  Result<int> CountLocked();

  std::mutex mu_;
  SqliteDb db_;
  const TimeSource& clock_;
};

// The ledger under `data_dir` (ledger.db), seeded from the shipped snapshot on first use.
Result<SnapshotPtr> OpenLedger(const std::filesystem::path& data_dir);

}  // namespace orchestra::ledger
