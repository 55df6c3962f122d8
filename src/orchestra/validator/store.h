#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "orchestra/core/result.h"
#include "orchestra/core/sqlite.h"

// The validator's persistent state, in one SQLite file (validator.db in the data dir; WAL,
// synchronous=FULL, so a call that returned survives SIGKILL and power loss): the registry of
// every receipt hash ever presented, the black room, the per-miner moving averages of both
// mechanisms, a bounded log of scores and the last weights set per mechanism.
//
// Every write is one transaction: after a crash the file holds each call entirely or not at
// all. Blocking (disk I/O, an fsync per write): call it from a worker thread, never from an
// event loop. Thread-safe: calls are serialised by an internal mutex. One process per file:
// IsBlackRoomed answers from memory (loaded at Open, kept up to date by BlackRoom).
//
// The schema is versioned (PRAGMA user_version): Open applies the missing migrations in order,
// each in its own transaction, and refuses a file written by a newer build. Errors are kIo
// naming the file and the statement, or kInvalidArgument naming the bad argument.
namespace orchestra::validator {

struct ValidatorStoreOptions {
  // The score log keeps this many most recent rows.
  int64_t score_log_max_rows = 100000;
};

struct BlackRoomEntry {
  std::string hotkey;
  std::string reason;         // the first reason given; later ones are ignored
  std::string evidence_json;  // JSON text, as given with the first reason
  int64_t at_ms = 0;
};

// A miner's moving average of one mechanism's scores.
struct MinerAverage {
  std::string hotkey;
  int uid = -1;  // the UID the miner had at its latest update
  double average = 0.0;
  int64_t samples = 0;  // scores folded in
  int64_t updated_ms = 0;
};

// One score of one miner for one challenge.
struct ScoreLogRow {
  std::string challenge_id;
  std::string hotkey;
  int64_t at_ms = 0;
  double total = 0.0;
  std::string score_card_json;  // JSON text
};

// The weights last set for one mechanism, as emitted (u16, see weights.h).
struct StoredWeights {
  int mechanism = 0;
  std::vector<uint16_t> uids;
  std::vector<uint16_t> values;
  int64_t at_ms = 0;
};

// One input of UpdateAverages.
struct ScoreSample {
  std::string hotkey;
  int uid = -1;
  int mechanism = 0;  // 0 or 1
  double score = 0.0;
};

class ValidatorStore {
 public:
  // The schema version this build writes.
  static constexpr int64_t kSchemaVersion = 1;
  static constexpr int kMechanisms = 2;

  // Opens (creating it, its directory and its tables when absent) the store at `path`.
  static Result<std::unique_ptr<ValidatorStore>> Open(const std::filesystem::path& path,
                                                      const ValidatorStoreOptions& options = {});
  // The store of the validator whose data dir is `data_dir`: data_dir/validator.db.
  static Result<std::unique_ptr<ValidatorStore>> OpenInDataDir(
      const std::filesystem::path& data_dir, const ValidatorStoreOptions& options = {});

  ValidatorStore(const ValidatorStore&) = delete;
  ValidatorStore& operator=(const ValidatorStore&) = delete;

  // --- Hash registry ---

  // In one transaction, records each of `hashes` not yet known (with the miner, the challenge
  // and `now_ms`) and returns, in input order, those that were already known: presented before
  // by anyone in any challenge, or earlier in `hashes` itself (a hash listed twice is returned
  // once for its second occurrence). An empty hash is kInvalidArgument and records nothing.
  Result<std::vector<std::string>> ClaimHashes(std::string_view miner_hotkey,
                                               std::string_view challenge_id,
                                               const std::vector<std::string>& hashes,
                                               int64_t now_ms);
  Result<bool> IsHashKnown(std::string_view hash);
  Result<int64_t> KnownHashCount();

  // --- Black room (permanent) ---

  // Black-rooms `hotkey` for good. Idempotent: the first reason and evidence stay.
  // `evidence_json` must parse as JSON.
  Status BlackRoom(std::string_view hotkey, std::string_view reason, std::string_view evidence_json,
                   int64_t now_ms);
  bool IsBlackRoomed(std::string_view hotkey) const;
  // Every black-roomed hotkey, oldest first.
  Result<std::vector<BlackRoomEntry>> BlackRoomed();

  // --- Moving averages ---

  // Folds `score` into the miner's average of `mechanism` (0 or 1):
  // new = alpha * score + (1 - alpha) * old, where a miner never scored before has old = 0, so
  // its first score gives alpha * score (as Bittensor's subnet template's update_scores, whose
  // scores start at zero). A NaN score counts as 0 (as the template's nan_to_num); an infinite
  // score, or alpha outside (0, 1], is kInvalidArgument. Returns the new average.
  // One difference from the template: it folds a 0 into every miner not queried in a step;
  // here only scored miners move, so a miner left out of a random sample keeps its average (a
  // miner that was queried and failed is scored 0 by the caller).
  Result<double> UpdateAverage(std::string_view hotkey, int uid, int mechanism, double score,
                               double alpha, int64_t now_ms);
  // UpdateAverage for many samples in one transaction (one fsync for a whole challenge's
  // miners); samples apply in order, so a hotkey listed twice is folded twice. Returns the new
  // averages in input order. Any bad sample fails the whole call, which then records nothing.
  Result<std::vector<double>> UpdateAverages(const std::vector<ScoreSample>& samples, double alpha,
                                             int64_t now_ms);
  // Every miner's average for `mechanism`, by hotkey.
  Result<std::vector<MinerAverage>> Averages(int mechanism);

  // --- Score log (bounded) ---

  // Appends rows (one transaction), then drops the oldest beyond the retention limit.
  // score_card_json must parse as JSON.
  Status LogScores(const std::vector<ScoreLogRow>& rows);
  // The `limit` most recent rows, newest first.
  Result<std::vector<ScoreLogRow>> RecentScores(int64_t limit);
  Result<int64_t> ScoreLogSize();

  // --- Last weights ---

  // Replaces the weights remembered for weights.mechanism. uids and values must have the same
  // length.
  Status SaveWeights(const StoredWeights& weights);
  // The weights last saved for `mechanism`, nullopt when none were.
  Result<std::optional<StoredWeights>> LastWeights(int mechanism);

  const std::filesystem::path& path() const { return db_.path(); }

 private:
  ValidatorStore(SqliteDb db, const ValidatorStoreOptions& options)
      : db_(std::move(db)), options_(options) {}
  Status Migrate();
  Status LoadBlackRoom();

  mutable std::mutex mu_;
  SqliteDb db_;
  ValidatorStoreOptions options_;
  std::set<std::string, std::less<>> black_room_;
};

}  // namespace orchestra::validator
