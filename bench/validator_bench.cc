// The validator's CPU per round: judging one challenge's answers from 256 miners on one core
// (issue 17). Each answer carries 4 receipts really signed by expert keys over locks binding
// that miner and the challenge (a planted copier carries 1), and a standardized_data that
// validates against the target schema, different per miner except for the planted copies.
// Everything is built once, outside the timed loop; the loop does what Validator::Judge and
// Validator::Settle do per round, minus I/O (HTTP, the store, the sampled receipt-log check)
// and ledger judging: compile the target schema once, then for each reply parse it,
// ResponseFromJson, VerifyProofs, Score (given the response read and the target compiled),
// MakeAnswerPrint; then FindCopies over all 256. BM_Parse, BM_Proofs, BM_Scoring (Score from
// the bytes, as `orchestra score` and the fuzzer call it), BM_ScoringRead (as Judge calls it)
// and BM_Collusion time the parts alone.
//
//   scripts/build validator_bench
//   taskset -c 1 build/bench/validator_bench --benchmark_min_time=2 --benchmark_repetitions=5
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "orchestra/core/hash.h"
#include "orchestra/core/json.h"
#include "orchestra/crypto/derive.h"
#include "orchestra/crypto/ss58.h"
#include "orchestra/protocol/orchestra_synapse.h"
#include "orchestra/protocol/receipt.h"
#include "orchestra/schema/schema.h"
#include "orchestra/validator/collusion.h"
#include "orchestra/validator/proofs.h"
#include "orchestra/validator/reference.h"
#include "orchestra/validator/scorer.h"

namespace orchestra::validator {
namespace {

constexpr int kMiners = 256;
constexpr int kUidsPerSubnet = 4;
constexpr int64_t kStart = 1'800'000'000'000;
constexpr int64_t kEnd = kStart + 30'000;
// Later miners that relay an earlier miner's data with one search call of their own: the
// only copies FindCopies may report.
const std::vector<std::pair<int, int>> kPlantedCopies = {{50, 10}, {120, 60}, {200, 130}, {250, 7}};

std::string Address(const crypto::Keypair& k) { return crypto::Ss58Encode(k.public_key().bytes()); }

crypto::Keypair Key(const std::string& uri) {
  auto key = crypto::KeypairFromUri(uri);
  if (!key) std::abort();
  return *key;
}

const char* const kWords[] = {
    "gpu",         "cluster",
    "latency",     "throughput",
    "pricing",     "spot",
    "reserved",    "inference",
    "training",    "provider",
    "marketplace", "escrow",
    "token",       "staking",
    "validator",   "bandwidth",
    "storage",     "uptime",
    "sla",         "kubernetes",
    "container",   "docker",
    "scheduler",   "auction",
    "reverse",     "bid",
    "lease",       "tenant",
    "hardware",    "datacenter",
    "consumer",    "enterprise",
    "developer",   "onboarding",
    "wallet",      "fiat",
    "settlement",  "reputation",
    "audit",       "privacy",
    "enclave",     "attestation",
    "rendering",   "blender",
    "octane",      "frames",
    "batch",       "interactive",
    "notebook",    "jupyter",
    "api",         "sdk",
    "cli",         "dashboard",
    "support",     "community",
    "governance",  "dao",
    "grants",      "liquidity",
    "volatility",  "stablecoin",
    "usdc",        "egress",
    "ingress",     "region",
    "europe",      "asia",
    "americas",    "h100",
    "a100",        "rtx4090",
    "vram",        "nvlink",
    "infiniband",  "fault",
    "tolerance",   "checkpoint",
    "preemption",  "queue",
    "fairness",    "discovery",
    "matching",    "orderbook",
    "compliance",  "kyc",
    "licensing",   "open",
    "source",      "closed",
    "proprietary", "benchmark",
    "mlperf",      "cost",
    "savings",     "margin",
    "fees",        "commission",
    "subsidy",     "incentive",
    "emission",    "supply",
    "demand",      "idle",
    "capacity",    "utilization",
    "elastic",     "autoscaling",
    "serverless",  "endpoint",
    "model",       "llm",
    "diffusion",   "finetuning",
    "lora",        "quantization",
    "weights",     "dataset",
    "pipeline",    "orchestration",
    "monitoring",  "logging",
    "metrics",     "alerting",
    "billing",     "invoice",
    "trust",       "verification",
    "proof",       "zk",
    "optimistic",  "rollup",
    "bridge",      "interoperability",
    "cosmos",      "solana",
    "ethereum",    "polkadot",
    "substrate",   "integration",
    "partnership", "ecosystem",
    "adoption",    "traction",
    "revenue",     "growth",
    "churn",       "retention",
    "niche",       "vertical",
};
constexpr size_t kWordCount = sizeof(kWords) / sizeof(kWords[0]);

const char* const kCompetitors[] = {
    "Akash Network", "Render Network", "io.net",  "Golem",       "Flux",       "iExec",
    "Bittensor",     "Nosana",         "Aethir",  "Gensyn",      "Vast.ai",    "Salad",
    "Fluence",       "Spheron",        "NetMind", "Together AI", "Hyperbolic",
};

GeneratedChallenge MakeChallenge() {
  GeneratedChallenge g;
  g.challenge.challenge_id = "0x4f2a9c1e7b3d5a8f0e6c2b4d9a1f3e5c7b9d0a2e4f6c8b1d3a5e7f9c0b2d4a6e";
  g.challenge.objective =
      "Research the competitive landscape for decentralized compute marketplaces and identify "
      "gaps our product could fill";
  // data/examples/competitive_landscape.json's schema.
  g.challenge.target_schema = ParseJson(R"({
      "competitors": [{"name": "str", "description": "str", "strengths": "list",
                       "weaknesses": "list"}],
      "market_gaps": [{"gap": "str", "opportunity": "str", "difficulty": "str"}],
      "recommendation": "str"})")
                                  .value();
  g.challenge.deadline_ms = 30000;
  ChallengeReference& ref = g.reference;
  ref.template_name = "competitive_landscape";
  ref.topic = "decentralized compute marketplaces";
  ref.capabilities = {"web_search", "web_scraping", "synthesis"};
  ref.key.entities = {"Akash Network", "Render Network", "io.net", "Golem", "Flux", "Bittensor"};
  ref.key.facts = {"reverse auction", "GPU rendering", "H100", "idle capacity"};
  ref.key.topic_terms = {"compute", "marketplace", "decentralized", "gpu"};
  ref.key.source_urls = {"https://akash.network", "https://rendernetwork.com"};
  ref.route.steps = {{"web_search", "SN22", 0.002, 300, {}},
                     {"web_scraping", "SN33", 0.002, 1500, {0}},
                     {"synthesis", "SN1", 0.001, 500, {1}}};
  ref.route.cost = 0.005;
  ref.route.critical_path_ms = 2300;
  return g;
}

struct Expert {
  std::string subnet;
  int uid = 0;
  crypto::Keypair key;
  std::string address;
};

// The phrase of `n` random words; the random draws are what make two miners' data differ.
std::string Words(std::mt19937_64& rng, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) {
    if (i > 0) out += ' ';
    out += kWords[rng() % kWordCount];
  }
  return out;
}

