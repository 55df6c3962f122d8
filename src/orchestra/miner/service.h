#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <memory>

#include "orchestra/core/deadline.h"
#include "orchestra/core/result.h"
#include "orchestra/experts/transport.h"
#include "orchestra/ledger/snapshot.h"
#include "orchestra/miner/orchestrator.h"
#include "orchestra/net/axon.h"
#include "orchestra/obs/metrics.h"
#include "orchestra/protocol/bittensor_synapse.h"

namespace orchestra::miner {

// Time kept back from the axon's deadline to build and send the answer: the pipeline is given
// the synapse timeout minus this (or the challenge's deadline_ms, when earlier).
inline constexpr std::chrono::milliseconds kAnswerReserve{100};

// The miner's axon handlers, kept apart from the daemon's wiring (sockets, signals, wallets):
// OrchestraSynapse answers a challenge end to end with Orchestrate; LedgerSynapse hands out the
// ledger the miner routes with. Every challenge ends in one structured log line (logfmt, info
// level) that an operator can grep or parse:
//   challenge id=0x… validator=5F… deadline_ms=30000 outcome=ok steps=4 failed_steps=0
//   cost=0.008000 latency_ms=1812 valid=true compliance=1.000 completeness=1.000 ledger=lv-…
// outcome=rejected (with error="…") when the challenge cannot be worked on.
// Metrics go to the registry given (or one of the service's own), served on GET /metrics of
// the axon it is attached to (README.md, "Metrics"):
//   orchestra_challenges_total{outcome}: ok | invalid (malformed challenge or target_schema) |
//     deadline (no time left to work) | error (the pipeline could not run)
//   orchestra_expert_calls_total{subnet,outcome}: one per pipeline step that called an expert,
//     by the subnet that answered last; outcome ok, or the step error's code (unavailable,
//     deadline_exceeded, malformed_answer, schema_violation, ..., cancelled, error)
//   orchestra_ledger_queries_total: LedgerSynapse queries answered
//   orchestra_challenge_latency_seconds: total_latency_ms of each answered challenge
// Handlers share `transport`, which is single-threaded (experts::HttpTransport): serve them
// from an io_context run by one thread. `transport` must outlive the service. Compiling the
// target_schema and standardizing expert output run on options.cpu_pool when one is given, so
// that a challenge with a huge schema does not stall the other callers of that thread.
class MinerService {
 public:
  // `metrics`: the process's registry, shared with whoever else reports into it; null: the
  // service makes its own.
  MinerService(ledger::SnapshotPtr ledger, experts::Transport& transport,
               OrchestratorOptions options,
               std::shared_ptr<obs::MetricsRegistry> metrics = nullptr);
  MinerService(const MinerService&) = delete;
  MinerService& operator=(const MinerService&) = delete;

  // Attaches both synapse classes to `axon`, and GET /metrics; the service must outlive the
  // axon's use of them.
  Status AttachTo(net::Axon& axon);

  // OrchestraSynapse: reads the challenge from the synapse (kInvalidArgument naming the field
  // when it is malformed or its target_schema does not compile: the axon answers 422), runs
  // the pipeline within min(deadline_ms, `deadline` − kAnswerReserve), and returns the synapse
  // with the response fields filled in. Expert failures give a partial answer, not an error.
  boost::asio::awaitable<Result<protocol::BittensorSynapse>> AnswerChallenge(
      protocol::BittensorSynapse request, Deadline deadline);

  // LedgerSynapse: ledger_version always; entries (subnet id → entry) unless since_version
  // already names the current version, in which case entries is {}.
  boost::asio::awaitable<Result<protocol::BittensorSynapse>> AnswerLedger(
      protocol::BittensorSynapse request, Deadline deadline);

  // Swaps in a new ledger for challenges that start from now on (thread-safe); the learner
  // (options.exec.learner) learns over it from now on. After each challenge the learner's
  // figures are published as the ledger the next challenges route with.
  void ReplaceLedger(ledger::SnapshotPtr ledger);
  // Installs what the learner learned since its last snapshot, if anything (thread-safe).
  void PublishLearned();
  ledger::SnapshotPtr ledger() const;

  // Counters since construction.
  uint64_t challenges_answered() const { return answered_.load(); }
  uint64_t challenges_rejected() const { return rejected_.load(); }
  uint64_t ledger_queries() const { return ledger_queries_.load(); }
  const obs::MetricsRegistry& metrics() const { return *metrics_; }

 private:
  // Counts a rejected challenge (outcome label) and logs it.
  void Reject(const protocol::BittensorSynapse& request, const Error& error,
              std::string_view outcome);
  void CountAnswered(const protocol::Response& response);

  std::atomic<ledger::SnapshotPtr> ledger_;
  experts::Transport& transport_;
  const OrchestratorOptions options_;
  std::atomic<uint64_t> answered_{0};
  std::atomic<uint64_t> rejected_{0};
  std::atomic<uint64_t> ledger_queries_{0};
  const std::shared_ptr<obs::MetricsRegistry> metrics_;
  obs::CounterFamily& challenges_metric_;
  obs::CounterFamily& expert_calls_metric_;
  obs::Counter& ledger_queries_metric_;
  obs::Histogram& latency_metric_;
};

}  // namespace orchestra::miner
