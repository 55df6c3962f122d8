#include "orchestra/ledger/entry.h"

#include <fmt/format.h>

#include <algorithm>

namespace orchestra::ledger {

std::string_view TransportName(Transport t) {
  return t == Transport::kSynapse ? "synapse" : "openai_chat";
}

std::string_view StatusName(EntryStatus status) {
  switch (status) {
    case EntryStatus::kHealthy:
      return "healthy";
    case EntryStatus::kDegraded:
      return "degraded";
    case EntryStatus::kDeprecated:
      return "deprecated";
  }
  return "healthy";
}

bool LedgerEntry::HasCapability(std::string_view capability) const {
  return std::find(capabilities.begin(), capabilities.end(), capability) != capabilities.end();
}

std::vector<int> UidOrder(const LedgerEntry& entry, const std::vector<int>& uids, uint64_t spread) {
  struct Ranked {
    bool avoided;
    double expected_ms;
    int uid;
  };
  double mean_quality = 1;
  if (!entry.uids.empty()) {
    double sum = 0;
    for (const UidFigures& f : entry.uids) sum += f.quality;
    mean_quality = sum / static_cast<double>(entry.uids.size());
  }
  auto expected = [](double latency, double reliability, double quality) {
    return latency / (std::max(reliability, 0.01) * std::max(quality, 0.01));
  };
  std::vector<Ranked> ranked;
  ranked.reserve(uids.size());
  for (int uid : uids) {
    auto known = std::lower_bound(entry.uids.begin(), entry.uids.end(), uid,
                                  [](const UidFigures& f, int u) { return f.uid < u; });
    if (known != entry.uids.end() && known->uid == uid) {
      ranked.push_back({known->avoided(),
                        expected(known->avg_latency_ms, known->reliability, known->quality), uid});
    } else {
      ranked.push_back(
          {false, expected(entry.avg_latency_ms, entry.reliability, mean_quality), uid});
    }
  }
  std::sort(ranked.begin(), ranked.end(), [](const Ranked& a, const Ranked& b) {
    if (a.avoided != b.avoided) return !a.avoided;
    if (a.expected_ms != b.expected_ms) return a.expected_ms < b.expected_ms;
    return a.uid < b.uid;
  });
  size_t peers = 0;  // the leading UIDs as good as the best, give or take 10%
  while (peers < ranked.size() && ranked[peers].avoided == ranked.front().avoided &&
         ranked[peers].expected_ms <= ranked.front().expected_ms * 1.1) {
    ++peers;
  }
  if (peers > 1) {
    std::rotate(ranked.begin(), ranked.begin() + static_cast<ptrdiff_t>(spread % peers),
                ranked.begin() + static_cast<ptrdiff_t>(peers));
  }
  std::vector<int> order;
  order.reserve(ranked.size());
  for (const Ranked& r : ranked) order.push_back(r.uid);
  return order;
}

namespace {

Result<std::vector<UidFigures>> UidsFromJson(std::string_view subnet_id, const Json* json) {
  std::vector<UidFigures> out;
  if (!json || json->is_null()) return out;
  auto fail = [&](size_t i, std::string_view field, std::string_view what) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("{}.uid_figures[{}]{}{}: {}", subnet_id, i, field.empty() ? "" : ".",
                             field, what));
  };
  if (!json->is_array()) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("{}.uid_figures: must be a list of objects", subnet_id));
  }
  const JsonArray& list = json->get_array();
  for (size_t i = 0; i < list.size(); ++i) {
    const Json& u = list[i];
    if (!u.is_object()) return fail(i, "", "must be an object");
    UidFigures f;
    const int64_t uid = JsonInt(u, "uid", -1);
    if (uid < 0 || uid > 65535) return fail(i, "uid", "must be an integer from 0 to 65535");
    f.uid = static_cast<int>(uid);
    f.avg_latency_ms = JsonDouble(u, "avg_latency_ms", -1);
    if (f.avg_latency_ms < 0) return fail(i, "avg_latency_ms", "must be a non-negative number");
    f.p95_latency_ms = JsonDouble(u, "p95_latency_ms", f.avg_latency_ms);
    if (f.p95_latency_ms < 0) return fail(i, "p95_latency_ms", "must be a non-negative number");
    f.reliability = JsonDouble(u, "reliability", -1);
    if (f.reliability < 0 || f.reliability > 1) return fail(i, "reliability", "must be in [0, 1]");
    f.quality = JsonDouble(u, "quality", 1);
    if (f.quality < 0 || f.quality > 1) return fail(i, "quality", "must be in [0, 1]");
    const int64_t failures = JsonInt(u, "consecutive_failures", 0);
    if (failures < 0 || failures > 1'000'000'000) {
      return fail(i, "consecutive_failures", "must be a non-negative integer");
    }
    f.consecutive_failures = static_cast<int>(failures);
    f.calls = JsonInt(u, "calls", 0);
    if (f.calls < 0) return fail(i, "calls", "must be a non-negative integer");
    f.last_seen_ms = JsonInt(u, "last_seen_ms", 0);
    if (f.last_seen_ms < 0) return fail(i, "last_seen_ms", "must be a non-negative integer");
    if (!out.empty() && out.back().uid >= f.uid) {
      return fail(i, "uid", "UIDs must be listed once each, in increasing order");
    }
    out.push_back(f);
  }
  return out;
}

}  // namespace

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
  auto uids = UidsFromJson(subnet_id, JsonFind(json, "uid_figures"));
  if (!uids) return uids.error();
  e.uids = std::move(*uids);
  const std::string status = JsonString(json, "status", "healthy");
  if (status == "healthy") {
    e.status = EntryStatus::kHealthy;
  } else if (status == "degraded") {
    e.status = EntryStatus::kDegraded;
  } else if (status == "deprecated") {
    e.status = EntryStatus::kDeprecated;
  } else {
    return fail("status", fmt::format("unknown status \"{}\" (expected healthy, degraded or "
                                      "deprecated)",
                                      status));
  }
  if (const Json* history = JsonFind(json, "probe_history"); history && !history->is_null()) {
    if (!history->is_array()) return fail("probe_history", "must be a list of objects");
    for (const Json& p : history->get_array()) {
      if (!p.is_object()) return fail("probe_history", "must be a list of objects");
      const Json* ok = JsonFind(p, "ok");
      ProbeRecord r{JsonInt(p, "at_ms", 0), ok && ok->is_bool() && ok->get_bool(),
                    JsonDouble(p, "latency_ms", 0), JsonString(p, "fingerprint")};
      e.probe_history.push_back(std::move(r));
    }
    if (e.probe_history.size() > LedgerEntry::kProbeWindow) {
      e.probe_history.erase(e.probe_history.begin(),
                            e.probe_history.end() - LedgerEntry::kProbeWindow);
    }
  }
  e.output_fingerprint = JsonString(json, "output_fingerprint");
  if (const Json* renames = JsonFind(json, "output_renames"); renames && !renames->is_null()) {
    if (!renames->is_object()) return fail("output_renames", "must be an object of strings");
    for (const auto& kv : renames->get_object()) {
      if (!kv.value().is_string()) return fail("output_renames", "must be an object of strings");
      e.output_renames.emplace(std::string(kv.key()), std::string(kv.value().get_string()));
    }
  }
  return e;
}

