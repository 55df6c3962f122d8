#include "orchestra/sim/receipt_store.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <bit>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "orchestra/core/hash.h"
#include "orchestra/core/json.h"
#include "orchestra/core/memory.h"

namespace orchestra::sim {
namespace {

// Rows are appended in id order. The hash index is keyed by (bucket, hash key), a bucket being
// kBucketBits of consecutive ids, so a batch's index inserts land on the few pages of the
// newest bucket instead of one random page of the whole index per receipt (which is what a
// `hash TEXT PRIMARY KEY` did), and pruning deletes from the oldest bucket's pages: in a planted
// sim_load run, 3.9 pwrite calls per receipt instead of 7.0 and the writer's CPU per receipt
// 14.7 µs instead of 23.2. The price is on lookups that miss: one index probe per bucket (77
// at the default retention of 2.5M receipts; 25 µs for a miss among 1M).
constexpr int kBucketBits = 15;
// The writer's page cache: 16 MiB. What a batch touches is the table's last pages, the newest
// bucket's index pages (about 650 KB for 32,768 receipts) and, when pruning, the oldest ones:
// a few MiB. A cache sized for the old random index (64 MiB) kept growing for the first
// minute of a busy run, its fresh pages costing the writer about a quarter of its CPU then
// (planted sim_load, nine alternating runs: 10.4-16.6 -> 7.2-12.0 µs per receipt).
constexpr const char* kWriterPragmas =
    "PRAGMA synchronous=NORMAL; PRAGMA cache_size=-16384; PRAGMA wal_autocheckpoint=10000;";

// How long the writer waits before retrying a batch whose transaction failed: doubling from the
// first to the last while failures persist.
constexpr std::chrono::milliseconds kFirstRetryDelay{100};
constexpr std::chrono::milliseconds kLastRetryDelay{2000};

Error SqlError(const std::filesystem::path& file, sqlite3* db, std::string_view what) {
  return Error(ErrorCode::kIo, fmt::format("receipt store {}: {}: {}", file.string(), what,
                                           db ? sqlite3_errmsg(db) : "out of memory"));
}

// Runs `sql`; an error says `what` failed and why.
Status Exec(const std::filesystem::path& file, sqlite3* db, const char* sql,
            std::string_view what) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    Error e(ErrorCode::kIo,
            fmt::format("receipt store {}: {}: {}", file.string(), what, message ? message : "?"));
    sqlite3_free(message);
    return e;
  }
  return {};
}

Result<sqlite3*> OpenConnection(const std::filesystem::path& file) {
  sqlite3* db = nullptr;
  // NOMUTEX: each connection is used by one thread at a time (the writer's by the writer
  // thread, the reader's under a mutex).
  if (sqlite3_open_v2(file.c_str(), &db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                      nullptr) != SQLITE_OK) {
    Error e = SqlError(file, db, "cannot open");
    sqlite3_close(db);
    return e;
  }
  sqlite3_busy_timeout(db, 5000);
  if (sqlite3_db_readonly(db, "main") == 1) {
    sqlite3_close(db);
    return Error(ErrorCode::kIo,
                 fmt::format("receipt store {}: file is not writable", file.string()));
  }
  return db;
}

Result<sqlite3_stmt*> Prepare(const std::filesystem::path& file, sqlite3* db, const char* sql,
                              std::string_view what) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
    return SqlError(file, db, what);
  }
  return stmt;
}

// Runs `stmt`, which selects one integer, and returns it; an error says `what` failed.
Result<int64_t> SelectInt64(const std::filesystem::path& file, sqlite3* db, sqlite3_stmt* stmt,
                            std::string_view what) {
  const int rc = sqlite3_step(stmt);
  Result<int64_t> value =
      rc == SQLITE_ROW ? Result<int64_t>(sqlite3_column_int64(stmt, 0)) : SqlError(file, db, what);
  sqlite3_reset(stmt);
  return value;
}

