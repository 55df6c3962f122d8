#include "orchestra/validator/store.h"

#include <fmt/format.h>

#include <cmath>

#include "orchestra/core/json.h"

namespace orchestra::validator {
namespace {

// Migration i takes the schema from version i to version i + 1. Append only: a released
// migration is never edited, a change is a new one.
constexpr const char* kMigrations[] = {
    // 0 -> 1
    "CREATE TABLE receipt_hashes ("
    " hash TEXT PRIMARY KEY,"
    " miner_hotkey TEXT NOT NULL,"
    " challenge_id TEXT NOT NULL,"
    " first_seen_ms INTEGER NOT NULL"
    ") WITHOUT ROWID;"
    "CREATE TABLE black_room ("
    " hotkey TEXT PRIMARY KEY,"
    " reason TEXT NOT NULL,"
    " evidence TEXT NOT NULL,"
    " at_ms INTEGER NOT NULL"
    ");"
    "CREATE TABLE averages ("
    " mechanism INTEGER NOT NULL,"
    " hotkey TEXT NOT NULL,"
    " uid INTEGER NOT NULL,"
    " average REAL NOT NULL,"
    " samples INTEGER NOT NULL,"
    " updated_ms INTEGER NOT NULL,"
    " PRIMARY KEY (mechanism, hotkey)"
    ") WITHOUT ROWID;"
    "CREATE TABLE score_log ("
    " id INTEGER PRIMARY KEY,"
    " challenge_id TEXT NOT NULL,"
    " hotkey TEXT NOT NULL,"
    " at_ms INTEGER NOT NULL,"
    " total REAL NOT NULL,"
    " score_card TEXT NOT NULL"
    ");"
    "CREATE TABLE last_weights ("
    " mechanism INTEGER PRIMARY KEY,"
    " uids TEXT NOT NULL,"
    " vals TEXT NOT NULL,"
    " at_ms INTEGER NOT NULL"
    ");",
};
static_assert(std::size(kMigrations) == ValidatorStore::kSchemaVersion);

Error Invalid(std::string message) {
  return Error(ErrorCode::kInvalidArgument, "validator store: " + std::move(message));
}

Status CheckMechanism(int mechanism) {
  if (mechanism < 0 || mechanism >= ValidatorStore::kMechanisms) {
    return Invalid(fmt::format("mechanism {}: must be 0 or 1", mechanism));
  }
  return {};
}

Status CheckJson(std::string_view text, std::string_view what) {
  auto parsed = ParseJson(text, what);
  if (!parsed) return Invalid(parsed.error().message);
  return {};
}

std::string U16ArrayJson(const std::vector<uint16_t>& values) {
  JsonArray array;
  array.reserve(values.size());
  for (uint16_t v : values) array.emplace_back(static_cast<int64_t>(v));
  return CanonicalJson(Json(std::move(array)));
}

Result<std::vector<uint16_t>> ParseU16Array(const std::string& text, std::string_view what) {
  auto json = ParseJson(text, what);
  if (!json) return json.error();
  if (!json->is_array()) return Error(ErrorCode::kParse, fmt::format("{}: not an array", what));
  std::vector<uint16_t> out;
  for (const Json& item : json->as_array()) {
    int64_t v = 0;
    if (!JsonInteger(item, &v) || v < 0 || v > 65535) {
      return Error(ErrorCode::kParse, fmt::format("{}: {} is not a u16", what, CompactJson(item)));
    }
    out.push_back(static_cast<uint16_t>(v));
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<ValidatorStore>> ValidatorStore::Open(const std::filesystem::path& path,
                                                             const ValidatorStoreOptions& options) {
  if (options.score_log_max_rows < 1) {
    return Invalid(
        fmt::format("score_log_max_rows {}: must be at least 1", options.score_log_max_rows));
  }
  SqliteOptions sqlite_options;
  sqlite_options.synchronous = SqliteSynchronous::kFull;
  auto db = SqliteDb::Open(path, sqlite_options);
  if (!db) return db.error();
  std::unique_ptr<ValidatorStore> store(new ValidatorStore(std::move(*db), options));
  if (auto s = store->Migrate(); !s) return s.error();
  if (auto s = store->LoadBlackRoom(); !s) return s.error();
  return store;
}

Result<std::unique_ptr<ValidatorStore>> ValidatorStore::OpenInDataDir(
    const std::filesystem::path& data_dir, const ValidatorStoreOptions& options) {
  return Open(data_dir / "validator.db", options);
}

Status ValidatorStore::Migrate() {
  auto version = db_.QueryInt64("PRAGMA user_version");
  if (!version) return version.error();
  if (*version > kSchemaVersion) {
    return Error(ErrorCode::kIo,
                 fmt::format("validator store {}: schema version {} is newer than this build "
                             "knows ({}); run a newer orchestra or use another data dir",
                             path().string(), *version, kSchemaVersion));
  }
  if (*version < 0) {
    return Error(ErrorCode::kIo, fmt::format("validator store {}: schema version {} is invalid",
                                             path().string(), *version));
  }
  for (int64_t v = *version; v < kSchemaVersion; ++v) {
    auto tx = SqliteTransaction::Begin(db_);
    if (!tx) return tx.error();
    // Another process may have migrated between our read and our write lock.
    auto now = db_.QueryInt64("PRAGMA user_version");
    if (!now) return now.error();
    if (*now > v) continue;
    if (auto s = db_.Exec(kMigrations[v]); !s) return s;
    if (auto s = db_.Exec(fmt::format("PRAGMA user_version = {}", v + 1)); !s) return s;
    if (auto s = tx->Commit(); !s) return s;
  }
  return {};
}

Status ValidatorStore::LoadBlackRoom() {
  auto st = db_.Prepare("SELECT hotkey FROM black_room");
  if (!st) return st.error();
  for (;;) {
    auto row = st->Step();
    if (!row) return row.error();
    if (!*row) break;
    auto hotkey = st->ColumnText(0);
    if (!hotkey) return hotkey.error();
    black_room_.insert(std::move(*hotkey));
  }
  return {};
}

// --- Hash registry ---

Result<std::vector<std::string>> ValidatorStore::ClaimHashes(std::string_view miner_hotkey,
                                                             std::string_view challenge_id,
                                                             const std::vector<std::string>& hashes,
                                                             int64_t now_ms) {
  for (size_t i = 0; i < hashes.size(); ++i) {
    if (hashes[i].empty()) return Invalid(fmt::format("hashes[{}]: empty", i));
  }
  std::lock_guard lock(mu_);
  auto tx = SqliteTransaction::Begin(db_);
  if (!tx) return tx.error();
  auto insert = db_.Prepare(
      "INSERT INTO receipt_hashes(hash, miner_hotkey, challenge_id, first_seen_ms) "
      "VALUES(?1, ?2, ?3, ?4) ON CONFLICT(hash) DO NOTHING");
  if (!insert) return insert.error();
  std::vector<std::string> known;
  for (const std::string& hash : hashes) {
    if (auto s = insert->BindText(1, hash); !s) return s.error();
    if (auto s = insert->BindText(2, miner_hotkey); !s) return s.error();
    if (auto s = insert->BindText(3, challenge_id); !s) return s.error();
    if (auto s = insert->BindInt64(4, now_ms); !s) return s.error();
    if (auto s = insert->Run(); !s) return s.error();
    if (db_.Changes() == 0) known.push_back(hash);
  }
  if (auto s = tx->Commit(); !s) return s.error();
  return known;
}

Result<bool> ValidatorStore::IsHashKnown(std::string_view hash) {
  std::lock_guard lock(mu_);
  auto st = db_.Prepare("SELECT 1 FROM receipt_hashes WHERE hash = ?1");
  if (!st) return st.error();
  if (auto s = st->BindText(1, hash); !s) return s.error();
  return st->Step();
}

Result<int64_t> ValidatorStore::KnownHashCount() {
  std::lock_guard lock(mu_);
  return db_.QueryInt64("SELECT count(*) FROM receipt_hashes");
}

// --- Black room ---

Status ValidatorStore::BlackRoom(std::string_view hotkey, std::string_view reason,
                                 std::string_view evidence_json, int64_t now_ms) {
  if (hotkey.empty()) return Invalid("black room: empty hotkey");
  if (auto s = CheckJson(evidence_json, "black room evidence"); !s) return s;
  std::lock_guard lock(mu_);
  auto st = db_.Prepare(
      "INSERT INTO black_room(hotkey, reason, evidence, at_ms) VALUES(?1, ?2, ?3, ?4) "
      "ON CONFLICT(hotkey) DO NOTHING");
  if (!st) return st.error();
  if (auto s = st->BindText(1, hotkey); !s) return s;
  if (auto s = st->BindText(2, reason); !s) return s;
  if (auto s = st->BindText(3, evidence_json); !s) return s;
  if (auto s = st->BindInt64(4, now_ms); !s) return s;
  if (auto s = st->Run(); !s) return s;
  black_room_.emplace(hotkey);
  return {};
}

bool ValidatorStore::IsBlackRoomed(std::string_view hotkey) const {
  std::lock_guard lock(mu_);
  return black_room_.find(hotkey) != black_room_.end();
}

Result<std::vector<BlackRoomEntry>> ValidatorStore::BlackRoomed() {
  std::lock_guard lock(mu_);
  auto st =
      db_.Prepare("SELECT hotkey, reason, evidence, at_ms FROM black_room ORDER BY at_ms, hotkey");
  if (!st) return st.error();
  std::vector<BlackRoomEntry> out;
  for (;;) {
    auto row = st->Step();
    if (!row) return row.error();
    if (!*row) break;
    auto hotkey = st->ColumnText(0);
    auto reason = st->ColumnText(1);
    auto evidence = st->ColumnText(2);
    auto at = st->ColumnInt64(3);
    if (!hotkey) return hotkey.error();
    if (!reason) return reason.error();
    if (!evidence) return evidence.error();
    if (!at) return at.error();
    out.push_back({std::move(*hotkey), std::move(*reason), std::move(*evidence), *at});
  }
  return out;
}

// --- Moving averages ---

Result<double> ValidatorStore::UpdateAverage(std::string_view hotkey, int uid, int mechanism,
                                             double score, double alpha, int64_t now_ms) {
  auto averages =
      UpdateAverages({ScoreSample{std::string(hotkey), uid, mechanism, score}}, alpha, now_ms);
  if (!averages) return averages.error();
  return averages->front();
}

Result<std::vector<double>> ValidatorStore::UpdateAverages(const std::vector<ScoreSample>& samples,
                                                           double alpha, int64_t now_ms) {
  if (!(alpha > 0.0 && alpha <= 1.0)) {
    return Invalid(fmt::format("alpha {}: must be in (0, 1]", alpha));
  }
  for (size_t i = 0; i < samples.size(); ++i) {
    if (auto s = CheckMechanism(samples[i].mechanism); !s) return s.error();
    if (std::isinf(samples[i].score)) {
      return Invalid(fmt::format("score of {}: infinite", samples[i].hotkey));
    }
    if (samples[i].hotkey.empty()) return Invalid(fmt::format("samples[{}]: empty hotkey", i));
  }
  std::lock_guard lock(mu_);
  auto tx = SqliteTransaction::Begin(db_);
  if (!tx) return tx.error();
  auto select = db_.Prepare("SELECT average FROM averages WHERE mechanism = ?1 AND hotkey = ?2");
  if (!select) return select.error();
  auto upsert = db_.Prepare(
      "INSERT INTO averages(mechanism, hotkey, uid, average, samples, updated_ms) "
      "VALUES(?1, ?2, ?3, ?4, 1, ?5) ON CONFLICT(mechanism, hotkey) DO UPDATE SET "
      "uid = excluded.uid, average = excluded.average, samples = samples + 1, "
      "updated_ms = excluded.updated_ms");
  if (!upsert) return upsert.error();
  std::vector<double> out;
  out.reserve(samples.size());
  for (const ScoreSample& sample : samples) {
    if (auto s = select->BindInt64(1, sample.mechanism); !s) return s.error();
    if (auto s = select->BindText(2, sample.hotkey); !s) return s.error();
    auto row = select->Step();
    if (!row) return row.error();
    double old = 0.0;
    if (*row) {
      auto value = select->ColumnDouble(0);
      if (!value) return value.error();
      old = *value;
    }
    select->Reset();
    const double score = std::isnan(sample.score) ? 0.0 : sample.score;
    const double average = alpha * score + (1.0 - alpha) * old;
    if (auto s = upsert->BindInt64(1, sample.mechanism); !s) return s.error();
    if (auto s = upsert->BindText(2, sample.hotkey); !s) return s.error();
    if (auto s = upsert->BindInt64(3, sample.uid); !s) return s.error();
    if (auto s = upsert->BindDouble(4, average); !s) return s.error();
    if (auto s = upsert->BindInt64(5, now_ms); !s) return s.error();
    if (auto s = upsert->Run(); !s) return s.error();
    out.push_back(average);
  }
  if (auto s = tx->Commit(); !s) return s.error();
  return out;
}

Result<std::vector<MinerAverage>> ValidatorStore::Averages(int mechanism) {
  if (auto s = CheckMechanism(mechanism); !s) return s.error();
  std::lock_guard lock(mu_);
  auto st = db_.Prepare(
      "SELECT hotkey, uid, average, samples, updated_ms FROM averages WHERE mechanism = ?1 "
      "ORDER BY hotkey");
  if (!st) return st.error();
  if (auto s = st->BindInt64(1, mechanism); !s) return s.error();
  std::vector<MinerAverage> out;
  for (;;) {
    auto row = st->Step();
    if (!row) return row.error();
    if (!*row) break;
    auto hotkey = st->ColumnText(0);
    auto uid = st->ColumnInt64(1);
    auto average = st->ColumnDouble(2);
    auto samples = st->ColumnInt64(3);
    auto updated = st->ColumnInt64(4);
    if (!hotkey) return hotkey.error();
    if (!uid) return uid.error();
    if (!average) return average.error();
    if (!samples) return samples.error();
    if (!updated) return updated.error();
    out.push_back({std::move(*hotkey), static_cast<int>(*uid), *average, *samples, *updated});
  }
  return out;
}

// --- Score log ---

Status ValidatorStore::LogScores(const std::vector<ScoreLogRow>& rows) {
  for (const ScoreLogRow& row : rows) {
    if (auto s = CheckJson(row.score_card_json,
                           fmt::format("score card of {} for {}", row.hotkey, row.challenge_id));
        !s) {
      return s;
    }
  }
  std::lock_guard lock(mu_);
  auto tx = SqliteTransaction::Begin(db_);
  if (!tx) return tx.error();
  auto insert = db_.Prepare(
      "INSERT INTO score_log(challenge_id, hotkey, at_ms, total, score_card) "
      "VALUES(?1, ?2, ?3, ?4, ?5)");
  if (!insert) return insert.error();
  for (const ScoreLogRow& row : rows) {
    if (auto s = insert->BindText(1, row.challenge_id); !s) return s;
    if (auto s = insert->BindText(2, row.hotkey); !s) return s;
    if (auto s = insert->BindInt64(3, row.at_ms); !s) return s;
    if (auto s = insert->BindDouble(4, row.total); !s) return s;
    if (auto s = insert->BindText(5, row.score_card_json); !s) return s;
    if (auto s = insert->Run(); !s) return s;
  }
  // Ids grow with each insert: the newest N are those above max(id) - N.
  auto prune =
      db_.Prepare("DELETE FROM score_log WHERE id <= (SELECT max(id) FROM score_log) - ?1");
  if (!prune) return prune.error();
  if (auto s = prune->BindInt64(1, options_.score_log_max_rows); !s) return s;
  if (auto s = prune->Run(); !s) return s;
  return tx->Commit();
}

Result<std::vector<ScoreLogRow>> ValidatorStore::RecentScores(int64_t limit) {
  std::lock_guard lock(mu_);
  auto st = db_.Prepare(
      "SELECT challenge_id, hotkey, at_ms, total, score_card FROM score_log "
      "ORDER BY id DESC LIMIT ?1");
  if (!st) return st.error();
  if (auto s = st->BindInt64(1, limit); !s) return s.error();
  std::vector<ScoreLogRow> out;
  for (;;) {
    auto row = st->Step();
    if (!row) return row.error();
    if (!*row) break;
    auto challenge = st->ColumnText(0);
    auto hotkey = st->ColumnText(1);
    auto at = st->ColumnInt64(2);
    auto total = st->ColumnDouble(3);
    auto card = st->ColumnText(4);
    if (!challenge) return challenge.error();
    if (!hotkey) return hotkey.error();
    if (!at) return at.error();
    if (!total) return total.error();
    if (!card) return card.error();
    out.push_back({std::move(*challenge), std::move(*hotkey), *at, *total, std::move(*card)});
  }
  return out;
}

Result<int64_t> ValidatorStore::ScoreLogSize() {
  std::lock_guard lock(mu_);
  return db_.QueryInt64("SELECT count(*) FROM score_log");
}

// --- Last weights ---

Status ValidatorStore::SaveWeights(const StoredWeights& weights) {
  if (auto s = CheckMechanism(weights.mechanism); !s) return s;
  if (weights.uids.size() != weights.values.size()) {
    return Invalid(fmt::format("weights of mechanism {}: {} uids but {} values", weights.mechanism,
                               weights.uids.size(), weights.values.size()));
  }
  std::lock_guard lock(mu_);
  auto st = db_.Prepare(
      "INSERT INTO last_weights(mechanism, uids, vals, at_ms) VALUES(?1, ?2, ?3, ?4) "
      "ON CONFLICT(mechanism) DO UPDATE SET uids = excluded.uids, vals = excluded.vals, "
      "at_ms = excluded.at_ms");
  if (!st) return st.error();
  if (auto s = st->BindInt64(1, weights.mechanism); !s) return s;
  if (auto s = st->BindText(2, U16ArrayJson(weights.uids)); !s) return s;
  if (auto s = st->BindText(3, U16ArrayJson(weights.values)); !s) return s;
  if (auto s = st->BindInt64(4, weights.at_ms); !s) return s;
  return st->Run();
}

Result<std::optional<StoredWeights>> ValidatorStore::LastWeights(int mechanism) {
  if (auto s = CheckMechanism(mechanism); !s) return s.error();
  std::lock_guard lock(mu_);
  auto st = db_.Prepare("SELECT uids, vals, at_ms FROM last_weights WHERE mechanism = ?1");
  if (!st) return st.error();
  if (auto s = st->BindInt64(1, mechanism); !s) return s.error();
  auto row = st->Step();
  if (!row) return row.error();
  if (!*row) return std::optional<StoredWeights>();
  auto uids_text = st->ColumnText(0);
  auto values_text = st->ColumnText(1);
  auto at = st->ColumnInt64(2);
  if (!uids_text) return uids_text.error();
  if (!values_text) return values_text.error();
  if (!at) return at.error();
  const std::string where =
      fmt::format("{}: last weights of mechanism {}", path().string(), mechanism);
  auto uids = ParseU16Array(*uids_text, where + " (uids)");
  if (!uids) return uids.error();
  auto values = ParseU16Array(*values_text, where + " (values)");
  if (!values) return values.error();
  if (uids->size() != values->size()) {
    return Error(ErrorCode::kParse, where + ": uids and values differ in length");
  }
  return std::optional<StoredWeights>(
      StoredWeights{mechanism, std::move(*uids), std::move(*values), *at});
}

}  // namespace orchestra::validator
