#include "orchestra/sim/manifest.h"

#include <fmt/format.h>

#include <cmath>
#include <numeric>
#include <set>

#include "orchestra/core/embedded.h"
#include "orchestra/core/rng.h"

namespace orchestra {
const std::vector<EmbeddedFile>& EmbeddedManifest();  // generated from data/sim/manifest.json
}  // namespace orchestra

namespace orchestra::sim {
namespace {

constexpr double kZ95 = 1.6448536269514722;
constexpr std::array<std::string_view, kFaultKinds> kFaultNames = {
    "timeout",          "http_503",      "http_429",       "http_500",    "malformed_json",
    "schema_violation", "empty_results", "truncated_body", "slow_trickle"};
constexpr std::array<std::string_view, 3> kEngineNames = {"search", "scrape", "complete"};

Error Fail(std::string_view where, std::string_view what) {
  return Error(ErrorCode::kInvalidArgument, fmt::format("{}: {}", where, what));
}

// A number at `key` in `object`, `fallback` when absent; an error when present but not a number.
// Latencies past any synapse timeout (an axon clamps them at 300 s) simulate nothing more, and
// huge ones would overflow the timers they become.
constexpr double kMaxLatencyMs = 600000;
// TAO's total supply.
constexpr double kMaxStake = 21e6;

Result<double> Number(const Json& object, std::string_view key, double fallback,
                      std::string_view where) {
  const Json* v = JsonFind(object, key);
  if (!v) return fallback;
  double out = 0;
  if (!JsonNumber(*v, &out) || !std::isfinite(out)) {
    return Fail(fmt::format("{}.{}", where, key), "must be a number");
  }
  return out;
}

}  // namespace

Result<UidSpec> UidSpecFromJson(const Json& json, std::string_view where) {
  if (!json.is_object()) return Fail(where, "must be an object");
  UidSpec u;
  int64_t uid = -1;
  const Json* uid_json = JsonFind(json, "uid");
  if (!uid_json || !JsonInteger(*uid_json, &uid) || uid < 0 || uid > 65535) {
    return Fail(fmt::format("{}.uid", where), "must be an integer from 0 to 65535");
  }
  u.uid = static_cast<int>(uid);
  auto p50 = Number(json, "p50_ms", 0, where);
  auto p95 = Number(json, "p95_ms", p50 ? *p50 : 0, where);
  auto reliability = Number(json, "reliability", 1.0, where);
  auto quality = Number(json, "quality", 1.0, where);
  auto stake = Number(json, "stake", 0, where);
  for (const auto* r : {&p50, &p95, &reliability, &quality, &stake}) {
    if (!*r) return r->error();
  }
  u.p50_ms = *p50;
  u.p95_ms = *p95;
  u.reliability = *reliability;
  u.quality = *quality;
  u.stake = *stake;
  if (u.p50_ms < 0) return Fail(fmt::format("{}.p50_ms", where), "must not be negative");
  if (u.p95_ms < u.p50_ms) return Fail(fmt::format("{}.p95_ms", where), "must be >= p50_ms");
  if (u.p95_ms > kMaxLatencyMs) {
    return Fail(fmt::format("{}.{}", where, u.p50_ms > kMaxLatencyMs ? "p50_ms" : "p95_ms"),
                fmt::format("must be at most {} (10 minutes)", kMaxLatencyMs));
  }
  if (u.reliability < 0 || u.reliability > 1) {
    return Fail(fmt::format("{}.reliability", where), "must be in [0, 1]");
  }
  if (u.quality < 0 || u.quality > 1) {
    return Fail(fmt::format("{}.quality", where), "must be in [0, 1]");
  }
  if (u.stake < 0 || u.stake > kMaxStake) {
    return Fail(fmt::format("{}.stake", where), fmt::format("must be from 0 to {}", kMaxStake));
  }
  if (const Json* faults = JsonFind(json, "faults")) {
    if (!faults->is_object()) return Fail(fmt::format("{}.faults", where), "must be an object");
    for (const auto& [name, weight] : faults->get_object()) {
      const auto it = std::find(kFaultNames.begin(), kFaultNames.end(), name);
      const std::string at = fmt::format("{}.faults.{}", where, std::string_view(name));
      if (it == kFaultNames.end()) {
        return Fail(at, fmt::format("unknown fault (one of {})", fmt::join(kFaultNames, ", ")));
      }
      double w = 0;
      if (!JsonNumber(weight, &w) || !(w >= 0) || !std::isfinite(w)) {
        return Fail(at, "weight must be a non-negative number");
      }
      u.fault_weights[static_cast<size_t>(it - kFaultNames.begin())] = w;
    }
  }
  const double total = std::accumulate(u.fault_weights.begin(), u.fault_weights.end(), 0.0);
  if (u.reliability < 1 && total == 0) {
    return Fail(fmt::format("{}.faults", where),
                "a reliability below 1 needs at least one fault with a positive weight");
  }
  return u;
}

Json ToJson(const UidSpec& u) {
  JsonObject faults;
  for (size_t k = 0; k < kFaultKinds; ++k) {
    if (u.fault_weights[k] > 0) faults[kFaultNames[k]] = u.fault_weights[k];
  }
  return JsonObject{{"uid", u.uid},
                    {"p50_ms", u.p50_ms},
                    {"p95_ms", u.p95_ms},
                    {"reliability", u.reliability},
                    {"faults", std::move(faults)},
                    {"quality", u.quality},
                    {"stake", u.stake}};
}

namespace {

// Mean of the log-normal with this median and p95.
double LogNormalMean(double p50, double p95) {
  if (p50 <= 0) return 0;
  const double sigma = std::log(std::max(p95, p50) / p50) / kZ95;
  return p50 * std::exp(sigma * sigma / 2);
}

Result<SubnetSpec> SubnetFromJson(const Json& json, std::string_view where) {
  if (!json.is_object()) return Fail(where, "must be an object");
  SubnetSpec s;
  const std::string engine = JsonString(json, "engine");
  const auto e = std::find(kEngineNames.begin(), kEngineNames.end(), engine);
  if (e == kEngineNames.end()) {
    return Fail(fmt::format("{}.engine", where),
                fmt::format("unknown engine \"{}\" ({})", engine, fmt::join(kEngineNames, ", ")));
  }
  s.engine = static_cast<Engine>(e - kEngineNames.begin());
  const Json* uids = JsonFind(json, "uids");
  if (!uids || !uids->is_array() || uids->get_array().empty()) {
    return Fail(fmt::format("{}.uids", where), "must be a non-empty list");
  }
  std::set<int> seen;
  for (size_t i = 0; i < uids->get_array().size(); ++i) {
    auto uid = UidSpecFromJson(uids->get_array()[i], fmt::format("{}.uids[{}]", where, i));
    if (!uid) return uid.error();
    if (!seen.insert(uid->uid).second) {
      return Fail(fmt::format("{}.uids[{}].uid", where, i),
                  fmt::format("{} appears twice", uid->uid));
    }
    s.uids.push_back(*uid);
  }
  // The ledger-facing figures are what calls to these UIDs would show on average.
  double avg = 0, p95 = 0, reliability = 0;
  for (const UidSpec& u : s.uids) {
    avg += LogNormalMean(u.p50_ms, u.p95_ms);
    p95 = std::max(p95, u.p95_ms);
    reliability += u.reliability;
  }
  Json entry = json;
  JsonObject& o = entry.as_object();
  o["avg_latency_ms"] = std::max(avg / static_cast<double>(s.uids.size()), 1.0);
  o["p95_latency_ms"] = std::max({p95, o["avg_latency_ms"].as_double()});
  o["reliability"] = reliability / static_cast<double>(s.uids.size());
  const int64_t netuid = JsonInt(json, "netuid", -1);
  auto parsed = ledger::EntryFromJson(fmt::format("{} (SN{})", where, netuid), entry);
  if (!parsed) return parsed.error();
  s.entry = std::move(*parsed);
  s.entry.subnet_id = fmt::format("SN{}", s.entry.netuid);
  return s;
}

}  // namespace

std::string_view FaultName(Fault fault) { return kFaultNames[static_cast<size_t>(fault)]; }
std::string_view EngineName(Engine engine) { return kEngineNames[static_cast<size_t>(engine)]; }

Result<Manifest> Manifest::FromJson(const Json& json) {
  if (!json.is_object()) return Fail("manifest", "must be a JSON object");
  Manifest m;
  int64_t seed = 42;
  if (const Json* s = JsonFind(json, "seed"); s && (!JsonInteger(*s, &seed) || seed < 0)) {
    return Fail("seed", "must be a non-negative integer");
  }
  m.seed = static_cast<uint64_t>(seed);
  const Json* subnets = JsonFind(json, "subnets");
  if (!subnets || !subnets->is_array() || subnets->get_array().empty()) {
    return Fail("subnets", "must be a non-empty list");
  }
  std::set<int> netuids;
  for (size_t i = 0; i < subnets->get_array().size(); ++i) {
    const std::string where = fmt::format("subnets[{}]", i);
    auto subnet = SubnetFromJson(subnets->get_array()[i], where);
    if (!subnet) return subnet.error();
    if (!netuids.insert(subnet->entry.netuid).second) {
      return Fail(where + ".netuid", fmt::format("{} appears twice", subnet->entry.netuid));
    }
    m.subnets.push_back(std::move(*subnet));
  }
  return m;
}

Json Manifest::ToJson() const {
  JsonArray out;
  for (const SubnetSpec& s : subnets) {
    Json entry = ledger::ToJson(s.entry);
    JsonObject& o = entry.as_object();
    o.erase("last_updated");
    o["engine"] = EngineName(s.engine);
    JsonArray uids;
    for (const UidSpec& u : s.uids) uids.push_back(sim::ToJson(u));
    o["uids"] = std::move(uids);
    out.push_back(std::move(entry));
  }
  return JsonObject{{"manifest_format", 1}, {"seed", seed}, {"subnets", std::move(out)}};
}

Result<Manifest> Manifest::Default() {
  const auto& files = EmbeddedManifest();
  if (files.empty()) return Error(ErrorCode::kInternal, "no embedded manifest");
  auto json = ParseJson(files.front().bytes, files.front().path);
  if (!json) return json.error();
  auto manifest = FromJson(*json);
  if (!manifest) {
    return Error(manifest.error().code,
                 fmt::format("{}: {}", files.front().path, manifest.error().message));
  }
  return manifest;
}

const SubnetSpec* Manifest::Find(int netuid) const {
  for (const SubnetSpec& s : subnets) {
    if (s.entry.netuid == netuid) return &s;
  }
  return nullptr;
}

std::vector<ledger::LedgerEntry> Manifest::LedgerEntries() const {
  std::vector<ledger::LedgerEntry> out;
  for (const SubnetSpec& s : subnets) out.push_back(s.entry);
  return out;
}

CallPlan PlanCall(uint64_t seed, int netuid, const UidSpec& uid, uint64_t sequence) {
  const uint64_t stream = DeriveSeed(DeriveSeed(seed, "call"), static_cast<uint64_t>(netuid));
  Rng rng(DeriveSeed(DeriveSeed(stream, static_cast<uint64_t>(uid.uid)), sequence));
  CallPlan plan;
  if (uid.p50_ms > 0) plan.latency_ms = rng.LogNormalMedianP95(uid.p50_ms, uid.p95_ms);
  if (rng.Uniform() >= uid.reliability) {
    const double total = std::accumulate(uid.fault_weights.begin(), uid.fault_weights.end(), 0.0);
    double pick = rng.Uniform() * total;
    plan.faulty = true;
    for (size_t k = 0; k < kFaultKinds; ++k) {
      if (uid.fault_weights[k] <= 0) continue;
      plan.fault = static_cast<Fault>(k);  // the last positive one absorbs rounding
      if (pick < uid.fault_weights[k]) break;
      pick -= uid.fault_weights[k];
    }
  }
  plan.content_seed = rng.Next();
  return plan;
}

}  // namespace orchestra::sim