// Switches `db` to write-ahead logging. The first statement that reads the file: a file that
// is not SQLite fails here.
Status SetWal(const std::filesystem::path& file, sqlite3* db) {
  auto stmt = Prepare(file, db, "PRAGMA journal_mode=WAL", "cannot read");
  if (!stmt) return stmt.error();
  const int rc = sqlite3_step(*stmt);
  const auto* mode = rc == SQLITE_ROW ? sqlite3_column_text(*stmt, 0) : nullptr;
  const std::string journal_mode = mode ? reinterpret_cast<const char*>(mode) : "";
  Status status;
  if (rc != SQLITE_ROW) {
    status = SqlError(file, db, "cannot read");
  } else if (journal_mode != "wal") {
    status = Error(ErrorCode::kIo, fmt::format("receipt store {}: cannot use WAL (journal mode "
                                               "stays {})",
                                               file.string(), journal_mode));
  }
  sqlite3_finalize(*stmt);
  return status;
}

// The receipt as the store wrote it (protocol::CanonicalReceiptJson(receipt)). Deliberately not
// protocol::ReceiptFromJson: the simulator also signs unproven calls (an empty lock), which that
// validating codec rejects, and a stored receipt must come back exactly as it was added.
Result<protocol::Receipt> DecodeStored(std::string_view text, std::string_view what) {
  auto json = ParseJson(text, what);
  if (!json) return json.error();
  protocol::Receipt r;
  const Json* issued = json->is_object() ? JsonFind(*json, "issued_at_ms") : nullptr;
  const Json* price = json->is_object() ? JsonFind(*json, "price") : nullptr;
  if (!issued || !JsonInteger(*issued, &r.issued_at_ms) || !price ||
      !JsonNumber(*price, &r.price)) {
    return Error(ErrorCode::kParse, fmt::format("{}: not a receipt object", what));
  }
  r.lock = JsonString(*json, "lock");
  r.request_hash = JsonString(*json, "request_hash");
  r.response_hash = JsonString(*json, "response_hash");
  r.expert_hotkey = JsonString(*json, "expert_hotkey");
  r.signature = JsonString(*json, "signature");
  return r;
}

// The index key of a receipt hash: FNV-1a (64 bits) of its text, so any string has one. Part
// of the file format: changing it orphans stored receipts.
int64_t HashKey(std::string_view hash) {
  uint64_t h = 14695981039346656037ull;
  for (const char c : hash) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return static_cast<int64_t>(h);
}

// SQL function orchestra_hash_key(text), for moving rows of the first layout.
void HashKeySql(sqlite3_context* context, int, sqlite3_value** args) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(args[0]));
  const int size = sqlite3_value_bytes(args[0]);
  sqlite3_result_int64(context, HashKey(std::string_view(text ? text : "", size)));
}

constexpr const char* kCreateTable =
    "CREATE TABLE receipts ("
    " id INTEGER PRIMARY KEY,"
    " bucket INTEGER NOT NULL,"
    " hash_key INTEGER NOT NULL,"
    " hash TEXT NOT NULL,"
    " netuid INTEGER NOT NULL,"
    " uid INTEGER NOT NULL,"
    " issued_at_ms INTEGER NOT NULL,"
    " receipt TEXT NOT NULL);"
    "CREATE UNIQUE INDEX receipts_by_hash ON receipts(bucket, hash_key);"
    // A binary of the first layout would insert rows without a bucket, which OR IGNORE would
    // skip without a word: make its inserts fail instead.
    "CREATE TRIGGER receipts_layout_guard BEFORE INSERT ON receipts WHEN NEW.bucket IS NULL"
    " BEGIN SELECT RAISE(ABORT, 'receipts.db has the bucketed layout: this orchestra is older"
    " than the file'); END;"
    "PRAGMA user_version = 2;";

