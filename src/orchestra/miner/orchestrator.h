#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>

#include "orchestra/core/result.h"
#include "orchestra/exec/executor.h"
#include "orchestra/experts/transport.h"
#include "orchestra/ledger/snapshot.h"
#include "orchestra/plan/route.h"
#include "orchestra/protocol/orchestra_synapse.h"
#include "orchestra/schema/schema.h"

namespace orchestra::miner {

struct OrchestratorOptions {
  std::string miner_hotkey;  // SS58 of the miner's hotkey: bound into every call's lock
  plan::RoutingPolicy routing;
  exec::ExecOptions exec;
  // Where the CPU-heavy steps run (compiling target_schema, assembling standardized_data from
  // expert output), away from the thread that serves calls; must outlive every call. nullptr:
  // on the calling coroutine's thread.
  boost::asio::thread_pool* cpu_pool = nullptr;
};

// Compiles a challenge's target_schema (schema::Schema::FromTarget) on `pool` (inline when
// null); the schema keeps `target_schema` when it is on the default heap, else a heap copy.
// kInvalidArgument as FromTarget, including a schema past the compile limits
// (schema::CompileOptions: max_nodes, max_work).
boost::asio::awaitable<Result<schema::Schema>> CompileTarget(Json target_schema,
                                                             boost::asio::thread_pool* pool);

// Answers one challenge end to end: compile target_schema, decompose the objective into a task
// DAG, route it over `ledger`, execute it on `transport` within challenge.deadline_ms (counted
// from the call), and assemble standardized_data and final_synthesis from what the experts
// returned. Errors only for a challenge that cannot be worked on (a target_schema that does
// not compile, a capability no ledger entry offers: kInvalidArgument / kNotFound); expert
// failures and deadline overruns give a partial response whose failed steps say why.
boost::asio::awaitable<Result<protocol::Response>> Orchestrate(protocol::Challenge challenge,
                                                               ledger::SnapshotPtr ledger,
                                                               experts::Transport& transport,
                                                               OrchestratorOptions options = {});

// Orchestrate with challenge.target_schema already compiled into `target` (CompileTarget).
boost::asio::awaitable<Result<protocol::Response>> OrchestrateCompiled(
    protocol::Challenge challenge, schema::Schema target, ledger::SnapshotPtr ledger,
    experts::Transport& transport, OrchestratorOptions options);

}  // namespace orchestra::miner
