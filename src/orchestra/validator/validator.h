#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "orchestra/core/clock.h"
#include "orchestra/core/deadline.h"
#include "orchestra/core/json.h"
#include "orchestra/core/result.h"
#include "orchestra/core/rng.h"
#include "orchestra/experts/directory.h"
#include "orchestra/experts/transport.h"
#include "orchestra/ledger/entry.h"
#include "orchestra/net/dendrite.h"
#include "orchestra/net/http_client.h"
#include "orchestra/obs/metrics.h"
#include "orchestra/validator/challenge_generator.h"
#include "orchestra/validator/collusion.h"
#include "orchestra/validator/miner_client.h"
#include "orchestra/validator/miners.h"
#include "orchestra/validator/prober.h"
#include "orchestra/validator/retriever.h"
#include "orchestra/validator/scorer.h"
#include "orchestra/validator/store.h"
#include "orchestra/validator/traps.h"
#include "orchestra/validator/weights.h"

namespace orchestra::validator {

// Where the validator plants its traps: the expert simulator's control API and admin token.
struct TrapAdmin {
  std::string host = "127.0.0.1";
  uint16_t control_port = 0;
  std::string admin_token;
};

struct ValidatorOptions {
  std::string hotkey;  // SS58 of the validator's own hotkey: never sampled as a miner
  size_t sample_size = 16;
  uint64_t seed = 0;
  double ema_alpha = 0.1;
  // Share of the receipts checked against the expert's own log (GET /receipts/{hash}).
  double log_check_rate = 0.25;
  // Clock difference tolerated between validator, miners and experts around the challenge
  // window when checking a receipt's issued_at.
  std::chrono::milliseconds clock_skew{2000};
  // The expert subnets are probed again every `probe_every` rounds (and before the first).
  int probe_every = 5;
  std::chrono::milliseconds probe_deadline{20000};
  // Time the generator may spend finding a topic and building a challenge's answer key.
  std::chrono::milliseconds generate_deadline{30000};
  // Organic requests go to this many of the best-scoring miners.
  size_t organic_miners = 3;
  GeneratorOptions generator;      // seed, deadlines, trap rates, vocabulary
  std::optional<TrapAdmin> traps;  // absent: no traps are planted (the trap rates are ignored)
  ScoringWeights weights;
  CopyThresholds collusion;
};

// What the validator talks to and keeps; none of it owned. Everything asynchronous runs on the
// executor of `transport`, `client` and `dendrite` (one thread: HttpTransport is
// single-threaded); `blocking` runs the store's disk work.
struct ValidatorDeps {
  const experts::Directory* directory = nullptr;  // the expert subnets' UIDs
  experts::Transport* transport = nullptr;        // expert calls signed by the validator
  net::HttpClient* client = nullptr;              // receipt logs and the trap admin API
  net::Dendrite* dendrite = nullptr;              // the miners
  ValidatorStore* store = nullptr;
  boost::asio::thread_pool* blocking = nullptr;
  obs::MetricsRegistry* metrics = nullptr;  // may be null
  const TimeSource* time = &RealTime();
};

// One miner's result in a round (or an organic request).
struct MinerResult {
  MinerTarget miner;
  int status_code = 0;  // the dendrite's
  std::string status_message;
  ScoreCard card;
  std::optional<CopyFinding> copy;  // set when the answer copies an earlier one
  bool black_roomed_now = false;    // this answer sent the miner to the black room
  double mechanism0 = 0.0;          // what the round credits (0 for a copy or an offence)
  double mechanism1 = 0.0;
  double average0 = 0.0;  // moving averages after the round
  double average1 = 0.0;
  Json answer;  // the response fields as received (kept for organic requests only)
  std::optional<protocol::Response> response;  // the answer read, when it parsed
};

struct RoundReport {
  GeneratedChallenge challenge;
  std::vector<MinerResult> miners;  // in uid order
  EmitWeights weights[ValidatorStore::kMechanisms];
  std::string trap_error;  // a trap that could not be planted ("" when fine)
};

// The validator's work: synthetic rounds (generate a challenge, plant its traps, query a sample
// of miners and their ledgers, verify every proof, score, find copies, black-room offenders,
// fold scores into the moving averages and recompute the weights) and organic requests.
// Every round logs one logfmt line per miner:
//   validator_score challenge=0x… template=tool_comparison uid=3 miner=5F… status=200
//   reward=0.812 m0=0.845 m1=0.733 oes=0.801 total=0.790 proofs=4/4 hash=1.000 compliance=…
//   completeness=… relevance=… routing=… freshness=… coverage=… trap=… velocity=…
//   provenance=… copy_of= black_room=false reason="…"
// Threading: call RunRound/Organic from coroutines on the deps' executor, one round at a time
// (organic requests may interleave with a round).
class Validator {
 public:
  Validator(ValidatorDeps deps, ValidatorOptions options,
            std::vector<ledger::LedgerEntry> base_ledger);
  ~Validator();
  Validator(const Validator&) = delete;
  Validator& operator=(const Validator&) = delete;

  // The miners of the subnet (the metagraph); replaces the previous list.
  void SetMiners(std::vector<MinerTarget> miners);

  // One synthetic round. Errors only when no challenge could be made or no miner can be
  // queried; a miner's failure is its score, not an error.
  boost::asio::awaitable<Result<RoundReport>> RunRound();

  // An outside user's challenge, sent to the best-scoring miners; the best answer whose proofs
  // verify, with its score card. kUnavailable when no miner gave a usable answer.
  boost::asio::awaitable<Result<MinerResult>> Organic(protocol::Challenge challenge);

  // {"hotkey", "rounds", "miners": [{uid, hotkey, average0, average1}], "black_room": [...],
  //  "weights": [{mechanism, uids, values}], "experts": ExpertView, "last_round": {...}}.
  // The store is read on the blocking pool.
  boost::asio::awaitable<Json> StatusJson() const;

  uint64_t rounds() const { return rounds_; }
  const ExpertView& experts() const { return prober_.view(); }

 private:
  struct Metrics;

  boost::asio::awaitable<void> RefreshExperts();
  // `target`: the challenge's target_schema compiled once for all its replies, or null.
  boost::asio::awaitable<MinerResult> Judge(const GeneratedChallenge& generated, bool has_reference,
                                            const schema::Schema* target, const MinerReply& reply,
                                            const MinerReply* ledger, int64_t window_start,
                                            int64_t window_end);
  boost::asio::awaitable<Status> Settle(const std::string& challenge_id,
                                        std::vector<MinerResult>& results, bool organic);
  void Log(const GeneratedChallenge& generated, const MinerResult& result) const;

  ValidatorDeps deps_;
  ValidatorOptions options_;
  std::vector<ledger::LedgerEntry> base_ledger_;
  Rng rng_;
  Prober prober_;
  std::vector<ledger::LedgerEntry> measured_;
  std::unique_ptr<Retriever> retriever_;
  std::unique_ptr<ChallengeGenerator> generator_;
  std::unique_ptr<TrapPlanter> planter_;
  ReceiptLogChecker log_checker_;
  ExpertRegistry registry_;
  std::vector<MinerTarget> miners_;
  std::unique_ptr<Metrics> metrics_;
  uint64_t rounds_ = 0;
  Json last_round_;
};

}  // namespace orchestra::validator