// Creates the receipts table, or moves the rows of the first layout (`hash TEXT PRIMARY KEY`,
// before 2026-12) into the current one, in one transaction.
Status EnsureSchema(const std::filesystem::path& file, sqlite3* db) {
  auto columns = Prepare(file, db, "SELECT name FROM pragma_table_info('receipts') ORDER BY cid",
                         "read the receipts table");
  if (!columns) return columns.error();
  std::vector<std::string> names;
  int rc;
  while ((rc = sqlite3_step(*columns)) == SQLITE_ROW) {
    const auto* name = reinterpret_cast<const char*>(sqlite3_column_text(*columns, 0));
    names.emplace_back(name ? name : "");
  }
  sqlite3_finalize(*columns);
  if (rc != SQLITE_DONE) return SqlError(file, db, "read the receipts table");
  using Names = std::vector<std::string>;
  if (names.empty()) return Exec(file, db, kCreateTable, "create table receipts");
  if (names ==
      Names{"id", "bucket", "hash_key", "hash", "netuid", "uid", "issued_at_ms", "receipt"}) {
    return {};
  }
  if (names != Names{"hash", "netuid", "uid", "issued_at_ms", "receipt"}) {
    return Error(ErrorCode::kIo,
                 fmt::format("receipt store {}: a receipts table of another shape (columns {})",
                             file.string(), fmt::join(names, ", ")));
  }

  spdlog::info("receipt store {}: moving its receipts to the bucketed hash index (once)",
               file.string());
  if (sqlite3_create_function(db, "orchestra_hash_key", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
                              nullptr, HashKeySql, nullptr, nullptr) != SQLITE_OK) {
    return SqlError(file, db, "register orchestra_hash_key");
  }
  if (auto s = Exec(file, db, "BEGIN IMMEDIATE; ALTER TABLE receipts RENAME TO receipts_v1;",
                    "move receipts to the current layout");
      !s) {
    (void)Exec(file, db, "ROLLBACK;", "roll back");
    return s;
  }
  const std::string move = fmt::format(
      "{} INSERT INTO receipts(id, bucket, hash_key, hash, netuid, uid, issued_at_ms, receipt)"
      " SELECT rowid, rowid >> {}, orchestra_hash_key(hash), hash, netuid, uid, issued_at_ms,"
      " receipt FROM receipts_v1 ORDER BY rowid; DROP TABLE receipts_v1; COMMIT;",
      kCreateTable, kBucketBits);
  if (auto s = Exec(file, db, move.c_str(), "move receipts to the current layout"); !s) {
    (void)Exec(file, db, "ROLLBACK;", "roll back");
    return s;
  }
  // The move doubled the file and filled the WAL (about the old file's size): hand the WAL's
  // space back now rather than at the next automatic checkpoint.
  if (auto s = Exec(file, db, "PRAGMA wal_checkpoint(TRUNCATE);", "checkpoint after the move");
      !s) {
    spdlog::warn("{}", s.error().ToString());
  }
  return {};
}

// Receipts a batch has room for before it grows.
size_t ExpectedBatch(const ReceiptStoreOptions& options) {
  return std::min<size_t>(options.batch_size, 4096);
}

}  // namespace

