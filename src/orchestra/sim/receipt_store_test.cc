#include "orchestra/sim/receipt_store.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "orchestra/core/hash.h"
#include "orchestra/crypto/ss58.h"

namespace orchestra::sim {
namespace {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/orchestra-receipts-XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Signs receipts as one simulated expert UID does (expert_network.cc), with a fixed key.
class Expert {
 public:
  Expert() : keypair_(crypto::Keypair::FromMiniSecret(crypto::MiniSecret{7, 7, 7})) {
    ss58_ = crypto::Ss58Encode(keypair_.public_key().bytes());
  }

  // The receipt for step `step` of a challenge; distinct steps, distinct hashes.
  protocol::Receipt Issue(int step) const {
    const std::string request_hash = CanonicalHash(Query(step));
    return protocol::IssueReceipt(keypair_, ss58_,
                                  protocol::LockFor(kChallenge, kMiner, step, request_hash),
                                  request_hash, Response(step), 0.002, IssuedAt(step));
  }

  // What a validator checks Issue(step) against.
  protocol::ReceiptExpectation Expectation(int step) const {
    return {std::string(kChallenge), std::string(kMiner), step, Query(step), Response(step), ss58_,
            IssuedAt(step) - 1,      IssuedAt(step) + 1};
  }

  const crypto::Keypair& keypair() const { return keypair_; }
  const std::string& ss58() const { return ss58_; }

 private:
  static constexpr std::string_view kChallenge = "challenge-1";
  static constexpr std::string_view kMiner = "5FminerHotkeyForTests";
  static Json Query(int step) { return JsonObject{{"query", fmt::format("subnets {}", step)}}; }
  static Json Response(int step) { return JsonObject{{"results", JsonArray{step}}}; }
  static int64_t IssuedAt(int step) { return 1'700'000'000'000 + step; }

  crypto::Keypair keypair_;
  std::string ss58_;
};

// Options under which nothing is committed before Flush() or destruction.
ReceiptStoreOptions NeverFlushOnItsOwn() {
  ReceiptStoreOptions options;
  options.batch_size = 1'000'000;
  options.flush_interval = std::chrono::hours(1);
  return options;
}

// Rows in `file`, counted through a connection of its own.
int64_t CountRows(const std::filesystem::path& file) {
  sqlite3* db = nullptr;
  int64_t rows = -1;
  if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM receipts", -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
      rows = sqlite3_column_int64(stmt, 0);
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return rows;
}

void ExpectSameReceipt(const protocol::Receipt& actual, const protocol::Receipt& expected) {
  EXPECT_EQ(CanonicalJson(protocol::ToJson(actual)), CanonicalJson(protocol::ToJson(expected)));
  EXPECT_EQ(actual.Hash(), expected.Hash());
}

TEST(ReceiptStoreTest, FindsReceiptAsSoonAsAddReturns) {
  TempDir dir;
  auto store = ReceiptStore::Open(dir.path() / "receipts.db", NeverFlushOnItsOwn());
  ASSERT_TRUE(store.ok()) << store.error().ToString();
  const protocol::Receipt receipt = Expert().Issue(1);

  EXPECT_TRUE((*store)->Add(22, 3, receipt));

  auto found = (*store)->Find(receipt.Hash());
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->netuid, 22);
  EXPECT_EQ(found->uid, 3);
  ExpectSameReceipt(found->receipt, receipt);
  EXPECT_EQ(CountRows(dir.path() / "receipts.db"), 0);
  EXPECT_EQ((*store)->size(), 1u);
}

TEST(ReceiptStoreTest, ReadsBackFromTheFileTheReceiptAsSigned) {
  TempDir dir;
  auto store = ReceiptStore::Open(dir.path() / "receipts.db");
  ASSERT_TRUE(store.ok()) << store.error().ToString();
  const Expert expert;
  const protocol::Receipt receipt = expert.Issue(2);
  (*store)->Add(13, 0, receipt);
  ASSERT_TRUE((*store)->Flush().ok());
  ASSERT_EQ(CountRows(dir.path() / "receipts.db"), 1);

  auto found = (*store)->Lookup(receipt.Hash());
  ASSERT_TRUE(found.ok()) << found.error().ToString();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->netuid, 13);
  EXPECT_EQ((*found)->uid, 0);
  ExpectSameReceipt((*found)->receipt, receipt);
  const Status verified = protocol::VerifyReceipt((*found)->receipt, expert.Expectation(2));
  EXPECT_TRUE(verified.ok()) << verified.error().ToString();
}

