#include "orchestra/experts/adapters.h"

#include <gtest/gtest.h>

namespace orchestra::experts {
namespace {

TEST(AdaptersTest, CapabilitiesFallIntoFamilies) {
  EXPECT_EQ(FamilyOf("news_search"), Family::kSearch);
  EXPECT_EQ(FamilyOf("structured_extraction"), Family::kScrape);
  EXPECT_EQ(FamilyOf("reasoning"), Family::kInference);
  EXPECT_EQ(FamilyOf("pdf_parsing"), Family::kScrape);
  EXPECT_EQ(FamilyOf("image_generation"), Family::kUnknown);
}

TEST(AdaptersTest, ReadsSearchResultsUnderEitherLinkSpelling) {
  auto hits = ReadSearch(*ParseJson(R"({"results": [
      {"title": "Akash", "link": "https://akash.network", "snippet": "compute"},
      {"title": "Golem", "url": "https://golem.network", "published_date": "2024-01-02"},
      7, {"snippet": "no title, no link"}], "total_found": 4})"));
  ASSERT_TRUE(hits.ok());
  ASSERT_EQ(hits->size(), 2u);
  EXPECT_EQ((*hits)[0].url, "https://akash.network");
  EXPECT_EQ((*hits)[0].snippet, "compute");
  EXPECT_EQ((*hits)[1].url, "https://golem.network");
  EXPECT_EQ((*hits)[1].published_date, "2024-01-02");
  auto bad = ReadSearch(*ParseJson(R"({"data": []})"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kMalformedAnswer);
}

TEST(AdaptersTest, ReadsScrapedRecordsWithTheirUrlMovedOut) {
  auto records = ReadScrape(*ParseJson(R"({"data": [
      {"url": "https://akash.network", "name": "Akash", "strengths": ["cheap"]}, "junk"],
      "errors": [{"url": "https://x.org", "error": "not found"}]})"));
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 1u);
  EXPECT_EQ((*records)[0].url, "https://akash.network");
  EXPECT_EQ(CompactJson((*records)[0].fields), R"({"name":"Akash","strengths":["cheap"]})");
  EXPECT_FALSE(ReadScrape(*ParseJson(R"({"results": []})")).ok());
}

TEST(AdaptersTest, ChatRequestAsksForJsonOnlyWithASchema) {
  const Json with = ChatRequest("m", "sys", "user", *ParseJson(R"({"type": "object"})"), 64);
  EXPECT_EQ(with.at("response_format").at("json_schema").at("schema").at("type"), "object");
  EXPECT_EQ(with.at("messages").as_array()[1].at("content"), "user");
  const Json without = ChatRequest("m", "sys", "user", Json(), 64);
  EXPECT_EQ(JsonFind(without, "response_format"), nullptr);
  EXPECT_EQ(ContextPrompt("two\nlines", "Do it.", JsonArray{1}),
            "Objective: two lines\n\nDo it.\n\nContext (JSON):\n[1]");
}

TEST(AdaptersTest, ChatAnswersSayWhatIsWrong) {
  EXPECT_EQ(ReadChatJson(JsonObject{}).error().message, "chat completion has no choices");
  auto not_json = ReadChatJson(*ParseJson(R"({"choices": [{"message": {"content": "hello"}}]})"));
  ASSERT_FALSE(not_json.ok());
  EXPECT_EQ(not_json.error().code, ErrorCode::kMalformedAnswer);
  auto doc = ReadChatJson(*ParseJson(R"({"choices": [{"message": {"content": "{\"a\": 1}"}}]})"));
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->at("a"), 1);
}

}  // namespace
}  // namespace orchestra::experts
