// The optional LLM lead: its three roles against the simulator's /v1/chat/completions over real
// HTTP on loopback (experts in-process), and the built-in path whenever its answers are invalid,
// unreachable or late.
#include "orchestra/miner/llm_lead.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <optional>

#include "orchestra/miner/miner_test_util.h"
#include "orchestra/miner/orchestrator.h"
#include "orchestra/sim/simulator.h"

namespace orchestra::miner {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using ::testing::HasSubstr;
using testing::SimulatedExperts;
using testing::WorkedExampleFields;

struct Outcome {
  protocol::Response response;
  LlmRoleStats planner, judge, synthesizer;
};

std::unique_ptr<sim::Simulator> StartLlmSimulator(double latency_scale) {
  auto corpus = sim::Corpus::LoadEmbedded();
  EXPECT_TRUE(corpus.ok());
  sim::SimulatorOptions options;
  options.latency_scale = latency_scale;
  auto sim =
      sim::Simulator::Start(sim::Manifest::Default().value(),
                            std::make_shared<const sim::Corpus>(std::move(*corpus)), options);
  EXPECT_TRUE(sim.ok()) << sim.error().ToString();
  return std::move(*sim);
}

class LlmLeadTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    llm_ = StartLlmSimulator(0).release();
    const auto& uid = llm_->directory().Find("SN1").at(0);
    ASSERT_TRUE(llm_->PatchUid(1, uid.uid, JsonObject{{"reliability", 1.0}}).ok());
  }
  static void TearDownTestSuite() {
    delete llm_;
    llm_ = nullptr;
  }

  static std::string LlmUrl() {
    const auto& uid = llm_->directory().Find("SN1").at(0);
    return fmt::format("http://{}:{}", uid.host, uid.port);
  }
  static experts::ChatClientOptions Llm(std::string url, std::string model = "local-lead") {
    return experts::ChatClientOptions{experts::ParseChatBaseUrl(url, "--llm.base-url").value(),
                                      std::move(model), ""};
  }
  // Every role of the lead answers `content` for requests naming `model`.
  static void PlantForModel(const std::string& model, const std::string& content) {
    const Json completion = JsonObject{
        {"choices",
         JsonArray{JsonObject{{"index", 0},
                              {"message", JsonObject{{"role", "assistant"}, {"content", content}}},
                              {"finish_reason", "stop"}}}}};
    ASSERT_TRUE(llm_->Plant(1, JsonObject{{"model", model}}, completion).ok());
  }

  // The worked example answered with `llm` as the lead's endpoint (none: built-ins only).
  Outcome Answer(std::optional<experts::ChatClientOptions> llm, LlmLeadOptions lead = {},
                 std::chrono::milliseconds budget = 20s) {
    auto challenge = protocol::ChallengeFromJson(Json(WorkedExampleFields("0xl1")));
    EXPECT_TRUE(challenge.ok());
    auto target = schema::Schema::FromTarget(challenge->target_schema).value();
    asio::io_context io;
    net::HttpClient client(io.get_executor());
    OrchestratorOptions options;
    options.miner_hotkey = testing::AddressOf(testing::KeyFromByte(4));
    if (llm) options.llm = std::make_shared<LlmLead>(client, *llm, lead);
    std::optional<Result<protocol::Response>> out;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          out.emplace(co_await Orchestrate(*challenge, target, Deadline::After(budget), ledger_,
                                           experts_.transport(), options));
        },
        asio::detached);
    io.run();
    EXPECT_TRUE(out && out->ok()) << (out ? out->error().ToString() : "no outcome");
    Outcome outcome{std::move(out->value()), {}, {}, {}};
    if (options.llm) {
      outcome.planner = options.llm->stats(LlmRole::kPlanner);
      outcome.judge = options.llm->stats(LlmRole::kJudge);
      outcome.synthesizer = options.llm->stats(LlmRole::kSynthesizer);
    }
    return outcome;
  }

  static bool Hired(const protocol::Response& r, std::string_view task) {
    return std::any_of(r.task_pipeline.begin(), r.task_pipeline.end(),
                       [&](const protocol::TaskStep& s) { return s.task == task; });
  }
  static schema::ValidationReport Check(const protocol::Response& r) {
    return schema::Schema::FromTarget(WorkedExampleFields()["target_schema"])
        .value()
        .Validate(r.standardized_data);
  }

  static sim::Simulator* llm_;
  ledger::SnapshotPtr ledger_ = std::make_shared<const ledger::Snapshot>(*ledger::SeedSnapshot());
  SimulatedExperts experts_;
};

sim::Simulator* LlmLeadTest::llm_ = nullptr;

