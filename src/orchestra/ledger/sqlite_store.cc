#include "orchestra/ledger/sqlite_store.h"

#include <fmt/format.h>

#include "orchestra/ledger/store_codec.h"

namespace orchestra::ledger {
namespace {

// Schema migrations, oldest first: migration i brings a file from version i to version i + 1.
// A file from before versioning (user_version 0) already has the version 1 table, which
// CREATE TABLE IF NOT EXISTS keeps with its rows.
constexpr const char* kMigrations[] = {
    // 0 -> 1: one row per subnet holding the entry as JSON.
    "CREATE TABLE IF NOT EXISTS ledger_entries ("
    " subnet_id TEXT PRIMARY KEY,"
    " entry TEXT NOT NULL,"
    " written_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')));",
    // 1 -> 2: the append-only event log; AUTOINCREMENT never reuses an id.
    "CREATE TABLE ledger_events ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " kind TEXT NOT NULL,"
    " subnet_id TEXT NOT NULL,"
    " created_ms INTEGER NOT NULL,"
    " body TEXT NOT NULL);",
};
static_assert(std::size(kMigrations) == SqliteStore::kSchemaVersion);

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::filesystem::path& path,
                                                       const TimeSource& clock,
                                                       SqliteOptions options) {
  options.wal = true;
  options.read_only = false;
  auto db = SqliteDb::Open(path, options);
  if (!db) return db.error();
  std::unique_ptr<SqliteStore> store(new SqliteStore(std::move(*db), clock));
  if (auto s = store->Migrate(); !s) return s.error();
  return store;
}

Status SqliteStore::Migrate() {
  auto Version = [this]() -> Result<int64_t> {
    auto version = db_.QueryInt64("PRAGMA user_version");
    if (!version) return version.error();
    if (*version > kSchemaVersion) {
      return Error(ErrorCode::kIo,
                   fmt::format("sqlite {}: ledger schema version {} is newer than this build's "
                               "{}; open it with a newer orchestra, or move it aside",
                               path().string(), *version, kSchemaVersion));
    }
    if (*version < 0) {
      return Error(ErrorCode::kIo, fmt::format("sqlite {}: ledger schema version {} is invalid",
                                               path().string(), *version));
    }
    return version;
  };
  auto before = Version();
  if (!before) return before.error();
  if (*before == kSchemaVersion) return {};
  // Another process may be migrating too: the write lock decides who does, and the version
  // read under it says what is left.
  auto tx = SqliteTransaction::Begin(db_);
  if (!tx) return tx.error();
  auto version = Version();
  if (!version) return version.error();
  for (int64_t v = *version; v < kSchemaVersion; ++v) {
    if (auto s = db_.Exec(kMigrations[v]); !s) return s;
  }
  if (auto s = db_.Exec(fmt::format("PRAGMA user_version = {}", kSchemaVersion)); !s) return s;
  return tx->Commit();
}

std::string SqliteStore::Describe() const { return "sqlite " + path().string(); }

Result<Snapshot> SqliteStore::Load() {
  std::lock_guard lock(mu_);
  // One statement reads one consistent state of the file (WAL gives the reader a snapshot).
  auto st = db_.Prepare("SELECT subnet_id, entry FROM ledger_entries");
  if (!st) return st.error();
  std::map<std::string, LedgerEntry> entries;
  for (;;) {
    auto row = st->Step();
    if (!row) return row.error();
    if (!*row) break;
    auto id = st->ColumnText(0);
    if (!id) return id.error();
    auto text = st->ColumnText(1);
    if (!text) return text.error();
    auto entry = store_codec::DecodeEntry(*id, *text, Describe());
    if (!entry) return entry.error();
    entries.emplace(*id, std::move(*entry));
  }
  return store_codec::BuildSnapshot(std::move(entries), Describe());
}

Status SqliteStore::Put(const LedgerEntry& entry) {
  auto st = db_.Prepare(
      "INSERT INTO ledger_entries(subnet_id, entry) VALUES(?1, ?2) "
      "ON CONFLICT(subnet_id) DO UPDATE SET entry = excluded.entry, "
      "written_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')");
  if (!st) return st.error();
  if (auto s = st->BindText(1, entry.subnet_id); !s) return s;
  if (auto s = st->BindText(2, store_codec::EncodeEntry(entry)); !s) return s;
  return st->Run();
}

Status SqliteStore::PutAll(const Snapshot& snapshot) {
  for (const auto& [id, entry] : snapshot.entries()) {
    if (auto s = Put(entry); !s) return s;
  }
  return {};
}

Result<std::optional<LedgerEntry>> SqliteStore::Get(std::string_view subnet_id) {
  auto st = db_.Prepare("SELECT entry FROM ledger_entries WHERE subnet_id = ?1");
  if (!st) return st.error();
  if (auto s = st->BindText(1, subnet_id); !s) return s.error();
  auto row = st->Step();
  if (!row) return row.error();
  if (!*row) return std::optional<LedgerEntry>();
  auto text = st->ColumnText(0);
  if (!text) return text.error();
  auto entry = store_codec::DecodeEntry(subnet_id, *text, Describe());
  if (!entry) return entry.error();
  return std::optional<LedgerEntry>(std::move(*entry));
}

Status SqliteStore::Upsert(const LedgerEntry& entry) {
  std::lock_guard lock(mu_);
  return Put(entry);
}

Status SqliteStore::ReplaceAll(const Snapshot& snapshot) {
  std::lock_guard lock(mu_);
  auto tx = SqliteTransaction::Begin(db_);
  if (!tx) return tx.error();
  if (auto s = db_.Exec("DELETE FROM ledger_entries"); !s) return s;
  if (auto s = PutAll(snapshot); !s) return s;
  return tx->Commit();
}

Result<bool> SqliteStore::SeedIfEmpty(const Snapshot& seed) {
  std::lock_guard lock(mu_);
  auto tx = SqliteTransaction::Begin(db_);
  if (!tx) return tx.error();
  auto count = CountLocked();
  if (!count) return count.error();
  if (*count > 0) return false;
  if (auto s = PutAll(seed); !s) return s.error();
  if (auto s = tx->Commit(); !s) return s.error();
  return true;
}

Result<int> SqliteStore::CountLocked() {
  auto count = db_.QueryInt64("SELECT count(*) FROM ledger_entries");
  if (!count) return count.error();
  return static_cast<int>(*count);
}

Result<int> SqliteStore::Count() {
  std::lock_guard lock(mu_);
  return CountLocked();
}

Result<LedgerEntry> SqliteStore::Update(std::string_view subnet_id, const EntryUpdate& fn) {
  std::lock_guard lock(mu_);
  // IMMEDIATE: the write lock is taken before the read, so no other process can write between
  // what fn saw and what it wrote (a deferred transaction would fail its upgrade instead).
  auto tx = SqliteTransaction::Begin(db_, SqliteTransaction::Mode::kImmediate);
  if (!tx) return tx.error();
  auto current = Get(subnet_id);
  if (!current) return current.error();
  auto next = store_codec::ApplyUpdate(subnet_id, *current, fn, Describe());
  if (!next) return next.error();
  if (auto s = Put(*next); !s) return s.error();
  if (auto s = tx->Commit(); !s) return s.error();
  return next;
}

Result<int64_t> SqliteStore::Append(std::string_view kind, std::string_view subnet_id,
                                    const Json& body) {
  if (auto s = store_codec::CheckEventKind(kind, Describe()); !s) return s.error();
  std::lock_guard lock(mu_);
  auto st = db_.Prepare(
      "INSERT INTO ledger_events(kind, subnet_id, created_ms, body) VALUES(?1, ?2, ?3, ?4) "
      "RETURNING id");
  if (!st) return st.error();
  if (auto s = st->BindText(1, kind); !s) return s.error();
  if (auto s = st->BindText(2, subnet_id); !s) return s.error();
  if (auto s = st->BindInt64(3, clock_.UnixMillis()); !s) return s.error();
  if (auto s = st->BindText(4, CanonicalJson(body)); !s) return s.error();
  auto row = st->Step();
  if (!row) return row.error();
  if (!*row) {
    return Error(ErrorCode::kInternal,
                 fmt::format("{}: INSERT ... RETURNING id gave no row", Describe()));
  }
  auto id = st->ColumnInt64(0);
  if (!id) return id.error();
  // The insert commits when the statement completes.
  if (auto s = st->Run(); !s) return s.error();
  return id;
}

Result<std::vector<StoredEvent>> SqliteStore::Events(int64_t since_id, int limit) {
  if (auto s = store_codec::CheckEventLimit(limit, Describe()); !s) return s.error();
  std::lock_guard lock(mu_);
  auto st = db_.Prepare(
      "SELECT id, kind, subnet_id, created_ms, body FROM ledger_events WHERE id > ?1 "
      "ORDER BY id LIMIT ?2");
  if (!st) return st.error();
  if (auto s = st->BindInt64(1, since_id); !s) return s.error();
  if (auto s = st->BindInt64(2, limit); !s) return s.error();
  std::vector<StoredEvent> events;
  for (;;) {
    auto row = st->Step();
    if (!row) return row.error();
    if (!*row) break;
    auto id = st->ColumnInt64(0);
    if (!id) return id.error();
    auto kind = st->ColumnText(1);
    if (!kind) return kind.error();
    auto subnet_id = st->ColumnText(2);
    if (!subnet_id) return subnet_id.error();
    auto created_ms = st->ColumnInt64(3);
    if (!created_ms) return created_ms.error();
    auto text = st->ColumnText(4);
    if (!text) return text.error();
    auto body = ParseJson(*text, fmt::format("ledger event {} in {}", *id, Describe()));
    if (!body) return body.error();
    events.push_back(
        StoredEvent{*id, std::move(*kind), std::move(*subnet_id), *created_ms, std::move(*body)});
  }
  return events;
}

Result<SnapshotPtr> OpenLedger(const std::filesystem::path& data_dir) {
  auto store = SqliteStore::Open(data_dir / "ledger.db");
  if (!store) return store.error();
  return LoadOrSeed(**store);
}

}  // namespace orchestra::ledger
