#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <memory>
#include <optional>

#include "orchestra/core/deadline.h"
#include "orchestra/core/result.h"
#include "orchestra/exec/executor.h"
#include "orchestra/experts/transport.h"
#include "orchestra/ledger/snapshot.h"
#include "orchestra/plan/route.h"
#include "orchestra/protocol/orchestra_synapse.h"
#include "orchestra/schema/schema.h"

namespace orchestra::miner {

class LlmLead;  // llm_lead.h

struct OrchestratorOptions {
  std::string miner_hotkey;  // SS58 of the miner's hotkey: bound into every call's lock
  plan::RoutingPolicy routing;
  exec::ExecOptions exec;
  // Where the CPU-heavy steps run (compiling target_schema, assembling standardized_data from
  // expert output), away from the thread that serves calls; must outlive every call. nullptr:
  // on the calling coroutine's thread.
  boost::asio::thread_pool* cpu_pool = nullptr;
  // Most the follow-ups may bring the challenge's spend to, in the ledger's unit (TAO);
  // unset: no cap. The planned waves are not capped: they are what the schema needs.
  std::optional<double> max_spend;
  // Rounds of follow-ups (re-reads, targeted searches, reads of what they found) after the
  // planned waves, while the deadline allows.
  int follow_up_rounds = 2;
  // The operator's LLM for planning discovery, judging relevance and synthesizing judgement
  // (llm_lead.h), each checked and replaced by the built-in when invalid or late; nullptr:
  // built-ins only. Used on the calling coroutine's executor.
  std::shared_ptr<LlmLead> llm;
};

// Compiles a challenge's target_schema (schema::Schema::FromTarget) on `pool` (inline when
// null); the schema keeps `target_schema` when it is on the default heap, else a heap copy.
// kInvalidArgument as FromTarget, including a schema past the compile limits
// (schema::CompileOptions: max_nodes, max_work).
boost::asio::awaitable<Result<schema::Schema>> CompileTarget(Json target_schema,
                                                             boost::asio::thread_pool* pool);

// Answers one challenge end to end, as the lead architect: reads the objective, hints and the
// compiled `target` (plan/architect.h), then runs waves of expert calls on `transport`, routed
// over `ledger`, each audited before the next is planned:
//   1. discovery: a search per list the schema asks for (and for the subject's facts, a read
//      of URLs the objective names); results off the objective's topic, empty or duplicated
//      are dropped, and a search that found nothing on topic is tried again once with the
//      topic's specific terms;
//   2. detail: one read per kept item whose fields need its page, in parallel;
//   3. follow-ups: the draft's gaps (plan::Gap) get re-reads and targeted searches, and the
//      pages those find are read, while time (and options.max_spend) allows;
//   4. synthesis by an inference subnet when the schema asks for judgement, over the audited
//      material only; everything else is assembled locally at no cost.
// Every call is in task_pipeline (depends_on shows the DAG that ran); final_synthesis says what
// could not be found. All of it by `deadline`, which the caller derives from the challenge's
// deadline_ms. Errors only for a challenge that cannot be worked on (no ledger entry offers a
// capability the first wave needs: kNotFound); expert failures and deadline overruns give a
// partial response whose failed steps say why.
boost::asio::awaitable<Result<protocol::Response>> Orchestrate(
    protocol::Challenge challenge, schema::Schema target, Deadline deadline,
    ledger::SnapshotPtr ledger, experts::Transport& transport, OrchestratorOptions options);

}  // namespace orchestra::miner
