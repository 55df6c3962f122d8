#pragma once

#include <string>
#include <vector>

#include "orchestra/core/json.h"
#include "orchestra/core/result.h"

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
};

// Reads one entry; errors name the subnet and the field ("SN22.reliability: must be in [0, 1]").
Result<LedgerEntry> EntryFromJson(std::string_view subnet_id, const Json& json);
Json ToJson(const LedgerEntry& entry);

}  // namespace orchestra::ledger
