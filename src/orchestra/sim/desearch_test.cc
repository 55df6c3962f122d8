#include "orchestra/sim/desearch.h"

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

TEST(DesearchTest, ReturnsResultsInTheDesearchShape) {
  auto out = Search(Small(), Input(R"({"query": "Akash compute marketplace"})"));
  ASSERT_TRUE(out.ok()) << out.error().ToString();
  const auto& results = out->at("results").as_array();
  ASSERT_FALSE(results.empty());
  EXPECT_EQ(results[0].at("link"), "https://akash.network/");
  EXPECT_EQ(results[0].at("title"), "Akash Network - Decentralized Compute Marketplace");
  EXPECT_EQ(results[0].at("snippet"), "Akash is a decentralized compute marketplace.");
  EXPECT_EQ(results[0].at("published_date"), "2025-01-15");
  EXPECT_EQ(out->at("total_found"), static_cast<int64_t>(results.size()));
}

TEST(DesearchTest, RespectsMaxResults) {
  auto out =
      Search(Small(), Input(R"({"query": "network gpu pricing compute", "max_results": 1})"));
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->at("results").as_array().size(), 1u);
  EXPECT_EQ(out->at("total_found"), 1);
}

TEST(DesearchTest, NoMatchIsAnEmptySuccess) {
  auto out = Search(Small(), Input(R"({"query": "quantum teleportation"})"));
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(out->at("results").as_array().empty());
  EXPECT_EQ(out->at("total_found"), 0);
}

TEST(DesearchTest, NewsSearchTypeSkipsHomepages) {
  auto out =
      Search(Small(), Input(R"({"query": "Akash decentralized compute", "search_type": "news"})"));
  ASSERT_TRUE(out.ok());
  for (const Json& result : out->at("results").as_array()) {
    EXPECT_NE(result.at("link"), "https://akash.network/");
  }
}

TEST(DesearchTest, RejectsBadInputNamingTheField) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {R"({"max_results": 3})", "query: required"},
      {R"({"query": "  "})", "query: must not be empty"},
      {R"({"query": 7})", "query: expected a string"},
      {R"({"query": "x", "max_results": 0})", "max_results: 0.0 is outside 1..100"},
      {R"({"query": "x", "max_results": 101})", "max_results: 101.0 is outside 1..100"},
      {R"({"query": "x", "max_results": "ten"})", "max_results: expected an integer"},
      {R"({"query": "x", "search_type": 1})", "search_type: expected a string"},
      {R"([1])", "search input: expected a JSON object"},
  };
  for (const auto& [input, message] : cases) {
    auto out = Search(Small(), Input(input));
    ASSERT_FALSE(out.ok()) << input;
    EXPECT_EQ(out.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(out.error().message, message);
  }
}

}  // namespace
}  // namespace orchestra::sim
