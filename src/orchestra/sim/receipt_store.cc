#include "orchestra/sim/receipt_store.h"

#include <fmt/format.h>
#include <malloc.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <bit>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "orchestra/core/json.h"

// Defined when the program is linked against tcmalloc (cmake: orchestra_link_allocator).
extern "C" void MallocExtension_ReleaseFreeMemory() __attribute__((weak));

namespace orchestra::sim {
namespace {

// Hands the allocator's free pages back to the system: tcmalloc's when the program links it,
// else glibc's. Either keeps freed memory for reuse otherwise.
void ReleaseFreeMemory() {
  if (MallocExtension_ReleaseFreeMemory) {
    MallocExtension_ReleaseFreeMemory();
  } else {
    malloc_trim(0);
  }
}

// Receipt hashes are random, so every insert lands on a random page of the primary-key index
// and a batch dirties about one index page per receipt: the writer's cost is those page writes.
// A page cache that holds the index of ~800k receipts avoids reading them back, and a larger
// auto-checkpoint (~40 MB of WAL) folds repeated writes of the same page into one.
constexpr const char* kWriterPragmas =
    "PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536; PRAGMA wal_autocheckpoint=10000;";

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

// The receipt as the store wrote it (CanonicalJson(ToJson(receipt))). Deliberately not
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
  if (auto s = Exec(file, store->writer_db_,
                    "CREATE TABLE IF NOT EXISTS receipts ("
                    " hash TEXT PRIMARY KEY,"
                    " netuid INTEGER NOT NULL,"
                    " uid INTEGER NOT NULL,"
                    " issued_at_ms INTEGER NOT NULL,"
                    " receipt TEXT NOT NULL);",
                    "create table receipts");
      !s) {
    return s.error();
  }
  auto insert = Prepare(file, store->writer_db_,
                        "INSERT OR IGNORE INTO receipts(hash, netuid, uid, issued_at_ms, receipt) "
                        "VALUES(?1, ?2, ?3, ?4, ?5)",
                        "prepare insert");
  if (!insert) return insert.error();
  store->insert_ = *insert;
  // Rowids grow with every insert, so the smallest are the oldest receipts.
  auto prune = Prepare(file, store->writer_db_,
                       "DELETE FROM receipts WHERE rowid IN "
                       "(SELECT rowid FROM receipts ORDER BY rowid LIMIT ?1)",
                       "prepare prune");
  if (!prune) return prune.error();
  store->prune_ = *prune;

  auto reader_db = OpenConnection(file);
  if (!reader_db) return reader_db.error();
  store->reader_db_ = *reader_db;
  auto select =
      Prepare(file, store->reader_db_, "SELECT netuid, uid, receipt FROM receipts WHERE hash = ?1",
              "prepare select");
  if (!select) return select.error();
  store->select_ = *select;

  auto count = Prepare(file, store->reader_db_, "SELECT count(*) FROM receipts", "count receipts");
  if (!count) return count.error();
  const int rc = sqlite3_step(*count);
  if (rc == SQLITE_ROW) store->stored_rows_ = sqlite3_column_int64(*count, 0);
  sqlite3_finalize(*count);
  if (rc != SQLITE_ROW) return SqlError(file, store->reader_db_, "count receipts");

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
  sqlite3_finalize(prune_);
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
    uint64_t inserted = 0;
    uint64_t pruned = 0;
    Status status = WriteBatch(*inflight_, &inserted, &pruned);
    lock.lock();
    if (status) {
      committed_seq_ = inflight_seq_;
      stored_rows_ = stored_rows_ + inserted - pruned;
      stats_.inserted += inserted;
      stats_.pruned += pruned;
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

Status ReceiptStore::WriteBatch(const Batch& batch, uint64_t* inserted, uint64_t* pruned) {
  if (auto s = Exec(file_, writer_db_, "BEGIN IMMEDIATE;", "begin batch"); !s) return s;
  // Only the writer changes stored_rows_, so reading it without the lock is safe here.
  uint64_t rows = stored_rows_;
  uint64_t added = 0;
  Status failed;
  std::string json;
  batch.ForEach([&](std::string_view hash, const StoredReceipt& entry) {
    if (!failed) return;
    json = CanonicalJson(protocol::ToJson(entry.receipt));
    sqlite3_bind_text(insert_, 1, hash.data(), static_cast<int>(hash.size()), SQLITE_STATIC);
    sqlite3_bind_int(insert_, 2, entry.netuid);
    sqlite3_bind_int(insert_, 3, entry.uid);
    sqlite3_bind_int64(insert_, 4, entry.receipt.issued_at_ms);
    sqlite3_bind_text(insert_, 5, json.data(), static_cast<int>(json.size()), SQLITE_STATIC);
    const int rc = sqlite3_step(insert_);
    sqlite3_reset(insert_);
    sqlite3_clear_bindings(insert_);
    if (rc != SQLITE_DONE) {
      failed = SqlError(file_, writer_db_, fmt::format("insert receipt {}", hash));
      return;
    }
    added += static_cast<uint64_t>(sqlite3_changes(writer_db_));
  });
  if (!failed) {
    (void)Exec(file_, writer_db_, "ROLLBACK;", "roll back batch");
    return failed;
  }
  rows += added;
  uint64_t deleted = 0;
  if (options_.max_receipts > 0 && rows > options_.max_receipts) {
    sqlite3_bind_int64(prune_, 1, static_cast<int64_t>(rows - options_.max_receipts));
    const int rc = sqlite3_step(prune_);
    sqlite3_reset(prune_);
    sqlite3_clear_bindings(prune_);
    if (rc != SQLITE_DONE) {
      Error e = SqlError(file_, writer_db_, "prune the oldest receipts");
      (void)Exec(file_, writer_db_, "ROLLBACK;", "roll back batch");
      return e;
    }
    deleted = static_cast<uint64_t>(sqlite3_changes(writer_db_));
  }
  if (auto s = Exec(file_, writer_db_, "COMMIT;", "commit batch"); !s) {
    (void)Exec(file_, writer_db_, "ROLLBACK;", "roll back batch");
    return s;
  }
  *inserted = added;
  *pruned = deleted;
  return {};
}

Result<std::optional<StoredReceipt>> ReceiptStore::Lookup(std::string_view hash) const {
  {
    std::lock_guard lock(mu_);
    for (const Batch* batch : {pending_.get(), inflight_.get()}) {
      if (!batch) continue;
      if (auto found = batch->Find(hash)) return found;
    }
  }
  // Not pending: either never added, or committed before inflight_ was reset (which happened
  // before the lock above was taken), so this read sees it.
  std::lock_guard lock(reader_mu_);
  sqlite3_bind_text(select_, 1, hash.data(), static_cast<int>(hash.size()), SQLITE_STATIC);
  const int rc = sqlite3_step(select_);
  Result<std::optional<StoredReceipt>> result = std::optional<StoredReceipt>();
  if (rc == SQLITE_ROW) {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(select_, 2));
    auto receipt =
        DecodeStored(std::string_view(text ? text : "", sqlite3_column_bytes(select_, 2)),
                     fmt::format("receipt store {}: receipt {}", file_.string(), hash));
    if (receipt) {
      result = std::optional<StoredReceipt>(StoredReceipt{
          sqlite3_column_int(select_, 0), sqlite3_column_int(select_, 1), std::move(*receipt)});
    } else {
      result = receipt.error();
    }
  } else if (rc != SQLITE_DONE) {
    result = SqlError(file_, reader_db_, fmt::format("find receipt {}", hash));
  }
  sqlite3_reset(select_);
  sqlite3_clear_bindings(select_);
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
