#pragma once

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

  bool HasCapability(std::string_view capability) const;

  // `output_schema` as compiled once by the Snapshot holding this entry, shared by every copy
  // of it; null for an entry built outside a snapshot or whose output_schema does not compile
  // (Snapshot::Build rejects those). A copy whose output_schema is changed keeps the old one
  // until it is put into a new snapshot.
  const schema::Schema* compiled_output_schema() const { return compiled_output_schema_.get(); }

 private:
  friend class Snapshot;
  std::shared_ptr<const schema::Schema> compiled_output_schema_;
};

// Reads one entry; errors name the subnet and the field ("SN22.reliability: must be in [0, 1]").
Result<LedgerEntry> EntryFromJson(std::string_view subnet_id, const Json& json);
Json ToJson(const LedgerEntry& entry);

}  // namespace orchestra::ledger
