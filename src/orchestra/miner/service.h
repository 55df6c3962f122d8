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
// Handlers share `transport`, which is single-threaded (experts::HttpTransport): serve them
// from an io_context run by one thread. `transport` must outlive the service. Compiling the
// target_schema and standardizing expert output run on options.cpu_pool when one is given, so
// that a challenge with a huge schema does not stall the other callers of that thread.
class MinerService {
 public:
  MinerService(ledger::SnapshotPtr ledger, experts::Transport& transport,
               OrchestratorOptions options);
  MinerService(const MinerService&) = delete;
  MinerService& operator=(const MinerService&) = delete;

  // Attaches both synapse classes to `axon`; the service must outlive the axon's use of them.
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

  // Swaps in a new ledger for challenges that start from now on (thread-safe).
  void ReplaceLedger(ledger::SnapshotPtr ledger);
  ledger::SnapshotPtr ledger() const;

  // Counters since construction.
  uint64_t challenges_answered() const { return answered_.load(); }
  uint64_t challenges_rejected() const { return rejected_.load(); }
  uint64_t ledger_queries() const { return ledger_queries_.load(); }

 private:
  std::atomic<ledger::SnapshotPtr> ledger_;
  experts::Transport& transport_;
  const OrchestratorOptions options_;
  std::atomic<uint64_t> answered_{0};
  std::atomic<uint64_t> rejected_{0};
  std::atomic<uint64_t> ledger_queries_{0};
};

}  // namespace orchestra::miner