Json ToJson(const LedgerEntry& e) {
  JsonArray caps;
  for (const auto& c : e.capabilities) caps.emplace_back(c);
  JsonObject out{{"netuid", e.netuid},
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
  // Absent until something was learned, so that a seeded entry reads as the seed wrote it.
  if (!e.uids.empty()) {
    JsonArray uids;
    for (const UidFigures& u : e.uids) {
      uids.emplace_back(JsonObject{{"uid", u.uid},
                                   {"avg_latency_ms", u.avg_latency_ms},
                                   {"p95_latency_ms", u.p95_latency_ms},
                                   {"reliability", u.reliability},
                                   {"quality", u.quality},
                                   {"consecutive_failures", u.consecutive_failures},
                                   {"calls", u.calls},
                                   {"last_seen_ms", u.last_seen_ms}});
    }
    out["uid_figures"] = std::move(uids);
  }
  // Likewise what the maintenance loop keeps, once it has run.
  if (e.status != EntryStatus::kHealthy) out["status"] = StatusName(e.status);
  if (!e.probe_history.empty()) {
    JsonArray history;
    for (const ProbeRecord& r : e.probe_history) {
      history.emplace_back(JsonObject{{"at_ms", r.at_ms},
                                      {"ok", r.ok},
                                      {"latency_ms", r.latency_ms},
                                      {"fingerprint", r.fingerprint}});
    }
    out["probe_history"] = std::move(history);
  }
  if (!e.output_fingerprint.empty()) out["output_fingerprint"] = e.output_fingerprint;
  if (!e.output_renames.empty()) {
    JsonObject renames;
    for (const auto& [from, to] : e.output_renames) renames[from] = to;
    out["output_renames"] = std::move(renames);
  }
  return out;
}

}  // namespace orchestra::ledger
