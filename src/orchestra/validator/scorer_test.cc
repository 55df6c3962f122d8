// Proof verification and scoring on responses built with real signed receipts: the honest
// answer scores high everywhere, every forgery gets its verdict and the black-room flag, and
// the lazy and off-topic answers lose what they should.
#include <gtest/gtest.h>

#include <set>

#include "orchestra/core/hash.h"
#include "orchestra/crypto/derive.h"
#include "orchestra/crypto/ss58.h"
#include "orchestra/protocol/receipt.h"
#include "orchestra/schema/schema.h"
#include "orchestra/validator/proofs.h"
#include "orchestra/validator/scorer.h"

namespace orchestra::validator {
namespace {

constexpr int64_t kStart = 1'800'000'000'000;
constexpr int64_t kEnd = kStart + 30'000;
const std::string kChallengeId = "0x" + std::string(64, 'c');

std::string Address(const crypto::Keypair& k) { return crypto::Ss58Encode(k.public_key().bytes()); }

crypto::Keypair Key(std::string_view uri) { return crypto::KeypairFromUri(uri).value(); }

struct World {
  crypto::Keypair miner = Key("//Miner");
  crypto::Keypair search = Key("//SN22/0");
  crypto::Keypair scrape = Key("//SN33/1");
  crypto::Keypair llm = Key("//SN1/0");
  ExpertRegistry registry;
  GeneratedChallenge generated;

  World() {
    registry["SN22"][0] = Address(search);
    registry["SN33"][1] = Address(scrape);
    registry["SN1"][0] = Address(llm);
    generated.challenge.challenge_id = kChallengeId;
    generated.challenge.objective = "Compare message brokers: Kafka, RabbitMQ and NATS";
    generated.challenge.target_schema =
        ParseJson(R"({"brokers": [{"name": "str", "throughput": "str"}], "summary": "str"})")
            .value();
    generated.challenge.deadline_ms = 30000;
    ChallengeReference& ref = generated.reference;
    ref.template_name = "tool_comparison";
    ref.topic = "message brokers";
    ref.capabilities = {"web_search", "web_scraping", "synthesis"};
    ref.key.entities = {"Apache Kafka", "RabbitMQ", "NATS"};
    ref.key.facts = {"millions of messages per second"};
    ref.key.topic_terms = {"message broker", "broker", "messaging"};
    ref.route.steps = {{"web_search", "SN22", 0.002, 300, {}},
                       {"web_scraping", "SN33", 0.002, 1500, {0}},
                       {"synthesis", "SN1", 0.001, 500, {1}}};
    ref.route.cost = 0.005;
    ref.route.critical_path_ms = 2300;
  }

  protocol::TaskStep Step(int n, const std::string& subnet, int uid, const crypto::Keypair& key,
                          std::string task, Json query, int64_t started, int64_t latency,
                          std::vector<int> depends_on, std::string challenge = kChallengeId,
                          int64_t issued = kStart + 1000) {
    protocol::TaskStep s;
    s.step = n;
    s.subnet = subnet;
    s.uid = uid;
    s.task = std::move(task);
    s.query = std::move(query);
    s.started_ms = started;
    s.latency_ms = latency;
    s.depends_on = std::move(depends_on);
    s.cost = 0.0015;
    s.attempts = 1;
    s.expert_hotkey = Address(key);
    const std::string request_hash = CanonicalHash(s.query);
    const auto receipt = protocol::IssueReceipt(
        key, Address(key), protocol::LockFor(challenge, Address(miner), n, request_hash),
        request_hash, JsonObject{{"ok", n}}, s.cost, issued);
    s.hash = receipt.Hash();
    s.receipt = protocol::ToJson(receipt);
    return s;
  }

