#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "orchestra/core/json.h"
#include "orchestra/core/result.h"

namespace orchestra::schema {
class Schema;
}  // namespace orchestra::schema

namespace orchestra::ledger {

// How the miner reaches a subnet's UIDs.
enum class Transport {
  kSynapse,     // Bittensor synapse: POST /<synapse> with the input as JSON body
  kOpenAiChat,  // OpenAI-compatible POST /v1/chat/completions
};

std::string_view TransportName(Transport t);

// What the miner learned about one UID of a subnet from its own calls and probes
// (ledger/learner.h).
struct UidFigures {
  int uid = 0;
  double avg_latency_ms = 0;  // moving average of its good answers' latency
  double p95_latency_ms = 0;  // 95th percentile of its recent good answers
  double reliability = 1;     // share of its calls answered well, recent ones weighing most
  // Share of its answers' items the relevance audit kept, recent answers weighing most: a UID
  // that answers fast with little on topic is worth less than its latency says.
  double quality = 1;
  int consecutive_failures = 0;
  int64_t calls = 0;         // calls and probes counted so far
  int64_t last_seen_ms = 0;  // Unix ms of its last good answer; 0: none yet

  // A UID that keeps failing is tried only after every other one, until it answers well
  // again (a probe, or the call that reaches it when all others failed).
  static constexpr int kAvoidAfter = 3;
  bool avoided() const { return consecutive_failures >= kAvoidAfter; }
};

// What the maintenance loop's probes make of a subnet (ledger/maintenance.h).
enum class EntryStatus {
  kHealthy,     // the last probe round got an answer (or none has run yet)
  kDegraded,    // the last probe round got none
  kDeprecated,  // of its last kProbeWindow rounds, fewer than kMinAliveProbes got an answer
};
std::string_view StatusName(EntryStatus status);

// One probe round of a subnet, as its entry remembers it.
struct ProbeRecord {
  int64_t at_ms = 0;
  bool ok = false;          // some UID answered
  double latency_ms = 0;    // the median of the answers' latencies (0: none)
  std::string fingerprint;  // of the shape the answers had (ledger/shape.h); "" when none
};

// What the miner knows about one expert subnet: the seed's ledger fields plus how to call it.
struct LedgerEntry {
  std::string subnet_id;  // "SN22": the key in the ledger and the name in task_pipeline
  int netuid = 0;
  std::string name;
  std::vector<std::string> capabilities;
  Json input_schema;   // seed shorthand or JSON Schema
  Json output_schema;  // what the audit checks expert answers against
  double avg_latency_ms = 0;
  double p95_latency_ms = 0;
  double reliability = 0;  // share of calls answered correctly, in [0, 1]
  double cost_per_query = 0;
  std::string last_updated;  // ISO 8601 UTC
  std::string notes;
  Transport transport = Transport::kSynapse;
  std::string synapse;  // synapse class name for kSynapse
  // The subnet's UIDs the miner has figures for ("uid_figures" in JSON), by uid (empty: none
  // learned yet; calls then go round the metagraph's UIDs in order).
  std::vector<UidFigures> uids;
  // Kept by the maintenance loop: health, the last probe rounds (oldest first, at most
  // kProbeWindow), the fingerprint of the output shape probes last saw (ledger/shape.h), and the
  // output fields the subnet renamed since the adapters' names (the name they read -> the name
  // the subnet now answers with; the executor reads answers back under the first).
  EntryStatus status = EntryStatus::kHealthy;
  std::vector<ProbeRecord> probe_history;
  std::string output_fingerprint;
  std::map<std::string, std::string> output_renames;
  static constexpr size_t kProbeWindow = 10;
  static constexpr size_t kMinAliveProbes = 3;

  bool HasCapability(std::string_view capability) const;

  // `output_schema` as compiled once by the Snapshot holding this entry, shared by every copy
  // of it; null for an entry built outside a snapshot or whose output_schema does not compile
  // (Snapshot::Build rejects those). A copy whose output_schema is changed keeps the old one
  // until it is put into a new snapshot.
  const schema::Schema* compiled_output_schema() const { return compiled_output_schema_.get(); }

 private:
  friend class Snapshot;
  std::shared_ptr<const schema::Schema> compiled_output_schema_;
  std::string compiled_from_;  // CanonicalHash of the output_schema it was compiled from
};

// The order in which to try `uids` (the subnet's UIDs in the metagraph), best first: UIDs not
// avoided before avoided ones, then by expected time to a good answer (average latency /
// (reliability × quality), from `entry.uids`; a UID without figures is expected to answer as
// fast and as reliably as the subnet, with the mean quality of the UIDs that have figures).
// UIDs within 10% of the best share the first places in turn, rotated by `spread` (a number
// that varies from call to call and stays the same across one call's retries), so that equally
// good UIDs share the load. Pure.
std::vector<int> UidOrder(const LedgerEntry& entry, const std::vector<int>& uids, uint64_t spread);

// Reads one entry; errors name the subnet and the field ("SN22.reliability: must be in [0, 1]").
Result<LedgerEntry> EntryFromJson(std::string_view subnet_id, const Json& json);
Json ToJson(const LedgerEntry& entry);

}  // namespace orchestra::ledger
