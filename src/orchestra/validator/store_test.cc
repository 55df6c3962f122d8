#include "orchestra/validator/store.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <map>

#include "orchestra/core/rng.h"

namespace orchestra::validator {
namespace {

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/orchestra-vstore-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<ValidatorStore> OpenStore(ValidatorStoreOptions options = {}) {
    auto store = ValidatorStore::OpenInDataDir(dir_, options);
    EXPECT_TRUE(store.ok()) << store.error().ToString();
    return store.ok() ? std::move(*store) : nullptr;
  }

  std::filesystem::path dir_;
};

TEST_F(StoreTest, CreatesValidatorDbInTheDataDir) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  EXPECT_EQ(store->path(), dir_ / "validator.db");
  EXPECT_TRUE(std::filesystem::exists(dir_ / "validator.db"));
}

TEST_F(StoreTest, ClaimHashesReturnsOnlyHashesSeenBefore) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  auto first = store->ClaimHashes("miner-a", "c1", {"0xaa", "0xbb"}, 1000);
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  EXPECT_TRUE(first->empty());
  // Another miner, another challenge: 0xbb was presented before, 0xcc is new.
  auto second = store->ClaimHashes("miner-b", "c2", {"0xcc", "0xbb"}, 2000);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*second, std::vector<std::string>{"0xbb"});
  // The same miner presenting its own hashes again is a replay too.
  auto third = store->ClaimHashes("miner-a", "c1", {"0xaa"}, 3000);
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(*third, std::vector<std::string>{"0xaa"});
  EXPECT_EQ(*store->KnownHashCount(), 3);
}

TEST_F(StoreTest, HashRepeatedWithinOneCallIsReturnedForItsSecondOccurrence) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  auto claimed = store->ClaimHashes("miner-a", "c1", {"0x01", "0x02", "0x01", "0x01"}, 1);
  ASSERT_TRUE(claimed.ok());
  EXPECT_EQ(*claimed, (std::vector<std::string>{"0x01", "0x01"}));
  EXPECT_TRUE(*store->IsHashKnown("0x02"));
}

TEST_F(StoreTest, EmptyHashIsRejectedAndNothingIsRecorded) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  auto claimed = store->ClaimHashes("miner-a", "c1", {"0x01", ""}, 1);
  ASSERT_FALSE(claimed.ok());
  EXPECT_EQ(claimed.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(claimed.error().message.find("hashes[1]"), std::string::npos);
  EXPECT_FALSE(*store->IsHashKnown("0x01"));
}

TEST_F(StoreTest, BlackRoomKeepsTheFirstReason) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  EXPECT_FALSE(store->IsBlackRoomed("forger"));
  ASSERT_TRUE(store->BlackRoom("forger", "forged receipt", R"({"step":1})", 10).ok());
  ASSERT_TRUE(store->BlackRoom("forger", "replayed hash", R"({"hash":"0x1"})", 20).ok());
  EXPECT_TRUE(store->IsBlackRoomed("forger"));
  auto all = store->BlackRoomed();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].reason, "forged receipt");
  EXPECT_EQ((*all)[0].evidence_json, R"({"step":1})");
  EXPECT_EQ((*all)[0].at_ms, 10);
}

TEST_F(StoreTest, BlackRoomRefusesEvidenceThatIsNotJson) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  auto s = store->BlackRoom("forger", "forged receipt", "{oops", 10);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(store->IsBlackRoomed("forger"));
}

TEST_F(StoreTest, AverageStartsAtAlphaTimesTheFirstScoreThenMoves) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  auto first = store->UpdateAverage("m", 3, 0, 1.0, 0.1, 100);
  ASSERT_TRUE(first.ok());
  EXPECT_DOUBLE_EQ(*first, 0.1);
  auto second = store->UpdateAverage("m", 3, 0, 0.5, 0.1, 200);
  ASSERT_TRUE(second.ok());
  EXPECT_DOUBLE_EQ(*second, 0.1 * 0.5 + 0.9 * 0.1);
  // Mechanisms are independent.
  auto other = store->UpdateAverage("m", 3, 1, 0.2, 0.1, 200);
  ASSERT_TRUE(other.ok());
  EXPECT_DOUBLE_EQ(*other, 0.02);
  auto averages = store->Averages(0);
  ASSERT_TRUE(averages.ok());
  ASSERT_EQ(averages->size(), 1u);
  EXPECT_EQ((*averages)[0].hotkey, "m");
  EXPECT_EQ((*averages)[0].uid, 3);
  EXPECT_EQ((*averages)[0].samples, 2);
  EXPECT_EQ((*averages)[0].updated_ms, 200);
  EXPECT_DOUBLE_EQ((*averages)[0].average, 0.14);
}