// Receipts added and not yet committed, in three flat buffers. Add() appends to them, and once
// they have grown it allocates nothing; the writer clears a committed batch and reuses it
// instead of freeing it. (A hash map of receipts allocated on the simulator's threads and freed
// on the writer's kept glibc's arena locks contended: about one futex call per receipt.)
class ReceiptStore::Batch {
 public:
  explicit Batch(size_t expected) {
    entries_.reserve(expected);
    text_.reserve(expected * kTypicalTextBytes);
    slots_.assign(SlotsFor(expected), 0);
  }

  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }

  // Bytes held, for deciding whether a batch that grew is worth keeping.
  size_t capacity_bytes() const {
    return entries_.capacity() * sizeof(Entry) + text_.capacity() + slots_.size() * 4;
  }

  // Adds `receipt` under `hash`; false when `hash` is already here.
  bool Insert(std::string_view hash, int netuid, int uid, const protocol::Receipt& receipt) {
    if (2 * (entries_.size() + 1) > slots_.size()) Rehash(SlotsFor(2 * (entries_.size() + 1)));
    size_t slot = Probe(hash);
    if (slots_[slot] != 0) return false;
    Entry e{.offset = text_.size(),
            .sizes = {},
            .netuid = netuid,
            .uid = uid,
            .issued_at_ms = receipt.issued_at_ms,
            .price = receipt.price};
    const std::string_view pieces[kPieces] = {hash,
                                              receipt.lock,
                                              receipt.request_hash,
                                              receipt.response_hash,
                                              receipt.expert_hotkey,
                                              receipt.signature};
    for (size_t i = 0; i < kPieces; ++i) {
      e.sizes[i] = pieces[i].size();
      text_.append(pieces[i]);
    }
    entries_.push_back(e);
    slots_[slot] = static_cast<uint32_t>(entries_.size());
    return true;
  }

  std::optional<StoredReceipt> Find(std::string_view hash) const {
    const uint32_t index = slots_[Probe(hash)];
    if (index == 0) return std::nullopt;
    return Stored(entries_[index - 1]);
  }

  // Calls f(hash, stored) for every receipt, in the order they were added.
  template <typename F>
  void ForEach(F&& f) const {
    for (const Entry& e : entries_) f(Piece(e, 0), Stored(e));
  }

  // Empties the batch and keeps its buffers.
  void Clear() {
    entries_.clear();
    text_.clear();
    std::fill(slots_.begin(), slots_.end(), 0);
  }

 private:
  // The hash, then the receipt's strings: lock, request_hash, response_hash, expert_hotkey,
  // signature.
  static constexpr size_t kPieces = 6;
  static constexpr size_t kTypicalTextBytes = 512;
  struct Entry {
    size_t offset;  // of the first piece in text_
    std::array<size_t, kPieces> sizes;
    int netuid;
    int uid;
    int64_t issued_at_ms;
    double price;
  };

  // A power of two, at least twice `entries`, so probes stay short.
  static size_t SlotsFor(size_t entries) {
    return std::bit_ceil(std::max<size_t>(64, 2 * entries));
  }

  std::string_view Piece(const Entry& e, size_t i) const {
    size_t offset = e.offset;
    for (size_t j = 0; j < i; ++j) offset += e.sizes[j];
    return std::string_view(text_).substr(offset, e.sizes[i]);
  }

  StoredReceipt Stored(const Entry& e) const {
    StoredReceipt out{e.netuid, e.uid, {}};
    out.receipt.lock = Piece(e, 1);
    out.receipt.request_hash = Piece(e, 2);
    out.receipt.response_hash = Piece(e, 3);
    out.receipt.expert_hotkey = Piece(e, 4);
    out.receipt.issued_at_ms = e.issued_at_ms;
    out.receipt.price = e.price;
    out.receipt.signature = Piece(e, 5);
    return out;
  }

  // The slot holding `hash`, or the empty slot where it would go (linear probing).
  size_t Probe(std::string_view hash) const {
    const size_t mask = slots_.size() - 1;
    for (size_t slot = std::hash<std::string_view>()(hash) & mask;; slot = (slot + 1) & mask) {
      const uint32_t index = slots_[slot];
      if (index == 0 || Piece(entries_[index - 1], 0) == hash) return slot;
    }
  }

  void Rehash(size_t slots) {
    slots_.assign(slots, 0);
    for (size_t i = 0; i < entries_.size(); ++i) {
      slots_[Probe(Piece(entries_[i], 0))] = static_cast<uint32_t>(i + 1);
    }
  }

  std::vector<Entry> entries_;
  std::string text_;
  std::vector<uint32_t> slots_;  // index into entries_ + 1; 0 is empty
};

ReceiptStore::ReceiptStore(std::filesystem::path file, ReceiptStoreOptions options)
    : file_(std::move(file)),
      options_(options),
      pending_(std::make_unique<Batch>(ExpectedBatch(options))) {}