  protocol::Response Honest() {
    protocol::Response r;
    r.challenge_id = kChallengeId;
    r.task_pipeline.push_back(Step(1, "SN22", 0, search, "web_search",
                                   JsonObject{{"query", "message broker comparison"}}, 0, 300, {}));
    r.task_pipeline.push_back(Step(2, "SN33", 1, scrape, "web_scraping",
                                   JsonObject{{"url", "https://kafka.apache.org"}}, 300, 1200,
                                   {1}));
    r.task_pipeline.push_back(Step(3, "SN33", 1, scrape, "web_scraping",
                                   JsonObject{{"url", "https://www.rabbitmq.com"}}, 301, 1100,
                                   {1}));
    r.task_pipeline.push_back(Step(4, "SN1", 0, llm, "synthesis",
                                   JsonObject{{"prompt", "summarise"}}, 1501, 500, {2, 3}));
    r.standardized_data = ParseJson(R"({"brokers": [
        {"name": "Apache Kafka", "throughput": "millions of messages per second"},
        {"name": "RabbitMQ", "throughput": "tens of thousands of messages per second"},
        {"name": "NATS", "throughput": "millions of messages per second"}],
        "summary": "Kafka is the broker for streaming; RabbitMQ for classic messaging"})")
                              .value();
    r.provenance = ParseJson(R"({"$.brokers[0].name": [1, 2], "$.brokers[0].throughput": [2],
        "$.brokers[1].name": [1, 3], "$.brokers[1].throughput": [3], "$.brokers[2].name": [1],
        "$.brokers[2].throughput": [4], "$.summary": [4]})")
                       .value();
    r.final_synthesis = "Kafka leads on throughput; RabbitMQ on routing flexibility.";
    r.total_cost = 0.006;
    r.total_latency_ms = 2100;
    r.ledger_version = "1";
    return r;
  }

  ProofContext Context(const std::set<std::string, std::less<>>* seen = nullptr) {
    ProofContext c;
    c.challenge_id = kChallengeId;
    c.miner_hotkey = Address(miner);
    c.window_start_ms = kStart;
    c.window_end_ms = kEnd;
    c.registry = &registry;
    c.presented_before = seen;
    return c;
  }

  ScoringInput Input(std::string_view response_json, const ProofReport& proofs) {
    ScoringInput in;
    in.generated = generated;
    in.miner_hotkey = Address(miner);
    in.window_start_ms = kStart;
    in.window_end_ms = kEnd;
    in.response_json = response_json;
    in.proofs = proofs;
    in.ledger.checked = true;
    in.ledger.freshness = 1.0;
    in.ledger.coverage = 0.9;
    in.observed_latency_ms = 2200;
    return in;
  }

  ScoreCard ScoreIt(const protocol::Response& r, const ProofReport& proofs, std::string* keep) {
    *keep = CompactJson(protocol::ToJson(r));
    return Score(Input(*keep, proofs));
  }
};

TEST(ScorerTest, HonestResponseScoresHighOnEveryDimension) {
  World w;
  const auto r = w.Honest();
  const ProofReport proofs = VerifyProofs(r, w.Context());
  for (const auto& s : proofs.steps) EXPECT_EQ(s.kind, ProofKind::kValid) << s.reason;
  EXPECT_FALSE(proofs.black_room);
  std::string keep;
  const ScoreCard c = w.ScoreIt(r, proofs, &keep);
  ASSERT_TRUE(c.accepted) << c.reject_reason;
  EXPECT_EQ(c.hash_verification.score, 1.0);
  EXPECT_EQ(c.schema_compliance.score, 1.0) << c.schema_compliance.explanation;
  EXPECT_GE(c.completeness.score, 0.9) << c.completeness.explanation;
  EXPECT_GE(c.relevance.score, 0.8) << c.relevance.explanation;
  EXPECT_GE(c.routing_efficiency.score, 0.9) << c.routing_efficiency.explanation;
  EXPECT_EQ(c.trap_performance.score, 1.0);
  EXPECT_EQ(c.provenance_fidelity.score, 1.0) << c.provenance_fidelity.explanation;
  EXPECT_EQ(c.reasoning.score, 1.0) << c.reasoning.explanation;
  EXPECT_GE(c.velocity.score, 0.9) << c.velocity.explanation;
  EXPECT_EQ(c.critical_path_ms, 2000);
  EXPECT_EQ(c.coordination_overhead_ms, 200);
  EXPECT_GE(c.mechanism0, 0.9);
  EXPECT_GE(c.mechanism1, 0.9);
  EXPECT_GE(c.oes, 0.9);
  EXPECT_GE(c.total, 0.9);
  EXPECT_NE(RenderScoreCard(c).find("hash_verification"), std::string::npos);
  const Json card_json = ToJson(c);
  EXPECT_EQ(JsonFind(card_json, "dimensions")->as_object().size(), 12u);
}

ProofKind OnlyStepVerdict(World& w, protocol::TaskStep step,
                          const std::set<std::string, std::less<>>* seen = nullptr) {
  protocol::Response r = w.Honest();
  r.task_pipeline = {std::move(step)};
  const ProofReport p = VerifyProofs(r, w.Context(seen));
  EXPECT_EQ(p.black_room, IsBlackRoomOffence(p.steps[0].kind)) << p.steps[0].reason;
  return p.steps[0].kind;
}