Json MinerData(int miner) {
  std::mt19937_64 rng(0x5eed0000 + miner);
  std::vector<std::string> names(std::begin(kCompetitors), std::end(kCompetitors));
  std::shuffle(names.begin(), names.end(), rng);
  JsonArray competitors;
  const int n = 3 + static_cast<int>(rng() % 3);
  for (int c = 0; c < n; ++c) {
    JsonArray strengths, weaknesses;
    for (int s = 0, k = 2 + static_cast<int>(rng() % 2); s < k; ++s)
      strengths.push_back(Json(Words(rng, 4)));
    for (int s = 0, k = 1 + static_cast<int>(rng() % 2); s < k; ++s)
      weaknesses.push_back(Json(Words(rng, 4)));
    const std::string price = std::to_string(1 + rng() % 4) + "." + std::to_string(rng() % 100);
    competitors.push_back(JsonObject{
        {"name", names[c]},
        {"description", names[c] + " is a decentralized compute marketplace: " + Words(rng, 10) +
                            ", H100 from $" + price + "/hr"},
        {"strengths", std::move(strengths)},
        {"weaknesses", std::move(weaknesses)}});
  }
  JsonArray gaps;
  static const char* const kDifficulty[] = {"low", "medium", "high"};
  for (int c = 0, k = 2 + static_cast<int>(rng() % 2); c < k; ++c) {
    gaps.push_back(JsonObject{{"gap", Words(rng, 6)},
                              {"opportunity", Words(rng, 8)},
                              {"difficulty", kDifficulty[rng() % 3]}});
  }
  return JsonObject{
      {"competitors", std::move(competitors)},
      {"market_gaps", std::move(gaps)},
      {"recommendation", "Target idle capacity in the GPU marketplace: " + Words(rng, 14)}};
}