Result<std::unique_ptr<ReceiptStore>> ReceiptStore::Open(const std::filesystem::path& file,
                                                         ReceiptStoreOptions options) {
  if (options.batch_size == 0 || options.max_pending == 0 || options.flush_interval.count() <= 0) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("receipt store {}: batch_size, max_pending and flush_interval must "
                             "be positive",
                             file.string()));
  }
  const std::filesystem::path dir = file.has_parent_path() ? file.parent_path() : ".";
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return Error(ErrorCode::kNotFound, fmt::format("receipt store {}: directory {} does not exist",
                                                   file.string(), dir.string()));
  }
  if (std::filesystem::is_directory(file, ec)) {
    return Error(ErrorCode::kIo,
                 fmt::format("receipt store {}: is a directory, not a file", file.string()));
  }

  std::unique_ptr<ReceiptStore> store(new ReceiptStore(file, options));
  auto writer_db = OpenConnection(file);
  if (!writer_db) return writer_db.error();
  store->writer_db_ = *writer_db;
  if (auto s = SetWal(file, store->writer_db_); !s) return s.error();
  if (auto s = Exec(file, store->writer_db_, kWriterPragmas, "configure"); !s) return s.error();
  if (auto s = EnsureSchema(file, store->writer_db_); !s) return s.error();
  // OR IGNORE: a receipt already stored in the same bucket (a re-add) is skipped; the writer
  // tells it from a different hash with the same key by reading the row back.
  auto insert = Prepare(file, store->writer_db_,
                        "INSERT OR IGNORE INTO receipts(id, bucket, hash_key, hash, netuid, uid,"
                        " issued_at_ms, receipt) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                        "prepare insert");
  if (!insert) return insert.error();
  store->insert_ = *insert;
  auto same_key = Prepare(file, store->writer_db_,
                          "SELECT hash FROM receipts WHERE bucket = ?1 AND hash_key = ?2",
                          "prepare duplicate check");
  if (!same_key) return same_key.error();
  store->same_key_ = *same_key;
  // Ids grow with every insert, so the smallest are the oldest receipts.
  auto prune = Prepare(file, store->writer_db_,
                       "DELETE FROM receipts WHERE id IN "
                       "(SELECT id FROM receipts ORDER BY id LIMIT ?1)",
                       "prepare prune");
  if (!prune) return prune.error();
  store->prune_ = *prune;
  auto oldest =
      Prepare(file, store->writer_db_, "SELECT ifnull(min(id), 0) FROM receipts", "prepare oldest");
  if (!oldest) return oldest.error();
  store->oldest_ = *oldest;
  auto newest =
      Prepare(file, store->writer_db_, "SELECT ifnull(max(id), 0) FROM receipts", "prepare newest");
  if (!newest) return newest.error();
  store->newest_ = *newest;

  auto reader_db = OpenConnection(file);
  if (!reader_db) return reader_db.error();
  store->reader_db_ = *reader_db;
  auto select = Prepare(file, store->reader_db_,
                        "SELECT hash, netuid, uid, receipt FROM receipts"
                        " WHERE bucket = ?1 AND hash_key = ?2",
                        "prepare select");
  if (!select) return select.error();
  store->select_ = *select;

  auto count = Prepare(file, store->reader_db_, "SELECT count(*) FROM receipts", "count receipts");
  if (!count) return count.error();
  auto rows = SelectInt64(file, store->reader_db_, *count, "count receipts");
  sqlite3_finalize(*count);
  if (!rows) return rows.error();
  store->stored_rows_ = *rows;
  // The writer's statements, used here before its thread starts.
  auto oldest_id = SelectInt64(file, store->writer_db_, store->oldest_, "read the oldest id");
  if (!oldest_id) return oldest_id.error();
  store->oldest_id_ = *oldest_id;
  auto newest_id = SelectInt64(file, store->writer_db_, store->newest_, "read the newest id");
  if (!newest_id) return newest_id.error();
  store->newest_id_ = *newest_id;

  store->writer_ = std::thread([s = store.get()] { s->WriterLoop(); });
  return store;
}

ReceiptStore::~ReceiptStore() {
  if (writer_.joinable()) {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    writer_cv_.notify_one();
    writer_.join();
  }
  sqlite3_finalize(select_);
  sqlite3_finalize(insert_);
  sqlite3_finalize(same_key_);
  sqlite3_finalize(prune_);
  sqlite3_finalize(oldest_);
  sqlite3_finalize(newest_);
  sqlite3_close(reader_db_);
  sqlite3_close(writer_db_);
}

