#include "orchestra/miner/orchestrator.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/this_coro.hpp>
#include <utility>

#include "orchestra/core/memory.h"
#include "orchestra/net/run_on_pool.h"
#include "orchestra/plan/decompose.h"
#include "orchestra/schema/schema.h"
#include "orchestra/synth/assemble.h"

namespace orchestra::miner {

boost::asio::awaitable<Result<schema::Schema>> CompileTarget(Json target_schema,
                                                             boost::asio::thread_pool* pool) {
  // On the default heap: the caller's value may live on a per-call arena. (Moving a value
  // between two resources copies it; within the default one it moves.)
  Json owned(nullptr, boost::json::storage_ptr());
  owned = std::move(target_schema);
  auto compile = [json = std::move(owned)]() mutable {
    auto compiled = schema::Schema::FromTarget(std::move(json));
    // A schema past the size limits was large: give back what compiling it took at once
    // (tcmalloc otherwise keeps it, and the process stays at that size).
    if (!compiled && compiled.error().message.find("(CompileOptions::max_") != std::string::npos) {
      ReleaseFreeMemory();
    }
    return compiled;
  };
  co_return co_await net::RunOnPool(pool, std::move(compile));
}

boost::asio::awaitable<Result<protocol::Response>> Orchestrate(protocol::Challenge challenge,
                                                               ledger::SnapshotPtr ledger,
                                                               experts::Transport& transport,
                                                               OrchestratorOptions options) {
  const auto received_at = Deadline::Clock::now();
  auto target = co_await CompileTarget(std::move(challenge.target_schema), options.cpu_pool);
  if (!target) {
    co_return Error(ErrorCode::kInvalidArgument, target.error().message);
  }
  // The compile's time counts against the challenge's deadline.
  const auto spent =
      std::chrono::duration_cast<std::chrono::milliseconds>(Deadline::Clock::now() - received_at);
  challenge.deadline_ms = std::max<int64_t>(0, challenge.deadline_ms - spent.count());
  co_return co_await OrchestrateCompiled(std::move(challenge), std::move(*target),
                                         std::move(ledger), transport, std::move(options));
}

boost::asio::awaitable<Result<protocol::Response>> OrchestrateCompiled(
    protocol::Challenge challenge, schema::Schema target, ledger::SnapshotPtr ledger,
    experts::Transport& transport, OrchestratorOptions options) {
  // A stop (terminal cancellation) that came while the target was compiled on the pool, where
  // nothing can notice it (net/run_on_pool.h): no expert is called for a challenge nobody will
  // read.
  if ((co_await boost::asio::this_coro::cancellation_state).cancelled() !=
      boost::asio::cancellation_type::none) {
    co_return Error(ErrorCode::kUnavailable, "cancelled: the miner is stopping");
  }
  const auto received_at = Deadline::Clock::now();
  const Deadline deadline(received_at + std::chrono::milliseconds(challenge.deadline_ms));
  if (challenge.challenge_id.empty()) {
    challenge.challenge_id = protocol::NewChallengeId(challenge.objective);
  }
  const plan::TaskDag dag = plan::Decompose(challenge.objective, target.json_schema());
  if (auto valid = dag.Validate(); !valid) co_return valid.error();
  auto routing =
      plan::Route(dag, *ledger, options.routing, std::chrono::milliseconds(challenge.deadline_ms));
  if (!routing) co_return routing.error();

  const exec::PipelineContext context{challenge.challenge_id, challenge.objective,
                                      options.miner_hotkey, received_at,
                                      std::chrono::duration_cast<std::chrono::milliseconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count()};
  exec::Execution execution =
      co_await exec::Execute(dag, *routing, transport, context, deadline, options.exec);

  int synthesis_step = 0;
  for (const auto& task : dag.tasks) {
    if (task.kind == plan::QueryKind::kSynthesize) synthesis_step = task.step;
  }
  // Standardizing expert output is linear in its size but may be large: off the I/O thread.
  auto assemble = [target, execution = std::move(execution), synthesis_step]() mutable {
    synth::Synthesis synthesis = synth::Assemble(target, execution, synthesis_step);
    return std::pair{std::move(execution), std::move(synthesis)};
  };
  auto assembled = co_await net::RunOnPool(options.cpu_pool, std::move(assemble));
  execution = std::move(assembled.first);
  synth::Synthesis synthesis = std::move(assembled.second);

  protocol::Response response;
  response.challenge_id = challenge.challenge_id;
  for (const auto& step : execution.steps) response.total_cost += step.cost;
  response.task_pipeline = std::move(execution.steps);
  response.standardized_data = std::move(synthesis.standardized_data);
  response.final_synthesis = std::move(synthesis.final_synthesis);
  response.provenance = std::move(synthesis.provenance);
  response.ledger_version = ledger->version();
  response.total_latency_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(Deadline::Clock::now() - received_at)
          .count();
  co_return response;
}

}  // namespace orchestra::miner
