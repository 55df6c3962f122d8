// Untrusted bytes as a miner's answer: the validator's proof verification and scorer on them,
// against a fixed challenge whose reference has an answer key, a route and both traps.
// Oracles: every score lies in [0, 1]; a rejected answer scores 0 everywhere; an answer
// without a valid proof or with a black-room offence earns 0 on both mechanisms; the card's
// JSON reads back. Any crash, hang, sanitizer report or broken oracle is a bug.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "orchestra/core/json.h"
#include "orchestra/crypto/derive.h"
#include "orchestra/crypto/ss58.h"
#include "orchestra/protocol/orchestra_synapse.h"
#include "orchestra/validator/proofs.h"
#include "orchestra/validator/reference.h"
#include "orchestra/validator/scorer.h"

namespace {

using namespace orchestra;

constexpr std::string_view kChallenge = R"({
  "challenge": {
    "challenge_id": "0x2b7c9e1d3f5a8c0e2d4f6b8a1c3e5d7f9b0a2c4e6d8f1b3a5c7e9d0f2b4a6c8e",
    "objective": "Research cloud GPU pricing from RunPod, Vast.ai, and Lambda.",
    "target_schema": {"competitors": [{"name": "str", "pricing": "dict", "strengths": "list"}],
                      "recommendation": {"price_point": "float", "rationale": "str"}},
    "deadline_ms": 30000},
  "reference": {
    "template": "market_pricing", "topic": "cloud GPU pricing",
    "capabilities": ["web_search", "web_scraping", "synthesis"],
    "key": {"entities": ["RunPod", "Lambda", "Vast.ai"], "facts": ["H100"],
            "topic_terms": ["GPU", "pricing"], "source_urls": []},
    "route": {"steps": [
        {"capability": "web_search", "subnet_id": "SN22", "cost": 0.002, "latency_ms": 300, "depends_on": []},
        {"capability": "synthesis", "subnet_id": "SN1", "cost": 0.001, "latency_ms": 500, "depends_on": [0]}],
      "cost": 0.003, "critical_path_ms": 800},
    "schema_trap": {"subnet_id": "SN22", "netuid": 22,
                    "drift": {"input": {"rename": {"query": "q"}}}},
    "logic_trap": {"stale_subnet_id": "SN42", "stale_netuid": 42, "match": {"query": "gpu"},
                   "stale_answer": null, "truth": "$2.49/hr", "stale_value": "$3.10/hr"}}
})";

struct Fixture {
  validator::GeneratedChallenge generated;
  std::string miner;
  validator::ExpertRegistry registry;

  Fixture() {
    generated = validator::GeneratedChallengeFromJson(ParseJson(kChallenge).value()).value();
    miner = crypto::Ss58Encode(crypto::KeypairFromUri("//Orchestra").value().public_key().bytes());
    for (const char* subnet : {"SN1", "SN22", "SN33"}) {
      for (int uid = 0; uid < 3; ++uid) {
        const auto key =
            crypto::KeypairFromUri(std::string("//") + subnet + "/" + std::to_string(uid));
        registry[subnet][uid] = crypto::Ss58Encode(key.value().public_key().bytes());
      }
    }
  }
};

void Check(bool ok) {
  if (!ok) __builtin_trap();
}

bool InUnit(double x) { return x >= 0.0 && x <= 1.0; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Fixture fixture;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  validator::ScoringInput input;
  input.generated = fixture.generated;
  input.miner_hotkey = fixture.miner;
  input.window_start_ms = 0;
  input.window_end_ms = INT64_MAX;
  input.response_json = bytes;
  input.ledger.checked = size % 2 == 0;
  input.ledger.freshness = 0.5;
  input.ledger.coverage = 0.5;
  if (auto json = ParseJson(bytes)) {
    if (auto response = protocol::ResponseFromJson(*json)) {
      validator::ProofContext context;
      context.challenge_id = fixture.generated.challenge.challenge_id;
      context.miner_hotkey = fixture.miner;
      context.window_start_ms = input.window_start_ms;
      context.window_end_ms = input.window_end_ms;
      context.registry = size % 3 == 0 ? nullptr : &fixture.registry;
      input.proofs = validator::VerifyProofs(*response, context);
    }
  }
  const validator::ScoreCard card = validator::Score(input);
  for (const validator::Dimension* d :
       {&card.hash_verification, &card.schema_compliance, &card.completeness, &card.relevance,
        &card.routing_efficiency, &card.ledger_freshness, &card.ledger_coverage,
        &card.trap_performance, &card.provenance_fidelity, &card.velocity, &card.reasoning,
        &card.standardization}) {
    Check(InUnit(d->score));
    if (!card.accepted) Check(d->score == 0.0);
  }
  for (double x : {card.total, card.mechanism0, card.mechanism1, card.reward, card.oes}) {
    Check(InUnit(x));
  }
  if (!card.accepted || card.proofs.valid == 0 || card.black_room) {
    Check(card.mechanism0 == 0.0 && card.mechanism1 == 0.0 && card.reward == 0.0);
  }
  const std::string json = CanonicalJson(validator::ToJson(card));
  Check(ParseJson(json).ok());
  Check(!validator::RenderScoreCard(card).empty());
  return 0;
}