struct Round {
  GeneratedChallenge generated = MakeChallenge();
  std::vector<Expert> experts;  // per subnet SN22, SN33, SN1: kUidsPerSubnet UIDs
  ExpertRegistry registry;
  std::vector<std::string> hotkeys;        // per miner
  std::vector<std::string> replies;        // per miner: the reply's JSON bytes
  std::vector<protocol::Response> parsed;  // per miner, for the part benchmarks
  std::vector<ProofReport> proofs;         // per miner, for BM_Scoring
  size_t receipts = 0;                     // in all replies
  const std::set<std::string, std::less<>> presented_before;

  const Expert& ExpertFor(const std::string& subnet, int miner) const {
    for (const Expert& e : experts) {
      if (e.subnet == subnet && e.uid == miner % kUidsPerSubnet) return e;
    }
    std::abort();
  }

  protocol::TaskStep Step(int miner, int n, const std::string& subnet, std::string task, Json query,
                          int64_t started, int64_t latency, std::vector<int> depends_on) const {
    const Expert& e = ExpertFor(subnet, miner);
    protocol::TaskStep s;
    s.step = n;
    s.subnet = subnet;
    s.uid = e.uid;
    s.task = std::move(task);
    s.query = std::move(query);
    s.started_ms = started;
    s.latency_ms = latency;
    s.depends_on = std::move(depends_on);
    s.cost = 0.0015;
    s.attempts = 1;
    s.expert_hotkey = e.address;
    const std::string request_hash = CanonicalHash(s.query);
    std::mt19937_64 answer_rng(miner * 8 + n);
    const auto receipt = protocol::IssueReceipt(
        e.key, e.address,
        protocol::LockFor(generated.challenge.challenge_id, hotkeys[miner], n, request_hash),
        request_hash, JsonObject{{"results", Words(answer_rng, 8)}}, s.cost,
        kStart + started + latency);
    s.hash = receipt.Hash();
    s.receipt = protocol::ToJson(receipt);
    return s;
  }

  protocol::Response Answer(int miner, int copied_from) const {
    protocol::Response r;
    r.challenge_id = generated.challenge.challenge_id;
    const std::string tag = std::to_string(miner);
    if (copied_from >= 0) {
      // A relay: one search call of its own, and another miner's data.
      r.task_pipeline.push_back(Step(miner, 1, "SN22", "web_search",
                                     JsonObject{{"query", "decentralized compute " + tag}}, 0, 300,
                                     {}));
      r.standardized_data = MinerData(copied_from);
      r.provenance = JsonObject{{"$.recommendation", JsonArray{1}}};
      r.total_latency_ms = 400;
    } else {
      r.task_pipeline.push_back(
          Step(miner, 1, "SN22", "web_search",
               JsonObject{{"query", "decentralized compute marketplace competitors " + tag}}, 0,
               300, {}));
      r.task_pipeline.push_back(Step(miner, 2, "SN33", "web_scraping",
                                     JsonObject{{"url", "https://akash.network/?m=" + tag}}, 300,
                                     1200, {1}));
      r.task_pipeline.push_back(Step(miner, 3, "SN33", "web_scraping",
                                     JsonObject{{"url", "https://rendernetwork.com/?m=" + tag}},
                                     301, 1100, {1}));
      r.task_pipeline.push_back(Step(
          miner, 4, "SN1", "synthesis",
          JsonObject{{"prompt", "Summarise the competitive landscape " + tag}}, 1501, 500, {2, 3}));
      r.standardized_data = MinerData(miner);
      r.provenance = JsonObject{{"$.competitors", JsonArray{1, 2, 3}},
                                {"$.market_gaps", JsonArray{4}},
                                {"$.recommendation", JsonArray{4}}};
      r.total_latency_ms = 2100;
    }
    r.final_synthesis = "Decentralized compute marketplaces compete on GPU price and supply.";
    r.total_cost = 0.0015 * r.task_pipeline.size();
    r.ledger_version = "1";
    return r;
  }

  ProofContext Context(int miner) const {
    return ProofContext{.challenge_id = generated.challenge.challenge_id,
                        .miner_hotkey = hotkeys[miner],
                        .window_start_ms = kStart,
                        .window_end_ms = kEnd,
                        .registry = &registry,
                        .presented_before = &presented_before};
  }

  ScoringInput Input(int miner, std::string_view response_json, ProofReport proofs) const {
    ScoringInput in;
    in.generated = generated;  // copied per miner, as judge.cc does
    in.miner_hotkey = hotkeys[miner];
    in.window_start_ms = kStart;
    in.window_end_ms = kEnd;
    in.response_json = response_json;
    in.proofs = std::move(proofs);
    in.ledger.checked = true;  // ledger judging is not timed: its inputs come from the prober
    in.ledger.freshness = 1.0;
    in.ledger.coverage = 0.9;
    in.observed_latency_ms = 2200;
    return in;
  }

