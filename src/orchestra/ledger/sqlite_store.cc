#include "orchestra/ledger/sqlite_store.h"

#include <fmt/format.h>
#include <sqlite3.h>

namespace orchestra::ledger {
namespace {

Error SqlError(sqlite3* db, std::string_view what) {
  return Error(ErrorCode::kIo, fmt::format("ledger: {}: {}", what, sqlite3_errmsg(db)));
}

// Owns a prepared statement.
struct Statement {
  sqlite3_stmt* stmt = nullptr;
  ~Statement() { sqlite3_finalize(stmt); }
};

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::filesystem::path& path) {
  std::error_code ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  if (ec) {
    return Error(ErrorCode::kIo, fmt::format("ledger: cannot create {}: {}",
                                             path.parent_path().string(), ec.message()));
  }
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    Error e = SqlError(db, fmt::format("open {}", path.string()));
    sqlite3_close(db);
    return e;
  }
  sqlite3_busy_timeout(db, 5000);
  std::unique_ptr<SqliteStore> store(new SqliteStore(db, path));
  if (auto s = store->Exec("PRAGMA journal_mode=WAL;"); !s) return s.error();
  if (auto s =
          store->Exec("CREATE TABLE IF NOT EXISTS ledger_entries ("
                      " subnet_id TEXT PRIMARY KEY,"
                      " entry TEXT NOT NULL,"
                      " written_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')));");
      !s) {
    return s.error();
  }
  return store;
}

SqliteStore::~SqliteStore() { sqlite3_close(db_); }

Status SqliteStore::Exec(const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    Error e(ErrorCode::kIo, fmt::format("ledger {}: {}", path_.string(), message ? message : "?"));
    sqlite3_free(message);
    return e;
  }
  return {};
}

Result<Snapshot> SqliteStore::Load() {
  Statement st;
  if (sqlite3_prepare_v2(db_, "SELECT subnet_id, entry FROM ledger_entries", -1, &st.stmt,
                         nullptr) != SQLITE_OK) {
    return SqlError(db_, "load");
  }
  std::map<std::string, LedgerEntry> entries;
  int rc;
  while ((rc = sqlite3_step(st.stmt)) == SQLITE_ROW) {
    std::string id(reinterpret_cast<const char*>(sqlite3_column_text(st.stmt, 0)));
    std::string_view text(reinterpret_cast<const char*>(sqlite3_column_text(st.stmt, 1)),
                          sqlite3_column_bytes(st.stmt, 1));
    auto json = ParseJson(text, fmt::format("ledger entry {} in {}", id, path_.string()));
    if (!json) return json.error();
    auto entry = EntryFromJson(id, *json);
    if (!entry) return entry.error();
    entries.emplace(id, std::move(*entry));
  }
  if (rc != SQLITE_DONE) return SqlError(db_, "load");
  return Snapshot(std::move(entries));
}

Status SqliteStore::Put(const LedgerEntry& entry) {
  Statement st;
  if (sqlite3_prepare_v2(db_,
                         "INSERT INTO ledger_entries(subnet_id, entry) VALUES(?1, ?2) "
                         "ON CONFLICT(subnet_id) DO UPDATE SET entry = excluded.entry, "
                         "written_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')",
                         -1, &st.stmt, nullptr) != SQLITE_OK) {
    return SqlError(db_, "prepare upsert");
  }
  const std::string json = CanonicalJson(ToJson(entry));
  sqlite3_bind_text(st.stmt, 1, entry.subnet_id.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st.stmt, 2, json.c_str(), static_cast<int>(json.size()), SQLITE_TRANSIENT);
  if (sqlite3_step(st.stmt) != SQLITE_DONE) return SqlError(db_, "upsert " + entry.subnet_id);
  return {};
}

Status SqliteStore::Upsert(const LedgerEntry& entry) { return Put(entry); }

Status SqliteStore::ReplaceAll(const Snapshot& snapshot) {
  if (auto s = Exec("BEGIN IMMEDIATE;"); !s) return s;
  Status status = Exec("DELETE FROM ledger_entries;");
  for (const auto& [id, entry] : snapshot.entries()) {
    if (!status) break;
    status = Put(entry);
  }
  if (!status) {
    (void)Exec("ROLLBACK;");
    return status;
  }
  return Exec("COMMIT;");
}

Result<int> SqliteStore::Count() {
  Statement st;
  if (sqlite3_prepare_v2(db_, "SELECT count(*) FROM ledger_entries", -1, &st.stmt, nullptr) !=
          SQLITE_OK ||
      sqlite3_step(st.stmt) != SQLITE_ROW) {
    return SqlError(db_, "count");
  }
  return sqlite3_column_int(st.stmt, 0);
}

Result<SnapshotPtr> OpenLedger(const std::filesystem::path& data_dir) {
  auto store = SqliteStore::Open(data_dir / "ledger.db");
  if (!store) return store.error();
  auto count = (*store)->Count();
  if (!count) return count.error();
  if (*count == 0) {
    auto seed = SeedSnapshot();
    if (!seed) return seed.error();
    if (auto s = (*store)->ReplaceAll(*seed); !s) return s.error();
  }
  auto snapshot = (*store)->Load();
  if (!snapshot) return snapshot.error();
  return std::make_shared<const Snapshot>(std::move(*snapshot));
}

}  // namespace orchestra::ledger
