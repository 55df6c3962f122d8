#include "orchestra/ledger/sqlite_store.h"

#include <fmt/format.h>

namespace orchestra::ledger {

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::filesystem::path& path) {
  auto db = SqliteDb::Open(path);
  if (!db) return db.error();
  std::unique_ptr<SqliteStore> store(new SqliteStore(std::move(*db)));
  if (auto s = store->db_.Exec(
          "CREATE TABLE IF NOT EXISTS ledger_entries ("
          " subnet_id TEXT PRIMARY KEY,"
          " entry TEXT NOT NULL,"
          " written_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')));");
      !s) {
    return s.error();
  }
  return store;
}

Result<Snapshot> SqliteStore::Load() {
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
    auto json = ParseJson(*text, fmt::format("ledger entry {} in {}", *id, path().string()));
    if (!json) return json.error();
    auto entry = EntryFromJson(*id, *json);
    if (!entry) return entry.error();
    entries.emplace(*id, std::move(*entry));
  }
  return Snapshot::Build(std::move(entries));
}

Status SqliteStore::Put(const LedgerEntry& entry) {
  auto st = db_.Prepare(
      "INSERT INTO ledger_entries(subnet_id, entry) VALUES(?1, ?2) "
      "ON CONFLICT(subnet_id) DO UPDATE SET entry = excluded.entry, "
      "written_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')");
  if (!st) return st.error();
  if (auto s = st->BindText(1, entry.subnet_id); !s) return s;
  if (auto s = st->BindText(2, CanonicalJson(ToJson(entry))); !s) return s;
  return st->Run();
}

Status SqliteStore::Upsert(const LedgerEntry& entry) { return Put(entry); }

Status SqliteStore::ReplaceAll(const Snapshot& snapshot) {
  auto tx = SqliteTransaction::Begin(db_);
  if (!tx) return tx.error();
  if (auto s = db_.Exec("DELETE FROM ledger_entries"); !s) return s;
  for (const auto& [id, entry] : snapshot.entries()) {
    if (auto s = Put(entry); !s) return s;
  }
  return tx->Commit();
}

Result<int> SqliteStore::Count() {
  auto count = db_.QueryInt64("SELECT count(*) FROM ledger_entries");
  if (!count) return count.error();
  return static_cast<int>(*count);
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
