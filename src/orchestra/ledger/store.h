#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "orchestra/core/json.h"
#include "orchestra/core/result.h"
#include "orchestra/ledger/entry.h"
#include "orchestra/ledger/snapshot.h"

namespace orchestra::ledger {

// One record of the ledger's append-only event log (drift events, governance proposals).
struct StoredEvent {
  int64_t id = 0;  // assigned by the store; strictly increasing in the order of Append
  std::string kind;
  std::string subnet_id;
  int64_t created_ms = 0;  // Unix ms, from the store's TimeSource when appended
  Json body;
};

// Computes the new value of one entry from its current one (nullopt when the store has none).
// May be called more than once by one Update (optimistic stores retry on a concurrent write),
// so it must have no effect besides its result; an error it returns abandons the update.
using EntryUpdate = std::function<Result<LedgerEntry>(std::optional<LedgerEntry> current)>;

// Where the ledger lives between processes: the SQLite file of one machine (SqliteStore) or a
// Redis server shared by a fleet of miners (RedisStore). The store keeps each entry as the
// opaque JSON document of ledger::ToJson and reads it back with EntryFromJson, so fields added
// to LedgerEntry need no change here.
//
// Errors: kUnavailable when the store cannot be reached (Redis down; its message names
// host:port, and the caller keeps serving from its last good snapshot), kIo for a failure of
// the store itself, kParse or kInvalidArgument for stored content that no longer reads (naming
// the subnet or event and the store). A failed write leaves the previous content intact; a
// kUnavailable from a write to Redis may come after the write happened (the reply was lost).
//
// Threading: an instance is safe to use from several threads, which it serialises (one
// connection each); open one store per thread for parallel calls. Processes sharing the same
// file or server see each other's writes, and Update never loses one of them. Nothing here
// throws. `fn` of Update runs with the instance's lock held: it must not call the same store.
class Store {
 public:
  virtual ~Store() = default;

  // The whole ledger as one consistent snapshot (never half of a concurrent write).
  virtual Result<Snapshot> Load() = 0;
  // Inserts or replaces one entry.
  virtual Status Upsert(const LedgerEntry& entry) = 0;
  // Replaces the whole content with `snapshot`, atomically: readers see the old or the new.
  virtual Status ReplaceAll(const Snapshot& snapshot) = 0;
  // Writes `seed` when the store holds no entry, atomically (of processes seeding together
  // one writes); true when this call wrote it.
  virtual Result<bool> SeedIfEmpty(const Snapshot& seed) = 0;
  virtual Result<int> Count() = 0;

  // Atomic read-modify-write of the entry `subnet_id`: writes fn(current) unless another
  // writer changed the ledger in between, in which case fn runs again on the newer value.
  // Returns what was written. kInvalidArgument when fn returns an entry of another subnet;
  // kUnavailable when concurrent writers kept winning for a bounded number of attempts.
  virtual Result<LedgerEntry> Update(std::string_view subnet_id, const EntryUpdate& fn) = 0;

  // Appends an event and returns its id, greater than every id appended before it (by any
  // process); `kind` must not be empty.
  virtual Result<int64_t> Append(std::string_view kind, std::string_view subnet_id,
                                 const Json& body) = 0;
  // Up to `limit` (> 0) events with id greater than `since_id`, in id order: a reader polls
  // with the last id it saw and misses none.
  virtual Result<std::vector<StoredEvent>> Events(int64_t since_id, int limit) = 0;

  // Where the store is, for messages and logs: "sqlite /data/ledger.db",
  // "redis://127.0.0.1:6379/orchestra-ledger".
  virtual std::string Describe() const = 0;
};

// The ledger in `store` as a shared snapshot, after seeding an empty store with the shipped
// snapshot (SeedSnapshot).
Result<SnapshotPtr> LoadOrSeed(Store& store);

}  // namespace orchestra::ledger
