#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "orchestra/core/json.h"
#include "orchestra/core/result.h"
#include "orchestra/ledger/entry.h"

namespace orchestra::sim {

// The ways a simulated UID misbehaves, as real subnets do (PROTOCOL.md §4).
enum class Fault {
  kTimeout,          // never answers; the caller's deadline ends the call
  kHttp503,          // 503 Service Unavailable
  kHttp429,          // 429 Too Many Requests
  kHttp500,          // 500 Internal Server Error
  kMalformedJson,    // 200 with a body that is not JSON
  kSchemaViolation,  // 200 with an answer that breaks the subnet's output_schema
  kEmptyResults,     // 200 with no results at all
  kTruncatedBody,    // 200 with the JSON answer cut short
  kSlowTrickle,      // 200, the answer's bytes dribbled out slowly
};
inline constexpr size_t kFaultKinds = 9;
// "timeout", "http_503", ... as the manifest spells them.
std::string_view FaultName(Fault fault);

// What a UID plays: which content engine answers its subnet's requests.
enum class Engine {
  kSearch,    // SQLite FTS5 over the corpus (Desearch-like input/output)
  kScrape,    // documents behind URLs, requested fields (Data Universe-like)
  kComplete,  // extractive inference, OpenAI chat completions
};
std::string_view EngineName(Engine engine);

// One miner of a simulated subnet.
struct UidSpec {
  int uid = 0;
  // Latency is log-normal with this median and 95th percentile, in ms; 0/0 answers at once.
  double p50_ms = 0;
  double p95_ms = 0;
  // Share of calls answered cleanly; the others fail with a fault drawn by `fault_weights`.
  double reliability = 1.0;
  std::array<double, kFaultKinds> fault_weights{};  // relative, indexed by Fault
  // Share of search results that are relevant; the rest are replaced by unrelated documents.
  double quality = 1.0;
  double stake = 0;  // TAO, shown in the metagraph
};

// A UID as the manifest writes it ({"uid", "p50_ms", "p95_ms", "reliability", "faults",
// "quality", "stake"}), and read back; errors are prefixed with `where` ("subnets[1].uids[2]").
// Numbers must be finite and sane: uid 0 to 65535, 0 <= p50_ms <= p95_ms <= 600,000 (10
// minutes), reliability and quality in [0, 1], stake from 0 to 21,000,000 (TAO's supply).
Json ToJson(const UidSpec& uid);
Result<UidSpec> UidSpecFromJson(const Json& json, std::string_view where);

// One simulated subnet: its ledger-facing description and its UIDs.
struct SubnetSpec {
  // netuid, name, capabilities, schemas, cost, transport and synapse come from the manifest;
  // avg/p95 latency and reliability are derived from the UIDs (what a ledger would observe).
  ledger::LedgerEntry entry;
  Engine engine = Engine::kSearch;
  std::vector<UidSpec> uids;
};

// A simulated Bittensor of expert subnets. JSON form:
//   {"manifest_format": 1, "seed": 42, "subnets": [{"netuid": 22, "name": "Desearch",
//     "capabilities": [...], "transport": "synapse", "synapse": "DesearchSynapse",
//     "engine": "search", "input_schema": {...}, "output_schema": {...},
//     "cost_per_query": 0.002, "notes": "...",
//     "uids": [{"uid": 0, "p50_ms": 300, "p95_ms": 600, "reliability": 0.97,
//               "faults": {"timeout": 2, "http_503": 1}, "quality": 0.9, "stake": 1500}]}]}
struct Manifest {
  uint64_t seed = 42;
  std::vector<SubnetSpec> subnets;

  // Reads a manifest. Errors (kInvalidArgument) name the place: "subnets[1].uids[2].p95_ms:
  // must be >= p50_ms", "subnets[0].engine: unknown engine \"x\" (search, scrape, complete)";
  // netuids and, within a subnet, uids must be unique.
  static Result<Manifest> FromJson(const Json& json);
  Json ToJson() const;

  // The manifest shipped with the binary (data/sim/manifest.json).
  static Result<Manifest> Default();

  const SubnetSpec* Find(int netuid) const;
  // The ledger entries the manifest describes, keyed "SN<netuid>".
  std::vector<ledger::LedgerEntry> LedgerEntries() const;
};

// What one call to a UID will do, drawn deterministically from (seed, netuid, uid, sequence).
struct CallPlan {
  double latency_ms = 0;
  bool faulty = false;
  Fault fault = Fault::kTimeout;  // meaningful when faulty
  uint64_t content_seed = 0;      // for quality draws (which results are replaced)
};
CallPlan PlanCall(uint64_t seed, int netuid, const UidSpec& uid, uint64_t sequence);

}  // namespace orchestra::sim
