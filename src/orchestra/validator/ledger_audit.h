#pragma once

#include <cstddef>

#include "orchestra/core/json.h"
#include "orchestra/validator/prober.h"
#include "orchestra/validator/reference.h"

// Judges a miner's ledger against the validator's own probes of the expert subnets: the ledger
// freshness (15%) and coverage (10%) dimensions of a miner's score. Pure: reads its arguments
// only; any input, however hostile, yields a judgement, never a crash or an error.
namespace orchestra::validator {

struct LedgerTolerances {
  // A ledger's avg_latency_ms agrees with a probed median m when it lies in
  // [m / latency_factor − latency_floor_ms, m · latency_factor + latency_floor_ms], and its
  // p95_latency_ms when it is at least the lower bound (a p95 below the typical latency is
  // wrong whatever the spread). The floor absorbs network jitter on fast subnets.
  double latency_factor = 2.0;
  double latency_floor_ms = 250.0;
  // A ledger entry claims its subnet serves when reliability >= this; below it the ledger
  // treats the subnet as down.
  double min_alive_reliability = 0.1;
  // Larger ledgers are refused whole (the LedgerSynapse answer of a subnet with a few dozen
  // experts has a few dozen entries).
  size_t max_entries = 1024;
  size_t max_findings = 50;
};

// Reads `ledger` — a LedgerSynapse answer {"ledger_version": str, "entries": {subnet_id:
// entry}} (the whole synapse body may be passed: its other fields are ignored), or a bare
// object of entries as seed 000 writes a ledger ({"SN22": {"name": ..., ...}}, netuid, transport
// and synapse optional) — and compares each entry for a subnet in `view` with its probe.
//
//   freshness = (entries for probed subnets that agree with their probe)
//               / (entries for probed subnets)
//   An entry agrees when it reads as a ledger entry (ledger::EntryFromJson), and
//     - alive: it claims the subnet serves (reliability >= min_alive_reliability) exactly when
//       a probe of the last round got an answer;
//     and, for a live subnet,
//     - input: every field the subnet accepted in the last probe (renames included) is an
//       input_schema field, and no field the subnet renamed away is;
//     - output: the probed output shape agrees with output_schema (CompareWithShape: types
//       match, every required key is still returned);
//     - latency: avg and p95 within the tolerances of the probed median.
//   Entries for subnets the validator did not probe are not judged (one finding counts them).
//
//   coverage = (live probed subnets that have a readable entry) / (live probed subnets)
//   Coverage counts subnets, not capabilities: seed 000 scores the "number of subnets
//   accurately tracked", and a subnet is what a miner routes to.
//
// Every disagreement is a finding naming the subnet and the field ("SN22: output total_found:
// listed by the ledger, not returned by the subnet (it returns count, which the ledger
// lacks)", "SN13: input field urls: renamed by the subnet to links, the ledger still has it").
// checked = false (both 0) when there is nothing to judge by: a null ledger, or no live subnet
// in `view`. A ledger that is not an object, whose "entries" or "ledger_version" has the wrong
// type, or with more than max_entries entries is checked and gets 0 on both, with the reason.
LedgerJudgement JudgeLedger(const Json& ledger, const ExpertView& view,
                            const LedgerTolerances& tolerances = {});

}  // namespace orchestra::validator
