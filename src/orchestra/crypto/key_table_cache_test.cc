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

std::shared_ptr<const ristretto::FixedBaseTable> Find(KeyTableCache& cache, const TestKey& key) {
  return cache.Find(key.bytes, key.point);
}

TEST(KeyTableCacheTest, AKeyGetsATableOnItsSecondLookupAndKeepsIt) {
  KeyTableCache cache(4, 4);
  const TestKey key = Keys(1)[0];
  EXPECT_EQ(Find(cache, key), nullptr);
  const auto table = Find(cache, key);
  ASSERT_NE(table, nullptr);
  EXPECT_EQ(Find(cache, key), table);  // the same table, not a rebuilt one
  const KeyTableCache::Stats stats = cache.stats();
  EXPECT_EQ(stats.misses, 1u);
  EXPECT_EQ(stats.builds, 1u);
  EXPECT_EQ(stats.hits, 2u);
  EXPECT_EQ(stats.evictions, 0u);
}

TEST(KeyTableCacheTest, TheTableIsThatOfTheKeysPoint) {
  KeyTableCache cache(4, 4);
  const TestKey key = Keys(3)[2];  // 3·B
  Find(cache, key);
  const auto table = Find(cache, key);
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
    Find(cache, keys[i]);
    ASSERT_NE(Find(cache, keys[i]), nullptr);
  }
  for (int i = 2; i < 102; ++i) EXPECT_EQ(Find(cache, keys[i]), nullptr);
  EXPECT_NE(Find(cache, keys[0]), nullptr);
  EXPECT_NE(Find(cache, keys[1]), nullptr);
  EXPECT_EQ(cache.stats().builds, 2u);
  EXPECT_EQ(cache.stats().evictions, 0u);
}

TEST(KeyTableCacheTest, ACandidateIsForgottenAfterAsManyNewKeysAsTheRingHolds) {
  KeyTableCache cache(4, 3);
  const std::vector<TestKey> keys = Keys(5);
  Find(cache, keys[0]);
  Find(cache, keys[1]);
  Find(cache, keys[2]);
  Find(cache, keys[3]);  // takes keys[0]'s slot
  EXPECT_EQ(Find(cache, keys[0]), nullptr) << "keys[0] should have left the ring";
  EXPECT_NE(Find(cache, keys[2]), nullptr) << "keys[2] is still a candidate";
  EXPECT_NE(Find(cache, keys[0]), nullptr) << "keys[0] came back into the ring";
}

TEST(KeyTableCacheTest, TheLeastRecentlyUsedTableGoesAndHandedOutTablesStayValid) {
  KeyTableCache cache(2, 8);
  const std::vector<TestKey> keys = Keys(3);
  std::vector<std::shared_ptr<const ristretto::FixedBaseTable>> tables;
  for (const TestKey& key : keys) {
    Find(cache, key);
    tables.push_back(Find(cache, key));
    if (tables.size() == 2) Find(cache, keys[0]);  // keys[0] used more recently than keys[1]
  }
  EXPECT_EQ(cache.stats().evictions, 1u);
  EXPECT_EQ(Find(cache, keys[0]), tables[0]);
  EXPECT_EQ(Find(cache, keys[2]), tables[2]);
  EXPECT_EQ(Find(cache, keys[1]), nullptr) << "keys[1] was least recently used";
  // The evicted table still computes: 1·(2·B) + 0·B.
  KeyTableCache::Key one{}, zero{};
  one[0] = 1;
  EXPECT_TRUE(
      ristretto::Equal(ristretto::DoubleScalarMulBasepoint(one, *tables[1], zero), keys[1].point));
}

TEST(KeyTableCacheTest, ConcurrentLookupsAgree) {
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
        if (auto table = Find(cache, key)) {
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
