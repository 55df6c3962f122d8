#include "orchestra/sim/data_universe.h"

#include <gtest/gtest.h>

#include "orchestra/sim/test_corpus.h"

namespace orchestra::sim {
namespace {

const Corpus& Small() {
  static const testing::InlineFiles files = testing::SmallCorpusFiles();
  static const Corpus corpus = std::move(Corpus::Load(files.Files())).value();
  return corpus;
}

Json Input(std::string_view json) { return ParseJson(json).value(); }

TEST(DataUniverseTest, UnknownUrlIsAnErrorEntryNotAFailure) {
  auto out =
      Scrape(Small(), Input(R"({"urls": ["https://nowhere.example/", "https://akash.network"],
                                       "extract_fields": ["name"]})"));
  ASSERT_TRUE(out.ok()) << out.error().ToString();
  EXPECT_EQ(out->at("errors"),
            Input(R"([{"url": "https://nowhere.example/", "error": "not found"}])"));
  ASSERT_EQ(out->at("data").as_array().size(), 1u);
  EXPECT_EQ(out->at("data").as_array()[0].at("url"), "https://akash.network");
}

TEST(DataUniverseTest, MatchesRequestedFieldsByNormalisedName) {
  auto out = Scrape(Small(), Input(R"({"urls": ["https://akash.network/"],
      "extract_fields": ["Name", "strengths", "founded_year", "publishedDate", "text", "pricing"]})"));
  ASSERT_TRUE(out.ok());
  const Json& record = out->at("data").as_array()[0];
  EXPECT_EQ(record.at("Name"), "Akash Network");
  EXPECT_EQ(record.at("strengths"), Input(R"(["Low pricing", "Kubernetes native"])"));
  EXPECT_EQ(record.at("founded_year"), 2015);
  EXPECT_EQ(record.at("publishedDate"), "2025-01-15");
  EXPECT_EQ(record.at("text"),
            "Akash Network lets developers lease compute from providers in a reverse auction.");
  EXPECT_EQ(record.at("title"), "Akash Network - Decentralized Compute Marketplace");
  EXPECT_FALSE(record.as_object().contains("pricing"));  // the page has no pricing: left out
}

TEST(DataUniverseTest, MatchesSynonymsWhenThePageLacksTheExactField) {
  auto out = Scrape(Small(), Input(R"({"urls": ["https://rendernetwork.com"],
                                       "extract_fields": ["description", "summary"]})"));
  ASSERT_TRUE(out.ok());
  const Json& record = out->at("data").as_array()[0];
  EXPECT_EQ(record.at("description"), "Distributed GPU rendering");
  EXPECT_EQ(record.at("summary"), "Distributed GPU rendering");
}

TEST(DataUniverseTest, WithoutExtractFieldsReturnsEveryField) {
  auto out = Scrape(Small(), Input(R"({"urls": ["https://www.runpod.io/pricing"]})"));
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->at("data").as_array()[0],
            Input(R"({"url": "https://www.runpod.io/pricing", "title": "RunPod GPU Cloud Pricing",
                      "name": "RunPod", "pricing": "H100 80GB: $1.99/hr",
                      "snippet": "H100 from $1.99 per hour.", "published_date": "2025-02-01"})"));
}

TEST(DataUniverseTest, RejectsBadInputNamingTheField) {
  std::string too_many = R"({"urls": [)";
  for (int i = 0; i < 21; ++i)
    too_many += std::string(i ? "," : "") + "\"https://a.com/" + std::to_string(i) + "\"";
  too_many += "]}";
  const std::pair<std::string, std::string_view> cases[] = {
      {R"({"extract_fields": []})", "urls: required"},
      {R"({"urls": "https://a.com"})", "urls: expected a list of strings"},
      {R"({"urls": []})", "urls: 0 given, expected 1..20"},
      {too_many, "urls: 21 given, expected 1..20"},
      {R"({"urls": ["https://a.com", 3]})", "urls[1]: expected a non-empty string"},
      {R"({"urls": ["https://a.com"], "extract_fields": "name"})",
       "extract_fields: expected a list of strings"},
      {R"({"urls": ["https://a.com"], "extract_fields": ["name", null]})",
       "extract_fields[1]: expected a string"},
  };
  for (const auto& [input, message] : cases) {
    auto out = Scrape(Small(), Input(input));
    ASSERT_FALSE(out.ok()) << input;
    EXPECT_EQ(out.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(out.error().message, message);
  }
}

}  // namespace
}  // namespace orchestra::sim
