#pragma once

#include <optional>
#include <string>
#include <vector>

#include "orchestra/core/json.h"
#include "orchestra/ledger/entry.h"
#include "orchestra/ledger/shape.h"

// What one round of probes makes of a ledger entry (seed 000's maintain_ledger, the public
// design's health rules): its health, drift of its output schema, and the governance proposals
// that follow. Pure: the probing itself is the caller's (miner/ledger_keeper.h).
namespace orchestra::ledger {

// One round of probes of one subnet.
struct ProbeRound {
  int64_t at_ms = 0;
  int probes = 0;                     // sent
  std::vector<Json> answers;          // the outputs of those answered (any UID)
  std::vector<double> latencies_ms;   // of those answered
  std::vector<std::string> receipts;  // hashes of the answers' receipts: the evidence
};

// A change of what a subnet answers, as probes showed it.
struct DriftEvent {
  std::string subnet_id;
  std::string before;  // fingerprints (shape.h)
  std::string after;
  std::vector<ShapeChange> changes;
  Json old_schema;  // output_schema before and after
  Json new_schema;
};

struct Maintained {
  LedgerEntry entry;                // the entry after the round
  std::optional<DriftEvent> drift;  // when the output schema changed
  std::optional<EntryStatus> was;   // the status before, when it changed
  // Governance proposals ({"kind": "schema_update" | "deprecation", "subnet", ...,
  // "evidence": {"receipts": [...], "probes": [...]}}), in the public design's terms.
  std::vector<Json> proposals;
};

// The entry after `round`:
//  - the round joins probe_history (the last LedgerEntry::kProbeWindow kept);
//  - status: deprecated when the window is full and fewer than kMinAliveProbes of its rounds
//    got an answer; else degraded when this round got none; else healthy;
//  - drift, judged only on a round with at least two answers (one faulty answer is not
//    drift): when a field the output_schema declares is gone from the answers' shape
//    (ShapeOfAnswers) or has another type there (CompareShapes; fields added beside the
//    declared ones alone are no drift), output_schema becomes the shape seen (ShorthandOf),
//    output_fingerprint its fingerprint, and a field that disappeared while exactly one new field
//    of the same type appeared is recorded as renamed (output_renames, keyed by the name the
//    adapters read); a drift event and a schema_update proposal carry the changes and the evidence;
//  - a deprecation proposal when the entry becomes deprecated.
// `compiled` is the entry's compiled output_schema (null: drift is not judged).
Maintained ApplyProbes(const LedgerEntry& entry, const schema::Schema* compiled,
                       const ProbeRound& round);

}  // namespace orchestra::ledger