  Round() {
    for (const char* subnet : {"SN22", "SN33", "SN1"}) {
      for (int uid = 0; uid < kUidsPerSubnet; ++uid) {
        Expert e{subnet, uid, Key("//" + std::string(subnet) + "/" + std::to_string(uid)), ""};
        e.address = Address(e.key);
        registry[subnet][uid] = e.address;
        experts.push_back(std::move(e));
      }
    }
    for (int m = 0; m < kMiners; ++m)
      hotkeys.push_back(Address(Key("//Miner/" + std::to_string(m))));
    for (int m = 0; m < kMiners; ++m) {
      int copied_from = -1;
      for (const auto& [copy, original] : kPlantedCopies) {
        if (copy == m) copied_from = original;
      }
      protocol::Response r = Answer(m, copied_from);
      receipts += r.task_pipeline.size();
      // The synapse's fields as a miner answers them: the challenge echoed, then the answer.
      Json fields = protocol::ToJson(generated.challenge);
      const Json answer = protocol::ToJson(r);
      for (const auto& [k, v] : answer.as_object()) fields.as_object()[k] = v;
      replies.push_back(CompactJson(fields));
      parsed.push_back(std::move(r));
    }
    // The figure must measure the success path: every proof valid, every answer accepted and
    // schema-compliant, and exactly the planted copies found.
    for (int m = 0; m < kMiners; ++m) {
      ProofReport p = VerifyProofs(parsed[m], Context(m));
      if (p.valid != static_cast<int>(parsed[m].task_pipeline.size()) || p.black_room) {
        std::fprintf(stderr, "miner %d: proofs not all valid: %s\n", m,
                     CompactJson(ToJson(p)).c_str());
        std::abort();
      }
      const ScoreCard card = Score(Input(m, replies[m], p));
      if (!card.accepted || card.schema_compliance.score != 1.0) {
        std::fprintf(stderr, "miner %d: %s %s\n", m, card.reject_reason.c_str(),
                     card.schema_compliance.explanation.c_str());
        std::abort();
      }
      proofs.push_back(std::move(p));
    }
    std::vector<AnswerPrint> prints;
    for (int m = 0; m < kMiners; ++m) {
      prints.push_back(MakeAnswerPrint(hotkeys[m], generated.challenge.challenge_id,
                                       parsed[m].standardized_data, parsed[m].task_pipeline));
    }
    const auto copies = FindCopies(prints);
    bool as_planted = copies.size() == kPlantedCopies.size();
    for (size_t i = 0; as_planted && i < copies.size(); ++i) {
      as_planted = copies[i].index == static_cast<size_t>(kPlantedCopies[i].first) &&
                   copies[i].copied_from_index == static_cast<size_t>(kPlantedCopies[i].second);
    }
    if (!as_planted) {
      std::fprintf(stderr, "FindCopies found %zu copies, not the %zu planted\n", copies.size(),
                   kPlantedCopies.size());
      std::abort();
    }
  }
};

const Round& TheRound() {
  static const Round round;
  return round;
}

void Report(benchmark::State& state, size_t receipts) {
  state.SetItemsProcessed(state.iterations() * kMiners);
  state.counters["receipts_per_round"] = static_cast<double>(receipts);
  state.counters["receipts/s"] =
      benchmark::Counter(static_cast<double>(receipts) * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate);
}

// One whole round: what the validator does for every reply, then collusion over all.
void BM_Round(benchmark::State& state) {
  const Round& round = TheRound();
  const std::string& challenge_id = round.generated.challenge.challenge_id;
  for (auto _ : state) {
    std::vector<AnswerPrint> prints;
    prints.reserve(kMiners);
    double total = 0;
    auto target = schema::Schema::FromTarget(round.generated.challenge.target_schema);
    if (!target) std::abort();
    for (int m = 0; m < kMiners; ++m) {
      // The miner client parses the body; judge.cc serialises the fields back for Score's
      // size limit.
      auto fields = ParseJson(round.replies[m]);
      if (!fields) std::abort();
      const std::string response_json = CompactJson(*fields);
      auto response = protocol::ResponseFromJson(*fields);
      if (!response) std::abort();
      ScoringInput input = round.Input(m, response_json, VerifyProofs(*response, round.Context(m)));
      input.response = &*response;
      input.target = &*target;
      const ScoreCard card = Score(input);
      total += card.total;
      prints.push_back(MakeAnswerPrint(round.hotkeys[m], challenge_id, response->standardized_data,
                                       response->task_pipeline));
    }
    auto copies = FindCopies(prints);
    benchmark::DoNotOptimize(total);
    benchmark::DoNotOptimize(copies.data());
  }
  Report(state, round.receipts);
}
BENCHMARK(BM_Round)->Unit(benchmark::kMillisecond);