bool ReceiptStore::Add(int netuid, int uid, const protocol::Receipt& receipt) {
  // The hash is made before taking the lock, so that concurrent callers contend only for the
  // insertion itself.
  const std::string hash = receipt.Hash();
  bool accepted = false;
  bool wake_writer = false;
  bool first_drop = false;
  {
    std::lock_guard lock(mu_);
    const size_t uncommitted = pending_->size() + (inflight_ ? inflight_->size() : 0);
    if (uncommitted >= options_.max_pending) {
      first_drop = !dropping_;
      dropping_ = true;
      ++stats_.dropped;
    } else {
      pending_->Insert(hash, netuid, uid, receipt);
      ++added_seq_;
      ++stats_.added;
      accepted = true;
      wake_writer = pending_->size() == 1 || pending_->size() == options_.batch_size;
    }
  }
  if (wake_writer) writer_cv_.notify_one();
  if (first_drop) {
    spdlog::warn(
        "receipt store {}: {} receipts not yet committed; dropping new ones until the "
        "writer catches up",
        file_.string(), options_.max_pending);
  }
  return accepted;
}

void ReceiptStore::WriterLoop() {
  // Two batches take turns: one fills under mu_ while the writer commits the other, which it
  // then clears (outside the lock) for the next turn. One that grew past its first size while
  // the writer lagged (pruning at 7k receipts/s on a busy machine does that) is replaced
  // instead and its memory handed back, so the process's memory returns to its usual size
  // after the writer catches up (sim_soak: 85 -> 93 MiB over 8 minutes, instead of swinging
  // between 107 and 145 MiB while pruning).
  auto spare = std::make_unique<Batch>(ExpectedBatch(options_));
  const size_t keep_bytes = spare->capacity_bytes();
  std::chrono::milliseconds retry_delay = kFirstRetryDelay;
  std::unique_lock lock(mu_);
  for (;;) {
    if (!inflight_) {
      writer_cv_.wait(lock, [&] { return stop_ || !pending_->empty(); });
      writer_cv_.wait_for(lock, options_.flush_interval, [&] {
        return stop_ || pending_->size() >= options_.batch_size || flush_target_ > committed_seq_;
      });
      if (pending_->empty()) {
        if (stop_) break;
        continue;
      }
      std::swap(spare, pending_);
      inflight_ = std::move(spare);
      inflight_seq_ = added_seq_;
    }
    lock.unlock();
    BatchOutcome outcome{.oldest_id = oldest_id_};
    Status status = WriteBatch(*inflight_, &outcome);
    lock.lock();
    if (status) {
      committed_seq_ = inflight_seq_;
      stored_rows_ = stored_rows_ + outcome.inserted - outcome.pruned;
      oldest_id_ = outcome.oldest_id;
      newest_id_ = outcome.newest_id;
      stats_.inserted += outcome.inserted;
      stats_.pruned += outcome.pruned;
      ++stats_.batches;
      dropping_ = false;
      retry_delay = kFirstRetryDelay;
      spare = std::move(inflight_);
      flushed_cv_.notify_all();
      lock.unlock();
      if (spare->capacity_bytes() > keep_bytes) {
        spare.reset();
        // Freed, its buffers' pages would stay with the process (glibc raises its mmap
        // threshold after freeing a large mapping; tcmalloc returns pages slowly).
        ReleaseFreeMemory();
        spare = std::make_unique<Batch>(ExpectedBatch(options_));
      } else {
        spare->Clear();
      }
      lock.lock();
      continue;
    }
    ++stats_.write_errors;
    last_write_error_ = status.error();
    flushed_cv_.notify_all();
    const size_t uncommitted = pending_->size() + inflight_->size();
    if (stop_) {
      spdlog::error("closing with {} receipts not committed: {}", uncommitted,
                    status.error().ToString());
      break;
    }
    spdlog::error("{} receipts not committed, retrying in {} ms: {}", uncommitted,
                  retry_delay.count(), status.error().ToString());
    writer_cv_.wait_for(lock, retry_delay, [&] { return stop_; });
    retry_delay = std::min(retry_delay * 2, kLastRetryDelay);
  }
}