TEST(ReceiptStoreTest, FindsNothingForAnUnknownHash) {
  TempDir dir;
  auto store = ReceiptStore::Open(dir.path() / "receipts.db");
  ASSERT_TRUE(store.ok()) << store.error().ToString();
  const Expert expert;
  (*store)->Add(22, 0, expert.Issue(1));
  ASSERT_TRUE((*store)->Flush().ok());

  EXPECT_FALSE((*store)->Find(expert.Issue(2).Hash()).has_value());
  EXPECT_FALSE((*store)->Find("not a hash").has_value());
  EXPECT_EQ((*store)->stats().read_errors, 0u);
}

TEST(ReceiptStoreTest, IgnoresDuplicatesPendingAndCommitted) {
  TempDir dir;
  auto store = ReceiptStore::Open(dir.path() / "receipts.db", NeverFlushOnItsOwn());
  ASSERT_TRUE(store.ok()) << store.error().ToString();
  const protocol::Receipt receipt = Expert().Issue(1);

  (*store)->Add(22, 0, receipt);
  (*store)->Add(22, 0, receipt);  // still pending
  EXPECT_EQ((*store)->size(), 1u);
  ASSERT_TRUE((*store)->Flush().ok());
  (*store)->Add(22, 0, receipt);  // already committed
  ASSERT_TRUE((*store)->Flush().ok());

  EXPECT_EQ((*store)->size(), 1u);
  EXPECT_EQ((*store)->stats().inserted, 1u);
  EXPECT_EQ(CountRows(dir.path() / "receipts.db"), 1);
}

// A distinct receipt per `i` (unsigned: the store does not verify).
protocol::Receipt Numbered(int i) {
  protocol::Receipt r;
  r.lock = fmt::format("0x{:064x}", i);
  r.request_hash = fmt::format("0x{:064x}", i + 1);
  r.response_hash = fmt::format("0x{:064x}", i + 2);
  r.expert_hotkey = "5Expert" + std::to_string(i % 7);
  r.issued_at_ms = 1'700'000'000'000 + i;
  r.price = 0.001 * (i % 5);
  r.signature = "0x" + std::string(128, static_cast<char>('a' + i % 6));
  return r;
}

// The writer clears a committed batch and fills it again, and replaces one that grew past its
// first size: receipts of every round stay findable, pending or committed, and nothing of an
// earlier round counts as a duplicate in a later one.
TEST(ReceiptStoreTest, FindsEveryRoundThroughReusedAndRegrownBatches) {
  TempDir dir;
  auto store = ReceiptStore::Open(dir.path() / "receipts.db", NeverFlushOnItsOwn());
  ASSERT_TRUE(store.ok()) << store.error().ToString();
  // 6,000 and 40,000 grow a batch past the 4,096 receipts it starts with (it is replaced
  // after the commit); the rounds of 3,000 reuse one.
  const std::vector<int> rounds = {6'000, 40'000, 3'000, 3'000};
  int next = 0;
  for (size_t round = 0; round < rounds.size(); ++round) {
    const int first = next;
    for (int i = 0; i < rounds[round]; ++i, ++next) {
      ASSERT_TRUE((*store)->Add(1, next % 3, Numbered(next)));
    }
    EXPECT_TRUE((*store)->Add(1, 0, Numbered(first)));  // a duplicate within the round
    for (int i = first; i < next; i += 7) {
      auto found = (*store)->Find(Numbered(i).Hash());
      ASSERT_TRUE(found.has_value()) << "round " << round << ", receipt " << i << " pending";
      ExpectSameReceipt(found->receipt, Numbered(i));
    }
    ASSERT_TRUE((*store)->Flush().ok());
    EXPECT_EQ((*store)->size(), static_cast<size_t>(next)) << "round " << round;
  }
  for (int i = 0; i < next; i += 101) {
    auto found = (*store)->Find(Numbered(i).Hash());
    ASSERT_TRUE(found.has_value()) << "receipt " << i << " committed";
    EXPECT_EQ(found->uid, i % 3);
    ExpectSameReceipt(found->receipt, Numbered(i));
  }
  EXPECT_EQ((*store)->stats().inserted, static_cast<uint64_t>(next));
  EXPECT_EQ(CountRows(dir.path() / "receipts.db"), next);
  EXPECT_EQ((*store)->stats().read_errors, 0u);
}

