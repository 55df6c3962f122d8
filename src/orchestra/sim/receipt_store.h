#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "orchestra/core/result.h"
#include "orchestra/protocol/receipt.h"

struct sqlite3;
struct sqlite3_stmt;

namespace orchestra::sim {

// A receipt the simulator issued, as `GET /receipts/{hash}` returns it.
struct StoredReceipt {
  int netuid = 0;
  int uid = 0;
  protocol::Receipt receipt;
};

struct ReceiptStoreOptions {
  // The writer commits a batch when this many receipts are pending, or `flush_interval` after
  // the first of them arrived, whichever comes first; when it falls behind, it commits all that
  // is pending in one transaction (bigger batches cost less per receipt).
  size_t batch_size = 1000;
  std::chrono::milliseconds flush_interval{20};
  // Receipts added but not yet committed (pending plus the batch being written). At this bound
  // Add() refuses the receipt (returns false, counts it in `dropped`) instead of blocking its
  // caller or growing without limit: the writer is that far behind only when the disk is stalled
  // or failing, and a simulated expert must keep answering. An uncommitted receipt holds about
  // 550 bytes, so the default bounds that memory to ~55 MB.
  size_t max_pending = 100'000;
  // Retention: at most this many receipts stay in the file; each commit that goes past it
  // deletes the oldest (in the order they were committed), in the same transaction. A stored
  // receipt takes ~800 bytes of file, so the default bounds receipts.db to ~2 GB, about four
  // hours of a busy simulator; validators ask for a receipt seconds after it was issued. The
  // file does not shrink: freed pages are reused. 0 keeps everything.
  uint64_t max_receipts = 2'500'000;
};

// Counters since Open(); a snapshot, cheap to take.
struct ReceiptStoreStats {
  uint64_t added = 0;         // Add() calls that accepted their receipt
  uint64_t dropped = 0;       // Add() calls refused because `max_pending` were uncommitted
  uint64_t inserted = 0;      // rows committed (a re-add within its bucket adds none)
  uint64_t pruned = 0;        // oldest rows deleted to stay within `max_receipts`
  uint64_t batches = 0;       // transactions committed
  uint64_t write_errors = 0;  // failed batch transactions (retried, 100 ms to 2 s apart)
  uint64_t read_errors = 0;   // Find() lookups that failed in SQLite or met an unreadable row
  size_t pending = 0;         // receipts accepted but not yet committed
};

// Every receipt the expert-network simulator signs, kept in one SQLite file (WAL,
// synchronous=NORMAL) so that validators can later ask a UID for it by hash.
//
// Add() is for the hot path: it hashes the receipt and appends it to an in-memory batch under a
// short mutex, never touching SQLite; a background writer thread commits batches (INSERT OR
// IGNORE, one transaction each). Find() sees a receipt as soon as Add() has returned: it looks
// in the uncommitted batches first, then in the file through its own read connection. Thread
// safe throughout. Destruction commits what is pending and joins the writer.
//
// Cost: the writer's work is page writes. Rows are appended in order and the hash index is
// bucketed by insertion order (32,768 receipts a bucket), so a batch dirties the few index pages
// of the newest bucket rather than one random page per receipt, and pruning deletes from the
// oldest. A lookup that misses probes the index once per bucket (77 at the default retention).
// The writer's connection keeps a page cache of up to 16 MiB. A file written before the
// bucketed index is moved to it by Open(), once.
class ReceiptStore {
 public:
  // Opens `file`, creating it and the `receipts` table when absent (its directory must exist).
  // Errors name the file: missing directory, unwritable file, not an SQLite database, a
  // `receipts` table of another shape.
  static Result<std::unique_ptr<ReceiptStore>> Open(const std::filesystem::path& file,
                                                    ReceiptStoreOptions options = {});
  ~ReceiptStore();
  ReceiptStore(const ReceiptStore&) = delete;
  ReceiptStore& operator=(const ReceiptStore&) = delete;

  // Records `receipt`, issued by UID `uid` of subnet `netuid`, under receipt.Hash(). Costs one
  // hash and a copy on the caller's thread and never waits for SQLite. A hash still pending, or
  // committed within the current bucket of 32,768 receipts, is ignored; a re-add of an older
  // receipt is stored again as a new row (it counts in stats().inserted and size(), Find()
  // returns the newest copy, and each copy is pruned in its turn). The simulator never re-adds
  // one: every receipt carries a fresh signature. Returns false only when the store refused it
  // because `max_pending` receipts are still uncommitted (see ReceiptStoreOptions); that is
  // counted in stats().dropped.
  bool Add(int netuid, int uid, const protocol::Receipt& receipt);

