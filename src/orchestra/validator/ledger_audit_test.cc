#include "orchestra/validator/ledger_audit.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "orchestra/ledger/snapshot.h"
#include "orchestra/protocol/bittensor_synapse.h"
#include "orchestra/validator/output_shape.h"
#include "orchestra/validator/probe_test_util.h"

namespace orchestra::validator {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::ProbedNetwork;

Json J(std::string_view text) { return ParseJson(text).value(); }

// The seed ledger as a miner's LedgerSynapse answer carries it.
Json SeedAnswer() {
  auto seed = ledger::SeedSnapshot();
  EXPECT_TRUE(seed.ok()) << seed.error().ToString();
  if (!seed) return Json();
  return JsonObject{{"ledger_version", seed->version()}, {"entries", seed->ToJson().at("entries")}};
}

// The simulator answers at once (latency_scale 0), where the seed ledger says hundreds of
// milliseconds: a real difference the latency check reports (LatencyOutsideTheToleranceIs...).
// The tests of schemas and liveness judge latency with a floor wide enough to ignore it.
LedgerTolerances IgnoringLatency() {
  LedgerTolerances t;
  t.latency_floor_ms = 60'000;
  return t;
}

class LedgerAuditTest : public ::testing::Test {
 protected:
  ProbedNetwork network_;
};

TEST_F(LedgerAuditTest, SeedLedgerIsFreshAndCompleteAgainstFreshProbes) {
  const LedgerJudgement j = JudgeLedger(SeedAnswer(), network_.Round(), IgnoringLatency());
  EXPECT_TRUE(j.checked);
  EXPECT_DOUBLE_EQ(j.freshness, 1.0) << ::testing::PrintToString(j.findings);
  EXPECT_DOUBLE_EQ(j.coverage, 1.0);
  EXPECT_TRUE(j.findings.empty()) << ::testing::PrintToString(j.findings);
}

TEST_F(LedgerAuditTest, SeedLatenciesDisagreeWithInstantSubnets) {
  const LedgerJudgement j = JudgeLedger(SeedAnswer(), network_.Round());
  EXPECT_TRUE(j.checked);
  EXPECT_DOUBLE_EQ(j.coverage, 1.0);
  EXPECT_LT(j.freshness, 1.0);
  // SN13 (a scrape is a lookup) rather than SN22, whose full-text search over the Debian corpus
  // can take a good part of its ledger latency in a sanitizer build.
  EXPECT_THAT(j.findings, Contains(AllOf(HasSubstr("SN13: avg_latency_ms: the ledger says 890"),
                                         HasSubstr("median"))));
}

TEST_F(LedgerAuditTest, OutputDriftOfSN22CostsFreshnessNamingTheKey) {
  sim::SchemaDrift drift;
  drift.output_renames["total_found"] = "count";
  ASSERT_TRUE(network_.sim().SetDrift(22, drift).ok());
  const LedgerJudgement j = JudgeLedger(SeedAnswer(), network_.Round(), IgnoringLatency());
  EXPECT_DOUBLE_EQ(j.freshness, 6.0 / 7.0);
  EXPECT_DOUBLE_EQ(j.coverage, 1.0);
  EXPECT_THAT(j.findings, ElementsAre(AllOf(HasSubstr("SN22"), HasSubstr("total_found"),
                                            HasSubstr("not returned"))));
}

TEST_F(LedgerAuditTest, OutputRetypeOfAChatSubnetIsFound) {
  sim::SchemaDrift drift;
  drift.output_retypes["usage"] = "str";
  ASSERT_TRUE(network_.sim().SetDrift(64, drift).ok());
  const LedgerJudgement j = JudgeLedger(SeedAnswer(), network_.Round(), IgnoringLatency());
  EXPECT_DOUBLE_EQ(j.freshness, 6.0 / 7.0);
  EXPECT_THAT(j.findings,
              ElementsAre("SN64: output usage: the ledger says dict, the subnet returns str"));
}

TEST_F(LedgerAuditTest, LedgerStillListingAnOfflineSubnetAsServingIsStale) {
  ASSERT_TRUE(network_.sim().SetOnline(19, std::nullopt, false).ok());
  const ExpertView view = network_.Round();
  const LedgerJudgement j = JudgeLedger(SeedAnswer(), view, IgnoringLatency());
  EXPECT_DOUBLE_EQ(j.freshness, 6.0 / 7.0);
  EXPECT_DOUBLE_EQ(j.coverage, 1.0);  // of the six live subnets
  EXPECT_THAT(j.findings,
              ElementsAre(AllOf(HasSubstr("SN19: alive"), HasSubstr("no probe got an answer"))));

  // A ledger that marks it down agrees.
  Json ledger = SeedAnswer();
  ledger.at("entries").at("SN19").as_object()["reliability"] = 0.0;
  EXPECT_DOUBLE_EQ(JudgeLedger(ledger, view, IgnoringLatency()).freshness, 1.0);
}

TEST_F(LedgerAuditTest, LedgerMissingSubnetsLosesCoverage) {
  Json ledger = SeedAnswer();
  ledger.at("entries").as_object().erase("SN33");
  ledger.at("entries").as_object().erase("SN19");
  const LedgerJudgement j = JudgeLedger(ledger, network_.Round(), IgnoringLatency());
  EXPECT_DOUBLE_EQ(j.coverage, 5.0 / 7.0);
  EXPECT_DOUBLE_EQ(j.freshness, 1.0);
  EXPECT_THAT(j.findings, Contains(HasSubstr("SN33: not in the ledger")));
  EXPECT_THAT(j.findings, Contains(HasSubstr("SN19: not in the ledger")));
}

TEST_F(LedgerAuditTest, LedgerInTheSeedsOwnFormatIsRead) {
  // Seed 000's worked example: a bare object of entries, without netuid, transport or p95.
  const Json seed_format = J(R"({
    "SN22": {"name": "Desearch", "capabilities": ["web_search", "news_search", "social_search"],
             "input_schema": {"query": "str", "max_results": "int", "search_type": "str"},
             "output_schema": {"results": "list[dict]", "total_found": "int"},
             "avg_latency_ms": 340, "reliability": 0.97, "cost_per_query": 0.002,
             "last_updated": "2026-02-08T10:00:00Z"},
    "SN13": {"name": "Data Universe",
             "capabilities": ["web_scraping", "structured_extraction", "pdf_parsing"],
             "input_schema": {"urls": "list[str]", "extract_fields": "list[str]"},
             "output_schema": {"data": "list[dict]", "errors": "list"},
             "avg_latency_ms": 890, "reliability": 0.92, "cost_per_query": 0.003}})");
  const LedgerJudgement j = JudgeLedger(seed_format, network_.Round(), IgnoringLatency());
  EXPECT_TRUE(j.checked);
  EXPECT_DOUBLE_EQ(j.freshness, 1.0) << ::testing::PrintToString(j.findings);
  EXPECT_DOUBLE_EQ(j.coverage, 2.0 / 7.0);
}