TEST(ProofsTest, EveryForgeryKindGetsItsVerdict) {
  World w;
  const Json q = JsonObject{{"query", "brokers"}};
  auto good = w.Step(1, "SN22", 0, w.search, "web_search", q, 0, 100, {});
  EXPECT_EQ(OnlyStepVerdict(w, good), ProofKind::kValid);

  auto random_hash = good;
  random_hash.hash = "0x" + std::string(64, '7');
  EXPECT_EQ(OnlyStepVerdict(w, random_hash), ProofKind::kForged);

  // A genuine signature by a key that is not the UID's registered hotkey.
  auto wrong_key = w.Step(1, "SN22", 0, w.scrape, "web_search", q, 0, 100, {});
  EXPECT_EQ(OnlyStepVerdict(w, wrong_key), ProofKind::kForged);

  auto resigned = good;  // the receipt altered and its hash recomputed: the signature breaks
  auto receipt = protocol::ReceiptFromJson(good.receipt).value();
  receipt.price = 9.0;
  resigned.receipt = protocol::ToJson(receipt);
  resigned.hash = receipt.Hash();
  EXPECT_EQ(OnlyStepVerdict(w, resigned), ProofKind::kForged);

  auto other_challenge =
      w.Step(1, "SN22", 0, w.search, "web_search", q, 0, 100, {}, "0x" + std::string(64, 'd'));
  EXPECT_EQ(OnlyStepVerdict(w, other_challenge), ProofKind::kForged);

  World other_miner_world;
  other_miner_world.miner = Key("//OtherMiner");
  auto other_miner = other_miner_world.Step(1, "SN22", 0, w.search, "web_search", q, 0, 100, {});
  EXPECT_EQ(OnlyStepVerdict(w, other_miner), ProofKind::kForged);

  auto query_changed = good;  // the lock committed to another query
  query_changed.query = JsonObject{{"query", "something else"}};
  EXPECT_EQ(OnlyStepVerdict(w, query_changed), ProofKind::kForged);

  auto late = w.Step(1, "SN22", 0, w.search, "web_search", q, 0, 100, {}, kChallengeId, kEnd + 1);
  EXPECT_EQ(OnlyStepVerdict(w, late), ProofKind::kOutOfWindow);
  auto early =
      w.Step(1, "SN22", 0, w.search, "web_search", q, 0, 100, {}, kChallengeId, kStart - 1);
  EXPECT_EQ(OnlyStepVerdict(w, early), ProofKind::kOutOfWindow);

  const std::set<std::string, std::less<>> seen = {good.hash};
  EXPECT_EQ(OnlyStepVerdict(w, good, &seen), ProofKind::kReplayed);

  auto missing = good;
  missing.hash.clear();
  missing.receipt = nullptr;
  EXPECT_EQ(OnlyStepVerdict(w, missing), ProofKind::kMissing);
  missing.error = "SN22 timed out";
  EXPECT_EQ(OnlyStepVerdict(w, missing), ProofKind::kNoProof);

  auto unknown_uid = good;
  unknown_uid.uid = 7;
  EXPECT_EQ(OnlyStepVerdict(w, unknown_uid), ProofKind::kForged);
}

TEST(ProofsTest, DuplicateHashInOneResponseIsReplayedAndWithoutRegistryUnchecked) {
  World w;
  protocol::Response r = w.Honest();
  r.task_pipeline.push_back(r.task_pipeline[0]);
  ProofReport p = VerifyProofs(r, w.Context());
  EXPECT_EQ(p.steps[0].kind, ProofKind::kValid);
  EXPECT_EQ(p.steps.back().kind, ProofKind::kReplayed);
  EXPECT_TRUE(p.black_room);

  ProofContext offline = w.Context();
  offline.registry = nullptr;
  p = VerifyProofs(w.Honest(), offline);
  EXPECT_EQ(p.steps[0].kind, ProofKind::kUnchecked);
  EXPECT_EQ(p.valid, 4);
  EXPECT_FALSE(p.steps[0].not_checked.empty());
}

