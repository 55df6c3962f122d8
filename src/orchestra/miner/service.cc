#include "orchestra/miner/service.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <string_view>

#include "orchestra/core/clock.h"
#include "orchestra/core/logfmt.h"
#include "orchestra/net/metrics_endpoint.h"
#include "orchestra/net/run_on_pool.h"
#include "orchestra/schema/schema.h"

namespace orchestra::miner {
namespace {

using protocol::BittensorSynapse;

std::string_view CallerOf(const BittensorSynapse& request) {
  return request.dendrite.hotkey ? std::string_view(*request.dendrite.hotkey) : "unknown";
}

Json ChallengeJson(const BittensorSynapse& request) {
  JsonObject challenge;
  for (const char* field : {"challenge_id", "objective", "target_schema", "deadline_ms", "hints"}) {
    if (auto it = request.fields.find(field); it != request.fields.end()) {
      challenge.emplace(field, it->value());
    }
  }
  return challenge;
}

void LogRejected(const BittensorSynapse& request, const Error& error) {
  const Json* id = request.fields.if_contains("challenge_id");
  spdlog::info("challenge id={} validator={} outcome=rejected error={}",
               LogfmtValue(id && id->is_string() ? std::string_view(id->get_string()) : ""),
               LogfmtValue(CallerOf(request)), LogfmtValue(error.message));
}

void LogAnswered(const BittensorSynapse& request, const protocol::Challenge& challenge,
                 const protocol::Response& response, const schema::ValidationReport& report) {
  const auto failed =
      std::count_if(response.task_pipeline.begin(), response.task_pipeline.end(),
                    [](const protocol::TaskStep& s) { return s.error.has_value(); });
  spdlog::info(
      "challenge id={} validator={} deadline_ms={} outcome=ok steps={} failed_steps={} "
      "cost={:.6f} latency_ms={} valid={} compliance={:.3f} completeness={:.3f} ledger={}",
      LogfmtValue(response.challenge_id), LogfmtValue(CallerOf(request)), challenge.deadline_ms,
      response.task_pipeline.size(), failed, response.total_cost, response.total_latency_ms,
      report.valid, report.compliance, report.completeness, LogfmtValue(response.ledger_version));
}

// A step's outcome label: "ok", or the code its error starts with (executor errors are
// Error::ToString(): "<code name>: <message>"), from a bounded set.
std::string_view StepOutcome(const protocol::TaskStep& step) {
  if (!step.error) return "ok";
  const std::string_view error = *step.error;
  const std::string_view code = error.substr(0, error.find(':'));
  for (std::string_view known :
       {"invalid_argument", "parse_error", "not_found", "deadline_exceeded", "unavailable",
        "malformed_answer", "schema_violation", "dependency_failed", "io_error", "internal",
        "cancelled"}) {
    if (code == known) return known;
  }
  return "error";
}

std::shared_ptr<obs::MetricsRegistry> OrOwn(std::shared_ptr<obs::MetricsRegistry> metrics) {
  return metrics ? std::move(metrics) : std::make_shared<obs::MetricsRegistry>();
}

}  // namespace

MinerService::MinerService(ledger::SnapshotPtr ledger, experts::Transport& transport,
                           OrchestratorOptions options,
                           std::shared_ptr<obs::MetricsRegistry> metrics)
    : ledger_(std::move(ledger)),
      transport_(transport),
      options_(std::move(options)),
      metrics_(OrOwn(std::move(metrics))),
      challenges_metric_(metrics_->AddCounter(
          "orchestra_challenges_total",
          "Challenges received by the miner, by outcome (ok, invalid, deadline, error).",
          {"outcome"})),
      expert_calls_metric_(metrics_->AddCounter(
          "orchestra_expert_calls_total",
          "Pipeline steps that called an expert, by the subnet that answered last and outcome.",
          {"subnet", "outcome"})),
      ledger_queries_metric_(
          metrics_->AddCounter("orchestra_ledger_queries_total", "LedgerSynapse queries answered.")
              .Get()),
      latency_metric_(metrics_
                          ->AddHistogram("orchestra_challenge_latency_seconds",
                                         "Time from receiving a challenge to its answer, for "
                                         "answered challenges (total_latency_ms).",
                                         obs::LatencySecondsBuckets())
                          .Get()) {}

void MinerService::Reject(const BittensorSynapse& request, const Error& error,
                          std::string_view outcome) {
  rejected_.fetch_add(1);
  challenges_metric_.WithLabels({outcome}).Inc();
  LogRejected(request, error);
}

void MinerService::CountAnswered(const protocol::Response& response) {
  answered_.fetch_add(1);
  challenges_metric_.WithLabels({"ok"}).Inc();
  latency_metric_.Observe(static_cast<double>(response.total_latency_ms) / 1000.0);
  for (const protocol::TaskStep& step : response.task_pipeline) {
    if (step.attempts == 0) continue;  // skipped: no expert was called
    expert_calls_metric_.WithLabels({step.subnet, StepOutcome(step)}).Inc();
  }
}

Status MinerService::AttachTo(net::Axon& axon) {
  if (auto s = axon.AttachGet(std::string(net::kMetricsPath), net::MetricsEndpoint(*metrics_));
      !s) {
    return s;
  }
  if (auto s = axon.Attach(protocol::OrchestraSynapseClass(),
                           [this](BittensorSynapse request, Deadline deadline) {
                             return AnswerChallenge(std::move(request), deadline);
                           });
      !s) {
    return s;
  }
  return axon.Attach(protocol::LedgerSynapseClass(),
                     [this](BittensorSynapse request, Deadline deadline) {
                       return AnswerLedger(std::move(request), deadline);
                     });
}

boost::asio::awaitable<Result<BittensorSynapse>> MinerService::AnswerChallenge(
    BittensorSynapse request, Deadline deadline) {
  auto challenge = protocol::ChallengeFromJson(ChallengeJson(request));
  if (!challenge) {
    Reject(request, challenge.error(), "invalid");
    co_return challenge.error();
  }
  // Compiled on the CPU pool: a hostile target_schema costs its compile limits' worth of work
  // there (schema::CompileOptions), not the I/O thread's time other callers are waiting for.
  auto target = co_await CompileTarget(std::move(challenge->target_schema), options_.cpu_pool);
  if (!target) {
    const Error error(ErrorCode::kInvalidArgument,
                      fmt::format("target_schema: {}", target.error().message));
    Reject(request, error, "invalid");
    co_return error;
  }
  // One deadline from here on: the caller's (the axon's timeout), less the time to send the
  // answer, and no later than the challenge's own deadline_ms.
  const auto budget = std::min(deadline.Remaining() - kAnswerReserve,
                               std::chrono::milliseconds(challenge->deadline_ms));
  if (budget <= std::chrono::milliseconds::zero()) {
    const Error error(ErrorCode::kDeadline, "no time left to work on the challenge");
    Reject(request, error, "deadline");
    co_return error;
  }
  const Deadline work_deadline = Deadline::After(budget);
  spdlog::debug("challenge id={} validator={} received budget_ms={}",
                LogfmtValue(challenge->challenge_id), LogfmtValue(CallerOf(request)),
                budget.count());

  const ledger::SnapshotPtr ledger = ledger_.load();
  auto response =
      co_await Orchestrate(*challenge, *target, work_deadline, ledger, transport_, options_);
  if (!response) {
    Reject(request, response.error(), "error");
    co_return response.error();
  }
  CountAnswered(*response);
  // What this challenge's calls taught, for the challenges that start from now on.
  PublishLearned();
  // The log line's verdict: validating against a caller's schema is CPU work, off this thread.
  auto validate = [schema = *target, data = response->standardized_data] {
    return schema.Validate(data);
  };
  LogAnswered(request, *challenge, *response,
              co_await net::RunOnPool(options_.cpu_pool, std::move(validate)));

  Json answer = protocol::ToJson(*response);
  for (const char* field : {"challenge_id", "task_pipeline", "standardized_data", "final_synthesis",
                            "total_cost", "total_latency_ms", "ledger_version", "provenance"}) {
    request.fields[field] = std::move(answer.as_object()[field]);
  }
  co_return request;
}

boost::asio::awaitable<Result<BittensorSynapse>> MinerService::AnswerLedger(
    BittensorSynapse request, Deadline /*deadline*/) {
  ledger_queries_.fetch_add(1);
  ledger_queries_metric_.Inc();
  const ledger::SnapshotPtr ledger = ledger_.load();
  const Json since = request.Field(protocol::LedgerSynapseClass(), "since_version");
  const bool current = since.is_string() && since.get_string() == ledger->version();
  request.fields["ledger_version"] = ledger->version();
  request.fields["entries"] = current ? Json(JsonObject{}) : ledger->ToJson().at("entries");
  co_return request;
}

void MinerService::PublishLearned() {
  if (ledger::Learner* learner = options_.exec.learner) {
    if (auto learned = learner->Publish(RealTime().UnixMillis())) ledger_.store(std::move(learned));
  }
}

void MinerService::ReplaceLedger(ledger::SnapshotPtr ledger) {
  if (ledger::Learner* learner = options_.exec.learner) learner->Rebase(ledger);
  ledger_.store(std::move(ledger));
}

ledger::SnapshotPtr MinerService::ledger() const { return ledger_.load(); }

}  // namespace orchestra::miner
