#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "orchestra/crypto/ristretto.h"

namespace orchestra::crypto {

// Precomputed ristretto::FixedBaseTables for the public keys that verify often: an axon sees
// the same few validator hotkeys again and again, a validator the same miners' receipts. With a
// table a verification skips about 250 doublings (sr25519 Verify 41 → about 20 µs).
//
// Admission: a key gets a table when a signature of its verifies for the second time while it
// is still among the last `candidates` keys that verified without one; the `tables` most
// recently used tables are kept (30 KiB each). Only verified signatures count, so forged ones
// never cost a table build (about two verifications), a flood of one-off keys only churns the
// candidates, and no table is evicted for a key that has not come back.
//
// Thread-safe. Tables are built outside the lock and handed out as shared_ptr, so a caller's
// table stays valid after its eviction.
class KeyTableCache {
 public:
  using Key = std::array<uint8_t, 32>;

  struct Stats {
    uint64_t hits = 0;       // Find calls answered with a table
    uint64_t misses = 0;     // Find calls answered without one
    uint64_t builds = 0;     // tables built
    uint64_t evictions = 0;  // tables dropped to make room
  };

  KeyTableCache(size_t tables, size_t candidates);

  // The one sr25519 Verify uses: 64 tables (about 2 MiB), 256 candidates.
  static KeyTableCache& Default();

  // The table of the key whose ristretto255 encoding is `key`, or null when it has none (yet).
  std::shared_ptr<const ristretto::FixedBaseTable> Find(const Key& key);

  // Records that a signature by `key` (decoded: `point`) verified without a table; on the
  // key's second such verification among the last `candidates`, builds and keeps its table.
  void NoteVerified(const Key& key, const ristretto::EdwardsPoint& point);

  Stats stats() const;

 private:
  struct KeyHash {
    size_t operator()(const Key& key) const;
  };
  struct Cached {
    std::shared_ptr<const ristretto::FixedBaseTable> table;
    uint64_t last_use = 0;
  };

  const size_t max_tables_;
  mutable std::mutex mu_;
  std::unordered_map<Key, Cached, KeyHash> tables_;
  // Keys seen once, first in first out: key → its slot in candidate_ring_. A ring, not an LRU
  // list, so that the miss path (every first-time caller) does no search.
  std::unordered_map<Key, size_t, KeyHash> candidates_;
  std::vector<Key> candidate_ring_;
  size_t next_slot_ = 0;
  uint64_t clock_ = 0;
  Stats stats_;
};

}  // namespace orchestra::crypto
