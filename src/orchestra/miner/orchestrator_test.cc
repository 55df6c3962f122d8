#include "orchestra/miner/orchestrator.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <optional>

#include "orchestra/miner/miner_test_util.h"

// The lead architect end to end on experts the simulator plays in-process (the curated
// corpus): what it calls, in which order, and what it refuses to report.
namespace orchestra::miner {
namespace {

using testing::AddressOf;
using testing::KeyFromByte;
using testing::SimulatedExperts;

class OrchestratorTest : public ::testing::Test {
 protected:
  protocol::Response Answer(std::string objective, std::string_view target,
                            std::optional<double> max_spend = std::nullopt) {
    protocol::Challenge challenge;
    challenge.challenge_id = "0xtest";
    challenge.objective = std::move(objective);
    challenge.target_schema = *ParseJson(target);
    auto schema = schema::Schema::FromTarget(challenge.target_schema);
    EXPECT_TRUE(schema.ok());
    OrchestratorOptions options;
    options.miner_hotkey = AddressOf(KeyFromByte(4));
    options.max_spend = max_spend;
    boost::asio::io_context io;
    std::optional<Result<protocol::Response>> out;
    boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<void> {
          out.emplace(co_await Orchestrate(challenge, *schema,
                                           Deadline::After(std::chrono::seconds(20)), ledger_,
                                           experts_.transport(), options));
        },
        boost::asio::detached);
    io.run();
    EXPECT_TRUE(out && out->ok()) << (out && !out->ok() ? out->error().ToString() : "");
    return out && out->ok() ? std::move(out->value()) : protocol::Response{};
  }

  static std::vector<std::string> Capabilities(const protocol::Response& r) {
    std::vector<std::string> out;
    for (const auto& s : r.task_pipeline) {
      out.push_back(s.query.is_object() && JsonFind(s.query, "messages") ? "chat"
                    : JsonFind(s.query, "urls")                          ? "read"
                                                                         : "search");
    }
    return out;
  }

  ledger::SnapshotPtr ledger_ = std::make_shared<const ledger::Snapshot>(*ledger::SeedSnapshot());
  SimulatedExperts experts_;
};

TEST_F(OrchestratorTest, AnObjectiveTheExpertsKnowNothingAboutGetsAnHonestEmptyAnswer) {
  const protocol::Response r =
      Answer("Summarize the results of the 2026 FIFA World Cup qualifiers",
             R"({"matches": [{"home": "str", "away": "str", "score": "str"}], "summary": "str",
                 "verdict": "str"})");
  EXPECT_EQ(CompactJson(r.standardized_data), "{}");
  EXPECT_NE(r.final_synthesis.find("nothing is reported rather than material on another topic"),
            std::string::npos)
      << r.final_synthesis;
  // A search, one second try with the specific terms, and nothing else: no read, no synthesis.
  EXPECT_EQ(Capabilities(r), (std::vector<std::string>{"search", "search"}));
  EXPECT_EQ(r.task_pipeline[1].depends_on, std::vector<int>{1});
}

TEST_F(OrchestratorTest, ASummaryOnlySchemaIsAnsweredFromSearchResultsAtTheCostOfOneCall) {
  const protocol::Response r =
      Answer("Explain how decentralized GPU networks price compute", R"({"summary": "str"})");
  EXPECT_EQ(Capabilities(r), std::vector<std::string>{"search"});
  const std::string summary(r.standardized_data.at("summary").as_string());
  EXPECT_NE(summary.find("GPU"), std::string::npos) << summary;
  EXPECT_DOUBLE_EQ(r.total_cost, r.task_pipeline[0].cost);
  ASSERT_TRUE(r.provenance.is_object());
  ASSERT_TRUE(JsonFind(r.provenance, "$.summary")) << PrettyJson(r.provenance) << summary;
  EXPECT_EQ(CompactJson(r.provenance.at("$.summary")), "[1]");
}

