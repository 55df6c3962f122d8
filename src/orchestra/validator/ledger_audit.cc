#include "orchestra/validator/ledger_audit.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>

#include "orchestra/experts/synapse_class.h"
#include "orchestra/ledger/entry.h"
#include "orchestra/validator/output_shape.h"

namespace orchestra::validator {
namespace {

std::string_view KindName(const Json& json) {
  switch (json.kind()) {
    case boost::json::kind::object:
      return "an object";
    case boost::json::kind::array:
      return "a list";
    case boost::json::kind::string:
      return "a string";
    case boost::json::kind::null:
      return "null";
    case boost::json::kind::bool_:
      return "a boolean";
    default:
      return "a number";
  }
}

LedgerJudgement Refused(std::string reason) {
  LedgerJudgement j;
  j.checked = true;
  j.findings.push_back(std::move(reason));
  return j;
}

class Findings {
 public:
  explicit Findings(size_t max) : max_(max) {}
  void Add(std::string line) {
    if (lines_.size() < max_) {
      lines_.push_back(std::move(line));
    } else {
      ++dropped_;
    }
  }
  std::vector<std::string> Take() {
    if (dropped_ > 0) lines_.push_back(fmt::format("... and {} more findings", dropped_));
    return std::move(lines_);
  }

 private:
  size_t max_;
  size_t dropped_ = 0;
  std::vector<std::string> lines_;
};

// The netuid a seed-style subnet id names ("SN22" → 22), or -1.
int NetuidOf(std::string_view subnet_id) {
  if (subnet_id.size() < 3 || !subnet_id.starts_with("SN")) return -1;
  int netuid = -1;
  const char* end = subnet_id.data() + subnet_id.size();
  auto [ptr, ec] = std::from_chars(subnet_id.data() + 2, end, netuid);
  return ec == std::errc() && ptr == end ? netuid : -1;
}

// Reads an entry, filling what seed 000's ledger format leaves out (netuid from the subnet id,
// the transport and synapse from what the validator knows of the subnet: they are not judged).
Result<ledger::LedgerEntry> ReadEntry(const std::string& subnet_id, const Json& json,
                                      const SubnetProbe& probe) {
  if (!json.is_object()) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("{}: entry must be an object, got {}", subnet_id, KindName(json)));
  }
  Json filled = json;
  JsonObject& o = filled.as_object();
  if (!o.contains("netuid")) o["netuid"] = probe.netuid > 0 ? probe.netuid : NetuidOf(subnet_id);
  if (!o.contains("transport") && !o.contains("synapse")) {
    o["transport"] = "synapse";
    o["synapse"] = "Unspecified";
  }
  return ledger::EntryFromJson(subnet_id, filled);
}

bool Contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// The disagreements of one readable entry with its probe, each naming the subnet.
void Compare(const ledger::LedgerEntry& entry, const SubnetProbe& probe,
             const LedgerTolerances& tolerances, std::vector<std::string>& out) {
  const std::string& id = entry.subnet_id;
  const bool claims_alive = entry.reliability >= tolerances.min_alive_reliability;
  if (claims_alive != probe.alive) {
    out.push_back(probe.alive
                      ? fmt::format("{}: alive: the ledger marks it down (reliability {}), it "
                                    "answers the validator's probes",
                                    id, FormatDouble(entry.reliability))
                      : fmt::format("{}: alive: the ledger lists it as serving (reliability {}), "
                                    "no probe got an answer",
                                    id, FormatDouble(entry.reliability)));
  }
  if (!probe.alive) return;

  const std::vector<std::string> inputs = experts::SchemaFieldNames(entry.input_schema);
  for (const auto& [from, to] : probe.input_renames) {
    if (Contains(inputs, from)) {
      out.push_back(
          fmt::format("{}: input field {}: renamed by the subnet to {}, the ledger still has it",
                      id, from, to));
    }
  }
  for (const auto& field : probe.input_fields) {
    if (Contains(inputs, field)) continue;
    bool reported = false;
    for (const auto& [from, to] : probe.input_renames) {
      reported = reported || (to == field && Contains(inputs, from));
    }
    if (!reported) {
      out.push_back(fmt::format(
          "{}: input field {}: the subnet accepts it, the ledger's input_schema lacks it", id,
          field));
    }
  }

  if (probe.output_shape.is_object()) {
    auto lines = CompareWithShape(entry.output_schema, probe.output_shape);
    if (!lines) {
      out.push_back(fmt::format("{}: {}", id, lines.error().message));
    } else {
      for (auto& line : *lines) out.push_back(fmt::format("{}: output {}", id, line));
    }
  }

  if (probe.latency_ms > 0) {
    const double m = probe.latency_ms;
    const double low = m / tolerances.latency_factor - tolerances.latency_floor_ms;
    const double high = m * tolerances.latency_factor + tolerances.latency_floor_ms;
    if (entry.avg_latency_ms < low || entry.avg_latency_ms > high) {
      out.push_back(fmt::format(
          "{}: avg_latency_ms: the ledger says {:.0f}, the probes measured a median of {:.0f} "
          "(tolerance {:.0f} to {:.0f})",
          id, entry.avg_latency_ms, m, std::max(0.0, low), high));
    }
    if (entry.p95_latency_ms < low) {
      out.push_back(
          fmt::format("{}: p95_latency_ms: the ledger says {:.0f}, below the probed median of "
                      "{:.0f}",
                      id, entry.p95_latency_ms, m));
    }
  }
}

}  // namespace

