#include "orchestra/ledger/entry.h"

#include <fmt/format.h>

#include <algorithm>

namespace orchestra::ledger {

std::string_view TransportName(Transport t) {
  return t == Transport::kSynapse ? "synapse" : "openai_chat";
}

bool LedgerEntry::HasCapability(std::string_view capability) const {
  return std::find(capabilities.begin(), capabilities.end(), capability) != capabilities.end();
}

Result<LedgerEntry> EntryFromJson(std::string_view subnet_id, const Json& json) {
  auto fail = [&](std::string_view field, std::string_view what) {
    return Error(ErrorCode::kInvalidArgument, fmt::format("{}.{}: {}", subnet_id, field, what));
  };
  if (!json.is_object()) return fail("", "entry must be an object");
  LedgerEntry e;
  e.subnet_id = std::string(subnet_id);
  e.netuid = static_cast<int>(JsonInt(json, "netuid", -1));
  if (e.netuid < 0) return fail("netuid", "must be a non-negative integer");
  e.name = JsonString(json, "name");
  if (e.name.empty()) return fail("name", "must be a non-empty string");
  const Json* caps = JsonFind(json, "capabilities");
  if (!caps || !caps->is_array() || caps->get_array().empty()) {
    return fail("capabilities", "must be a non-empty list of strings");
  }
  for (const Json& c : caps->get_array()) {
    if (!c.is_string()) return fail("capabilities", "must be a non-empty list of strings");
    e.capabilities.emplace_back(c.get_string());
  }
  const Json* in = JsonFind(json, "input_schema");
  const Json* out = JsonFind(json, "output_schema");
  if (!in || !in->is_object()) return fail("input_schema", "must be an object");
  if (!out || !out->is_object()) return fail("output_schema", "must be an object");
  e.input_schema = *in;
  e.output_schema = *out;
  e.avg_latency_ms = JsonDouble(json, "avg_latency_ms", -1);
  e.p95_latency_ms = JsonDouble(json, "p95_latency_ms", e.avg_latency_ms);
  if (e.avg_latency_ms <= 0) return fail("avg_latency_ms", "must be a positive number");
  if (e.p95_latency_ms < e.avg_latency_ms)
    return fail("p95_latency_ms", "must be >= avg_latency_ms");
  e.reliability = JsonDouble(json, "reliability", -1);
  if (e.reliability < 0 || e.reliability > 1) return fail("reliability", "must be in [0, 1]");
  e.cost_per_query = JsonDouble(json, "cost_per_query", -1);
  if (e.cost_per_query < 0) return fail("cost_per_query", "must be a non-negative number");
  e.last_updated = JsonString(json, "last_updated");
  e.notes = JsonString(json, "notes");
  const std::string transport = JsonString(json, "transport", "synapse");
  if (transport == "synapse") {
    e.transport = Transport::kSynapse;
  } else if (transport == "openai_chat") {
    e.transport = Transport::kOpenAiChat;
  } else {
    return fail(
        "transport",
        fmt::format("unknown transport \"{}\" (expected synapse or openai_chat)", transport));
  }
  e.synapse = JsonString(json, "synapse");
  if (e.transport == Transport::kSynapse && e.synapse.empty()) {
    return fail("synapse", "a synapse transport needs the synapse class name");
  }
  return e;
}

Json ToJson(const LedgerEntry& e) {
  JsonArray caps;
  for (const auto& c : e.capabilities) caps.emplace_back(c);
  return JsonObject{{"netuid", e.netuid},
                    {"name", e.name},
                    {"capabilities", std::move(caps)},
                    {"input_schema", e.input_schema},
                    {"output_schema", e.output_schema},
                    {"avg_latency_ms", e.avg_latency_ms},
                    {"p95_latency_ms", e.p95_latency_ms},
                    {"reliability", e.reliability},
                    {"cost_per_query", e.cost_per_query},
                    {"last_updated", e.last_updated},
                    {"notes", e.notes},
                    {"transport", TransportName(e.transport)},
                    {"synapse", e.synapse}};
}

}  // namespace orchestra::ledger
