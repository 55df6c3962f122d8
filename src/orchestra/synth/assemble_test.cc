#include "orchestra/synth/assemble.h"

#include <gtest/gtest.h>

namespace orchestra::synth {
namespace {

schema::Schema Target() {
  auto s = schema::Schema::FromTarget(*ParseJson(
      R"({"competitors": [{"name": "str", "strengths": "list[str]"}], "recommendation": "str"})"));
  EXPECT_TRUE(s.ok());
  return std::move(*s);
}

Json Completion(const Json& content) {
  return JsonObject{
      {"choices",
       JsonArray{JsonObject{
           {"message", JsonObject{{"role", "assistant"}, {"content", CompactJson(content)}}}}}}};
}

exec::Execution ScrapedAkash() {
  exec::Execution ex;
  ex.outputs[2] = *ParseJson(R"({"data": [{"url": "https://akash.network", "Name": "Akash Network",
                                            "strengths": "Low pricing, Kubernetes native"}],
                                  "errors": []})");
  return ex;
}

TEST(AssembleTest, MapsTheSynthesisAnswerOntoTheTargetWithProvenance) {
  exec::Execution ex = ScrapedAkash();
  ex.outputs[4] = Completion(*ParseJson(
      R"({"competitors": [{"name": "Akash Network", "strengths": ["Low pricing"]}],
          "recommendation": "Focus on inference"})"));
  Synthesis s = Assemble(Target(), ex, 4);
  EXPECT_EQ(
      CanonicalJson(s.standardized_data),
      R"({"competitors":[{"name":"Akash Network","strengths":["Low pricing"]}],"recommendation":"Focus on inference"})");
  EXPECT_TRUE(s.missing.empty());
  EXPECT_EQ(CanonicalJson(s.provenance.at("$.competitors[0].name")), "[2,4]");
  EXPECT_EQ(CanonicalJson(s.provenance.at("$.recommendation")), "[4]");
  EXPECT_NE(s.final_synthesis.find("Competitors (1): Akash Network"), std::string::npos)
      << s.final_synthesis;
  EXPECT_NE(s.final_synthesis.find("Recommendation: Focus on inference."), std::string::npos);
}

TEST(AssembleTest, FallsBackToScrapedRecordsWhenSynthesisFailedAndInventsNothing) {
  Synthesis s = Assemble(Target(), ScrapedAkash(), 4);
  const Json& competitor = s.standardized_data.at("competitors").at(0);
  EXPECT_EQ(competitor.at("name"), "Akash Network");  // "Name" matched across case
  EXPECT_EQ(CanonicalJson(competitor.at("strengths")), R"(["Low pricing","Kubernetes native"])");
  EXPECT_EQ(JsonFind(s.standardized_data, "recommendation"), nullptr);
  ASSERT_EQ(s.missing.size(), 1u);
  EXPECT_EQ(s.missing[0], "$.recommendation");
  EXPECT_NE(s.final_synthesis.find("Not found by any expert: $.recommendation"), std::string::npos);
}

TEST(ChatContentJsonTest, ExplainsWhatIsWrongWithAReply) {
  EXPECT_EQ(ChatContentJson(JsonObject{}).error().message, "chat completion has no choices");
  auto not_json =
      ChatContentJson(*ParseJson(R"({"choices": [{"message": {"content": "hello"}}]})"));
  ASSERT_FALSE(not_json.ok());
  EXPECT_EQ(not_json.error().code, ErrorCode::kMalformedAnswer);
}

}  // namespace
}  // namespace orchestra::synth
