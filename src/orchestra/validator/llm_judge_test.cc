// The optional LLM judge against the simulator's SN1 chat completions (a planted grade), and
// the grade's effect on R.
#include "orchestra/validator/llm_judge.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <optional>

#include "orchestra/sim/corpus.h"
#include "orchestra/sim/simulator.h"
#include "orchestra/validator/scorer.h"

namespace orchestra::validator {
namespace {

using namespace std::chrono_literals;

TEST(LlmJudgeTest, ParsesAGradeFromJsonOrText) {
  EXPECT_DOUBLE_EQ(ParseGrade(R"({"score": 0.8, "rationale": "sound"})").value().score, 0.8);
  EXPECT_EQ(ParseGrade(R"({"score": 0.8, "rationale": "sound"})").value().rationale, "sound");
  EXPECT_DOUBLE_EQ(ParseGrade("I would give it 7 out of 10").value().score, 0.7);
  EXPECT_FALSE(ParseGrade("no idea").ok());
  EXPECT_FALSE(ParseGrade(R"({"score": 42})").ok());
}

TEST(LlmJudgeTest, GradesThroughAnOpenAiCompatibleEndpoint) {
  auto corpus = sim::Corpus::LoadEmbedded();
  ASSERT_TRUE(corpus.ok());
  sim::SimulatorOptions options;
  options.latency_scale = 0;
  auto sim =
      sim::Simulator::Start(sim::Manifest::Default().value(),
                            std::make_shared<const sim::Corpus>(std::move(*corpus)), options);
  ASSERT_TRUE(sim.ok()) << sim.error().ToString();
  const auto& uid = (*sim)->directory().Find("SN1").at(0);
  ASSERT_TRUE((*sim)->PatchUid(1, uid.uid, JsonObject{{"reliability", 1.0}}).ok());
  const Json completion = JsonObject{
      {"choices",
       JsonArray{JsonObject{
           {"message", JsonObject{{"role", "assistant"},
                                  {"content", R"({"score": 0.6, "rationale": "ok"})"}}}}}}};
  ASSERT_TRUE((*sim)->Plant(1, JsonObject{{"model", "orchestra-judge"}}, completion).ok());

  protocol::Challenge challenge;
  challenge.objective = "Compare message brokers";
  protocol::Response response;
  protocol::TaskStep step;
  step.step = 1;
  step.subnet = "SN22";
  step.task = "web_search";
  response.task_pipeline.push_back(step);

  boost::asio::io_context io;
  net::HttpClient client(io.get_executor());
  LlmJudge judge(client, LlmJudgeOptions{uid.host, uid.port, "orchestra-judge", ""});
  std::optional<Result<LlmGrade>> grade;
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        grade.emplace(co_await judge.Grade(challenge, response, Deadline::After(10s)));
      },
      boost::asio::detached);
  io.run();
  ASSERT_TRUE(grade.has_value());
  ASSERT_TRUE(grade->ok()) << grade->error().ToString();
  EXPECT_DOUBLE_EQ((*grade)->score, 0.6);

  // In the scorer: R = 0.5 × DAG judge + 0.5 × the grade.
  response.challenge_id = "0x01";
  response.standardized_data = JsonObject{{"a", "b"}};
  response.provenance = JsonObject{{"$.a", JsonArray{1}}};
  const std::string bytes = CompactJson(protocol::ToJson(response));
  ScoringInput in;
  in.generated.challenge.challenge_id = "0x01";
  in.generated.challenge.target_schema = JsonObject{{"a", "str"}};
  in.response_json = bytes;
  const double dag = Score(in).reasoning.score;
  in.llm_reasoning = (*grade)->score;
  in.llm_rationale = (*grade)->rationale;
  const ScoreCard card = Score(in);
  EXPECT_DOUBLE_EQ(card.reasoning.score, 0.5 * dag + 0.3);
  EXPECT_NE(card.reasoning.explanation.find("LLM judge"), std::string::npos);
}

}  // namespace
}  // namespace orchestra::validator