TEST(ReceiptStoreTest, KeepsTenThousandReceiptsAddedFromFourThreads) {
  TempDir dir;
  const auto file = dir.path() / "receipts.db";
  constexpr int kThreads = 4;
  constexpr int kPerThread = 2500;
  const Expert expert;
  // Signed up front, so that the threads contend on Add() only.
  std::vector<protocol::Receipt> receipts;
  receipts.reserve(kThreads * kPerThread);
  for (int i = 0; i < kThreads * kPerThread; ++i) receipts.push_back(expert.Issue(i));
  {
    auto store = ReceiptStore::Open(file);
    ASSERT_TRUE(store.ok()) << store.error().ToString();
    std::vector<std::thread> threads;
    std::atomic<int> missing{0};
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = t * kPerThread; i < (t + 1) * kPerThread; ++i) {
          (*store)->Add(22, t, receipts[i]);
          if (!(*store)->Find(receipts[i].Hash())) ++missing;
        }
      });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(missing, 0);
    for (int i = 0; i < kThreads * kPerThread; i += 97) {
      auto found = (*store)->Find(receipts[i].Hash());
      ASSERT_TRUE(found.has_value()) << i;
      EXPECT_EQ(found->uid, i / kPerThread);
    }

    ASSERT_TRUE((*store)->Flush().ok());
    EXPECT_EQ(CountRows(file), kThreads * kPerThread);
    const ReceiptStoreStats stats = (*store)->stats();
    EXPECT_EQ(stats.added, uint64_t{kThreads * kPerThread});
    EXPECT_EQ(stats.inserted, uint64_t{kThreads * kPerThread});
    EXPECT_EQ(stats.dropped, 0u);
    EXPECT_EQ(stats.pending, 0u);
  }
  auto reopened = ReceiptStore::Open(file);
  ASSERT_TRUE(reopened.ok()) << reopened.error().ToString();
  EXPECT_EQ((*reopened)->size(), size_t{kThreads * kPerThread});
  for (const auto& receipt : receipts) ASSERT_TRUE((*reopened)->Find(receipt.Hash()));
}

TEST(ReceiptStoreTest, FindsAfterReopeningWhatWasAddedBeforeClosing) {
  TempDir dir;
  const auto file = dir.path() / "receipts.db";
  const Expert expert;
  const std::vector<protocol::Receipt> receipts = {expert.Issue(0), expert.Issue(1),
                                                   expert.Issue(2)};
  {
    auto store = ReceiptStore::Open(file, NeverFlushOnItsOwn());
    ASSERT_TRUE(store.ok()) << store.error().ToString();
    for (int uid = 0; uid < 3; ++uid) (*store)->Add(22, uid, receipts[uid]);
  }  // closing commits what is pending

  auto reopened = ReceiptStore::Open(file);
  ASSERT_TRUE(reopened.ok()) << reopened.error().ToString();
  EXPECT_EQ((*reopened)->size(), 3u);
  for (int uid = 0; uid < 3; ++uid) {
    auto found = (*reopened)->Find(receipts[uid].Hash());
    ASSERT_TRUE(found.has_value()) << uid;
    EXPECT_EQ(found->uid, uid);
    ExpectSameReceipt(found->receipt, receipts[uid]);
  }
}

