#include "orchestra/validator/traps.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "orchestra/experts/synapse_class.h"
#include "orchestra/net/dendrite.h"
#include "orchestra/validator/challenge_generator.h"
#include "orchestra/validator/figures.h"
#include "orchestra/validator/sim_world_test_util.h"

namespace orchestra::validator {
namespace {

using ::testing::HasSubstr;

Deadline Soon() { return Deadline::After(std::chrono::seconds(30)); }

std::string Upper(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

TEST(FiguresTest, FindsMoneyAndPercentagesAsWritten) {
  EXPECT_EQ(ExtractFigures("From $0.69/hr to $2.69/hr; raised $6.6 billion, then $640M "
                           "(up 12.5% from 2023), again $6.6 billion."),
            (std::vector<std::string>{"$0.69/hr", "$2.69/hr", "$6.6 billion", "$640M", "12.5%"}));
  EXPECT_TRUE(ExtractFigures("no figures in 2024, v2.1").empty());
  EXPECT_EQ(ScaleFigure("$2.69/hr", 1.25), "$3.36/hr");
  EXPECT_EQ(ScaleFigure("$640M", 1.5), "$960M");
  EXPECT_EQ(ScaleFigure("$6.6 billion", 0.7), "$4.6 billion");
  EXPECT_EQ(ScaleFigure("$1", 1.01), "$2");  // never the same as the truth
  EXPECT_EQ(ScaleFigure("free", 2), std::nullopt);
}

TEST(PlanSchemaTrapTest, DriftsTheOutputOfEverySynapseSubnetServingTheRoute) {
  const auto ledger = sim::Manifest::Default().value().LedgerEntries();
  const Route route =
      CheapestRoute({"web_search", "web_scraping", "synthesis"}, ledger, 0.8).value();
  std::set<std::string> subnets, kinds;
  for (uint64_t seed = 0; seed < 60; ++seed) {
    Rng rng(seed);
    const std::optional<SchemaTrap> trap = PlanSchemaTrap(route, ledger, rng);
    ASSERT_TRUE(trap.has_value());
    subnets.insert(trap->subnet_id);
    EXPECT_NE(trap->subnet_id, "SN19");  // OpenAI-compatible: no synapse schema to drift
    EXPECT_EQ("SN" + std::to_string(trap->netuid), trap->subnet_id);
    auto drift = sim::SchemaDrift::FromJson(trap->drift);
    ASSERT_TRUE(drift.ok()) << drift.error().ToString();
    if (!drift->input_renames.empty()) kinds.insert("input rename");
    if (!drift->output_renames.empty()) kinds.insert("output rename");
    if (!drift->output_retypes.empty()) kinds.insert("output retype");
  }
  // Every synapse subnet serving a capability of the route, not only the route's own subnets
  // (a miner routing elsewhere must meet traps too); output drift only.
  EXPECT_EQ(subnets, (std::set<std::string>{"SN22", "SN42", "SN13", "SN33"}));
  EXPECT_EQ(kinds, (std::set<std::string>{"output rename", "output retype"}));
  Rng rng(1);
  EXPECT_FALSE(PlanSchemaTrap(Route{}, ledger, rng).has_value());
}

class TrapPlanterTest : public ::testing::Test {
 protected:
  TrapPlanter Planter(std::string token = "") {
    return TrapPlanter(world_.client(), "127.0.0.1", world_.sim().control_port(),
                       token.empty() ? world_.sim().admin_token() : token);
  }

  // A signed DesearchSynapse call straight to SN22's UID 0 with `fields`: its status code.
  int CallSearchDirectly(JsonObject fields) {
    const ledger::LedgerEntry& entry = world_.Entry("SN22");
    const experts::Endpoint& uid = world_.sim().directory().Find("SN22").front();
    net::Dendrite dendrite(world_.io().get_executor(), testing::ValidatorKey());
    protocol::BittensorSynapse synapse;
    synapse.fields = std::move(fields);
    synapse.fields[std::string(experts::kLockField)] = "0xlock";
    auto answer =
        world_.Run(dendrite.Call({uid.host, uid.port, uid.hotkey}, experts::SynapseClassFor(entry),
                                 std::move(synapse), 5.0));
    last_message_ = answer.dendrite.status_message.value_or("");
    return static_cast<int>(answer.dendrite.status_code.value_or(0));
  }

  testing::SimWorld world_;
  std::string last_message_;  // of the last direct call
};

TEST_F(TrapPlanterTest, ASchemaTrapRejectsTheOldInputFieldUntilRemoved) {
  const JsonObject old_shape{{"query", "gpu cloud"}, {"max_results", 3}, {"search_type", "web"}};
  ASSERT_EQ(CallSearchDirectly(old_shape), 200);
  ChallengeReference reference;
  reference.schema_trap = SchemaTrap{
      "SN22", 22, JsonObject{{"input", JsonObject{{"rename", JsonObject{{"query", "query_v2"}}}}}}};
  TrapPlanter planter = Planter();
  const Status planted = world_.Run(planter.Plant(reference, Soon()));
  ASSERT_TRUE(planted.ok()) << planted.error().ToString();
  EXPECT_EQ(CallSearchDirectly(old_shape), 422);
  EXPECT_THAT(last_message_, HasSubstr("query_v2"));
  const Status removed = world_.Run(planter.Remove(reference, Soon()));
  ASSERT_TRUE(removed.ok()) << removed.error().ToString();
  EXPECT_EQ(CallSearchDirectly(old_shape), 200);
}

TEST_F(TrapPlanterTest, ALogicTrapAnswersTheStaleFigureOnTheCheapSubnetOnly) {
  auto retriever = world_.MakeRetriever();
  GeneratorOptions options;
  options.seed = 5;
  options.logic_trap_rate = 1.0;
  ChallengeGenerator generator(*retriever, world_.ledger(), options);
  auto generated = world_.Run(generator.Generate("market_pricing", "GPU cloud pricing", Soon()));
  ASSERT_TRUE(generated.ok()) << generated.error().ToString();
  ASSERT_TRUE(generated->reference.logic_trap.has_value());
  const LogicTrap trap = *generated->reference.logic_trap;
  EXPECT_EQ(trap.stale_subnet_id, "SN42");
  EXPECT_EQ(trap.stale_netuid, 42);
  EXPECT_NE(trap.truth, trap.stale_value);
  EXPECT_TRUE(trap.truth.starts_with('$')) << trap.truth;
  // The reference keeps the trap through its JSON form (the challenge file).
  auto reread = ReferenceFromJson(ToJson(generated->reference));
  ASSERT_TRUE(reread.ok()) << reread.error().ToString();
  EXPECT_EQ(reread->logic_trap->match_contains, trap.match_contains);

  auto cheap = world_.MakeRetriever("SN42");
  auto reliable = world_.MakeRetriever("SN22");
  // A miner's query the validator never saw, in its own words and letter case: about the page
  // whose figure the trap falsifies, with the trap's word in it.
  std::string title;
  for (const Json& r : JsonFind(trap.stale_answer, "results")->get_array()) {
    if (JsonString(r, "snippet").find(trap.stale_value) != std::string::npos) {
      title = JsonString(r, "title");
    }
  }
  ASSERT_FALSE(title.empty());
  const std::string query =
      "Compare " + title + " " + Upper(JsonString(trap.match_contains, "query"));
  auto snippets = [&](Retriever& r) {
    auto found = world_.Run(r.Search(query, 10, Soon()));
    EXPECT_TRUE(found.ok()) << found.error().ToString();
    std::string all;
    for (const Document& d : found.ok() ? *found : std::vector<Document>{}) all += d.snippet + "\n";
    return all;
  };
  ASSERT_THAT(snippets(*cheap), HasSubstr(trap.truth));

  TrapPlanter planter = Planter();
  const Status planted = world_.Run(planter.Plant(generated->reference, Soon()));
  ASSERT_TRUE(planted.ok()) << planted.error().ToString();
  const std::string on_cheap = snippets(*cheap);
  EXPECT_THAT(on_cheap, HasSubstr(trap.stale_value));
  const std::string on_reliable = snippets(*reliable);
  EXPECT_THAT(on_reliable, HasSubstr(trap.truth));
  EXPECT_THAT(on_reliable, ::testing::Not(HasSubstr(trap.stale_value)));

  const Status removed = world_.Run(planter.Remove(generated->reference, Soon()));
  ASSERT_TRUE(removed.ok()) << removed.error().ToString();
  EXPECT_THAT(snippets(*cheap), ::testing::Not(HasSubstr(trap.stale_value)));
}

TEST_F(TrapPlanterTest, RefusalsAreErrorsNamingTheRequest) {
  ChallengeReference reference;
  reference.schema_trap = SchemaTrap{"SN22", 22, JsonObject{}};
  TrapPlanter wrong_token = Planter("not-the-token");
  const Status refused = world_.Run(wrong_token.Plant(reference, Soon()));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(refused.error().message, HasSubstr("/admin/subnets/22/drift: 401"));

  reference.schema_trap = SchemaTrap{"SN77", 77, JsonObject{}};
  TrapPlanter planter = Planter();
  const Status unknown = world_.Run(planter.Plant(reference, Soon()));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);

  reference.schema_trap =
      SchemaTrap{"SN22", 22, *ParseJson(R"({"output": {"retype": {"results": "blob"}}})")};
  const Status bad = world_.Run(planter.Plant(reference, Soon()));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace orchestra::validator