TEST_F(LlmLeadTest, TheLocalSynthesizerFillsTheJudgementWithoutHiringAnInferenceSubnet) {
  const Outcome built_in = Answer(std::nullopt);
  ASSERT_TRUE(Hired(built_in.response, "synthesis"));

  const Outcome local = Answer(Llm(LlmUrl()));
  EXPECT_EQ(local.synthesizer.used, 1u) << local.synthesizer.last_reason;
  EXPECT_FALSE(Hired(local.response, "synthesis"));
  EXPECT_LT(local.response.total_cost, built_in.response.total_cost);
  const auto report = Check(local.response);
  EXPECT_TRUE(report.valid);
  EXPECT_DOUBLE_EQ(report.completeness, 1.0);
  const Json* recommendation = JsonFind(local.response.standardized_data, "recommendation");
  ASSERT_NE(recommendation, nullptr);
  EXPECT_FALSE(JsonString(local.response.standardized_data, "recommendation").empty());
  // The simulator's planner keeps the built-in searches and its judge keeps every item.
  EXPECT_EQ(local.planner.used, 1u) << local.planner.last_reason;
  EXPECT_EQ(local.judge.used, 1u) << local.judge.last_reason;
}

TEST_F(LlmLeadTest, AnEndpointAnsweringGarbageLeavesTheAnswerAsTheBuiltInsMakeIt) {
  PlantForModel("garbage-lead", "Sure! Here is what I think about compute markets.");
  const Outcome built_in = Answer(std::nullopt);
  const Outcome garbage = Answer(Llm(LlmUrl(), "garbage-lead"));
  for (const LlmRoleStats* role : {&garbage.planner, &garbage.judge, &garbage.synthesizer}) {
    EXPECT_EQ(role->used, 0u);
    EXPECT_EQ(role->fell_back, 1u);
    EXPECT_THAT(role->last_reason, HasSubstr("LLM http://127.0.0.1:"));
  }
  EXPECT_TRUE(Hired(garbage.response, "synthesis"));
  EXPECT_EQ(garbage.response.standardized_data, built_in.response.standardized_data);
}

TEST_F(LlmLeadTest, AnUnreachableEndpointLeavesTheAnswerAsTheBuiltInsMakeIt) {
  uint16_t port = 0;
  {
    asio::io_context io;
    asio::ip::tcp::acceptor closed(io, {asio::ip::make_address("127.0.0.1"), 0});
    port = closed.local_endpoint().port();
  }
  const Outcome built_in = Answer(std::nullopt);
  const Outcome unreachable = Answer(Llm(fmt::format("http://127.0.0.1:{}", port)));
  EXPECT_EQ(unreachable.planner.fell_back, 1u);
  EXPECT_EQ(unreachable.synthesizer.fell_back, 1u);
  EXPECT_THAT(unreachable.planner.last_reason,
              HasSubstr(fmt::format("LLM http://127.0.0.1:{}", port)));
  EXPECT_EQ(unreachable.response.standardized_data, built_in.response.standardized_data);
}

TEST_F(LlmLeadTest, ASlowEndpointCostsOnlyItsShareOfTheDeadline) {
  auto slow = StartLlmSimulator(1.0);
  const auto& uid = slow->directory().Find("SN1").at(0);
  ASSERT_TRUE(slow->PatchUid(1, uid.uid,
                             JsonObject{{"p50_ms", 60000}, {"p95_ms", 60000}, {"reliability", 1.0}})
                  .ok());
  LlmLeadOptions shares;
  shares.plan_share = shares.judge_share = shares.synthesis_share = 0.05;
  const Outcome late = Answer(Llm(fmt::format("http://{}:{}", uid.host, uid.port)), shares, 10s);
  for (const LlmRoleStats* role : {&late.planner, &late.judge, &late.synthesizer}) {
    EXPECT_EQ(role->fell_back, 1u);
    EXPECT_THAT(role->last_reason, HasSubstr("no answer within"));
  }
  EXPECT_TRUE(Hired(late.response, "synthesis"));
  const auto report = Check(late.response);
  EXPECT_TRUE(report.valid);
  EXPECT_DOUBLE_EQ(report.completeness, 1.0);
}

TEST_F(LlmLeadTest, AnInvalidPlanIsRejectedWithItsReasonAndTheBuiltInPlanRuns) {
  PlantForModel("careless-planner",
                R"({"searches": [{"query": "decentralized compute marketplaces",
                                  "capability": "web_scraping", "target": "competitors"}]})");
  const Outcome careless = Answer(Llm(LlmUrl(), "careless-planner"));
  EXPECT_EQ(careless.planner.fell_back, 1u);
  EXPECT_THAT(careless.planner.last_reason,
              HasSubstr("capability 'web_scraping' is not a search the ledger offers"));
  EXPECT_TRUE(Hired(careless.response, "discover_competitors"));
  EXPECT_TRUE(Hired(careless.response, "discover_market_gaps"));
  EXPECT_TRUE(Check(careless.response).valid);
}

