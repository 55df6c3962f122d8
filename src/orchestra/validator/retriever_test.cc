#include "orchestra/validator/retriever.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "orchestra/validator/sim_world_test_util.h"

namespace orchestra::validator {
namespace {

using ::testing::HasSubstr;

Deadline Soon() { return Deadline::After(std::chrono::seconds(10)); }

TEST(RetrieverTest, PicksTheMostReliableSubnetForACapability) {
  testing::SimWorld world;
  EXPECT_EQ(MostReliable(world.ledger(), "web_search")->subnet_id, "SN22");
  EXPECT_EQ(MostReliable(world.ledger(), "web_scraping")->subnet_id, "SN13");
  EXPECT_EQ(MostReliable(world.ledger(), "teleportation"), nullptr);
}

TEST(RetrieverTest, SearchFindsPagesOfTheExpertWorldWithTitlesAndSnippets) {
  testing::SimWorld world;
  auto retriever = world.MakeRetriever();
  auto found = world.Run(retriever->Search("GPU cloud pricing", 5, Soon()));
  ASSERT_TRUE(found.ok()) << found.error().ToString();
  ASSERT_FALSE(found->empty());
  EXPECT_LE(found->size(), 5u);
  bool runpod = false;
  for (const Document& d : *found) {
    EXPECT_FALSE(d.title.empty()) << d.url;
    EXPECT_FALSE(d.snippet.empty()) << d.url;
    runpod |= d.url == "https://www.runpod.io/pricing";
  }
  EXPECT_TRUE(runpod);
}

TEST(RetrieverTest, FetchReadsTheStructuredFieldsAndSkipsUnknownPages) {
  testing::SimWorld world;
  auto retriever = world.MakeRetriever();
  auto pages = world.Run(
      retriever->Fetch({"https://www.runpod.io/pricing", "https://nowhere.invalid/page"}, Soon()));
  ASSERT_TRUE(pages.ok()) << pages.error().ToString();
  ASSERT_EQ(pages->size(), 1u);
  const Document& page = pages->front();
  EXPECT_EQ(page.url, "https://www.runpod.io/pricing");
  EXPECT_EQ(page.title, "RunPod GPU Cloud Pricing");
  EXPECT_EQ(JsonString(page.fields, "name"), "RunPod");
  EXPECT_NE(JsonFind(page.fields, "pricing"), nullptr);
}

TEST(RetrieverTest, AnOfflineSubnetIsAnErrorNamingIt) {
  testing::SimWorld world;
  ASSERT_TRUE(world.sim().SetOnline(22, std::nullopt, false).ok());
  auto retriever = world.MakeRetriever();
  auto found = world.Run(retriever->Search("GPU cloud pricing", 5, Soon()));
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.error().code, ErrorCode::kUnavailable);
  EXPECT_THAT(found.error().message, HasSubstr("SN22"));
  EXPECT_EQ(retriever->calls(), 3);  // one attempt per UID
}

TEST(RetrieverTest, RefusesEmptyQueriesAndUrlLists) {
  testing::SimWorld world;
  auto retriever = world.MakeRetriever();
  EXPECT_EQ(world.Run(retriever->Search("", 5, Soon())).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(world.Run(retriever->Fetch({}, Soon())).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(retriever->calls(), 0);
}

}  // namespace
}  // namespace orchestra::validator
