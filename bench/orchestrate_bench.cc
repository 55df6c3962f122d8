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
#include <map>

#include "orchestra/core/embedded.h"
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

// Each subnet is asked once per challenge, except search (market and analysis queries).
std::string ReplayKey(const ledger::LedgerEntry& e, const Json& q) {
  return e.subnet_id + "|" + JsonString(q, "query");
}

protocol::Challenge Example(std::string objective, std::string schema) {
  protocol::Challenge c;
  c.challenge_id = "0xbench";
  c.objective = std::move(objective);
  c.target_schema = *ParseJson(schema);
  return c;
}

void RunOnce(const protocol::Challenge& challenge, const ledger::SnapshotPtr& ledger,
             experts::Transport& transport) {
  boost::asio::io_context io;
  bool ok = false;
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        ok = (co_await miner::Orchestrate(challenge, ledger, transport)).ok();
      },
      boost::asio::detached);
  io.run();
  if (!ok) std::abort();
}

void BM_OrchestrateChallenge(benchmark::State& state, protocol::Challenge challenge) {
  if (sodium_init() < 0) std::abort();
  auto ledger = std::make_shared<const ledger::Snapshot>(*ledger::SeedSnapshot());
  auto corpus = sim::Corpus::LoadEmbedded();
  if (!corpus) std::abort();
  // Record the simulator's answers once; the measured runs replay them by query.
  std::map<std::string, Json> answers;
  experts::InProcessTransport recorder([&](const ledger::LedgerEntry& e, const Json& q) {
    auto out = Simulate(*corpus, e, q);
    if (out) answers[ReplayKey(e, q)] = *out;
    return out;
  });
  RunOnce(challenge, ledger, recorder);
  experts::InProcessTransport replay(
      [&](const ledger::LedgerEntry& e, const Json& q) -> Result<Json> {
        auto it = answers.find(ReplayKey(e, q));
        if (it == answers.end()) return Error(ErrorCode::kNotFound, "unrecorded query");
        return it->second;
      });
  for (auto _ : state) RunOnce(challenge, ledger, replay);
  state.counters["challenges/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
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