Status ReceiptStore::WriteBatch(const Batch& batch, BatchOutcome* outcome) {
  if (auto s = Exec(file_, writer_db_, "BEGIN IMMEDIATE;", "begin batch"); !s) return s;
  auto fail = [&](Error e) {
    (void)Exec(file_, writer_db_, "ROLLBACK;", "roll back batch");
    return e;
  };
  // Ids continue from the file's newest, read under the transaction's lock, so another store
  // on the same file (a second simulator on one data dir) never takes the same ones.
  auto newest = SelectInt64(file_, writer_db_, newest_, "read the newest receipt's id");
  if (!newest) return fail(newest.error());
  int64_t next_id = *newest + 1;
  // Only the writer changes stored_rows_, so reading it without the lock is safe here.
  uint64_t rows = stored_rows_;
  uint64_t added = 0;
  Status failed;
  std::string json;
  batch.ForEach([&](std::string_view hash, const StoredReceipt& entry) {
    if (!failed) return;
    json = protocol::CanonicalReceiptJson(entry.receipt);
    const int64_t key = HashKey(hash);
    // A different hash with the same key in this bucket (one chance in 2^35 per bucket)
    // sends the receipt on to the next bucket; Lookup() checks the hash in each.
    for (;;) {
      const int64_t id = next_id++;
      const int64_t bucket = id >> kBucketBits;
      sqlite3_bind_int64(insert_, 1, id);
      sqlite3_bind_int64(insert_, 2, bucket);
      sqlite3_bind_int64(insert_, 3, key);
      sqlite3_bind_text(insert_, 4, hash.data(), static_cast<int>(hash.size()), SQLITE_STATIC);
      sqlite3_bind_int(insert_, 5, entry.netuid);
      sqlite3_bind_int(insert_, 6, entry.uid);
      sqlite3_bind_int64(insert_, 7, entry.receipt.issued_at_ms);
      sqlite3_bind_text(insert_, 8, json.data(), static_cast<int>(json.size()), SQLITE_STATIC);
      const int rc = sqlite3_step(insert_);
      sqlite3_reset(insert_);
      sqlite3_clear_bindings(insert_);
      if (rc != SQLITE_DONE) {
        failed = SqlError(file_, writer_db_, fmt::format("insert receipt {}", hash));
        return;
      }
      if (sqlite3_changes(writer_db_) == 1) {
        ++added;
        return;
      }
      auto same = StoredHashAt(bucket, key);
      if (!same) {
        failed = same.error();
        return;
      }
      if (*same == hash) return;  // a re-add
      next_id = (bucket + 1) << kBucketBits;
    }
  });
  if (!failed) return fail(failed.error());
  rows += added;
  uint64_t deleted = 0;
  if (options_.max_receipts > 0 && rows > options_.max_receipts) {
    sqlite3_bind_int64(prune_, 1, static_cast<int64_t>(rows - options_.max_receipts));
    const int rc = sqlite3_step(prune_);
    sqlite3_reset(prune_);
    sqlite3_clear_bindings(prune_);
    if (rc != SQLITE_DONE) return fail(SqlError(file_, writer_db_, "prune the oldest receipts"));
    deleted = static_cast<uint64_t>(sqlite3_changes(writer_db_));
    auto oldest = SelectInt64(file_, writer_db_, oldest_, "read the oldest receipt's id");
    if (!oldest) return fail(oldest.error());
    outcome->oldest_id = *oldest;
  }
  if (auto s = Exec(file_, writer_db_, "COMMIT;", "commit batch"); !s) return fail(s.error());
  outcome->inserted = added;
  outcome->pruned = deleted;
  outcome->newest_id = next_id - 1;
  return {};
}

Result<std::string> ReceiptStore::StoredHashAt(int64_t bucket, int64_t key) {
  sqlite3_bind_int64(same_key_, 1, bucket);
  sqlite3_bind_int64(same_key_, 2, key);
  const int rc = sqlite3_step(same_key_);
  Result<std::string> result = std::string();
  if (rc == SQLITE_ROW) {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(same_key_, 0));
    result = std::string(text ? text : "", sqlite3_column_bytes(same_key_, 0));
  } else if (rc == SQLITE_DONE) {
    result = Error(ErrorCode::kInternal,
                   fmt::format("receipt store {}: an insert was ignored but no receipt holds its "
                               "key (bucket {}, key {})",
                               file_.string(), bucket, key));
  } else {
    result = SqlError(file_, writer_db_, "read back a receipt hash");
  }
  sqlite3_reset(same_key_);
  sqlite3_clear_bindings(same_key_);
  return result;
}