  // The receipt whose Hash() is `hash` (as "0x" + 64 hex), nullopt when none was added (or it
  // was pruned, see ReceiptStoreOptions::max_receipts). A
  // receipt not yet committed is served from memory; otherwise this probes the index once per
  // bucket, newest first, in one read transaction on a connection shared by readers (a mutex),
  // so it can block for a moment: call it off an event-loop thread, or accept tens of
  // microseconds there (25 µs for a miss among 1M receipts). A string that is not "0x" + 64
  // lowercase hex digits is absent without a query. Lookup() tells a failed
  // read from an absent receipt; Find() counts the failure in stats().read_errors and returns
  // nullopt.
  Result<std::optional<StoredReceipt>> Lookup(std::string_view hash) const;
  std::optional<StoredReceipt> Find(std::string_view hash) const;

  // Receipts stored: those committed plus those pending. A pending re-add of an already
  // committed hash counts until its batch is committed (and found to be a duplicate).
  size_t size() const;

  // Blocks until every receipt added before the call is committed. Errors with the SQLite
  // failure (naming the file) when the writer fails to commit meanwhile (so it may wait for
  // one retry delay, at most 2 s); the writer keeps the batch and retries it until it commits.
  Status Flush();

  ReceiptStoreStats stats() const;
  const std::filesystem::path& file() const { return file_; }

 private:
  class Batch;  // receipts added and not yet committed

  ReceiptStore(std::filesystem::path file, ReceiptStoreOptions options);
  void WriterLoop();
  struct BatchOutcome {
    uint64_t inserted = 0;
    uint64_t pruned = 0;
    int64_t oldest_id = 0;  // of the rows stored after the batch (0: none)
    int64_t newest_id = 0;
  };
  // Inserts `batch` and prunes to max_receipts in one transaction; on success fills `outcome`
  // (oldest_id only when it pruned). Writer thread only.
  Status WriteBatch(const Batch& batch, BatchOutcome* outcome);
  // The hash stored under (bucket, key); writer thread only, inside its transaction.
  Result<std::string> StoredHashAt(int64_t bucket, int64_t key);

  const std::filesystem::path file_;
  const ReceiptStoreOptions options_;

  // Connections and statements. The writer's are used by the writer thread only (and by Open
  // before it starts); the reader's under reader_mu_.
  sqlite3* writer_db_ = nullptr;
  sqlite3_stmt* insert_ = nullptr;
  sqlite3_stmt* same_key_ = nullptr;
  sqlite3_stmt* prune_ = nullptr;
  sqlite3_stmt* oldest_ = nullptr;
  sqlite3_stmt* newest_ = nullptr;
  mutable std::mutex reader_mu_;
  sqlite3* reader_db_ = nullptr;
  sqlite3_stmt* select_ = nullptr;

  mutable std::mutex mu_;
  std::condition_variable writer_cv_;   // wakes the writer: first receipt, full batch, stop
  std::condition_variable flushed_cv_;  // wakes Flush(): a batch committed or failed
  std::unique_ptr<Batch> pending_;      // never null
  // The batch the writer is committing; read by Find() under mu_ and by the writer without it
  // (nobody modifies it until the writer resets it under mu_).
  std::unique_ptr<Batch> inflight_;
  uint64_t added_seq_ = 0;      // Add() calls accepted so far
  uint64_t inflight_seq_ = 0;   // added_seq_ when inflight_ was taken
  uint64_t committed_seq_ = 0;  // every Add() up to this one is committed
  uint64_t flush_target_ = 0;   // the highest added_seq_ a Flush() waits for
  uint64_t stored_rows_ = 0;    // rows in the table
  int64_t oldest_id_ = 0;       // smallest id in the table (0: none), as last committed
  int64_t newest_id_ = 0;       // largest id ever assigned, as last committed
  std::optional<Error> last_write_error_;
  ReceiptStoreStats stats_;
  mutable std::atomic<uint64_t> read_errors_{0};
  bool dropping_ = false;  // Add() is refusing receipts; reset by the next commit
  bool stop_ = false;
  std::thread writer_;
};

}  // namespace orchestra::sim