// Within a batch the insertion order is unspecified, so the bound here falls on batch edges.
TEST(ReceiptStoreTest, KeepsOnlyTheNewestMaxReceiptsAcrossBatchesAndReopening) {
  TempDir dir;
  const auto file = dir.path() / "receipts.db";
  const Expert expert;
  ReceiptStoreOptions options = NeverFlushOnItsOwn();
  options.max_receipts = 40;
  std::vector<protocol::Receipt> receipts;
  for (int step = 0; step < 100; ++step) receipts.push_back(expert.Issue(step));
  {
    auto store = ReceiptStore::Open(file, options);
    ASSERT_TRUE(store.ok()) << store.error().ToString();
    for (int begin = 0; begin < 80; begin += 20) {
      for (int step = begin; step < begin + 20; ++step) (*store)->Add(22, 0, receipts[step]);
      ASSERT_TRUE((*store)->Flush().ok());
      EXPECT_EQ((*store)->size(), std::min(begin + 20, 40)) << begin;
    }
    EXPECT_EQ((*store)->stats().pruned, 40u);
    for (int step = 0; step < 40; ++step) EXPECT_FALSE((*store)->Find(receipts[step].Hash()));
    for (int step = 40; step < 80; ++step) EXPECT_TRUE((*store)->Find(receipts[step].Hash()));
  }
  EXPECT_EQ(CountRows(file), 40);

  // A file reopened under a smaller bound is cut down at the next commit.
  options.max_receipts = 10;
  auto reopened = ReceiptStore::Open(file, options);
  ASSERT_TRUE(reopened.ok()) << reopened.error().ToString();
  EXPECT_EQ((*reopened)->size(), 40u);
  for (int step = 80; step < 100; ++step) (*reopened)->Add(22, 0, receipts[step]);
  ASSERT_TRUE((*reopened)->Flush().ok());
  EXPECT_EQ((*reopened)->size(), 10u);
  EXPECT_EQ(CountRows(file), 10);
  int kept = 0;
  for (int step = 40; step < 100; ++step) kept += (*reopened)->Find(receipts[step].Hash()) ? 1 : 0;
  EXPECT_EQ(kept, 10);
  for (int step = 40; step < 80; ++step) EXPECT_FALSE((*reopened)->Find(receipts[step].Hash()));
}

TEST(ReceiptStoreTest, KeepsAnUnprovenReceiptWithAnEmptyLock) {
  TempDir dir;
  auto store = ReceiptStore::Open(dir.path() / "receipts.db");
  ASSERT_TRUE(store.ok()) << store.error().ToString();
  const Expert expert;
  const Json response = JsonObject{{"results", JsonArray{}}};
  const protocol::Receipt receipt = protocol::IssueReceipt(
      expert.keypair(), expert.ss58(), "", CanonicalHash(response), response, 0.0, 1);
  (*store)->Add(1, 0, receipt);
  ASSERT_TRUE((*store)->Flush().ok());

  auto found = (*store)->Lookup(receipt.Hash());
  ASSERT_TRUE(found.ok()) << found.error().ToString();
  ASSERT_TRUE(found->has_value());
  ExpectSameReceipt((*found)->receipt, receipt);
}

TEST(ReceiptStoreTest, RefusesReceiptsWhileTooManyAreUncommitted) {
  TempDir dir;
  ReceiptStoreOptions options = NeverFlushOnItsOwn();
  options.max_pending = 10;
  auto store = ReceiptStore::Open(dir.path() / "receipts.db", options);
  ASSERT_TRUE(store.ok()) << store.error().ToString();
  const Expert expert;
  for (int step = 0; step < 10; ++step) EXPECT_TRUE((*store)->Add(22, 0, expert.Issue(step)));

  EXPECT_FALSE((*store)->Add(22, 0, expert.Issue(10)));
  EXPECT_EQ((*store)->stats().dropped, 1u);
  EXPECT_FALSE((*store)->Find(expert.Issue(10).Hash()).has_value());

  ASSERT_TRUE((*store)->Flush().ok());
  EXPECT_TRUE((*store)->Add(22, 0, expert.Issue(10)));
  EXPECT_EQ((*store)->size(), 11u);
}

