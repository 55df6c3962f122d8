#include <fmt/format.h>
#include <gtest/gtest.h>

#include "orchestra/ledger/snapshot.h"
#include "orchestra/plan/decompose.h"
#include "orchestra/plan/route.h"

namespace orchestra::plan {
namespace {

// The seed's worked example schema as JSON Schema (what the schema module compiles it to).
Json WorkedExampleSchema() {
  return *ParseJson(R"({"type": "object", "properties": {
      "competitors": {"type": "array", "items": {"type": "object", "properties": {
          "name": {"type": "string"}, "description": {"type": "string"},
          "strengths": {"type": "array", "items": {}}, "weaknesses": {"type": "array", "items": {}}},
          "required": ["name", "description", "strengths", "weaknesses"]}},
      "recommendation": {"type": "string"}}, "required": ["competitors", "recommendation"]})");
}

TEST(TopicQueryTest, KeepsTopicWordsAndDropsInstructions) {
  EXPECT_EQ(TopicQuery("Find recent AI funding rounds and summarize trends"),
            "recent AI funding rounds trends");
  EXPECT_EQ(TopicQuery("Research cloud GPU pricing from RunPod, Vast.ai, and Lambda. Recommend a "
                       "price point for our new inference API."),
            "cloud GPU pricing RunPod Vast.ai Lambda price point inference API");
}

TEST(DecomposeTest, BuildsTheSeedDagWithScrapeAndAnalysisInParallel) {
  TaskDag dag = Decompose("Research decentralized compute marketplaces", WorkedExampleSchema());
  ASSERT_TRUE(dag.Validate().ok());
  ASSERT_EQ(dag.tasks.size(), 4u);
  EXPECT_EQ(dag.tasks[0].capability, "web_search");
  EXPECT_TRUE(dag.tasks[0].depends_on.empty());
  EXPECT_EQ(dag.tasks[1].depends_on, std::vector<int>{1});
  EXPECT_EQ(dag.tasks[2].depends_on, std::vector<int>{1});
  EXPECT_EQ(dag.tasks[3].depends_on, (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(CanonicalJson(dag.tasks[1].query),
            R"({"extract_fields":["name","description","strengths","weaknesses"]})");
}

TEST(EntityFieldsTest, FollowsRefsIntoDefs) {
  auto schema = ParseJson(R"({"$defs": {"Round": {"type": "object", "properties": {
      "company": {"type": "string"}, "amount": {"type": "number"}}}},
      "type": "object", "properties": {"rounds": {"type": "array", "items": {"$ref": "#/$defs/Round"}}}})");
  EXPECT_EQ(EntityFields(*schema), (std::vector<std::string>{"company", "amount"}));
}

TEST(BuildQueryTest, ScrapesTheFirstFiveDistinctLinksOfTheSearch) {
  TaskDag dag = Decompose("x", WorkedExampleSchema());
  JsonArray results;
  for (int i = 0; i < 8; ++i) {
    results.push_back(JsonObject{{"title", "t"}, {"link", fmt::format("https://e{}.org", i % 7)}});
  }
  std::map<int, Json> outputs{{1, JsonObject{{"results", results}, {"total_found", 8}}}};
  auto q = BuildQuery(dag.tasks[1], outputs, "x");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->at("urls").as_array().size(), 5u);
  EXPECT_EQ(q->at("urls").as_array()[4], "https://e4.org");
}

TEST(BuildQueryTest, ScrapeWithoutLinksIsADependencyFailure) {
  TaskDag dag = Decompose("x", WorkedExampleSchema());
  std::map<int, Json> outputs{{1, JsonObject{{"results", JsonArray{}}, {"total_found", 0}}}};
  auto q = BuildQuery(dag.tasks[1], outputs, "x");
  ASSERT_FALSE(q.ok());
  EXPECT_EQ(q.error().code, ErrorCode::kDependencyFailed);
}