TEST_F(OrchestratorTest, ReadsEachFoundItemInParallelAndHiresInferenceOnlyForJudgement) {
  const protocol::Response r = Answer(
      "Research the competitive landscape for decentralized compute marketplaces and identify "
      "gaps our product could fill",
      R"({"competitors": [{"name": "str", "description": "str", "strengths": "list",
                            "weaknesses": "list"}],
          "market_gaps": [{"gap": "str", "opportunity": "str", "difficulty": "str"}],
          "recommendation": "str"})");
  const auto caps = Capabilities(r);
  ASSERT_GE(caps.size(), 5u);
  EXPECT_EQ(caps[0], "search");
  EXPECT_EQ(caps[1], "search");
  EXPECT_EQ(caps.back(), "chat");
  EXPECT_EQ(std::count(caps.begin(), caps.end(), "chat"), 1);
  int reads = 0;
  for (const auto& s : r.task_pipeline) {
    EXPECT_FALSE(s.error) << s.step << " " << s.task << ": " << *s.error;
    if (JsonFind(s.query, "urls")) {
      ++reads;
      EXPECT_EQ(s.query.at("urls").as_array().size(), 1u);  // one page per read
      ASSERT_EQ(s.depends_on.size(), 1u);
      EXPECT_LE(s.depends_on[0], 2);  // after the search that found it
    }
  }
  EXPECT_GE(reads, 3);
  auto target = schema::Schema::FromTarget(*ParseJson(
      R"({"competitors": [{"name": "str", "description": "str", "strengths": "list",
                           "weaknesses": "list"}],
          "market_gaps": [{"gap": "str", "opportunity": "str", "difficulty": "str"}],
          "recommendation": "str"})"));
  const auto report = target->Validate(r.standardized_data);
  EXPECT_TRUE(report.valid) << PrettyJson(r.standardized_data);
  EXPECT_DOUBLE_EQ(report.completeness, 1.0) << PrettyJson(r.standardized_data);
  // Only things the objective is about: no container orchestrator, no storage network.
  const std::string doc = CompactJson(r.standardized_data.at("competitors"));
  EXPECT_EQ(doc.find("Kubernetes"), std::string::npos) << doc;
}

TEST_F(OrchestratorTest, ThingsTheObjectiveNamesAreSearchedForWhenDiscoveryMissedThem) {
  const protocol::Response r = Answer(
      "Research cloud GPU pricing from RunPod, Vast.ai, and Lambda. Recommend a price point for "
      "our new inference API.",
      R"({"competitors": [{"name": "str", "pricing": "dict", "strengths": "list"}],
          "recommendation": {"price_point": "float", "rationale": "str"}})");
  std::string names;
  for (const Json& c : r.standardized_data.at("competitors").as_array()) {
    names += std::string(c.at("name").as_string()) + ";";
  }
  for (const char* name : {"RunPod", "Vast.ai", "Lambda"}) {
    EXPECT_NE(names.find(name), std::string::npos) << name << " missing from " << names;
  }
  // The recommendation is reasoned by an inference subnet, not searched for.
  EXPECT_TRUE(JsonFind(r.standardized_data, "recommendation"));
  EXPECT_EQ(Capabilities(r).back(), "chat");
}

TEST_F(OrchestratorTest, AllItemsOfTheNamedKindAreKeptNotOnlyThePageMentioningMostWords) {
  // An article about GPU prices shares more of the objective's words than any one cloud's
  // pricing page; the clouds are still what the list asks for, and each is a peer of the others.
  const protocol::Response r =
      Answer("Which GPU clouds rent an A100 80GB on demand by the hour, and at what price?",
             R"({"clouds": [{"name": "str", "notes": "str"}]})");
  std::string names;
  for (const Json& c : r.standardized_data.at("clouds").as_array()) {
    names += std::string(c.at("name").as_string()) + ";";
  }
  for (const char* name : {"RunPod", "Vast.ai", "Lambda"}) {
    EXPECT_NE(names.find(name), std::string::npos) << name << " missing from " << names;
  }
  // Notes come from each cloud's search result: no page needs reading.
  for (const auto& cap : Capabilities(r)) EXPECT_EQ(cap, "search");
}