TEST_F(StoreTest, NanScoreCountsAsZeroAndBadArgumentsAreRefused) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->UpdateAverage("m", 1, 0, 1.0, 0.5, 1).ok());
  auto nan = store->UpdateAverage("m", 1, 0, std::nan(""), 0.5, 2);
  ASSERT_TRUE(nan.ok());
  EXPECT_DOUBLE_EQ(*nan, 0.25);
  EXPECT_EQ(store->UpdateAverage("m", 1, 2, 1.0, 0.5, 3).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(store->UpdateAverage("m", 1, 0, 1.0, 0.0, 3).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(store->UpdateAverage("m", 1, 0, INFINITY, 0.5, 3).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_DOUBLE_EQ((*store->Averages(0))[0].average, 0.25);
}

TEST_F(StoreTest, BatchOfAveragesIsAllOrNothing) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  auto bad = store->UpdateAverages({{"a", 1, 0, 1.0}, {"b", 2, 7, 1.0}}, 0.5, 1);
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(store->Averages(0)->empty());
  auto good = store->UpdateAverages({{"a", 1, 0, 1.0}, {"a", 1, 0, 1.0}, {"b", 2, 1, 0.4}}, 0.5, 1);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, (std::vector<double>{0.5, 0.75, 0.2}));
}

TEST_F(StoreTest, ScoreLogKeepsOnlyTheNewestRows) {
  ValidatorStoreOptions options;
  options.score_log_max_rows = 5;
  auto store = OpenStore(options);
  ASSERT_TRUE(store);
  for (int i = 0; i < 4; ++i) {
    std::vector<ScoreLogRow> rows;
    for (int j = 0; j < 3; ++j) {
      rows.push_back({"c" + std::to_string(i), "m" + std::to_string(j), i * 10 + j, 0.1 * j,
                      R"({"total":)" + std::to_string(j) + "}"});
    }
    ASSERT_TRUE(store->LogScores(rows).ok());
  }
  EXPECT_EQ(*store->ScoreLogSize(), 5);
  auto recent = store->RecentScores(100);
  ASSERT_TRUE(recent.ok());
  ASSERT_EQ(recent->size(), 5u);
  EXPECT_EQ((*recent)[0].challenge_id, "c3");
  EXPECT_EQ((*recent)[0].hotkey, "m2");
  EXPECT_EQ((*recent)[0].score_card_json, R"({"total":2})");
  EXPECT_EQ((*recent)[4].challenge_id, "c2");
  EXPECT_EQ((*recent)[4].hotkey, "m1");
  EXPECT_FALSE(store->LogScores({{"c9", "m", 1, 0.0, "not json"}}).ok());
  EXPECT_EQ(*store->ScoreLogSize(), 5);
}

TEST_F(StoreTest, LastWeightsAreReplacedPerMechanism) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  EXPECT_FALSE(store->LastWeights(0)->has_value());
  ASSERT_TRUE(store->SaveWeights({0, {1, 2}, {100, 65535}, 5}).ok());
  ASSERT_TRUE(store->SaveWeights({0, {4, 5, 6}, {1, 2, 65535}, 6}).ok());
  ASSERT_TRUE(store->SaveWeights({1, {7}, {65535}, 7}).ok());
  auto zero = store->LastWeights(0);
  ASSERT_TRUE(zero.ok() && zero->has_value());
  EXPECT_EQ((*zero)->uids, (std::vector<uint16_t>{4, 5, 6}));
  EXPECT_EQ((*zero)->values, (std::vector<uint16_t>{1, 2, 65535}));
  EXPECT_EQ((*zero)->at_ms, 6);
  EXPECT_FALSE(store->SaveWeights({0, {1, 2}, {3}, 8}).ok());
}

TEST_F(StoreTest, EverythingSurvivesReopening) {
  {
    auto store = OpenStore();
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->ClaimHashes("m", "c", {"0xaa"}, 1).ok());
    ASSERT_TRUE(store->BlackRoom("bad", "forged receipt", "{}", 2).ok());
    ASSERT_TRUE(store->UpdateAverage("m", 4, 1, 0.8, 0.1, 3).ok());
    ASSERT_TRUE(store->LogScores({{"c", "m", 4, 0.7, R"({"a":1})"}}).ok());
    ASSERT_TRUE(store->SaveWeights({1, {4}, {65535}, 5}).ok());
  }
  auto store = OpenStore();
  ASSERT_TRUE(store);
  EXPECT_EQ(*store->ClaimHashes("other", "c2", {"0xaa"}, 9), std::vector<std::string>{"0xaa"});
  EXPECT_TRUE(store->IsBlackRoomed("bad"));
  EXPECT_EQ((*store->BlackRoomed())[0].reason, "forged receipt");
  auto averages = store->Averages(1);
  ASSERT_EQ(averages->size(), 1u);
  EXPECT_DOUBLE_EQ((*averages)[0].average, 0.08);
  EXPECT_EQ((*store->RecentScores(1))[0].score_card_json, R"({"a":1})");
  EXPECT_EQ((*store->LastWeights(1))->uids, std::vector<uint16_t>{4});
}

