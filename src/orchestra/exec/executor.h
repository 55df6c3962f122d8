#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "orchestra/core/deadline.h"
#include "orchestra/core/json.h"
#include "orchestra/experts/transport.h"
#include "orchestra/ledger/learner.h"
#include "orchestra/plan/route.h"
#include "orchestra/plan/task_dag.h"
#include "orchestra/protocol/orchestra_synapse.h"

namespace orchestra::exec {

struct ExecOptions {
  // Tries per subnet after the first (the seed's max_retries), before falling back to the next
  // candidate subnet of the route.
  int max_retries = 2;
  // Pause before retry n after a timeout or an unavailable expert: backoff_base × n (seed: 0.5 s).
  // Retries after a failed audit go to another UID at once.
  std::chrono::milliseconds backoff_base{500};
  // One try may take at most this many times the subnet's ledger p95 latency, and at least
  // min_try_timeout (a subnet learned to be fast still gets time for a slow answer).
  double per_try_p95_factor = 4.0;
  std::chrono::milliseconds min_try_timeout{250};
  // Told the outcome of every try (ledger/learner.h); null: nothing learns. Must outlive the
  // execution; thread-safe.
  ledger::Learner* learner = nullptr;
};

struct PipelineContext {
  std::string challenge_id;
  std::string objective;
  std::string miner_hotkey;                 // SS58: every call's lock binds it
  Deadline::Clock::time_point received_at;  // TaskStep.started_ms is measured from here
  int64_t received_at_unix_ms = 0;          // the same instant on the wall clock (receipt window)
};

struct Execution {
  std::vector<protocol::TaskStep> steps;  // one per task of the wave, in step order
  std::map<int, Json> outputs;            // audited outputs of the steps that succeeded
};

// Runs one wave of the plan, `dag`, on `transport`: a task starts as soon as every task it
// depends on has finished (steps before the wave's first are earlier waves, already done;
// tasks with no path between them run concurrently). Every query is complete (plan tasks are
// built by the experts adapters); dependencies order the calls. Each expert call carries a
// deadline derived from `deadline` (keeping back the p95 latency its dependents in the wave
// will need) and goes to the subnet's UIDs in ledger::UidOrder (the best the ledger learned
// first, each retry to the next); failures are retried with backoff and then routed to the
// next candidate subnet, and every answer is audited against the subnet's ledger
// output_schema and must carry a receipt signed by the answering UID's hotkey over the lock
// committed for this call (protocol/receipt.h); a bad answer or receipt is re-routed to
// another UID. Every try's outcome goes to options.learner. TaskStep.hash is the receipt's
// hash. Never throws and always returns one TaskStep per task: failures are in
// its `error`. Runs on the calling coroutine's executor (single-threaded use).
boost::asio::awaitable<Execution> Execute(const plan::TaskDag& dag, const plan::Routing& routing,
                                          experts::Transport& transport,
                                          const PipelineContext& context, Deadline deadline,
                                          const ExecOptions& options = {});

}  // namespace orchestra::exec