TEST(ScorerTest, ZeroValidProofsZeroesBothMechanisms) {
  World w;
  protocol::Response r = w.Honest();
  for (auto& s : r.task_pipeline) s.hash = "0x" + std::string(64, 'e');
  const ProofReport proofs = VerifyProofs(r, w.Context());
  EXPECT_EQ(proofs.valid, 0);
  EXPECT_TRUE(proofs.black_room);
  std::string keep;
  const ScoreCard c = w.ScoreIt(r, proofs, &keep);
  EXPECT_TRUE(c.accepted);
  EXPECT_TRUE(c.black_room);
  EXPECT_EQ(c.mechanism0, 0.0);
  EXPECT_EQ(c.mechanism1, 0.0);
  EXPECT_EQ(c.total, 0.0);
  EXPECT_EQ(c.oes, 0.0);
  EXPECT_EQ(c.reward, 0.0);
  EXPECT_EQ(c.schema_compliance.score, 1.0);  // still explained, just not paid

  // Failed steps only: no offence, still nothing earned.
  for (auto& s : r.task_pipeline) {
    s.hash.clear();
    s.receipt = nullptr;
    s.error = "expert unreachable";
  }
  const ProofReport none = VerifyProofs(r, w.Context());
  EXPECT_FALSE(none.black_room);
  const ScoreCard d = w.ScoreIt(r, none, &keep);
  EXPECT_EQ(d.mechanism0, 0.0);
  EXPECT_EQ(d.mechanism1, 0.0);
}

TEST(ScorerTest, LazyAnswerLosesMechanismOne) {
  World w;
  protocol::Response honest = w.Honest();
  std::string keep_honest, keep;
  const ScoreCard good = w.ScoreIt(honest, VerifyProofs(honest, w.Context()), &keep_honest);
  protocol::Response lazy = honest;
  lazy.standardized_data =
      ParseJson(
          R"({"results": [{"title": "Apache Kafka", "link": "https://kafka.apache.org"}],
          "total_found": 1})")
          .value();
  lazy.provenance = JsonObject{};
  const ScoreCard c = w.ScoreIt(lazy, VerifyProofs(lazy, w.Context()), &keep);
  EXPECT_LT(c.schema_compliance.score, 0.5) << c.schema_compliance.explanation;
  EXPECT_LT(c.mechanism1, 0.3);
  EXPECT_GT(good.mechanism1 - c.mechanism1, 0.6);
  EXPECT_EQ(c.hash_verification.score, 1.0);
}

TEST(ScorerTest, OffTopicAnswerLosesRelevance) {
  World w;
  protocol::Response r = w.Honest();
  r.standardized_data = ParseJson(R"({"brokers": [
      {"name": "Sourdough bread", "throughput": "two loaves per day"}],
      "summary": "A good starter needs flour and water"})")
                            .value();
  r.final_synthesis = "Bake at 250 degrees.";
  r.provenance = JsonObject{{"$.summary", JsonArray{4}}};
  std::string keep;
  const ScoreCard c = w.ScoreIt(r, VerifyProofs(r, w.Context()), &keep);
  EXPECT_EQ(c.relevance.score, 0.0) << c.relevance.explanation;
  EXPECT_NE(c.relevance.explanation.find("off-topic"), std::string::npos);
  EXPECT_LE(c.completeness.score, 0.5);
}

// Validator::Judge hands Score the response it has read and the target compiled once per
// challenge: the card must be the one Score gives from the bytes alone.
TEST(ScorerTest, ResponseReadAndTargetCompiledByTheCallerGiveTheSameCard) {
  World w;
  auto target = schema::Schema::FromTarget(w.generated.challenge.target_schema);
  ASSERT_TRUE(target.ok());
  protocol::Response lazy = w.Honest();
  lazy.standardized_data = ParseJson(R"({"brokers": [{"name": "Sourdough"}]})").value();
  protocol::Response other = w.Honest();
  other.challenge_id = "0xother";
  for (const protocol::Response& r : {w.Honest(), lazy, other}) {
    std::string keep;
    const ProofReport proofs = VerifyProofs(r, w.Context());
    const std::string from_bytes = CompactJson(ToJson(w.ScoreIt(r, proofs, &keep)));
    ScoringInput in = w.Input(keep, proofs);
    in.response = &r;
    in.target = &*target;
    EXPECT_EQ(CompactJson(ToJson(Score(in))), from_bytes);
  }
}

TEST(ScorerTest, MalformedResponsesScoreZeroWithTheReason) {
  World w;
  for (const std::string& bytes :
       {std::string("not json"), std::string("[1,2]"), std::string(R"({"challenge_id": 5})"),
        std::string(R"({"challenge_id": "0xother", "task_pipeline": []})"),
        std::string(300, '[')}) {
    ScoringInput in;
    in.generated = w.generated;
    in.response_json = bytes;
    const ScoreCard c = Score(in);
    EXPECT_FALSE(c.accepted) << bytes;
    EXPECT_FALSE(c.reject_reason.empty());
    EXPECT_EQ(c.reward, 0.0);
    EXPECT_EQ(c.schema_compliance.score, 0.0);
  }
}