TEST(BuildQueryTest, WidensAnalysisSearchWhenMarketSearchIsThin) {
  TaskDag dag = Decompose("x", WorkedExampleSchema());
  std::map<int, Json> thin{{1, JsonObject{{"results", JsonArray{}}, {"total_found", 2}}}};
  std::map<int, Json> rich{{1, JsonObject{{"results", JsonArray{}}, {"total_found", 40}}}};
  EXPECT_EQ(BuildQuery(dag.tasks[2], thin, "x")->at("max_results"), kMarketSearchResults);
  EXPECT_EQ(BuildQuery(dag.tasks[2], rich, "x")->at("max_results"), kAnalysisSearchResults);
}

TEST(BuildQueryTest, SynthesisPromptCarriesObjectiveContextAndSchema) {
  TaskDag dag = Decompose("Find X", WorkedExampleSchema());
  std::map<int, Json> outputs{
      {1, JsonObject{{"results", JsonArray{JsonObject{{"title", "A"}, {"link", "https://a"}}}}}},
      {2, JsonObject{{"data", JsonArray{JsonObject{{"name", "Akash"}}}}, {"errors", JsonArray{}}}}};
  auto q = BuildQuery(dag.tasks[3], outputs, "Find X");
  ASSERT_TRUE(q.ok());
  const std::string prompt(q->at("messages").as_array()[1].at("content").as_string());
  EXPECT_EQ(prompt.rfind("Objective: Find X\n", 0), 0u);
  EXPECT_NE(prompt.find(R"({"step":2,"kind":"record","data":{"name":"Akash"}})"),
            std::string::npos);
  EXPECT_EQ(q->at("response_format").at("json_schema").at("schema"), WorkedExampleSchema());
}

ledger::LedgerEntry Entry(std::string id, double cost, double reliability, double latency) {
  ledger::LedgerEntry e;
  e.subnet_id = std::move(id);
  e.capabilities = {"web_search"};
  e.cost_per_query = cost;
  e.reliability = reliability;
  e.avg_latency_ms = latency;
  e.p95_latency_ms = latency * 2;
  return e;
}

TaskDag SearchOnly() {
  TaskDag dag;
  dag.tasks.push_back(Task{1, "search", "web_search", {}, QueryKind::kFixed, JsonObject{}});
  return dag;
}

TEST(RouteTest, PrefersCheaperSubnetWhenBothFitTheDeadline) {
  ledger::Snapshot ledger(
      {{"SNA", Entry("SNA", 0.004, 0.95, 300)}, {"SNB", Entry("SNB", 0.002, 0.95, 300)}});
  auto r = Route(SearchOnly(), ledger, {}, std::chrono::milliseconds(30000));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->routes[0].candidates[0]->subnet_id, "SNB");
  EXPECT_EQ(r->routes[0].candidates[1]->subnet_id, "SNA");
}

TEST(RouteTest, SkipsSubnetBelowMinimumReliabilityUnlessItIsTheOnlyOne) {
  ledger::Snapshot ledger(
      {{"SNA", Entry("SNA", 0.004, 0.95, 300)}, {"SNB", Entry("SNB", 0.001, 0.50, 300)}});
  auto r = Route(SearchOnly(), ledger, {}, std::chrono::milliseconds(30000));
  EXPECT_EQ(r->routes[0].candidates[0]->subnet_id, "SNA");
}

TEST(RouteTest, PutsSubnetWhoseP95ExceedsTheBudgetLast) {
  ledger::Snapshot ledger(
      {{"SNA", Entry("SNA", 0.001, 0.95, 3000)}, {"SNB", Entry("SNB", 0.003, 0.95, 300)}});
  auto r = Route(SearchOnly(), ledger, {}, std::chrono::milliseconds(2000));
  EXPECT_EQ(r->routes[0].candidates[0]->subnet_id, "SNB");
}

TEST(RouteTest, NoCandidateNamesTheTask) {
  ledger::Snapshot ledger({});
  auto r = Route(SearchOnly(), ledger, {}, std::chrono::milliseconds(2000));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("step 1 (search)"), std::string::npos);
}

}  // namespace
}  // namespace orchestra::plan