// Runs `sql` on `file` through a connection of its own.
bool ExecOn(const std::filesystem::path& file, const char* sql) {
  sqlite3* db = nullptr;
  bool ok = sqlite3_open(file.c_str(), &db) == SQLITE_OK;
  sqlite3_busy_timeout(db, 5000);
  ok = ok && sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK;
  sqlite3_close(db);
  return ok;
}

TEST(ReceiptStoreTest, KeepsAndRetriesABatchThatFailedToCommit) {
  TempDir dir;
  const auto file = dir.path() / "receipts.db";
  auto store = ReceiptStore::Open(file, NeverFlushOnItsOwn());
  ASSERT_TRUE(store.ok()) << store.error().ToString();
  const protocol::Receipt receipt = Expert().Issue(1);
  ASSERT_TRUE(ExecOn(file, "ALTER TABLE receipts RENAME TO receipts_elsewhere"));

  (*store)->Add(22, 0, receipt);
  const Status failed = (*store)->Flush();
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.error().message.find(file.string()), std::string::npos)
      << failed.error().message;
  EXPECT_GE((*store)->stats().write_errors, 1u);
  EXPECT_TRUE((*store)->Find(receipt.Hash()).has_value());

  ASSERT_TRUE(ExecOn(file, "ALTER TABLE receipts_elsewhere RENAME TO receipts"));
  Status flushed = (*store)->Flush();
  for (int attempt = 0; attempt < 20 && !flushed.ok(); ++attempt) flushed = (*store)->Flush();
  ASSERT_TRUE(flushed.ok()) << flushed.error().ToString();
  EXPECT_EQ(CountRows(file), 1);
}

// A file of the first layout (hash TEXT PRIMARY KEY, before the bucketed index) is moved to the
// current one on Open: every receipt stays findable, oldest still pruned first.
TEST(ReceiptStoreTest, MovesAFileOfTheFirstLayoutAndKeepsItsReceipts) {
  TempDir dir;
  const auto file = dir.path() / "receipts.db";
  const Expert expert;
  std::vector<protocol::Receipt> receipts;  // signing draws a nonce: each Issue() differs
  for (int step = 0; step < 35; ++step) receipts.push_back(expert.Issue(step));
  std::string sql =
      "CREATE TABLE receipts (hash TEXT PRIMARY KEY, netuid INTEGER NOT NULL, uid INTEGER NOT "
      "NULL, issued_at_ms INTEGER NOT NULL, receipt TEXT NOT NULL);";
  for (int step = 0; step < 30; ++step) {
    const protocol::Receipt& r = receipts[step];
    sql += fmt::format("INSERT INTO receipts VALUES('{}', 22, {}, {}, '{}');", r.Hash(), step % 3,
                       r.issued_at_ms, CanonicalJson(protocol::ToJson(r)));
  }
  ASSERT_TRUE(ExecOn(file, sql.c_str()));

  ReceiptStoreOptions options = NeverFlushOnItsOwn();
  options.max_receipts = 20;
  {
    auto store = ReceiptStore::Open(file, options);
    ASSERT_TRUE(store.ok()) << store.error().ToString();
    EXPECT_EQ((*store)->size(), 30u);
    for (int step = 0; step < 30; ++step) {
      auto found = (*store)->Lookup(receipts[step].Hash());
      ASSERT_TRUE(found.ok() && found->has_value()) << "step " << step;
      EXPECT_EQ((*found)->uid, step % 3);
      ExpectSameReceipt((*found)->receipt, receipts[step]);
    }
    (*store)->Add(22, 0, receipts[0]);  // already there: ignored
    for (int step = 30; step < 35; ++step) (*store)->Add(22, 0, receipts[step]);
    ASSERT_TRUE((*store)->Flush().ok());
    EXPECT_EQ((*store)->stats().inserted, 5u);
    EXPECT_EQ((*store)->size(), 20u);
    for (int step = 0; step < 15; ++step) EXPECT_FALSE((*store)->Find(receipts[step].Hash()));
    for (int step = 15; step < 35; ++step) EXPECT_TRUE((*store)->Find(receipts[step].Hash()));
  }
  auto reopened = ReceiptStore::Open(file, options);  // already moved: opens as it is
  ASSERT_TRUE(reopened.ok()) << reopened.error().ToString();
  EXPECT_EQ((*reopened)->size(), 20u);
  EXPECT_TRUE((*reopened)->Find(receipts[34].Hash()));
}