TEST_F(LedgerAuditTest, WholeLedgerSynapseBodyIsRead) {
  protocol::BittensorSynapse synapse;
  synapse.fields = SeedAnswer().as_object();
  synapse.fields["since_version"] = nullptr;
  auto body = ParseJson(protocol::ToBody(protocol::LedgerSynapseClass(), synapse));
  ASSERT_TRUE(body.ok());
  ASSERT_TRUE(body->as_object().contains("dendrite"));
  const LedgerJudgement j = JudgeLedger(*body, network_.Round(), IgnoringLatency());
  EXPECT_DOUBLE_EQ(j.freshness, 1.0) << ::testing::PrintToString(j.findings);
  EXPECT_DOUBLE_EQ(j.coverage, 1.0);
}

TEST_F(LedgerAuditTest, EntryThatDoesNotReadIsStaleAndNamed) {
  Json ledger = SeedAnswer();
  ledger.at("entries").at("SN1").as_object()["reliability"] = "high";
  ledger.at("entries").at("SN13") = "gone";
  const LedgerJudgement j = JudgeLedger(ledger, network_.Round(), IgnoringLatency());
  EXPECT_DOUBLE_EQ(j.freshness, 5.0 / 7.0);
  EXPECT_DOUBLE_EQ(j.coverage, 5.0 / 7.0);
  EXPECT_THAT(j.findings, Contains(HasSubstr("SN1.reliability")));
  EXPECT_THAT(j.findings, Contains(HasSubstr("SN13: entry must be an object, got a string")));
}

