#include "orchestra/cli/run_command.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <cstdio>
#include <iostream>

#include "orchestra/cli/embedded_experts.h"
#include "orchestra/cli/input.h"
#include "orchestra/crypto/derive.h"
#include "orchestra/crypto/ss58.h"
#include "orchestra/experts/http_transport.h"
#include "orchestra/ledger/sqlite_store.h"
#include "orchestra/miner/orchestrator.h"
#include "orchestra/net/http_client.h"
#include "orchestra/obs/pipeline_report.h"
#include "orchestra/plan/architect.h"
#include "orchestra/schema/schema.h"

namespace orchestra::cli {
namespace {

int BadInput(const Error& e) { return Fail("run", kExitBadInput, e.message); }

Result<protocol::Challenge> ReadChallenge(const RunFlags& flags) {
  if (!flags.challenge.empty()) {
    auto json = JsonArgument(flags.challenge, "--challenge");
    if (!json) return json.error();
    auto challenge = protocol::ChallengeFromJson(*json);
    if (!challenge) {
      return Error(challenge.error().code,
                   fmt::format("--challenge: {}", challenge.error().message));
    }
    return challenge;
  }
  if (!flags.objective.empty() || !flags.schema.empty()) {
    if (flags.objective.empty())
      return Error(ErrorCode::kInvalidArgument, "--schema needs --objective");
    if (flags.schema.empty())
      return Error(ErrorCode::kInvalidArgument, "--objective needs --schema");
    auto schema = JsonArgument(flags.schema, "--schema");
    if (!schema) return schema.error();
    if (!schema->is_object()) {
      return Error(ErrorCode::kInvalidArgument,
                   "--schema: the target schema must be a JSON object");
    }
    protocol::Challenge c;
    c.objective = flags.objective;
    c.target_schema = std::move(*schema);
    return c;
  }
  return ExampleChallenge(flags.example.empty() ? ExampleNames().front() : flags.example);
}

}  // namespace

int RunCommand(const RunFlags& flags) {
  auto challenge = ReadChallenge(flags);
  if (!challenge) return BadInput(challenge.error());
  auto llm = ReadLlmFlags(flags.llm);
  if (!llm) return BadInput(llm.error());
  if (flags.deadline_ms) {
    if (*flags.deadline_ms <= 0) {
      return BadInput(Error(ErrorCode::kInvalidArgument, "--deadline-ms: must be positive"));
    }
    challenge->deadline_ms = *flags.deadline_ms;
  }
  auto target = schema::Schema::FromTarget(challenge->target_schema);
  if (!target) return BadInput(target.error());

  auto ledger = ledger::OpenLedger(DataDir(flags.data_dir));
  if (!ledger) {
    return Fail("run", kExitFailed, ledger.error().ToString());
  }
  auto network = StartEmbeddedExperts(flags.seed, flags.latency_scale, flags.corpus,
                                      DataDir(flags.data_dir) / "experts");
  if (!network) {
    return Fail("run", kExitFailed, network.error().ToString());
  }

  // Until wallets are wired in, `run` acts as the well-known development miner "//Orchestra".
  auto miner_key = crypto::KeypairFromUri("//Orchestra");
  if (!miner_key) {
    return Fail("run", kExitFailed, "miner key: " + miner_key.error().ToString());
  }
  miner::OrchestratorOptions options;
  options.miner_hotkey = crypto::Ss58Encode(miner_key->public_key().bytes());

  boost::asio::io_context io;
  net::HttpClient client(io.get_executor());
  experts::HttpTransport transport(client, (*network)->directory(), *miner_key, io.get_executor());
  options.llm = MakeLlmLead(*llm, client);
  options.max_spend = flags.max_spend;
  std::optional<Result<protocol::Response>> outcome;
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        const Deadline deadline =
            Deadline::After(std::chrono::milliseconds(challenge->deadline_ms));
        outcome.emplace(co_await miner::Orchestrate(*challenge, *target, deadline, *ledger,
                                                    transport, options));
      },
      [&](std::exception_ptr e) {
        if (e) outcome.emplace(Error(ErrorCode::kInternal, "orchestration raised an exception"));
      });
  io.run();
  if (!outcome || !outcome->ok()) {
    const Error e = outcome ? outcome->error() : Error(ErrorCode::kInternal, "no outcome");
    if (e.code == ErrorCode::kInvalidArgument) return BadInput(e);
    return Fail("run", kExitFailed, e.ToString());
  }
  const protocol::Response& response = outcome->value();
  std::cout << PrettyJson(protocol::ToJson(response)) << "\n";
  if (!flags.json_only) {
    const auto report = target->Validate(response.standardized_data);
    std::cout << "\n"
              << obs::RenderPipelineReport(
                     response,
                     obs::ReportExtras{report.valid, report.compliance, report.completeness});
    // What the lead architect expected before any call, next to what the run took.
    const plan::PlanEstimate planned =
        plan::Estimate(plan::MakeBrief(challenge->objective, challenge->hints, *target, **ledger),
                       **ledger, options.routing);
    std::cout << fmt::format(
        "Planned: about {} calls, {:.4f} TAO, {:.0f} ms (p95 of each wave) before the audit and "
        "follow-ups; ran {} calls.\n",
        planned.calls, planned.cost, planned.time_ms, response.task_pipeline.size());
  }
  return kExitOk;
}

}  // namespace orchestra::cli