TEST_F(LlmLeadTest, TheRelevanceJudgeOnlyDropsItemsTheAuditKept) {
  PlantForModel(
      "strict-judge",
      R"({"relevant": [{"url": "https://akash.network/"}, {"url": "https://render.com"}]})");
  synth::Material material;
  material.lists["competitors"] = {
      synth::Item{"https://akash.network/", "Akash Network", "GPU marketplace", "", 1, {}, 0},
      synth::Item{"https://cooking.example/", "Pasta", "A recipe", "", 1, {}, 0},
      synth::Item{"https://render.com/", "Render", "GPU rendering network", "", 1, {}, 0}};
  material.passages = {{1, "GPU marketplace"}, {1, "A recipe"}, {1, "GPU rendering network"}};
  auto challenge = protocol::ChallengeFromJson(Json(WorkedExampleFields()));
  auto target = schema::Schema::FromTarget(challenge->target_schema).value();
  const plan::Brief brief = plan::MakeBrief(challenge->objective, Json(nullptr), target, *ledger_);

  asio::io_context io;
  net::HttpClient client(io.get_executor());
  LlmLead lead(client, Llm(LlmUrl(), "strict-judge"));
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        co_await lead.AuditRelevance(brief, material, Deadline::After(10s));
      },
      asio::detached);
  io.run();
  EXPECT_EQ(lead.stats(LlmRole::kJudge).used, 1u) << lead.stats(LlmRole::kJudge).last_reason;
  ASSERT_EQ(material.lists["competitors"].size(), 2u);
  EXPECT_EQ(material.lists["competitors"][0].name, "Akash Network");
  EXPECT_EQ(material.lists["competitors"][1].name, "Render");
  EXPECT_EQ(material.passages.size(), 2u);
  for (const auto& [step, text] : material.passages) EXPECT_NE(text, "A recipe");
}

TEST_F(LlmLeadTest, AJudgeNamingAnItemItWasNotShownIsIgnored) {
  PlantForModel("inventive-judge", R"({"relevant": [{"url": "https://made-up.example/"}]})");
  synth::Material material;
  material.lists["competitors"] = {
      synth::Item{"https://akash.network/", "Akash Network", "GPU marketplace", "", 1, {}, 0}};
  auto challenge = protocol::ChallengeFromJson(Json(WorkedExampleFields()));
  auto target = schema::Schema::FromTarget(challenge->target_schema).value();
  const plan::Brief brief = plan::MakeBrief(challenge->objective, Json(nullptr), target, *ledger_);
  asio::io_context io;
  net::HttpClient client(io.get_executor());
  LlmLead lead(client, Llm(LlmUrl(), "inventive-judge"));
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        co_await lead.AuditRelevance(brief, material, Deadline::After(10s));
      },
      asio::detached);
  io.run();
  EXPECT_EQ(lead.stats(LlmRole::kJudge).fell_back, 1u);
  EXPECT_THAT(lead.stats(LlmRole::kJudge).last_reason, HasSubstr("made-up.example"));
  EXPECT_EQ(material.lists["competitors"].size(), 1u);
}

// ReadPlan, the planner's validation, on the worked example's brief.
class ReadPlanTest : public ::testing::Test {
 protected:
  ReadPlanTest()
      : ledger_(*ledger::SeedSnapshot()),
        target_(schema::Schema::FromTarget(WorkedExampleFields()["target_schema"]).value()),
        brief_(plan::MakeBrief(
            "Research the competitive landscape for decentralized compute marketplaces",
            Json(nullptr), target_, ledger_)),
        built_in_(plan::DiscoveryWave(brief_, 1)) {}

  Result<std::vector<plan::Task>> Read(const char* answer) {
    return ReadPlan(*ParseJson(answer), brief_, ledger_, built_in_, 2);
  }

  ledger::Snapshot ledger_;
  schema::Schema target_;
  plan::Brief brief_;
  std::vector<plan::Task> built_in_;
};