TEST(ScorerTest, TrapsJudgeTheTruthAndTheNewShape) {
  World w;
  w.generated.reference.logic_trap = LogicTrap{.stale_subnet_id = "SN22",
                                               .stale_netuid = 22,
                                               .match = JsonObject{},
                                               .match_contains = nullptr,
                                               .stale_answer = nullptr,
                                               .truth = "$2.49/hr",
                                               .stale_value = "$3.10/hr"};
  protocol::Response r = w.Honest();
  r.standardized_data.as_object()["summary"] = "H100 at $2.49/hr";
  std::string keep;
  EXPECT_EQ(w.ScoreIt(r, VerifyProofs(r, w.Context()), &keep).trap_performance.score, 1.0);
  r.standardized_data.as_object()["summary"] = "H100 at $3.10/hr";
  EXPECT_EQ(w.ScoreIt(r, VerifyProofs(r, w.Context()), &keep).trap_performance.score, 0.0);

  w.generated.reference.logic_trap.reset();
  w.generated.reference.schema_trap =
      SchemaTrap{"SN22", 22, ParseJson(R"({"input": {"rename": {"query": "q"}}})").value()};
  r = w.Honest();  // step 1 still sends "query": the old shape
  const ScoreCard stale = w.ScoreIt(r, VerifyProofs(r, w.Context()), &keep);
  EXPECT_EQ(stale.trap_performance.score, 0.0) << stale.trap_performance.explanation;
}

TEST(ScorerTest, RoutingPenalisesRedundantAndSerialisedCalls) {
  World w;
  std::string keep;
  protocol::Response honest = w.Honest();
  const ScoreCard good = w.ScoreIt(honest, VerifyProofs(honest, w.Context()), &keep);

  // Steps 2 and 3 are independent but the second waits for the first to finish.
  protocol::Response serial = honest;
  serial.task_pipeline[2] =
      w.Step(3, "SN33", 1, w.scrape, "web_scraping",
             JsonObject{{"url", "https://www.rabbitmq.com"}}, 1500, 1100, {1});
  const ScoreCard s = w.ScoreIt(serial, VerifyProofs(serial, w.Context()), &keep);
  EXPECT_LT(s.routing_efficiency.score, good.routing_efficiency.score);
  EXPECT_NE(s.routing_efficiency.explanation.find("0 of 1 independent step pairs"),
            std::string::npos)
      << s.routing_efficiency.explanation;

  // The same search made twice.
  protocol::Response twice = honest;
  twice.task_pipeline.push_back(w.Step(5, "SN22", 0, w.search, "web_search",
                                       JsonObject{{"query", "message broker comparison"}}, 0, 300,
                                       {}));
  const ScoreCard t = w.ScoreIt(twice, VerifyProofs(twice, w.Context()), &keep);
  EXPECT_NE(t.routing_efficiency.explanation.find("1 redundant call"), std::string::npos)
      << t.routing_efficiency.explanation;
  EXPECT_LT(t.reasoning.score, 1.0);
}

TEST(ScorerTest, ProvenanceToAFailedOrUnknownStepAndALateAnswerCost) {
  World w;
  std::string keep;
  protocol::Response r = w.Honest();
  r.provenance.as_object()["$.summary"] = JsonArray{9};
  r.task_pipeline[1].error = "SN33 timed out";
  const ScoreCard c = w.ScoreIt(r, VerifyProofs(r, w.Context()), &keep);
  // $.brokers[0].name and .throughput cite failed step 2, $.summary unknown step 9.
  EXPECT_NEAR(c.provenance_fidelity.score, 4.0 / 7.0, 1e-9) << c.provenance_fidelity.explanation;

  r = w.Honest();
  ScoringInput in;
  keep = CompactJson(protocol::ToJson(r));
  in.generated = w.generated;
  in.response_json = keep;
  in.proofs = VerifyProofs(r, w.Context());
  in.observed_latency_ms = 31000;  // past the 30 s deadline
  const ScoreCard late = Score(in);
  EXPECT_EQ(late.velocity.score, 0.0) << late.velocity.explanation;
  EXPECT_EQ(late.coordination_overhead_ms, 31000 - 2000);
}

TEST(ScorerTest, ReproducesThePublicRewardExample) {
  // Routing & pipeline 0.9 on mechanism 0, standardization 0.4 on mechanism 1.
  EXPECT_DOUBLE_EQ(Reward(0.9, 0.4), 0.75);
  ScoringWeights custom;
  custom.mechanism0_share = 0.5;
  custom.mechanism1_share = 0.5;
  EXPECT_DOUBLE_EQ(Reward(0.9, 0.4, custom), 0.65);
}

}  // namespace
}  // namespace orchestra::validator