// Views built by hand: the judgement is a pure function of the ledger and the view.
ExpertView OneSubnetView(double median_ms) {
  ExpertView view;
  SubnetProbe& p = view.subnets["SN22"];
  p.subnet_id = "SN22";
  p.netuid = 22;
  p.alive = true;
  p.latency_ms = median_ms;
  p.latency_history_ms = {median_ms};
  p.input_fields = {"query", "max_results", "search_type"};
  p.output_shape = J(R"({"results": [{"title": "str"}], "total_found": "int"})");
  p.output_fingerprint = ShapeFingerprint(p.output_shape);
  p.probes = p.answered = 3;
  return view;
}

Json OneEntryLedger(double avg_ms, double p95_ms) {
  Json ledger = SeedAnswer();
  JsonObject& entries = ledger.at("entries").as_object();
  Json search = entries.at("SN22");
  entries.clear();
  search.as_object()["avg_latency_ms"] = avg_ms;
  search.as_object()["p95_latency_ms"] = p95_ms;
  entries["SN22"] = std::move(search);
  return ledger;
}

TEST(LedgerAuditLatencyTest, LatencyWithinTheToleranceAgrees) {
  // Median 400 ms: avg may lie in [400/2 - 250, 400·2 + 250] = [0, 1050].
  EXPECT_DOUBLE_EQ(JudgeLedger(OneEntryLedger(340, 620), OneSubnetView(400)).freshness, 1.0);
  EXPECT_DOUBLE_EQ(JudgeLedger(OneEntryLedger(1050, 2000), OneSubnetView(400)).freshness, 1.0);
}

TEST(LedgerAuditLatencyTest, LatencyOutsideTheToleranceIsAFinding) {
  const LedgerJudgement slow = JudgeLedger(OneEntryLedger(1100, 2000), OneSubnetView(400));
  EXPECT_DOUBLE_EQ(slow.freshness, 0.0);
  EXPECT_THAT(slow.findings,
              ElementsAre("SN22: avg_latency_ms: the ledger says 1100, the probes measured a "
                          "median of 400 (tolerance 0 to 1050)"));
  const LedgerJudgement fast = JudgeLedger(OneEntryLedger(100, 200), OneSubnetView(3000));
  EXPECT_DOUBLE_EQ(fast.freshness, 0.0);
  EXPECT_THAT(fast.findings, Contains(HasSubstr("p95_latency_ms: the ledger says 200")));
}

TEST(LedgerAuditInputTest, InputRenameCostsFreshnessNamingBothFields) {
  ExpertView view = OneSubnetView(400);
  SubnetProbe& search = view.subnets["SN22"];
  search.input_renames = {{"query", "q"}};
  search.input_fields = {"q", "max_results", "search_type"};
  const LedgerJudgement stale = JudgeLedger(OneEntryLedger(340, 620), view);
  EXPECT_DOUBLE_EQ(stale.freshness, 0.0);
  EXPECT_THAT(stale.findings, ElementsAre("SN22: input field query: renamed by the subnet to q, "
                                          "the ledger still has it"));

  Json fresh = OneEntryLedger(340, 620);
  fresh.at("entries").at("SN22").as_object()["input_schema"] =
      J(R"({"q": "str", "max_results": "int", "search_type": "str"})");
  EXPECT_DOUBLE_EQ(JudgeLedger(fresh, view).freshness, 1.0);
}

TEST(LedgerAuditInputTest, InputFieldTheLedgerLacksIsAFinding) {
  ExpertView view = OneSubnetView(400);
  view.subnets["SN22"].input_fields = {"query", "max_results", "search_type", "locale"};
  const LedgerJudgement j = JudgeLedger(OneEntryLedger(340, 620), view);
  EXPECT_THAT(j.findings, ElementsAre("SN22: input field locale: the subnet accepts it, the "
                                      "ledger's input_schema lacks it"));
}

TEST(LedgerAuditGarbageTest, NullLedgerIsNotChecked) {
  const LedgerJudgement j = JudgeLedger(Json(), OneSubnetView(400));
  EXPECT_FALSE(j.checked);
  EXPECT_EQ(j.freshness, 0);
  EXPECT_THAT(j.findings, ElementsAre(HasSubstr("no ledger")));
}