// The reply handling around the parts: ParseJson of the body, CompactJson back for Score (as
// judge.cc does) and ResponseFromJson.
void BM_Parse(benchmark::State& state) {
  const Round& round = TheRound();
  for (auto _ : state) {
    size_t steps = 0;
    for (int m = 0; m < kMiners; ++m) {
      auto fields = ParseJson(round.replies[m]);
      if (!fields) std::abort();
      const std::string response_json = CompactJson(*fields);
      auto response = protocol::ResponseFromJson(*fields);
      if (!response) std::abort();
      steps += response->task_pipeline.size() + response_json.size();
    }
    benchmark::DoNotOptimize(steps);
  }
  state.SetItemsProcessed(state.iterations() * kMiners);
}
BENCHMARK(BM_Parse)->Unit(benchmark::kMillisecond);

// VerifyProofs alone, on responses already parsed: the sr25519 verifications and receipt checks.
void BM_Proofs(benchmark::State& state) {
  const Round& round = TheRound();
  for (auto _ : state) {
    int valid = 0;
    for (int m = 0; m < kMiners; ++m)
      valid += VerifyProofs(round.parsed[m], round.Context(m)).valid;
    benchmark::DoNotOptimize(valid);
  }
  Report(state, round.receipts);
}
BENCHMARK(BM_Proofs)->Unit(benchmark::kMillisecond);

// Score alone, given the proofs: includes its own parse of the response bytes, the target
// schema compile and validation, relevance, routing, DAG judging.
void BM_Scoring(benchmark::State& state) {
  const Round& round = TheRound();
  for (auto _ : state) {
    double total = 0;
    for (int m = 0; m < kMiners; ++m) {
      total += Score(round.Input(m, round.replies[m], round.proofs[m])).total;
    }
    benchmark::DoNotOptimize(total);
  }
  state.SetItemsProcessed(state.iterations() * kMiners);
}
BENCHMARK(BM_Scoring)->Unit(benchmark::kMillisecond);

// Score alone as Validator::Judge calls it: the responses already read, the target schema
// compiled once per round.
void BM_ScoringRead(benchmark::State& state) {
  const Round& round = TheRound();
  for (auto _ : state) {
    auto target = schema::Schema::FromTarget(round.generated.challenge.target_schema);
    if (!target) std::abort();
    double total = 0;
    for (int m = 0; m < kMiners; ++m) {
      ScoringInput input = round.Input(m, round.replies[m], round.proofs[m]);
      input.response = &round.parsed[m];
      input.target = &*target;
      total += Score(input).total;
    }
    benchmark::DoNotOptimize(total);
  }
  state.SetItemsProcessed(state.iterations() * kMiners);
}
BENCHMARK(BM_ScoringRead)->Unit(benchmark::kMillisecond);

// MakeAnswerPrint for each answer, then FindCopies over the 256 (32,640 pairs).
void BM_Collusion(benchmark::State& state) {
  const Round& round = TheRound();
  for (auto _ : state) {
    std::vector<AnswerPrint> prints;
    prints.reserve(kMiners);
    for (int m = 0; m < kMiners; ++m) {
      prints.push_back(MakeAnswerPrint(round.hotkeys[m], round.generated.challenge.challenge_id,
                                       round.parsed[m].standardized_data,
                                       round.parsed[m].task_pipeline));
    }
    auto copies = FindCopies(prints);
    benchmark::DoNotOptimize(copies.data());
  }
  state.SetItemsProcessed(state.iterations() * kMiners);
}
BENCHMARK(BM_Collusion)->Unit(benchmark::kMillisecond);

// FindCopies alone over prints made once: the pairwise part.
void BM_FindCopies(benchmark::State& state) {
  const Round& round = TheRound();
  std::vector<AnswerPrint> prints;
  for (int m = 0; m < kMiners; ++m) {
    prints.push_back(MakeAnswerPrint(round.hotkeys[m], round.generated.challenge.challenge_id,
                                     round.parsed[m].standardized_data,
                                     round.parsed[m].task_pipeline));
  }
  for (auto _ : state) {
    auto copies = FindCopies(prints);
    benchmark::DoNotOptimize(copies.data());
  }
  state.SetItemsProcessed(state.iterations() * kMiners);
}
BENCHMARK(BM_FindCopies)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace orchestra::validator

BENCHMARK_MAIN();