LedgerJudgement JudgeLedger(const Json& ledger, const ExpertView& view,
                            const LedgerTolerances& tolerances) {
  LedgerJudgement judgement;
  size_t live = 0;
  for (const auto& [id, probe] : view.subnets) live += probe.alive ? 1 : 0;
  if (ledger.is_null()) {
    judgement.findings.push_back("no ledger: the miner did not answer LedgerSynapse");
    return judgement;
  }
  if (live == 0) {
    judgement.findings.push_back("no live subnet among the validator's probes to judge by");
    return judgement;
  }
  if (!ledger.is_object()) {
    return Refused(fmt::format("ledger: must be an object, got {}", KindName(ledger)));
  }
  const JsonObject* entries = &ledger.get_object();
  if (const Json* wrapped = JsonFind(ledger, "entries")) {
    if (!wrapped->is_object()) {
      return Refused(
          fmt::format("ledger.entries: must be an object of entries, got {}", KindName(*wrapped)));
    }
    const Json* version = JsonFind(ledger, "ledger_version");
    if (version && !version->is_null() && !version->is_string()) {
      return Refused(
          fmt::format("ledger.ledger_version: must be a string, got {}", KindName(*version)));
    }
    entries = &wrapped->get_object();
  }
  if (entries->size() > tolerances.max_entries) {
    return Refused(fmt::format("ledger: {} entries, more than the {} a ledger may have",
                               entries->size(), tolerances.max_entries));
  }

  judgement.checked = true;
  Findings findings(tolerances.max_findings);
  size_t judged = 0;
  size_t fresh = 0;
  size_t covered = 0;
  size_t unknown = 0;
  std::set<std::string> listed;
  for (const auto& kv : *entries) {
    const std::string id(kv.key());
    const SubnetProbe* probe = view.Find(id);
    if (!probe) {
      ++unknown;
      continue;
    }
    ++judged;
    auto entry = ReadEntry(id, kv.value(), *probe);
    if (!entry) {
      findings.Add(entry.error().message);
      continue;
    }
    listed.insert(id);
    if (probe->alive) ++covered;
    std::vector<std::string> disagreements;
    Compare(*entry, *probe, tolerances, disagreements);
    if (disagreements.empty()) ++fresh;
    for (auto& line : disagreements) findings.Add(std::move(line));
  }
  for (const auto& [id, probe] : view.subnets) {
    if (probe.alive && !listed.count(id) && !entries->contains(id)) {
      findings.Add(
          fmt::format("{}: not in the ledger, though it answers the validator's probes", id));
    }
  }
  if (unknown > 0) {
    findings.Add(
        fmt::format("{} entries for subnets the validator does not probe (not judged)", unknown));
  }
  if (judged == 0) findings.Add("ledger: no entry for any subnet the validator probes");
  judgement.freshness = judged > 0 ? static_cast<double>(fresh) / judged : 0.0;
  judgement.coverage = static_cast<double>(covered) / live;
  judgement.findings = findings.Take();
  return judgement;
}

}  // namespace orchestra::validator
