#include "orchestra/exec/executor.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <functional>
#include <optional>

#include "orchestra/core/hash.h"
#include "orchestra/protocol/receipt.h"
#include "orchestra/schema/schema.h"

namespace orchestra::exec {
namespace asio = boost::asio;
using std::chrono::milliseconds;

namespace {

struct StepResult {
  protocol::TaskStep record;
  std::optional<Json> output;
};

milliseconds Since(Deadline::Clock::time_point t) {
  return std::chrono::duration_cast<milliseconds>(Deadline::Clock::now() - t);
}

bool WorthBackingOff(ErrorCode code) {
  return code == ErrorCode::kDeadline || code == ErrorCode::kUnavailable;
}

// Checks an expert's output against its subnet's ledger output schema, compiled once per
// ledger snapshot.
class Auditor {
 public:
  std::optional<Error> Check(const ledger::LedgerEntry& entry, const Json& output) {
    const schema::Schema* schema = entry.compiled_output_schema();
    if (!schema) {
      return Error(ErrorCode::kInternal,
                   fmt::format("ledger {} output_schema: not compiled (it does not compile, or "
                               "the entry is not from a ledger snapshot)",
                               entry.subnet_id));
    }
    auto report = schema->Validate(output);
    if (report.valid) return std::nullopt;
    const auto& v = report.violations.front();
    return Error(ErrorCode::kMalformedAnswer,
                 fmt::format("audit: {} answer violates its ledger output_schema at {} ({}: {})",
                             entry.subnet_id, v.path, v.rule, v.message));
  }
};

// How far an expert's clock may be off ours when it stamps a receipt.
constexpr int64_t kReceiptClockSlackMs = 5000;

// The receipt of an answer, checked the way a validator will check it: signed by the hotkey
// that answered, over the lock this call committed to, for this query and this answer.
Result<protocol::Receipt> CheckReceipt(const experts::ExpertReply& reply, const Json& query,
                                       int step, const PipelineContext& context) {
  if (reply.receipt.is_null())
    return Error(ErrorCode::kMalformedAnswer, "answer carries no receipt");
  auto receipt = protocol::ReceiptFromJson(reply.receipt);
  if (!receipt) return Error(ErrorCode::kMalformedAnswer, receipt.error().message);
  const protocol::ReceiptExpectation expected{context.challenge_id,
                                              context.miner_hotkey,
                                              step,
                                              query,
                                              reply.output,
                                              reply.hotkey,
                                              context.received_at_unix_ms - kReceiptClockSlackMs,
                                              experts::UnixMillis() + kReceiptClockSlackMs};
  if (auto ok = protocol::VerifyReceipt(*receipt, expected); !ok) {
    return Error(ErrorCode::kMalformedAnswer, "receipt: " + ok.error().message);
  }
  return receipt;
}

struct StepEnvironment {
  experts::Transport& transport;
  const PipelineContext& context;
  Deadline deadline;
  const ExecOptions& options;
  Auditor& auditor;
  std::map<std::string, uint64_t>& calls_started;  // calls of this wave, by subnet
};

asio::awaitable<StepResult> RunStep(const plan::Task& task, const plan::TaskRoute& route,
                                    milliseconds reserve, std::optional<Error> skip,
                                    StepEnvironment env) {
  const auto start = Deadline::Clock::now();
  StepResult result;
  protocol::TaskStep& rec = result.record;
  rec.step = task.step;
  rec.task = task.name;
  rec.depends_on = task.depends_on;
  rec.subnet = route.candidates.front()->subnet_id;
  rec.started_ms = Since(env.context.received_at).count();

  if (skip) {
    rec.error = skip->ToString();
    co_return result;
  }
  const Json* query = &task.query;
  rec.query = *query;
  const std::string request_hash = CanonicalHash(*query);
  const std::string lock = protocol::LockFor(env.context.challenge_id, env.context.miner_hotkey,
                                             task.step, request_hash);
  auto executor = co_await asio::this_coro::executor;

  std::optional<Error> last;
  bool out_of_time = false;
  for (const ledger::LedgerEntry* entry : route.candidates) {
    // Equally good UIDs take the wave's calls in turn, from a point that differs between
    // challenges: concurrent calls do not pile onto one UID. Every try of this call shares it.
    const uint64_t spread =
        std::hash<std::string>{}(env.context.challenge_id) + env.calls_started[entry->subnet_id]++;
    // The order this call's tries go down, once for all of them.
    const std::vector<int> uids = ledger::UidOrder(*entry, env.transport.Uids(*entry), spread);
    for (int attempt = 0; attempt <= env.options.max_retries && !out_of_time; ++attempt) {
      if (env.deadline.Expired()) {
        if (!last) last = Error(ErrorCode::kDeadline, "deadline passed before the call");
        out_of_time = true;
        break;
      }
      if (attempt > 0 && last && WorthBackingOff(last->code)) {
        const milliseconds pause = env.options.backoff_base * attempt;
        if (env.deadline.Remaining() <= pause) {
          out_of_time = true;
          break;
        }
        asio::steady_timer timer(executor, pause);
        co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
      }
      const milliseconds p95(static_cast<int64_t>(entry->p95_latency_ms));
      const milliseconds remaining = env.deadline.Remaining();
      milliseconds budget = remaining - reserve;
      if (budget < p95)
        budget = remaining;  // too tight to keep a reserve: give this step its chance
      budget = std::min(budget, milliseconds(static_cast<int64_t>(entry->p95_latency_ms *
                                                                  env.options.per_try_p95_factor)));
      budget = std::max(budget, std::min(env.options.min_try_timeout, remaining));
      ++rec.attempts;
      // Named, not a temporary inside co_await: g++ 12 mis-destroys such temporaries.
      const int uid = uids.empty() ? -1 : uids[static_cast<size_t>(attempt) % uids.size()];
      experts::ExpertCall call{entry, *query, lock, request_hash, attempt, uid};
      const Deadline try_deadline = env.deadline.Within(budget);
      const auto try_start = Deadline::Clock::now();
      Result<experts::ExpertReply> reply =
          co_await env.transport.Call(std::move(call), try_deadline);
      // What this try taught about the UID that took it (or, with no UID reached, the subnet).
      auto learn = [&](bool ok, int uid, std::optional<double> price) {
        if (env.options.learner == nullptr) return;
        env.options.learner->Record(ledger::CallOutcome{
            entry->subnet_id, uid, ok, static_cast<double>(Since(try_start).count()), price,
            env.context.received_at_unix_ms + Since(env.context.received_at).count(), false});
      };
      if (!reply) {
        last = reply.error();
        spdlog::debug("step {} {} try {}: {}", task.step, entry->subnet_id, attempt + 1,
                      last->ToString());
        if (last->code == ErrorCode::kNotFound) break;  // this subnet has no UID: fall back
        // Our own mistakes (a payload the transport refused) say nothing of the expert.
        if (last->code != ErrorCode::kInvalidArgument) learn(false, uid, {});
        continue;
      }
      rec.cost += reply->cost;
      if (auto bad = env.auditor.Check(*entry, reply->output)) {
        last = *bad;
        spdlog::debug("step {} {} uid {}: {}", task.step, entry->subnet_id, reply->uid,
                      last->ToString());
        learn(false, reply->uid, {});
        continue;
      }
      auto receipt = CheckReceipt(*reply, *query, task.step, env.context);
      if (!receipt) {
        last = receipt.error();
        spdlog::debug("step {} {} uid {}: {}", task.step, entry->subnet_id, reply->uid,
                      last->ToString());
        learn(false, reply->uid, {});
        continue;
      }
      learn(true, reply->uid, receipt->price);
      // Proven as it came; read on under the names the adapters know (a drifted subnet's
      // renamed fields, ledger::LedgerEntry::output_renames).
      if (reply->output.is_object()) {
        JsonObject& fields = reply->output.get_object();
        for (const auto& [read_as, now] : entry->output_renames) {
          if (auto it = fields.find(now); it != fields.end() && !fields.contains(read_as)) {
            Json moved = std::move(it->value());
            fields.erase(it);
            fields[read_as] = std::move(moved);
          }
        }
      }
      rec.subnet = entry->subnet_id;
      rec.uid = reply->uid;
      rec.expert_hotkey = reply->hotkey;
      rec.hash = receipt->Hash();
      rec.receipt = protocol::ToJson(*receipt);
      rec.latency_ms = Since(start).count();
      result.output = std::move(reply->output);
      co_return result;
    }
    if (out_of_time) break;
  }
  rec.latency_ms = Since(start).count();
  rec.error = last ? last->ToString() : "no subnet could serve the task";
  co_return result;
}

// For each step, the p95 latency its dependents still need after it: the longest chain of
// primary-candidate p95s below it in the DAG.
std::vector<milliseconds> DownstreamReserve(const plan::TaskDag& dag,
                                            const plan::Routing& routing) {
  const size_t n = dag.tasks.size();
  std::vector<milliseconds> reserve(n, milliseconds::zero());
  for (size_t i = n; i-- > 0;) {
    for (size_t j = i + 1; j < n; ++j) {
      const auto& deps = dag.tasks[j].depends_on;
      if (std::find(deps.begin(), deps.end(), dag.tasks[i].step) == deps.end()) continue;
      const milliseconds p95(
          static_cast<int64_t>(routing.routes[j].candidates.front()->p95_latency_ms));
      reserve[i] = std::max(reserve[i], p95 + reserve[j]);
    }
  }
  return reserve;
}

}  // namespace

asio::awaitable<Execution> Execute(const plan::TaskDag& dag, const plan::Routing& routing,
                                   experts::Transport& transport, const PipelineContext& context,
                                   Deadline deadline, const ExecOptions& options) {
  auto executor = co_await asio::this_coro::executor;
  // A cancelled pipeline (the server is stopping) must still outlive its steps, which reference
  // this frame: cancellation is passed on to them and awaited, never thrown out of here.
  co_await asio::this_coro::throw_if_cancelled(false);
  const size_t n = dag.tasks.size();
  Execution execution;
  execution.steps.resize(n);
  if (routing.routes.size() != n) {
    for (size_t i = 0; i < n; ++i) {
      execution.steps[i].step = dag.tasks[i].step;
      execution.steps[i].task = dag.tasks[i].name;
      execution.steps[i].error = "internal: routing does not cover the plan";
    }
    co_return execution;
  }
  const auto reserve = DownstreamReserve(dag, routing);
  const int first_step = n == 0 ? 1 : dag.tasks.front().step;
  Auditor auditor;
  std::map<std::string, uint64_t> calls_started;
  enum class State { kPending, kRunning, kDone };
  std::vector<State> state(n, State::kPending);
  size_t finished = 0;
  bool cancelled = false;
  asio::steady_timer all_done(executor, Deadline::Clock::time_point::max());
  std::vector<asio::cancellation_signal> cancel(n);

  // After cancellation nothing new starts: steps not yet started are recorded as cancelled.
  auto skip_pending = [&] {
    for (size_t i = 0; i < n; ++i) {
      if (state[i] != State::kPending) continue;
      execution.steps[i].step = dag.tasks[i].step;
      execution.steps[i].task = dag.tasks[i].name;
      execution.steps[i].depends_on = dag.tasks[i].depends_on;
      execution.steps[i].error = "cancelled: the pipeline was stopped";
      state[i] = State::kDone;
      ++finished;
    }
    if (finished == n) all_done.cancel();
  };
  std::function<void()> launch_ready = [&] {
    for (size_t i = 0; i < n; ++i) {
      if (state[i] != State::kPending) continue;
      const plan::Task& task = dag.tasks[i];
      // Steps before this wave's first are done (earlier waves).
      const bool ready = std::all_of(task.depends_on.begin(), task.depends_on.end(), [&](int d) {
        const int index = d - first_step;
        return index < 0 || state[static_cast<size_t>(index)] == State::kDone;
      });
      if (!ready) continue;
      // A task of this wave whose input failed is not worth calling for.
      std::optional<Error> skip;
      for (int d : task.depends_on) {
        if (d >= first_step && !execution.outputs.contains(d)) {
          skip = Error(ErrorCode::kDependencyFailed,
                       fmt::format("{}: step {} it depends on failed", task.name, d));
          break;
        }
      }
      state[i] = State::kRunning;
      asio::co_spawn(
          executor,
          RunStep(task, routing.routes[i], reserve[i], std::move(skip),
                  StepEnvironment{transport, context, deadline, options, auditor, calls_started}),
          asio::bind_cancellation_slot(
              cancel[i].slot(), [&, i](std::exception_ptr error, StepResult result) {
                if (error) {
                  result.record.step = dag.tasks[i].step;
                  result.record.task = dag.tasks[i].name;
                  result.record.error = cancelled ? "cancelled: the pipeline was stopped"
                                                  : "internal: step raised an exception";
                }
                if (result.output)
                  execution.outputs.emplace(dag.tasks[i].step, std::move(*result.output));
                execution.steps[i] = std::move(result.record);
                state[i] = State::kDone;
                if (++finished == n) {
                  all_done.cancel();
                } else if (cancelled) {
                  skip_pending();
                } else {
                  launch_ready();
                }
              }));
    }
  };
  launch_ready();
  while (finished < n) {
    co_await all_done.async_wait(asio::as_tuple(asio::use_awaitable));
    if (finished < n && !cancelled &&
        (co_await asio::this_coro::cancellation_state).cancelled() !=
            asio::cancellation_type::none) {
      cancelled = true;
      for (size_t i = 0; i < n; ++i) {
        if (state[i] == State::kRunning) cancel[i].emit(asio::cancellation_type::terminal);
      }
    }
  }
  co_return execution;
}

}  // namespace orchestra::exec
