#include "orchestra/ledger/maintenance.h"

#include <algorithm>

#include "orchestra/core/stats.h"

namespace orchestra::ledger {
namespace {

JsonArray Strings(const std::vector<std::string>& values) {
  JsonArray out;
  for (const auto& v : values) out.emplace_back(v);
  return out;
}

JsonArray History(const LedgerEntry& entry) {
  JsonArray out;
  for (const ProbeRecord& r : entry.probe_history) {
    out.emplace_back(JsonObject{{"at_ms", r.at_ms}, {"ok", r.ok}, {"latency_ms", r.latency_ms}});
  }
  return out;
}

// The name each field that disappeared now goes by: the one new field of the same type, when
// there is exactly one such field and it is the only candidate for it.
std::map<std::string, std::string> Renames(const std::vector<ShapeChange>& changes) {
  std::map<std::string, std::string> out;
  for (const ShapeChange& gone : changes) {
    if (!gone.after.empty() || gone.path.ends_with("[]")) continue;
    const ShapeChange* match = nullptr;
    int candidates = 0;
    for (const ShapeChange& added : changes) {
      if (added.before.empty() && added.after == gone.before) {
        match = &added;
        ++candidates;
      }
    }
    if (candidates == 1) out[gone.path] = match->path;
  }
  return out;
}

}  // namespace

Maintained ApplyProbes(const LedgerEntry& entry, const schema::Schema* compiled,
                       const ProbeRound& round) {
  Maintained m{entry, std::nullopt, std::nullopt, {}};
  LedgerEntry& e = m.entry;
  const bool ok = !round.answers.empty();
  const Shape seen = ShapeOfAnswers(round.answers);
  e.probe_history.push_back(ProbeRecord{
      round.at_ms, ok, ok ? Percentile(round.latencies_ms, 0.5) : 0, ok ? Fingerprint(seen) : ""});
  if (e.probe_history.size() > LedgerEntry::kProbeWindow) {
    e.probe_history.erase(e.probe_history.begin());
  }

  size_t alive = 0;
  for (const ProbeRecord& r : e.probe_history) alive += r.ok ? 1 : 0;
  EntryStatus status = EntryStatus::kHealthy;
  if (e.probe_history.size() >= LedgerEntry::kProbeWindow && alive < LedgerEntry::kMinAliveProbes) {
    status = EntryStatus::kDeprecated;
  } else if (!ok) {
    status = EntryStatus::kDegraded;
  }
  if (status != e.status) {
    m.was = e.status;
    e.status = status;
    if (status == EntryStatus::kDeprecated) {
      m.proposals.push_back(
          JsonObject{{"kind", "deprecation"},
                     {"subnet", e.subnet_id},
                     {"reason", "fewer than 3 of its last 10 probe rounds got an answer"},
                     {"evidence", JsonObject{{"probes", History(e)}}}});
    }
  }

  if (compiled != nullptr && round.answers.size() >= 2) {
    std::vector<ShapeChange> changes = CompareShapes(ShapeOfSchema(*compiled), seen);
    e.output_fingerprint = Fingerprint(seen);
    // Fields added beside those the ledger declares break nothing (a chat completion's "id",
    // "model"...): drift is a declared field gone or retyped.
    const bool drifted = std::any_of(changes.begin(), changes.end(),
                                     [](const ShapeChange& c) { return !c.before.empty(); });
    if (drifted) {
      DriftEvent drift{e.subnet_id,          Fingerprint(ShapeOfSchema(*compiled)),
                       e.output_fingerprint, changes,
                       e.output_schema,      ShorthandOf(seen)};
      // Renames add to those learned before: the adapters' name keeps pointing at the field.
      for (const auto& [from, to] : Renames(changes)) {
        std::string original = from;
        for (const auto& [read_as, now] : e.output_renames) {
          if (now == from) original = read_as;
        }
        if (original == to) {
          e.output_renames.erase(original);  // renamed back
        } else {
          e.output_renames[original] = to;
        }
      }
      e.output_schema = drift.new_schema;
      JsonArray changed;
      for (const ShapeChange& c : changes) {
        changed.emplace_back(JsonObject{{"path", c.path}, {"old", c.before}, {"new", c.after}});
      }
      m.proposals.push_back(
          JsonObject{{"kind", "schema_update"},
                     {"subnet", e.subnet_id},
                     {"changes", std::move(changed)},
                     {"old_schema", drift.old_schema},
                     {"new_schema", drift.new_schema},
                     {"evidence", JsonObject{{"receipts", Strings(round.receipts)},
                                             {"fingerprint_before", drift.before},
                                             {"fingerprint_after", drift.after}}}});
      m.drift = std::move(drift);
    }
  }
  return m;
}

}  // namespace orchestra::ledger
