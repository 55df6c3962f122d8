#include "orchestra/miner/orchestrator.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "orchestra/plan/decompose.h"
#include "orchestra/schema/schema.h"
#include "orchestra/synth/assemble.h"

namespace orchestra::miner {

boost::asio::awaitable<Result<protocol::Response>> Orchestrate(protocol::Challenge challenge,
                                                               ledger::SnapshotPtr ledger,
                                                               experts::Transport& transport,
                                                               OrchestratorOptions options) {
  const auto received_at = Deadline::Clock::now();
  const Deadline deadline(received_at + std::chrono::milliseconds(challenge.deadline_ms));
  if (challenge.challenge_id.empty()) {
    challenge.challenge_id = protocol::NewChallengeId(challenge.objective);
  }
  auto target = schema::Schema::FromTarget(challenge.target_schema);
  if (!target) {
    co_return Error(ErrorCode::kInvalidArgument, target.error().message);
  }
  const plan::TaskDag dag = plan::Decompose(challenge.objective, target->json_schema());
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
  synth::Synthesis synthesis = synth::Assemble(*target, execution, synthesis_step);

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