TEST_F(StoreTest, FileFromANewerBuildIsRefused) {
  { ASSERT_TRUE(OpenStore()); }
  {
    auto db = SqliteDb::Open(dir_ / "validator.db");
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->Exec("PRAGMA user_version = 99").ok());
  }
  auto store = ValidatorStore::OpenInDataDir(dir_);
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.error().message.find("schema version 99 is newer than this build knows (1)"),
            std::string::npos)
      << store.error().message;
  EXPECT_NE(store.error().message.find("validator.db"), std::string::npos);
}

TEST_F(StoreTest, OpeningTwiceAppliesTheMigrationOnce) {
  { ASSERT_TRUE(OpenStore()); }
  auto store = OpenStore();
  ASSERT_TRUE(store);
  auto db = SqliteDb::Open(dir_ / "validator.db");
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(*db->QueryInt64("PRAGMA user_version"), ValidatorStore::kSchemaVersion);
}

// --- Crash safety ---------------------------------------------------------------------------

// The child's workload: iteration i claims three hashes (two new, one of iteration i-1's, so
// each claim also exercises the "already known" path), black-rooms a hotkey, and folds a score
// into one of five miners' averages. Each call is one op; op n = 3*i + kind.
constexpr int kIterations = 300;
constexpr double kAlpha = 0.3;

std::string HashOf(int i, int j) { return "0x" + std::to_string(i) + "-" + std::to_string(j); }
std::string Culprit(int i) { return "culprit-" + std::to_string(i); }
std::string MinerOf(int i) { return "miner-" + std::to_string(i % 5); }
int MechanismOf(int i) { return (i / 5) % 2; }
double ScoreOf(int i) { return 0.05 + 0.9 * static_cast<double>((i * 37) % 101) / 100.0; }

// What the child reports after each call returned: the op number, and whether the call's
// result was the expected one.
struct Ack {
  int32_t op;
  int32_t ok;
  char padding[1016];  // fewer acks fit in the pipe: the child runs at most ~64 ops ahead
};

[[noreturn]] void RunChild(const std::filesystem::path& dir, int ack_fd) {
  auto store = ValidatorStore::OpenInDataDir(dir);
  if (!store) _exit(2);
  auto ack = [&](int op, bool ok) {
    Ack a{};
    a.op = op;
    a.ok = ok ? 1 : 0;
    if (write(ack_fd, &a, sizeof a) != static_cast<ssize_t>(sizeof a)) _exit(3);
  };
  for (int i = 0; i < kIterations; ++i) {
    std::vector<std::string> hashes = {HashOf(i, 0), HashOf(i, 1)};
    if (i > 0) hashes.push_back(HashOf(i - 1, 0));
    auto known = (*store)->ClaimHashes(MinerOf(i), "c" + std::to_string(i), hashes, i);
    ack(3 * i, known.ok() && *known == (i > 0 ? std::vector<std::string>{HashOf(i - 1, 0)}
                                              : std::vector<std::string>{}));
    auto black = (*store)->BlackRoom(Culprit(i), "forged receipt", R"({"i":1})", i);
    ack(3 * i + 1, black.ok());
    auto average =
        (*store)->UpdateAverage(MinerOf(i), i % 5, MechanismOf(i), ScoreOf(i), kAlpha, i);
    ack(3 * i + 2, average.ok());
  }
  _exit(0);
}

// The averages after the first `ops` ops, as the store computes them.
std::map<std::pair<int, std::string>, double> ModelAverages(int ops) {
  std::map<std::pair<int, std::string>, double> averages;
  for (int i = 0; 3 * i + 2 < ops; ++i) {
    double& average = averages[{MechanismOf(i), MinerOf(i)}];
    average = kAlpha * ScoreOf(i) + (1.0 - kAlpha) * average;
  }
  return averages;
}

bool SameAverages(const std::map<std::pair<int, std::string>, double>& a,
                  const std::map<std::pair<int, std::string>, double>& b) {
  if (a.size() != b.size()) return false;
  for (const auto& [key, value] : a) {
    auto it = b.find(key);
    if (it == b.end() || std::abs(it->second - value) > 1e-12) return false;
  }
  return true;
}

