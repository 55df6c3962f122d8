#include "orchestra/crypto/key_table_cache.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace orchestra::crypto {
namespace {

using ristretto::EdwardsPoint;

struct TestKey {
  KeyTableCache::Key bytes;
  EdwardsPoint point;
};

// (i + 1)·B for i < n: distinct valid keys.
std::vector<TestKey> Keys(int n) {
  std::vector<TestKey> keys;
  EdwardsPoint point = ristretto::Basepoint();
  for (int i = 0; i < n; ++i) {
    keys.push_back({ristretto::Encode(point), point});
    point = ristretto::Add(point, ristretto::Basepoint());
  }
  return keys;
}

// What sr25519 Verify does with a valid signature: look the key up, and note the verification
// when there was no table.
std::shared_ptr<const ristretto::FixedBaseTable> Verified(KeyTableCache& cache,
                                                          const TestKey& key) {
  auto table = cache.Find(key.bytes);
  if (!table) cache.NoteVerified(key.bytes, key.point);
  return table;
}

TEST(KeyTableCacheTest, AKeyGetsATableOnItsSecondVerificationAndKeepsIt) {
  KeyTableCache cache(4, 4);
  const TestKey key = Keys(1)[0];
  EXPECT_EQ(Verified(cache, key), nullptr);
  EXPECT_EQ(Verified(cache, key), nullptr);  // this one builds it
  const auto table = cache.Find(key.bytes);
  ASSERT_NE(table, nullptr);
  EXPECT_EQ(Verified(cache, key), table);  // the same table, not a rebuilt one
  const KeyTableCache::Stats stats = cache.stats();
  EXPECT_EQ(stats.misses, 2u);
  EXPECT_EQ(stats.builds, 1u);
  EXPECT_EQ(stats.hits, 2u);
  EXPECT_EQ(stats.evictions, 0u);
}

TEST(KeyTableCacheTest, LookupsWithoutVerificationBuildNothing) {
  KeyTableCache cache(4, 4);
  const TestKey key = Keys(1)[0];
  for (int i = 0; i < 10; ++i) EXPECT_EQ(cache.Find(key.bytes), nullptr);  // forged signatures
  EXPECT_EQ(cache.stats().builds, 0u);
  cache.NoteVerified(key.bytes, key.point);
  EXPECT_EQ(cache.Find(key.bytes), nullptr);
  cache.NoteVerified(key.bytes, key.point);
  EXPECT_NE(cache.Find(key.bytes), nullptr);
}

TEST(KeyTableCacheTest, TheTableIsThatOfTheKeysPoint) {
  KeyTableCache cache(4, 4);
  const TestKey key = Keys(3)[2];  // 3·B
  cache.NoteVerified(key.bytes, key.point);
  cache.NoteVerified(key.bytes, key.point);
  const auto table = cache.Find(key.bytes);
  ASSERT_NE(table, nullptr);
  KeyTableCache::Key a{}, b{};
  a[0] = 5;
  b[0] = 7;
  // 5·(3·B) + 7·B = 22·B.
  EdwardsPoint expected = ristretto::Identity();
  for (int i = 0; i < 22; ++i) expected = ristretto::Add(expected, ristretto::Basepoint());
  EXPECT_TRUE(ristretto::Equal(ristretto::DoubleScalarMulBasepoint(a, *table, b), expected));
}

TEST(KeyTableCacheTest, AFloodOfOneOffKeysEvictsNoTable) {
  KeyTableCache cache(2, 4);
  const std::vector<TestKey> keys = Keys(102);
  for (int i = 0; i < 2; ++i) {
    Verified(cache, keys[i]);
    Verified(cache, keys[i]);
  }
  for (int i = 2; i < 102; ++i) EXPECT_EQ(Verified(cache, keys[i]), nullptr);
  EXPECT_NE(cache.Find(keys[0].bytes), nullptr);
  EXPECT_NE(cache.Find(keys[1].bytes), nullptr);
  EXPECT_EQ(cache.stats().builds, 2u);
  EXPECT_EQ(cache.stats().evictions, 0u);
}

TEST(KeyTableCacheTest, ACandidateIsForgottenAfterAsManyNewKeysAsTheRingHolds) {
  KeyTableCache cache(4, 3);
  const std::vector<TestKey> keys = Keys(4);
  for (const TestKey& key : keys)
    cache.NoteVerified(key.bytes, key.point);  // keys[3] evicts keys[0]
  cache.NoteVerified(keys[0].bytes, keys[0].point);
  EXPECT_EQ(cache.Find(keys[0].bytes), nullptr) << "keys[0] should have left the ring";
  cache.NoteVerified(keys[2].bytes, keys[2].point);
  EXPECT_NE(cache.Find(keys[2].bytes), nullptr) << "keys[2] was still a candidate";
  cache.NoteVerified(keys[0].bytes, keys[0].point);
  EXPECT_NE(cache.Find(keys[0].bytes), nullptr) << "keys[0] came back into the ring";
}

TEST(KeyTableCacheTest, TheLeastRecentlyUsedTableGoesAndHandedOutTablesStayValid) {
  KeyTableCache cache(2, 8);
  const std::vector<TestKey> keys = Keys(3);
  std::vector<std::shared_ptr<const ristretto::FixedBaseTable>> tables;
  for (const TestKey& key : keys) {
    cache.NoteVerified(key.bytes, key.point);
    cache.NoteVerified(key.bytes, key.point);
    tables.push_back(cache.Find(key.bytes));
    ASSERT_NE(tables.back(), nullptr);
    if (tables.size() == 2) cache.Find(keys[0].bytes);  // keys[0] used after keys[1]
  }
  EXPECT_EQ(cache.stats().evictions, 1u);
  EXPECT_EQ(cache.Find(keys[0].bytes), tables[0]);
  EXPECT_EQ(cache.Find(keys[2].bytes), tables[2]);
  EXPECT_EQ(cache.Find(keys[1].bytes), nullptr) << "keys[1] was least recently used";
  // The evicted table still computes: 1·(2·B) + 0·B.
  KeyTableCache::Key one{}, zero{};
  one[0] = 1;
  EXPECT_TRUE(
      ristretto::Equal(ristretto::DoubleScalarMulBasepoint(one, *tables[1], zero), keys[1].point));
}

TEST(KeyTableCacheTest, ConcurrentUseAgrees) {
  KeyTableCache cache(3, 4);
  const std::vector<TestKey> keys = Keys(6);
  KeyTableCache::Key one{}, zero{};
  one[0] = 1;
  std::vector<std::thread> threads;
  std::vector<int> wrong(2, 0);
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 300; ++i) {
        const TestKey& key = keys[(i * (t + 1)) % keys.size()];
        if (auto table = Verified(cache, key)) {
          if (!ristretto::Equal(ristretto::DoubleScalarMulBasepoint(one, *table, zero),
                                key.point)) {
            ++wrong[t];
          }
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(wrong[0] + wrong[1], 0);
  const KeyTableCache::Stats stats = cache.stats();
  EXPECT_EQ(stats.hits + stats.misses, 600u);
  EXPECT_GT(stats.hits, 0u);
}

}  // namespace
}  // namespace orchestra::crypto