TEST_F(ReadPlanTest, AValidPlanReplacesTheBuiltInSearches) {
  auto plan = Read(R"({"searches": [
      {"query": "Akash Network Render Network GPU marketplace", "capability": "web_search",
       "target": "competitors"},
      {"query": "decentralized compute market gaps", "capability": "web_search",
       "target": "market_gaps"},
      {"query": "decentralized GPU cloud news", "capability": "news_search",
       "target": "competitors"}]})");
  ASSERT_TRUE(plan.ok()) << plan.error().ToString();
  ASSERT_EQ(plan->size(), 3u);
  EXPECT_EQ((*plan)[0].step, 1);
  EXPECT_EQ((*plan)[2].step, 3);
  EXPECT_EQ(JsonString((*plan)[0].query, "query"), "Akash Network Render Network GPU marketplace");
  EXPECT_EQ(JsonString((*plan)[2].query, "search_type"), "news");
  EXPECT_EQ((*plan)[2].target, "competitors");
  EXPECT_TRUE(plan::TaskDag{*plan}.Validate().ok());
}

TEST_F(ReadPlanTest, RejectsACapabilityThatIsNotASearchTheLedgerOffers) {
  for (const char* capability : {"web_scraping", "quantum_search", ""}) {
    auto plan = Read(fmt::format(R"({{"searches": [
        {{"query": "compute", "capability": "{}", "target": "competitors"}},
        {{"query": "gaps", "capability": "web_search", "target": "market_gaps"}}]}})",
                                 capability)
                         .c_str());
    ASSERT_FALSE(plan.ok()) << capability;
    EXPECT_THAT(plan.error().message,
                HasSubstr(fmt::format("search 1: capability '{}' is not a search", capability)));
  }
}

TEST_F(ReadPlanTest, RejectsAPlanLeavingAListTargetUncovered) {
  auto plan = Read(R"({"searches": [
      {"query": "compute marketplaces", "capability": "web_search", "target": "competitors"}]})");
  ASSERT_FALSE(plan.ok());
  EXPECT_THAT(plan.error().message, HasSubstr("list target 'market_gaps' is not covered"));
}

TEST_F(ReadPlanTest, RejectsUnknownTargetsEmptyQueriesAndTooManySearches) {
  EXPECT_THAT(Read(R"({"searches": [{"query": "x", "capability": "web_search",
                                     "target": "pricing"}]})")
                  .error()
                  .message,
              HasSubstr("target 'pricing' is not a list of the target schema"));
  EXPECT_THAT(Read(R"({"searches": [{"query": "  ", "capability": "web_search",
                                     "target": "competitors"}]})")
                  .error()
                  .message,
              HasSubstr("search 1: empty query"));
  std::string many = R"({"searches": [)";
  for (int i = 0; i < 5; ++i) {
    many +=
        fmt::format(R"({}{{"query": "q{}", "capability": "web_search", "target": "competitors"}})",
                    i ? "," : "", i);
  }
  many += "]}";
  EXPECT_THAT(Read(many.c_str()).error().message, HasSubstr("more than the built-in plan's"));
  EXPECT_THAT(Read(R"(["web_search"])").error().message, HasSubstr("not {\"searches\""));
}

TEST(ReadSynthesisTest, AcceptsAValidDocumentAndRejectsEmptyOrMismatchedOnes) {
  auto reduced = schema::Schema::Compile(*ParseJson(
      R"({"type": "object", "properties": {"recommendation": {"type": "string"}},
          "required": ["recommendation"]})"));
  ASSERT_TRUE(reduced.ok());
  EXPECT_TRUE(
      ReadSynthesis(*ParseJson(R"({"recommendation": "Target GPU renters"})"), *reduced).ok());
  EXPECT_THAT(ReadSynthesis(*ParseJson(R"({"recommendation": " "})"), *reduced).error().message,
              HasSubstr("$.recommendation: empty string"));
  EXPECT_FALSE(ReadSynthesis(*ParseJson(R"({"recommendation": 3})"), *reduced).ok());
  EXPECT_FALSE(ReadSynthesis(*ParseJson(R"({})"), *reduced).ok());
  EXPECT_FALSE(ReadSynthesis(*ParseJson(R"("text")"), *reduced).ok());
}

TEST(ReadRelevantTest, AcceptsOnlyUrlsThatWereShown) {
  const std::vector<std::string> shown = {"https://akash.network/", "https://render.com/x"};
  auto kept =
      ReadRelevant(*ParseJson(R"({"relevant": [{"url": "https://akash.network"}]})"), shown);
  ASSERT_TRUE(kept.ok()) << kept.error().ToString();
  EXPECT_EQ(kept->size(), 1u);
  EXPECT_THAT(ReadRelevant(*ParseJson(R"({"relevant": [{"url": "https://elsewhere.org"}]})"), shown)
                  .error()
                  .message,
              HasSubstr("'https://elsewhere.org' is not one of the 2 items shown"));
  EXPECT_FALSE(ReadRelevant(*ParseJson(R"({"keep": []})"), shown).ok());
}

}  // namespace
}  // namespace orchestra::miner
