#pragma once

#include <boost/asio/awaitable.hpp>

#include "orchestra/core/result.h"
#include "orchestra/exec/executor.h"
#include "orchestra/experts/transport.h"
#include "orchestra/ledger/snapshot.h"
#include "orchestra/plan/route.h"
#include "orchestra/protocol/orchestra_synapse.h"

namespace orchestra::miner {

struct OrchestratorOptions {
  std::string miner_hotkey;  // SS58 of the miner's hotkey: bound into every call's lock
  plan::RoutingPolicy routing;
  exec::ExecOptions exec;
};

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

}  // namespace orchestra::miner