TEST(LedgerAuditGarbageTest, NoLiveSubnetToJudgeByIsNotChecked) {
  const LedgerJudgement j = JudgeLedger(SeedAnswer(), ExpertView{});
  EXPECT_FALSE(j.checked);
  EXPECT_THAT(j.findings, ElementsAre(HasSubstr("no live subnet")));
}

TEST(LedgerAuditGarbageTest, MalformedLedgersScoreZeroWithTheReason) {
  const ExpertView view = OneSubnetView(400);
  const struct {
    const char* ledger;
    const char* reason;
  } cases[] = {
      {R"([1, 2])", "ledger: must be an object, got a list"},
      {R"("SN22")", "ledger: must be an object, got a string"},
      {R"({"ledger_version": "lv-1", "entries": [1]})",
       "ledger.entries: must be an object of entries, got a list"},
      {R"({"ledger_version": 7, "entries": {}})", "ledger.ledger_version: must be a string"},
      {R"({"entries": null})", "ledger.entries: must be an object of entries, got null"},
      {R"({"ledger_version": "lv-1", "entries": {}})", "no entry for any subnet"},
      {R"({"SN22": 5})", "SN22: entry must be an object, got a number"},
      {R"({"SN22": {"name": "x", "capabilities": "web_search"}})", "SN22.capabilities"},
  };
  for (const auto& c : cases) {
    const LedgerJudgement j = JudgeLedger(J(c.ledger), view);
    EXPECT_TRUE(j.checked) << c.ledger;
    EXPECT_EQ(j.freshness, 0) << c.ledger;
    EXPECT_EQ(j.coverage, 0) << c.ledger;
    EXPECT_THAT(j.findings, Contains(HasSubstr(c.reason))) << c.ledger;
  }
}

TEST(LedgerAuditGarbageTest, HugeLedgerIsRefusedWhole) {
  JsonObject entries;
  for (int i = 0; i < 2000; ++i) entries["SN" + std::to_string(1000 + i)] = JsonObject{};
  const LedgerJudgement j =
      JudgeLedger(JsonObject{{"entries", std::move(entries)}}, OneSubnetView(400));
  EXPECT_TRUE(j.checked);
  EXPECT_EQ(j.coverage, 0);
  EXPECT_THAT(j.findings,
              ElementsAre("ledger: 2000 entries, more than the 1024 a ledger may have"));
}

TEST(LedgerAuditGarbageTest, HostileSchemasAreJudgedNotTrusted) {
  const ExpertView view = OneSubnetView(400);
  Json ledger = OneEntryLedger(340, 620);
  JsonObject& search = ledger.at("entries").at("SN22").as_object();
  // A $ref loop, a deep nest and an unknown shorthand type: each is a disagreement at worst.
  search["output_schema"] = J(R"({"$ref": "#", "properties": {"results": {"$ref": "#"}}})");
  LedgerJudgement j = JudgeLedger(ledger, view);
  EXPECT_TRUE(j.checked);
  Json deep = "int";
  for (int i = 0; i < 100; ++i) deep = JsonObject{{"results", std::move(deep)}};
  search["output_schema"] = deep;
  j = JudgeLedger(ledger, view);
  EXPECT_EQ(j.freshness, 0);
  search["output_schema"] = J(R"({"results": "lst", "total_found": "int"})");
  j = JudgeLedger(ledger, view);
  EXPECT_EQ(j.freshness, 0);
  EXPECT_THAT(j.findings, Contains(HasSubstr("SN22: output_schema")));
}

TEST(LedgerAuditGarbageTest, EntriesForUnprobedSubnetsAreCountedNotJudged) {
  Json ledger = OneEntryLedger(340, 620);
  ledger.at("entries").as_object()["SN200"] = "anything";
  const LedgerJudgement j = JudgeLedger(ledger, OneSubnetView(400));
  EXPECT_DOUBLE_EQ(j.freshness, 1.0);
  EXPECT_DOUBLE_EQ(j.coverage, 1.0);
  EXPECT_THAT(j.findings, ElementsAre("1 entries for subnets the validator does not probe (not "
                                      "judged)"));
}

}  // namespace
}  // namespace orchestra::validator
