#pragma once

#include <filesystem>
#include <memory>

#include "orchestra/core/result.h"
#include "orchestra/core/sqlite.h"
#include "orchestra/ledger/snapshot.h"

namespace orchestra::ledger {

// The ledger kept in one SQLite file (WAL mode): one row per subnet holding the entry as JSON.
// Writes are transactional: a failed write leaves the previous content intact. One instance
// per thread; SQLite serialises writers across processes.
class SqliteStore {
 public:
  // Opens (creating the file, its directory and the table when absent) the ledger at `path`.
  static Result<std::unique_ptr<SqliteStore>> Open(const std::filesystem::path& path);
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  // The whole ledger as a snapshot; an entry that no longer parses is an error naming it.
  Result<Snapshot> Load();
  // Inserts or replaces one entry.
  Status Upsert(const LedgerEntry& entry);
  // Replaces the whole content with `snapshot`, atomically.
  Status ReplaceAll(const Snapshot& snapshot);
  Result<int> Count();

  const std::filesystem::path& path() const { return db_.path(); }

 private:
  explicit SqliteStore(SqliteDb db) : db_(std::move(db)) {}
  Status Put(const LedgerEntry& entry);

  SqliteDb db_;
};

// The ledger under `data_dir` (ledger.db), seeded from the shipped snapshot on first use.
Result<SnapshotPtr> OpenLedger(const std::filesystem::path& data_dir);

}  // namespace orchestra::ledger