Result<std::optional<StoredReceipt>> ReceiptStore::Lookup(std::string_view hash) const {
  // Every stored hash is Receipt::Hash(): anything else is absent without probing the buckets.
  if (!IsPrefixedHash256(hash)) return std::optional<StoredReceipt>();
  int64_t oldest_id = 0;
  int64_t newest_id = 0;
  {
    std::lock_guard lock(mu_);
    for (const Batch* batch : {pending_.get(), inflight_.get()}) {
      if (!batch) continue;
      if (auto found = batch->Find(hash)) return found;
    }
    oldest_id = oldest_id_;
    newest_id = newest_id_;
  }
  // Not pending: either never added, or committed before inflight_ was reset (which happened
  // before the lock above was taken), so this read sees it, in a bucket of the range read
  // there. (Pruning meanwhile only removes buckets at the old end.) Newest first: receipts are
  // asked for soon after they are issued.
  const int64_t key = HashKey(hash);
  std::lock_guard lock(reader_mu_);
  // One read transaction for all the probes: each statement would otherwise open its own.
  if (auto s = Exec(file_, reader_db_, "BEGIN;", "begin lookup"); !s) return s.error();
  Result<std::optional<StoredReceipt>> result = std::optional<StoredReceipt>();
  for (int64_t bucket = newest_id >> kBucketBits;
       result && !result->has_value() && bucket >= (oldest_id >> kBucketBits); --bucket) {
    sqlite3_bind_int64(select_, 1, bucket);
    sqlite3_bind_int64(select_, 2, key);
    const int rc = sqlite3_step(select_);
    if (rc == SQLITE_ROW) {
      const auto column = [&](int i) {
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(select_, i));
        return std::string_view(text ? text : "", sqlite3_column_bytes(select_, i));
      };
      if (column(0) == hash) {
        auto receipt = DecodeStored(
            column(3), fmt::format("receipt store {}: receipt {}", file_.string(), hash));
        if (receipt) {
          result = std::optional<StoredReceipt>(StoredReceipt{
              sqlite3_column_int(select_, 1), sqlite3_column_int(select_, 2), std::move(*receipt)});
        } else {
          result = receipt.error();
        }
      }
    } else if (rc != SQLITE_DONE) {
      result = SqlError(file_, reader_db_, fmt::format("find receipt {}", hash));
    }
    sqlite3_reset(select_);
    sqlite3_clear_bindings(select_);
  }
  if (!Exec(file_, reader_db_, "COMMIT;", "end lookup")) {
    (void)Exec(file_, reader_db_, "ROLLBACK;", "end lookup");
  }
  return result;
}

std::optional<StoredReceipt> ReceiptStore::Find(std::string_view hash) const {
  auto found = Lookup(hash);
  if (found) return std::move(*found);
  read_errors_.fetch_add(1, std::memory_order_relaxed);
  spdlog::error("{}", found.error().ToString());
  return std::nullopt;
}

size_t ReceiptStore::size() const {
  std::lock_guard lock(mu_);
  return stored_rows_ + pending_->size() + (inflight_ ? inflight_->size() : 0);
}

Status ReceiptStore::Flush() {
  std::unique_lock lock(mu_);
  const uint64_t target = added_seq_;
  if (committed_seq_ >= target) return {};
  const uint64_t errors_before = stats_.write_errors;
  flush_target_ = std::max(flush_target_, target);
  writer_cv_.notify_one();
  flushed_cv_.wait(
      lock, [&] { return committed_seq_ >= target || stats_.write_errors != errors_before; });
  if (committed_seq_ >= target) return {};
  return *last_write_error_;
}

ReceiptStoreStats ReceiptStore::stats() const {
  std::lock_guard lock(mu_);
  ReceiptStoreStats stats = stats_;
  stats.read_errors = read_errors_.load(std::memory_order_relaxed);
  stats.pending = pending_->size() + (inflight_ ? inflight_->size() : 0);
  return stats;
}

}  // namespace orchestra::sim
