#include "orchestra/crypto/key_table_cache.h"

#include <algorithm>
#include <cstring>

namespace orchestra::crypto {
namespace {

// Removes the table with the smallest last use.
template <typename Map>
void EraseLeastRecent(Map& map) {
  const auto oldest = std::min_element(map.begin(), map.end(), [](const auto& a, const auto& b) {
    return a.second.last_use < b.second.last_use;
  });
  if (oldest != map.end()) map.erase(oldest);
}

}  // namespace

size_t KeyTableCache::KeyHash::operator()(const Key& key) const {
  // Encodings of points are uniformly spread; a caller grinding keys to collide can only make
  // chains as long as the maps are small.
  uint64_t word;
  std::memcpy(&word, key.data(), sizeof(word));
  return static_cast<size_t>(word);
}

KeyTableCache::KeyTableCache(size_t tables, size_t candidates)
    : max_tables_(std::max<size_t>(tables, 1)), candidate_ring_(std::max<size_t>(candidates, 1)) {}

KeyTableCache& KeyTableCache::Default() {
  static KeyTableCache* cache = new KeyTableCache(64, 256);  // never destroyed: used at exit
  return *cache;
}

std::shared_ptr<const ristretto::FixedBaseTable> KeyTableCache::Find(const Key& key) {
  std::lock_guard lock(mu_);
  auto it = tables_.find(key);
  if (it == tables_.end()) {
    ++stats_.misses;
    return nullptr;
  }
  it->second.last_use = ++clock_;
  ++stats_.hits;
  return it->second.table;
}

void KeyTableCache::NoteVerified(const Key& key, const ristretto::EdwardsPoint& point) {
  {
    std::lock_guard lock(mu_);
    if (tables_.contains(key)) return;  // built meanwhile by another thread
    auto candidate = candidates_.find(key);
    if (candidate == candidates_.end()) {
      // Take the oldest candidate's slot; its key leaves unless it has moved to a newer slot
      // (promoted to a table, then seen again as new).
      Key& slot = candidate_ring_[next_slot_];
      if (auto old = candidates_.find(slot);
          old != candidates_.end() && old->second == next_slot_) {
        candidates_.erase(old);
      }
      slot = key;
      candidates_.insert_or_assign(key, next_slot_);
      next_slot_ = (next_slot_ + 1) % candidate_ring_.size();
      return;
    }
    candidates_.erase(candidate);
  }
  // Second verification: build outside the lock (about 80 µs), then publish.
  auto table = std::make_shared<const ristretto::FixedBaseTable>(point);
  std::lock_guard lock(mu_);
  ++stats_.builds;
  if (!tables_.contains(key) && tables_.size() >= max_tables_) {
    EraseLeastRecent(tables_);
    ++stats_.evictions;
  }
  tables_.insert_or_assign(key, Cached{std::move(table), ++clock_});
}

KeyTableCache::Stats KeyTableCache::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

}  // namespace orchestra::crypto
