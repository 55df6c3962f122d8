#include "orchestra/sim/corpus.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "orchestra/sim/embedded_corpus.h"
#include "orchestra/sim/test_corpus.h"

namespace orchestra::sim {
namespace {

Corpus LoadSmall() {
  static const testing::InlineFiles files = testing::SmallCorpusFiles();
  auto corpus = Corpus::Load(files.Files());
  EXPECT_TRUE(corpus.ok()) << corpus.error().ToString();
  return std::move(corpus).value();
}

// The real corpus, or nullptr when data/corpus was empty at build time.
const Corpus* RealCorpus() {
  static const Result<Corpus> corpus = Corpus::LoadEmbedded();
  if (EmbeddedCorpus().empty()) return nullptr;
  EXPECT_TRUE(corpus.ok()) << corpus.error().ToString();
  return corpus.ok() ? &corpus.value() : nullptr;
}

std::vector<std::string> Urls(const std::vector<const Document*>& docs) {
  std::vector<std::string> urls;
  for (const Document* doc : docs) urls.push_back(doc->url);
  return urls;
}

bool Contains(const std::vector<std::string>& urls, std::string_view url) {
  return std::find(urls.begin(), urls.end(), url) != urls.end();
}

Result<Corpus> LoadOne(std::string_view path, std::string_view json) {
  return Corpus::Load({{path, json}});
}

TEST(CorpusLoadTest, RejectsBadJsonNamingTheFile) {
  auto corpus = LoadOne("data/corpus/broken.json", R"({"documents": [)");
  ASSERT_FALSE(corpus.ok());
  EXPECT_EQ(corpus.error().code, ErrorCode::kParse);
  EXPECT_NE(corpus.error().message.find("data/corpus/broken.json"), std::string::npos);
}

TEST(CorpusLoadTest, RejectsDocumentWithoutUrlNamingFileAndIndex) {
  auto corpus = LoadOne("data/corpus/x.json",
                        R"({"documents": [{"url": "https://a.com"}, {"title": "no url"}]})");
  ASSERT_FALSE(corpus.ok());
  EXPECT_EQ(corpus.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(corpus.error().message, "data/corpus/x.json: documents[1]: missing \"url\"");
}

TEST(CorpusLoadTest, RejectsDuplicateUrlAcrossFilesNamingBothPlaces) {
  auto corpus =
      Corpus::Load({{"data/corpus/a.json", R"({"documents": [{"url": "https://a.com/"}]})"},
                    {"data/corpus/b.json", R"({"documents": [{"url": "http://a.com"}]})"}});
  ASSERT_FALSE(corpus.ok());
  EXPECT_NE(corpus.error().message.find("data/corpus/b.json: documents[0]: duplicate url"),
            std::string::npos)
      << corpus.error().message;
  EXPECT_NE(corpus.error().message.find("data/corpus/a.json: documents[0]"), std::string::npos);
}

TEST(CorpusLoadTest, RejectsMissingDocumentsArray) {
  auto corpus = LoadOne("data/corpus/x.json", R"({"topic": "t"})");
  ASSERT_FALSE(corpus.ok());
  EXPECT_EQ(corpus.error().message, "data/corpus/x.json: missing \"documents\" array");
}

TEST(CorpusLoadTest, RejectsUnknownKindAndBadDate) {
  auto kind = LoadOne("f.json", R"({"documents": [{"url": "https://a.com", "kind": "blog"}]})");
  ASSERT_FALSE(kind.ok());
  EXPECT_NE(kind.error().message.find("\"kind\" \"blog\""), std::string::npos);
  auto date = LoadOne("f.json",
                      R"({"documents": [{"url": "https://a.com", "published_date": "Jan 2025"}]})");
  ASSERT_FALSE(date.ok());
  EXPECT_NE(date.error().message.find("published_date"), std::string::npos);
}

TEST(CorpusLoadTest, RejectsFieldsThatAreNotAnObject) {
  auto corpus = LoadOne("f.json", R"({"documents": [{"url": "https://a.com", "fields": [1]}]})");
  ASSERT_FALSE(corpus.ok());
  EXPECT_NE(corpus.error().message.find("\"fields\" is not an object"), std::string::npos);
}

TEST(CorpusLoadTest, LoadsTheEmbeddedCorpus) {
  if (EmbeddedCorpus().empty()) GTEST_SKIP() << "data/corpus was empty at configure time";
  auto corpus = Corpus::LoadEmbedded();
  ASSERT_TRUE(corpus.ok()) << corpus.error().ToString();
  EXPECT_GT(corpus->documents().size(), 10u);
}

TEST(CorpusSearchTest, RanksTitleMatchAboveTextMatch) {
  const Corpus corpus = LoadSmall();
  const auto found = corpus.Search("Render", 5, "web");
  ASSERT_FALSE(found.empty());
  EXPECT_EQ(found[0]->url, "https://rendernetwork.com/");
}

TEST(CorpusSearchTest, OrsTheWordsOfFreeText) {
  const Corpus corpus = LoadSmall();
  const auto urls = Urls(corpus.Search("Akash RunPod", 10, ""));
  EXPECT_TRUE(Contains(urls, "https://akash.network/"));
  EXPECT_TRUE(Contains(urls, "https://www.runpod.io/pricing"));
}

TEST(CorpusSearchTest, IgnoresFtsSyntaxInTheQuery) {
  const Corpus corpus = LoadSmall();
  const auto found = corpus.Search(R"(Akash" AND (NEAR* OR -"render: ^col:x {})", 10, "web");
  EXPECT_FALSE(found.empty());
  EXPECT_TRUE(corpus.Search("\"()*:^", 10, "web").empty());
}

TEST(CorpusSearchTest, RespectsMaxResults) {
  const Corpus corpus = LoadSmall();
  EXPECT_EQ(corpus.Search("network decentralized gpu pricing", 2, "web").size(), 2u);
  EXPECT_TRUE(corpus.Search("network", 0, "web").empty());
}

TEST(CorpusSearchTest, NewsSearchKeepsNewsAndAnalysisOnly) {
  const Corpus corpus = LoadSmall();
  const auto found = corpus.Search("decentralized compute raises", 10, "news");
  ASSERT_FALSE(found.empty());
  for (const Document* doc : found) {
    EXPECT_TRUE(doc->kind == "news" || doc->kind == "analysis") << doc->url;
  }
}

TEST(CorpusSearchTest, IsSafeFromSeveralThreads) {
  const Corpus corpus = LoadSmall();
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        if (corpus.Search("decentralized compute", 3, "web").size() != 2u) ++failures[t];
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures, std::vector<int>(4, 0));
}

TEST(CorpusFindByUrlTest, ToleratesTrailingSlashSchemeAndWww) {
  const Corpus corpus = LoadSmall();
  for (std::string_view url : {"https://akash.network/", "https://akash.network",
                               "http://akash.network", "https://www.Akash.network/"}) {
    const Document* doc = corpus.FindByUrl(url);
    ASSERT_NE(doc, nullptr) << url;
    EXPECT_EQ(doc->title, "Akash Network - Decentralized Compute Marketplace");
  }
  EXPECT_EQ(corpus.FindByUrl("https://akash.network/docs"), nullptr);
}

TEST(CorpusSearchTest, RanksAkashRenderGolemHomepagesForDecentralizedComputeQuery) {
  const Corpus* corpus = RealCorpus();
  if (corpus == nullptr) GTEST_SKIP() << "data/corpus was empty at configure time";
  const auto top =
      Urls(corpus->Search("decentralized compute marketplace Akash Render Golem 2026", 5, "web"));
  EXPECT_TRUE(Contains(top, "https://akash.network/")) << ::testing::PrintToString(top);
  EXPECT_TRUE(Contains(top, "https://rendernetwork.com/")) << ::testing::PrintToString(top);
  EXPECT_TRUE(Contains(top, "https://www.golem.network/")) << ::testing::PrintToString(top);
}

TEST(CorpusSearchTest, RanksAnalysisFirstForMarketAnalysisReportQuery) {
  const Corpus* corpus = RealCorpus();
  if (corpus == nullptr) GTEST_SKIP() << "data/corpus was empty at configure time";
  const auto found = corpus->Search("decentralized compute market analysis report", 10, "web");
  ASSERT_GE(found.size(), 3u);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(found[i]->kind, "analysis") << found[i]->url;
}

TEST(CorpusSearchTest, FindsFundingNewsForRecentAiFundingQuery) {
  const Corpus* corpus = RealCorpus();
  if (corpus == nullptr) GTEST_SKIP() << "data/corpus was empty at configure time";
  const auto found = corpus->Search("recent AI funding rounds 2024", 5, "web");
  ASSERT_EQ(found.size(), 5u);
  for (const Document* doc : found) EXPECT_EQ(doc->topic, "ai_funding") << doc->url;
}

TEST(CorpusSearchTest, FindsGpuPricingPagesForCloudGpuPricingQuery) {
  const Corpus* corpus = RealCorpus();
  if (corpus == nullptr) GTEST_SKIP() << "data/corpus was empty at configure time";
  const auto top = Urls(corpus->Search("cloud GPU pricing RunPod Vast.ai Lambda", 4, "web"));
  EXPECT_TRUE(Contains(top, "https://www.runpod.io/pricing")) << ::testing::PrintToString(top);
  EXPECT_TRUE(Contains(top, "https://vast.ai/pricing")) << ::testing::PrintToString(top);
  EXPECT_TRUE(Contains(top, "https://lambdalabs.com/service/gpu-cloud#pricing"))
      << ::testing::PrintToString(top);
}

}  // namespace
}  // namespace orchestra::sim