// An orchestra of the first layout inserting into a moved file fails loudly instead of having
// its rows skipped by OR IGNORE.
TEST(ReceiptStoreTest, RefusesInsertsOfTheFirstLayoutIntoTheCurrentOne) {
  TempDir dir;
  const auto file = dir.path() / "receipts.db";
  { ASSERT_TRUE(ReceiptStore::Open(file).ok()); }
  EXPECT_FALSE(ExecOn(file,
                      "INSERT OR IGNORE INTO receipts(hash, netuid, uid, issued_at_ms, receipt) "
                      "VALUES('0xabc', 22, 0, 1, '{}')"));
  EXPECT_EQ(CountRows(file), 0);
}

// Pruning walks past whole buckets: the newest max_receipts stay findable, probing the buckets
// they are in, and the older ones are gone.
TEST(ReceiptStoreTest, PrunesWholeBucketsAndFindsTheNewest) {
  TempDir dir;
  const auto file = dir.path() / "receipts.db";
  ReceiptStoreOptions options = NeverFlushOnItsOwn();
  options.max_receipts = 40'000;
  auto store = ReceiptStore::Open(file, options);
  ASSERT_TRUE(store.ok()) << store.error().ToString();
  constexpr int kTotal = 100'000;  // three buckets of 32,768 and some
  for (int i = 0; i < kTotal; ++i) {
    ASSERT_TRUE((*store)->Add(1, i % 3, Numbered(i)));
    if (i % 20'000 == 19'999) {
      ASSERT_TRUE((*store)->Flush().ok());
    }
  }
  EXPECT_EQ((*store)->size(), 40'000u);
  EXPECT_EQ(CountRows(file), 40'000);
  for (int i = 0; i < kTotal; i += 997) {
    EXPECT_EQ((*store)->Find(Numbered(i).Hash()).has_value(), i >= kTotal - 40'000) << i;
  }
  EXPECT_TRUE((*store)->Find(Numbered(kTotal - 40'000).Hash()));
  EXPECT_FALSE((*store)->Find(Numbered(kTotal - 40'001).Hash()));
  EXPECT_EQ((*store)->stats().read_errors, 0u);
}

// Two stores on one file (two simulators on one data dir) take ids in turn, each from where
// the file is when its batch begins, so neither's inserts collide with the other's.
TEST(ReceiptStoreTest, SharesAFileWithAnotherStore) {
  TempDir dir;
  const auto file = dir.path() / "receipts.db";
  auto first = ReceiptStore::Open(file, NeverFlushOnItsOwn());
  auto second = ReceiptStore::Open(file, NeverFlushOnItsOwn());
  ASSERT_TRUE(first.ok() && second.ok());
  for (int round = 0; round < 3; ++round) {
    ASSERT_TRUE((*first)->Add(1, 0, Numbered(2 * round)));
    ASSERT_TRUE((*first)->Flush().ok());
    ASSERT_TRUE((*second)->Add(1, 1, Numbered(2 * round + 1)));
    const Status flushed = (*second)->Flush();
    ASSERT_TRUE(flushed.ok()) << flushed.error().ToString();
  }
  EXPECT_EQ(CountRows(file), 6);
  for (int i = 0; i < 6; ++i) {
    EXPECT_TRUE((*second)->Find(Numbered(i).Hash())) << i;
    EXPECT_TRUE((*first)->Find(Numbered(i).Hash())) << i;
  }
}

// Two different hashes under the same index key in one bucket (one chance in 2^35 per bucket):
// the second receipt goes to the next bucket and both stay findable.
TEST(ReceiptStoreTest, KeepsAReceiptWhoseHashKeyIsTakenInItsBucket) {
  TempDir dir;
  const auto file = dir.path() / "receipts.db";
  const Expert expert;
  const protocol::Receipt receipt = expert.Issue(1);
  {
    auto store = ReceiptStore::Open(file, NeverFlushOnItsOwn());
    ASSERT_TRUE(store.ok()) << store.error().ToString();
    (*store)->Add(22, 0, receipt);
  }
  // The stored row keeps the receipt's key but now holds another hash.
  ASSERT_TRUE(ExecOn(file, "UPDATE receipts SET hash = '0xother'"));

  auto store = ReceiptStore::Open(file, NeverFlushOnItsOwn());
  ASSERT_TRUE(store.ok()) << store.error().ToString();
  (*store)->Add(22, 1, receipt);
  ASSERT_TRUE((*store)->Flush().ok());
  EXPECT_EQ((*store)->stats().inserted, 1u);
  EXPECT_EQ(CountRows(file), 2);
  auto found = (*store)->Lookup(receipt.Hash());
  ASSERT_TRUE(found.ok()) << found.error().ToString();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->uid, 1);
  ExpectSameReceipt((*found)->receipt, receipt);
}

TEST(ReceiptStoreTest, NamesAMissingDirectory) {
  TempDir dir;
  const auto file = dir.path() / "missing" / "receipts.db";
  auto store = ReceiptStore::Open(file);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::kNotFound);
  EXPECT_NE(store.error().message.find(file.string()), std::string::npos) << store.error().message;
  EXPECT_NE(store.error().message.find("does not exist"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "missing"));
}

TEST(ReceiptStoreTest, NamesAnUnwritableFile) {
  TempDir dir;
  const auto file = dir.path() / "receipts.db";
  { ASSERT_TRUE(ReceiptStore::Open(file).ok()); }
  std::filesystem::permissions(file, std::filesystem::perms::owner_read |
                                         std::filesystem::perms::group_read |
                                         std::filesystem::perms::others_read);
  if (access(file.c_str(), W_OK) == 0) {
    GTEST_SKIP() << "file permissions do not bind this user (root)";
  }
  auto store = ReceiptStore::Open(file);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::kIo);
  EXPECT_NE(store.error().message.find(file.string()), std::string::npos) << store.error().message;
  EXPECT_NE(store.error().message.find("not writable"), std::string::npos);
}

TEST(ReceiptStoreTest, NamesAPathThatIsADirectory) {
  TempDir dir;
  std::filesystem::create_directory(dir.path() / "receipts.db");
  auto store = ReceiptStore::Open(dir.path() / "receipts.db");
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.error().message.find((dir.path() / "receipts.db").string()), std::string::npos)
      << store.error().message;
  EXPECT_NE(store.error().message.find("is a directory"), std::string::npos);
}

TEST(ReceiptStoreTest, NamesAFileThatIsNotSqlite) {
  TempDir dir;
  const auto file = dir.path() / "receipts.db";
  {
    std::ofstream out(file);
    for (int i = 0; i < 200; ++i) out << "these are not the receipts you are looking for\n";
  }
  auto store = ReceiptStore::Open(file);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::kIo);
  EXPECT_NE(store.error().message.find(file.string()), std::string::npos) << store.error().message;
  EXPECT_NE(store.error().message.find("not a database"), std::string::npos)
      << store.error().message;
}

TEST(ReceiptStoreTest, NamesAReceiptsTableOfAnotherShape) {
  TempDir dir;
  const auto file = dir.path() / "receipts.db";
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE receipts (id INTEGER)", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);

  auto store = ReceiptStore::Open(file);
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.error().message.find(file.string()), std::string::npos) << store.error().message;
  EXPECT_NE(store.error().message.find("another shape (columns id)"), std::string::npos)
      << store.error().message;
  EXPECT_TRUE(ExecOn(file, "SELECT id FROM receipts"));  // left as it was
}

}  // namespace
}  // namespace orchestra::sim
