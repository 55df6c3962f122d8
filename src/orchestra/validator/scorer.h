#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "orchestra/core/json.h"
#include "orchestra/validator/proofs.h"
#include "orchestra/validator/reference.h"

namespace orchestra::schema {
class Schema;
}  // namespace orchestra::schema

// Scoring of one miner response: every dimension in [0, 1] with a one-line explanation, seed
// 000's weighted total, seed 004's two mechanisms and OES, and the reward split between the
// mechanisms. Score() is a pure function of its input: deterministic, no I/O, thread-safe, and
// total (malformed, wrong-typed or hostile response bytes give a card of zeros with the reason;
// it never throws or crashes). docs/scoring.md states every formula.
namespace orchestra::validator {

// Defaults: seed 000's seven dimensions (25/20/15/10/15/10/5), seed 004's mechanism split
// (70/30); velocity and provenance weights and the OES weights are ours (docs/scoring.md).
struct ScoringWeights {
  double hash_verification = 0.25;
  double schema_compliance = 0.20;
  double completeness = 0.15;
  double routing_efficiency = 0.10;
  double ledger_freshness = 0.15;
  double ledger_coverage = 0.10;
  double trap_performance = 0.05;
  // Mechanism-only dimensions (not in seed 000's total).
  double velocity = 0.05;             // in mechanism 0
  double provenance_fidelity = 0.05;  // in mechanism 1
  // Seed 004's OES = Wr·R + Wp·P + Wd·D + Wv·V.
  double oes_reasoning = 0.30;
  double oes_procurement = 0.30;
  double oes_data = 0.30;
  double oes_velocity = 0.10;
  // Share of the miner emission per mechanism (seed 004 §1).
  double mechanism0_share = 0.70;
  double mechanism1_share = 0.30;
};

struct ScoringInput {
  GeneratedChallenge generated;  // the challenge sent and the validator's private reference
  bool has_reference = true;     // false: checks needing the reference are "not checked"
  std::string miner_hotkey;
  int64_t window_start_ms = 0;  // the challenge window, Unix ms
  int64_t window_end_ms = 0;
  std::string_view response_json;  // the miner's answer exactly as received; borrowed
  // What a caller that has already read the answer passes to save reading it again (all
  // borrowed; null: Score does it). `response`: protocol::ResponseFromJson of response_json's
  // JSON, trusted to be that (response_json is still held to the size limit). `target`: the
  // challenge's target_schema compiled (schema::Schema::FromTarget), once per challenge.
  const protocol::Response* response = nullptr;
  const schema::Schema* target = nullptr;
  ProofReport proofs;  // VerifyProofs (and ReceiptLogChecker) on that answer
  LedgerJudgement ledger;
  std::optional<int64_t> observed_latency_ms;  // round trip the validator measured; absent:
                                               // the response's total_latency_ms is used
  ScoringWeights weights;
  // The optional LLM judge's grade of the decomposition (llm_judge.h), in [0, 1]; absent (the
  // default) R is the deterministic DAG judge alone, present R averages the two.
  std::optional<double> llm_reasoning;
  std::string llm_rationale;
};

// One dimension: its score, why, and whether it could be judged at all (a dimension that was
// not checked scores 0 and says so, except where docs/scoring.md says neutral).
struct Dimension {
  double score = 0.0;
  std::string explanation;
  bool checked = true;
};

struct ScoreCard {
  bool accepted = false;  // false: the response was unusable; every score is 0
  std::string reject_reason;
  std::string challenge_id;
  std::string miner_hotkey;

  // Seed 000's seven dimensions, relevance (which enters completeness) and ours.
  Dimension hash_verification;
  Dimension schema_compliance;
  Dimension completeness;  // schema completeness × (0.5 + 0.5 · relevance)
  Dimension relevance;
  Dimension routing_efficiency;
  Dimension ledger_freshness;
  Dimension ledger_coverage;
  Dimension trap_performance;
  Dimension provenance_fidelity;
  Dimension velocity;         // V
  Dimension reasoning;        // R, the deterministic DAG judge
  Dimension standardization;  // D = (compliance + completeness) / 2

  double total = 0.0;       // seed 000: Σ weight · dimension over its seven dimensions
  double mechanism0 = 0.0;  // procurement, routing, ledger, traps, velocity
  double mechanism1 = 0.0;  // compliance, completeness (with relevance), provenance
  double reward = 0.0;      // mechanism0_share · mechanism0 + mechanism1_share · mechanism1
  double oes = 0.0;         // Wr·R + Wp·P + Wd·D + Wv·V

  int64_t latency_ms = 0;  // observed (or reported) latency
  int64_t deadline_ms = 0;
  int64_t critical_path_ms = 0;          // longest dependency chain of expert latencies
  int64_t coordination_overhead_ms = 0;  // latency − critical path

  bool black_room = false;
  std::string black_room_reason;
  ProofReport proofs;
  std::vector<std::string> not_checked;  // every check that could not run, with the reason
};

ScoreCard Score(const ScoringInput& input);

// The public design's reward: the mechanisms' scores weighted by their emission shares.
double Reward(double mechanism0, double mechanism1, const ScoringWeights& weights = {});

Json ToJson(const ScoreCard& card);
// A human explanation, field by field: one line per dimension with its score, weight and
// reason, then the aggregates and every proof verdict.
std::string RenderScoreCard(const ScoreCard& card, const ScoringWeights& weights = {});

}  // namespace orchestra::validator