TEST_F(OrchestratorTest, AlternativesOfAThingNamedByUrlAreOfTheKindItsPageSaysItIs) {
  const protocol::Response r =
      Answer("What does https://akash.network/ offer, and which alternatives exist?",
             R"({"product": {"name": "str", "description": "str"},
          "alternatives": [{"name": "str", "description": "str"}]})");
  EXPECT_EQ(r.standardized_data.at("product").at("name"), "Akash Network");
  const auto& alternatives = r.standardized_data.at("alternatives").as_array();
  ASSERT_GE(alternatives.size(), 2u) << PrettyJson(r.standardized_data);
  for (const Json& a : alternatives) {
    const std::string name(a.at("name").as_string());
    EXPECT_EQ(name.find("Akash"), std::string::npos);  // not its own alternative
    const std::string description(a.at("description").as_string());
    EXPECT_NE(description.find("ecentralized"), std::string::npos) << name << ": " << description;
  }
  // The page first, then the search its description made: the search depends on the read.
  ASSERT_GE(r.task_pipeline.size(), 2u);
  EXPECT_EQ(r.task_pipeline[0].task, "read_named_urls");
  EXPECT_EQ(r.task_pipeline[1].task, "discover_alternatives");
  EXPECT_EQ(r.task_pipeline[1].depends_on, std::vector<int>{1});
}

TEST_F(OrchestratorTest, AThingIsNotComparedWithItself) {
  // No URL names the subject: the page its search found is the subject, and the search for
  // things compared with it (which finds that page first) must not list it again.
  const protocol::Response r = Answer("Tell me about Akash Network and how its pricing works",
                                      R"({"name": "str", "pricing": "str",
                 "compared_with": [{"name": "str", "description": "str"}]})");
  const std::string subject(r.standardized_data.at("name").as_string());
  EXPECT_NE(subject.find("Akash"), std::string::npos) << PrettyJson(r.standardized_data);
  if (const Json* compared = JsonFind(r.standardized_data, "compared_with")) {
    for (const Json& c : compared->as_array()) {
      EXPECT_NE(c.at("name").as_string(), subject) << PrettyJson(r.standardized_data);
    }
  }
}

TEST_F(OrchestratorTest, TheSpendCapStopsFollowUpsButNotThePlannedWaves) {
  // Funding news names companies but says nothing of their strengths: follow-ups look for them.
  const std::string objective =
      "Research the AI companies that raised the largest funding rounds of 2024";
  const std::string_view target =
      R"({"companies": [{"name": "str", "strengths": "list", "weaknesses": "list"}]})";
  auto follow_ups = [](const protocol::Response& r) {
    return std::count_if(r.task_pipeline.begin(), r.task_pipeline.end(), [](const auto& s) {
      return s.task.starts_with("find_") || s.task.starts_with("reread_");
    });
  };
  const protocol::Response free = Answer(objective, target);
  const protocol::Response capped = Answer(objective, target, 0.0);
  EXPECT_GT(follow_ups(free), 0);
  EXPECT_EQ(follow_ups(capped), 0);
  EXPECT_FALSE(capped.task_pipeline.empty());  // discovery and reads still ran
  EXPECT_LT(capped.total_cost, free.total_cost);
}

TEST_F(OrchestratorTest, NoCallIsMadeTwice) {
  const protocol::Response r = Answer("Compare open-source message brokers for IoT telemetry",
                                      R"({"brokers": [{"name": "str", "strengths": "list"}]})");
  std::set<std::string> calls;
  for (const auto& s : r.task_pipeline) {
    EXPECT_TRUE(calls.insert(s.subnet + CanonicalJson(s.query)).second) << s.step;
  }
}

}  // namespace
}  // namespace orchestra::miner