// Reads exactly one Ack; false at end of file.
bool ReadAck(int fd, Ack* ack) {
  size_t got = 0;
  auto* bytes = reinterpret_cast<char*>(ack);
  while (got < sizeof *ack) {
    const ssize_t n = read(fd, bytes + got, sizeof *ack - got);
    if (n <= 0) return false;
    got += static_cast<size_t>(n);
  }
  return true;
}

TEST_F(StoreTest, SigkillMidBurstLosesNoAcknowledgedCallAndLeavesNoHalfCall) {
  // A killed process loses nothing the kernel already has, fsynced or not: what SIGKILL can
  // break is a call half-written by SQLite. So the files may live in memory (/dev/shm), which
  // spares the test the disk's fsyncs (about 3 ms each, thousands of them).
  std::filesystem::path base = dir_;
  if (std::filesystem::is_directory("/dev/shm")) {
    char tmpl[] = "/dev/shm/orchestra-vstore-XXXXXX";
    if (mkdtemp(tmpl) != nullptr) base = tmpl;
  }
  struct Cleanup {
    std::filesystem::path dir;
    ~Cleanup() { std::filesystem::remove_all(dir); }
  } cleanup{base};
  Rng rng(20261207);
  constexpr int kRounds = 60;
  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    const std::filesystem::path dir = base / std::to_string(round);
    // Kill after K acknowledged ops, K spread over the whole burst, some right at the start
    // (while the file and its schema are being created).
    const int acks_before_kill =
        round < 5 ? round : 1 + static_cast<int>(rng.Next() % (3 * kIterations - 100));
    int pipe_fds[2];
    ASSERT_EQ(pipe(pipe_fds), 0);
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      close(pipe_fds[0]);
      RunChild(dir, pipe_fds[1]);
    }
    close(pipe_fds[1]);
    int acknowledged = 0;
    bool all_ok = true;
    Ack ack{};
    while (acknowledged < acks_before_kill && ReadAck(pipe_fds[0], &ack)) {
      ASSERT_EQ(ack.op, acknowledged);
      all_ok = all_ok && ack.ok == 1;
      ++acknowledged;
    }
    ASSERT_EQ(kill(child, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    close(pipe_fds[0]);
    ASSERT_TRUE(all_ok) << "a call returned an unexpected result before the kill";
    ASSERT_EQ(acknowledged, acks_before_kill) << "child exited early, status " << status;
    if (acknowledged == 0 && !std::filesystem::exists(dir / "validator.db")) continue;

    auto reopened = ValidatorStore::OpenInDataDir(dir);
    ASSERT_TRUE(reopened.ok()) << reopened.error().ToString();
    ValidatorStore& store = **reopened;

    // The ops on disk are a prefix of the sequence: claims, black rooms and averages alike.
    int claims = 0;
    while (claims < kIterations && *store.IsHashKnown(HashOf(claims, 1))) ++claims;
    for (int i = claims; i < kIterations && i < claims + 50; ++i) {
      ASSERT_FALSE(*store.IsHashKnown(HashOf(i, 0))) << "claim " << i << " after a gap";
      ASSERT_FALSE(*store.IsHashKnown(HashOf(i, 1))) << "claim " << i << " after a gap";
    }
    for (int i = 0; i < claims; ++i) ASSERT_TRUE(*store.IsHashKnown(HashOf(i, 0)));
    auto black = store.BlackRoomed();
    ASSERT_TRUE(black.ok());
    const int black_roomed = static_cast<int>(black->size());
    for (int i = 0; i < black_roomed; ++i) ASSERT_TRUE(store.IsBlackRoomed(Culprit(i)));
    ASSERT_TRUE(black_roomed == claims || black_roomed == claims - 1)
        << claims << " claims, " << black_roomed << " black-roomed";

    std::map<std::pair<int, std::string>, double> stored;
    for (int mechanism = 0; mechanism < 2; ++mechanism) {
      auto averages = store.Averages(mechanism);
      ASSERT_TRUE(averages.ok()) << averages.error().ToString();
      for (const MinerAverage& a : *averages) {
        stored[{mechanism, a.hotkey}] = a.average;
      }
    }
    // Ops done: 3*claims - 2 (last claim only), 3*claims - 1 (and its black room) or 3*claims.
    int ops = -1;
    if (black_roomed < claims) {
      ops = 3 * claims - 2;
    } else if (SameAverages(stored, ModelAverages(3 * claims))) {
      ops = 3 * claims;
    } else {
      ops = 3 * claims - 1;
    }
    if (claims == 0) ops = 0;
    ASSERT_TRUE(SameAverages(stored, ModelAverages(ops))) << "after " << ops << " ops";
    ASSERT_GE(ops, acknowledged) << "an acknowledged call was lost";
    EXPECT_EQ(*store.KnownHashCount(), 2 * claims);
  }
}

}  // namespace
}  // namespace orchestra::validator
