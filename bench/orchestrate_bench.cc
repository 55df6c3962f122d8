// Orchestration overhead per challenge: everything the miner does (schema compile, decomposition,
// routing, coroutine DAG execution, audits, hashing, standardization, provenance, synthesis text)
// with experts that answer instantly in-process from answers recorded once from the simulator.
// Expert latency and the simulator's own work are excluded.
//
//   build/bench/orchestrate_bench --benchmark_min_time=2
#include <benchmark/benchmark.h>
#include <sodium.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <map>

#include "orchestra/core/embedded.h"
#include "orchestra/crypto/ss58.h"
#include "orchestra/ledger/snapshot.h"
#include "orchestra/miner/orchestrator.h"
#include "orchestra/sim/completion.h"
#include "orchestra/sim/corpus.h"
#include "orchestra/sim/data_universe.h"
#include "orchestra/sim/desearch.h"

namespace orchestra {
namespace {

Result<Json> Simulate(const sim::Corpus& corpus, const ledger::LedgerEntry& e, const Json& q) {
  if (e.HasCapability("web_search")) return sim::Search(corpus, q);
  if (e.HasCapability("web_scraping")) return sim::Scrape(corpus, q);
  return sim::Complete(q);
}

// A reply is replayed for the same query to the same subnet.
std::string ReplayKey(const ledger::LedgerEntry& e, const Json& q) {
  return e.subnet_id + "|" + CanonicalJson(q);
}

protocol::Challenge Example(std::string objective, std::string schema) {
  protocol::Challenge c;
  c.challenge_id = "0xbench";
  c.objective = std::move(objective);
  c.target_schema = *ParseJson(schema);
  return c;
}

// The number of expert calls the challenge took.
size_t RunOnce(const protocol::Challenge& challenge, const ledger::SnapshotPtr& ledger,
               experts::Transport& transport, const miner::OrchestratorOptions& options) {
  boost::asio::io_context io;
  bool ok = false;
  size_t calls = 0;
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        auto target = schema::Schema::FromTarget(challenge.target_schema);
        if (!target) std::abort();
        const Deadline deadline = Deadline::After(std::chrono::milliseconds(challenge.deadline_ms));
        auto response =
            co_await miner::Orchestrate(challenge, *target, deadline, ledger, transport, options);
        // Every step must have been proven, or the figure would measure a failure path.
        ok = response.ok() &&
             std::none_of(response->task_pipeline.begin(), response->task_pipeline.end(),
                          [](const auto& step) { return step.error.has_value(); });
        if (ok) calls = response->task_pipeline.size();
      },
      boost::asio::detached);
  io.run();
  if (!ok) std::abort();
  return calls;
}

// Replays recorded replies (receipts included: the challenge id, miner and queries are the
// same on every run, so the recorded receipts stay valid while they are recent).
class ReplayTransport : public experts::Transport {
 public:
  std::map<std::string, experts::ExpertReply> replies;
  boost::asio::awaitable<Result<experts::ExpertReply>> Call(experts::ExpertCall call,
                                                            Deadline) override {
    auto it = replies.find(ReplayKey(*call.entry, call.payload));
    if (it == replies.end()) co_return Error(ErrorCode::kNotFound, "unrecorded query");
    co_return it->second;
  }
};

// Records every reply of the inner transport into a ReplayTransport.
class RecordingTransport : public experts::Transport {
 public:
  RecordingTransport(experts::Transport& inner, ReplayTransport& replay)
      : inner_(inner), replay_(replay) {}
  boost::asio::awaitable<Result<experts::ExpertReply>> Call(experts::ExpertCall call,
                                                            Deadline deadline) override {
    const std::string key = ReplayKey(*call.entry, call.payload);
    auto reply = co_await inner_.Call(std::move(call), deadline);
    if (reply) replay_.replies[key] = *reply;
    co_return reply;
  }

 private:
  experts::Transport& inner_;
  ReplayTransport& replay_;
};

void BM_OrchestrateChallenge(benchmark::State& state, protocol::Challenge challenge) {
  if (sodium_init() < 0) std::abort();
  auto ledger = std::make_shared<const ledger::Snapshot>(*ledger::SeedSnapshot());
  auto corpus = sim::Corpus::LoadEmbedded();
  if (!corpus) std::abort();
  const auto expert = crypto::Keypair::FromMiniSecret(crypto::MiniSecret{1});
  const auto miner = crypto::Keypair::FromMiniSecret(crypto::MiniSecret{2});
  miner::OrchestratorOptions options;
  options.miner_hotkey = crypto::Ss58Encode(miner.public_key().bytes());
  experts::InProcessTransport simulator(
      [&](const ledger::LedgerEntry& e, const Json& q) { return Simulate(*corpus, e, q); }, expert);
  ReplayTransport replay;
  RecordingTransport recorder(simulator, replay);
  const size_t calls = RunOnce(challenge, ledger, recorder, options);
  // The miner accepts a receipt stamped at most kReceiptClockSlackMs (5 s) before the challenge
  // arrived; recorded receipts are recorded again, outside the timing, before they get that old.
  auto recorded_at = std::chrono::steady_clock::now();
  for (auto _ : state) {
    if (std::chrono::steady_clock::now() - recorded_at > std::chrono::seconds(3)) {
      state.PauseTiming();
      RunOnce(challenge, ledger, recorder, options);
      recorded_at = std::chrono::steady_clock::now();
      state.ResumeTiming();
    }
    RunOnce(challenge, ledger, replay, options);
  }
  state.counters["challenges/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["calls"] = static_cast<double>(calls);
}

BENCHMARK_CAPTURE(BM_OrchestrateChallenge, competitive_landscape,
                  Example("Research the competitive landscape for decentralized compute "
                          "marketplaces and identify gaps our product could fill",
                          R"({"competitors": [{"name": "str", "description": "str",
                               "strengths": "list", "weaknesses": "list"}],
                              "market_gaps": [{"gap": "str", "opportunity": "str",
                               "difficulty": "str"}], "recommendation": "str"})"))
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(
    BM_OrchestrateChallenge, gpu_pricing,
    Example("Research cloud GPU pricing from RunPod, Vast.ai, and Lambda. Recommend "
            "a price point for our new inference API.",
            R"({"competitors": [{"name": "str", "pricing": "dict", "strengths": "list"}],
                              "recommendation": {"price_point": "float", "rationale": "str"}})"))
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace orchestra

BENCHMARK_MAIN();
