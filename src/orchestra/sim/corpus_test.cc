#include "orchestra/sim/corpus.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>
#include <tuple>

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

// Search remembers recent results; a remembered answer must be the one SQLite gives for that
// exact query, result count and search type, including after it was evicted and searched again.
TEST(CorpusSearchTest, RepeatedSearchesGiveTheSameResultsAsFreshOnes) {
  const Corpus corpus = LoadSmall();
  const Corpus fresh = LoadSmall();
  const std::string query = "decentralized compute raises";
  const auto web = Urls(fresh.Search(query, 10, "web"));
  const auto news = Urls(fresh.Search(query, 10, "news"));
  const auto one = Urls(fresh.Search(query, 1, "web"));
  ASSERT_GT(web.size(), news.size());
  ASSERT_EQ(one.size(), 1u);
  for (int round = 0; round < 2; ++round) {
    EXPECT_EQ(Urls(corpus.Search(query, 10, "web")), web);
    EXPECT_EQ(Urls(corpus.Search(query, 10, "news")), news);
    EXPECT_EQ(Urls(corpus.Search(query, 1, "web")), one);
  }
  for (int i = 0; i < 5000; ++i) corpus.Search(fmt::format("akash q{}", i), 3, "web");
  EXPECT_EQ(Urls(corpus.Search(query, 10, "web")), web);
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

// ---- Corpus::Open: the index file in the data dir.

class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/orchestra-corpus-XXXXXX";
    path_ = ::mkdtemp(pattern);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

void WriteFile(const std::filesystem::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Two packages with homepages (one of them the curated Akash page), one without, one broken.
constexpr std::string_view kPackages = R"(Package: 0ad
Version: 0.0.26-3
Section: games
Description: Real-time strategy game of ancient warfare
 0 A.D. is a free, open-source real-time strategy game.
Homepage: https://play0ad.com/

Package: akash-cli
Version: 1.0
Description: command line client for a compute marketplace
Homepage: https://www.akash.network

Package: zlib1g
Description: compression library - runtime

Package: broken
not a field
)";

// A package list in `dir` and options whose command prints it (and counts its runs in
// `dir`/runs). The list is its own source: the command runs when the file changed.
CorpusOpenOptions PackageListOptions(const std::filesystem::path& dir, std::string_view text) {
  const std::filesystem::path file = dir / "packages.txt";
  WriteFile(file, text);
  CorpusOpenOptions options;
  options.debian_packages_command =
      fmt::format("sh -c 'echo run >> \"{}\"; cat \"{}\"'", (dir / "runs").string(), file.string());
  options.debian_packages_sources = {file};
  return options;
}

// How many times the command of PackageListOptions(dir, ...) ran.
int CommandRuns(const std::filesystem::path& dir) {
  std::ifstream in(dir / "runs");
  int runs = 0;
  for (std::string line; std::getline(in, line);) ++runs;
  return runs;
}

Result<Corpus> OpenSmall(const std::filesystem::path& data_dir, const CorpusOpenOptions& options) {
  static const testing::InlineFiles files = testing::SmallCorpusFiles();
  return Corpus::Open(data_dir, files.Files(), options);
}

ino_t Inode(const std::filesystem::path& path) {
  struct stat info {};
  ::stat(path.c_str(), &info);
  return info.st_ino;
}

TEST(CorpusOpenTest, BuildsTheIndexFileOnceAndThenReusesIt) {
  TempDir dir;
  const auto options = PackageListOptions(dir.path(), kPackages);
  const auto data_dir = dir.path() / "data";
  auto first = OpenSmall(data_dir, options);
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  EXPECT_TRUE(first->index_info().built);
  EXPECT_EQ(first->index_info().build_reason, "no corpus.db yet");
  EXPECT_EQ(first->index_info().path, data_dir / "corpus.db");
  const ino_t built_inode = Inode(data_dir / "corpus.db");
  const auto built_time = std::filesystem::last_write_time(data_dir / "corpus.db");

  auto second = OpenSmall(data_dir, options);
  ASSERT_TRUE(second.ok()) << second.error().ToString();
  EXPECT_FALSE(second->index_info().built);
  EXPECT_EQ(second->index_info().build_seconds, 0.0);
  EXPECT_EQ(second->index_info().fingerprint, first->index_info().fingerprint);
  EXPECT_EQ(Inode(data_dir / "corpus.db"), built_inode);
  EXPECT_EQ(std::filesystem::last_write_time(data_dir / "corpus.db"), built_time);
  ASSERT_EQ(second->documents().size(), first->documents().size());
  for (size_t i = 0; i < first->documents().size(); ++i) {
    const Document& a = first->documents()[i];
    const Document& b = second->documents()[i];
    EXPECT_EQ(
        std::tie(a.url, a.title, a.published_date, a.kind, a.snippet, a.text, a.topic, a.source),
        std::tie(b.url, b.title, b.published_date, b.kind, b.snippet, b.text, b.topic, b.source));
    EXPECT_EQ(a.fields, b.fields) << a.url;
  }
  EXPECT_FALSE(std::filesystem::exists(data_dir / "corpus.db.tmp"));
}

TEST(CorpusOpenTest, TellsProgressWhileBuildingAndNothingWhenReusing) {
  TempDir dir;
  auto options = PackageListOptions(dir.path(), kPackages);
  std::vector<std::string> lines;
  options.progress = [&](std::string_view line) { lines.emplace_back(line); };
  const auto data_dir = dir.path() / "data";
  ASSERT_TRUE(OpenSmall(data_dir, options).ok());
  ASSERT_EQ(lines.size(), 2u) << ::testing::PrintToString(lines);
  // One package duplicates a curated page and two have no document: one Debian package counts.
  EXPECT_EQ(lines[0], fmt::format("building the expert corpus (curated + 1 Debian packages) into "
                                  "{}, once ...",
                                  (data_dir / "corpus.db").string()));
  EXPECT_EQ(lines[1].rfind("expert corpus built in ", 0), 0u) << lines[1];

  lines.clear();
  ASSERT_TRUE(OpenSmall(data_dir, options).ok());
  EXPECT_EQ(lines, std::vector<std::string>());
}

TEST(CorpusOpenTest, CorpusDirectoryIsTheSharedOneWhenTheEnvironmentNamesIt) {
  const char* before = std::getenv("ORCHESTRA_CORPUS_DIR");
  const std::string saved = before != nullptr ? before : "";
  ::setenv("ORCHESTRA_CORPUS_DIR", "/tmp/shared-corpus", 1);
  EXPECT_EQ(CorpusDirectory("/home/u/.orchestra/experts"), "/tmp/shared-corpus");
  ::setenv("ORCHESTRA_CORPUS_DIR", "", 1);
  EXPECT_EQ(CorpusDirectory("/home/u/.orchestra/experts"), "/home/u/.orchestra/experts");
  if (before != nullptr) {
    ::setenv("ORCHESTRA_CORPUS_DIR", saved.c_str(), 1);
  } else {
    ::unsetenv("ORCHESTRA_CORPUS_DIR");
  }
}

TEST(CorpusOpenTest, ReusesTheIndexWithoutRunningTheCommandWhileItsSourcesAreUnchanged) {
  TempDir dir;
  const auto options = PackageListOptions(dir.path(), kPackages);
  for (int i = 0; i < 3; ++i) {
    auto corpus = OpenSmall(dir.path(), options);
    ASSERT_TRUE(corpus.ok()) << corpus.error().ToString();
    EXPECT_EQ(corpus->index_info().built, i == 0);
    EXPECT_EQ(corpus->documents().size(), 6u);
  }
  EXPECT_EQ(CommandRuns(dir.path()), 1);
}

TEST(CorpusOpenTest, KeepsTheIndexWhenTheSourcesChangedButNotThePackageList) {
  TempDir dir;
  const auto options = PackageListOptions(dir.path(), kPackages);
  ASSERT_TRUE(OpenSmall(dir.path(), options).ok());
  const auto list = options.debian_packages_sources[0];
  std::filesystem::last_write_time(list,
                                   std::filesystem::last_write_time(list) + std::chrono::hours(1));
  auto touched = OpenSmall(dir.path(), options);
  ASSERT_TRUE(touched.ok()) << touched.error().ToString();
  EXPECT_FALSE(touched->index_info().built);
  EXPECT_EQ(CommandRuns(dir.path()), 2);
  // The new stamp was recorded: the next Open does not run the command again.
  ASSERT_TRUE(OpenSmall(dir.path(), options).ok());
  EXPECT_EQ(CommandRuns(dir.path()), 2);
}

TEST(CorpusOpenTest, RunsTheCommandOnEveryOpenWhenItHasNoSources) {
  TempDir dir;
  auto options = PackageListOptions(dir.path(), kPackages);
  options.debian_packages_sources = {dir.path() / "missing"};
  for (int i = 0; i < 2; ++i) {
    auto corpus = OpenSmall(dir.path(), options);
    ASSERT_TRUE(corpus.ok()) << corpus.error().ToString();
    EXPECT_EQ(corpus->index_info().built, i == 0);
  }
  EXPECT_EQ(CommandRuns(dir.path()), 2);
}

TEST(CorpusOpenTest, AddsOneDocumentPerPackageHomepageAfterTheCuratedOnes) {
  TempDir dir;
  auto corpus = OpenSmall(dir.path(), PackageListOptions(dir.path(), kPackages));
  ASSERT_TRUE(corpus.ok()) << corpus.error().ToString();
  const CorpusIndexInfo& info = corpus->index_info();
  EXPECT_TRUE(info.debian_available);
  EXPECT_EQ(info.curated_documents, 5u);
  EXPECT_EQ(info.debian_documents, 1u);
  EXPECT_EQ(info.debian_records, 4u);
  EXPECT_EQ(info.debian_malformed, 1u);
  EXPECT_EQ(info.debian_without_homepage, 1u);
  EXPECT_EQ(info.debian_duplicate_homepages, 1u);  // akash-cli: the curated page wins
  ASSERT_EQ(corpus->documents().size(), 6u);
  EXPECT_EQ(corpus->documents()[5].url, "https://play0ad.com/");
  EXPECT_EQ(corpus->FindByUrl("https://akash.network/")->topic, "compute");
}

TEST(CorpusOpenTest, SearchesAndFindsPackageDocumentsByUrl) {
  TempDir dir;
  auto corpus = OpenSmall(dir.path(), PackageListOptions(dir.path(), kPackages));
  ASSERT_TRUE(corpus.ok()) << corpus.error().ToString();
  const auto found = corpus->Search("strategy game of ancient warfare", 3, "web");
  ASSERT_FALSE(found.empty());
  EXPECT_EQ(found[0]->url, "https://play0ad.com/");
  EXPECT_EQ(found[0]->title, "0ad: Real-time strategy game of ancient warfare");
  const Document* doc = corpus->FindByUrl("http://www.play0ad.com");
  ASSERT_NE(doc, nullptr);
  EXPECT_EQ(doc->fields.at("name"), "0ad");
  EXPECT_EQ(doc->topic, "debian_packages");
  EXPECT_EQ(Urls(corpus->Search("Akash RunPod", 10, "")).size(), 2u);
}

TEST(CorpusOpenTest, RebuildsWhenThePackageListChanges) {
  TempDir dir;
  auto first = OpenSmall(dir.path(), PackageListOptions(dir.path(), kPackages));
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  const std::string more = std::string(kPackages) +
                           "\nPackage: gimp\nDescription: GNU Image Manipulation Program\n"
                           "Homepage: https://www.gimp.org/\n";
  auto second = OpenSmall(dir.path(), PackageListOptions(dir.path(), more));
  ASSERT_TRUE(second.ok()) << second.error().ToString();
  EXPECT_TRUE(second->index_info().built);
  EXPECT_EQ(second->index_info().build_reason, "inputs changed");
  EXPECT_NE(second->index_info().fingerprint, first->index_info().fingerprint);
  EXPECT_NE(second->FindByUrl("https://gimp.org"), nullptr);
  EXPECT_EQ(first->FindByUrl("https://gimp.org"), nullptr);
  // The first corpus still searches its own (now replaced) file.
  EXPECT_FALSE(first->Search("strategy game", 1, "web").empty());
}

TEST(CorpusOpenTest, RebuildsWhenTheCuratedCorpusChanges) {
  TempDir dir;
  const auto options = PackageListOptions(dir.path(), kPackages);
  ASSERT_TRUE(OpenSmall(dir.path(), options).ok());
  auto changed = Corpus::Open(
      dir.path(), {{"data/corpus/one.json", R"({"documents": [{"url": "https://one.org"}]})"}},
      options);
  ASSERT_TRUE(changed.ok()) << changed.error().ToString();
  EXPECT_TRUE(changed->index_info().built);
  EXPECT_EQ(changed->index_info().curated_documents, 1u);
  // No curated Akash page any more: the package that shares its homepage gets the URL.
  EXPECT_EQ(changed->FindByUrl("https://akash.network")->topic, "debian_packages");
}

TEST(CorpusOpenTest, RebuildsATruncatedIndexInsteadOfTrustingIt) {
  TempDir dir;
  const auto options = PackageListOptions(dir.path(), kPackages);
  ASSERT_TRUE(OpenSmall(dir.path(), options).ok());
  const auto path = dir.path() / "corpus.db";
  std::filesystem::resize_file(path, std::filesystem::file_size(path) / 2);
  auto reopened = OpenSmall(dir.path(), options);
  ASSERT_TRUE(reopened.ok()) << reopened.error().ToString();
  EXPECT_TRUE(reopened->index_info().built);
  EXPECT_EQ(reopened->index_info().build_reason.rfind("unreadable corpus.db: ", 0), 0u)
      << reopened->index_info().build_reason;
  EXPECT_EQ(reopened->documents().size(), 6u);
  EXPECT_FALSE(reopened->Search("Akash", 1, "web").empty());
}

TEST(CorpusOpenTest, RebuildsAnIndexFileThatIsNotADatabase) {
  TempDir dir;
  WriteFile(dir.path() / "corpus.db", "this is not an SQLite file, just some text........");
  auto corpus = OpenSmall(dir.path(), PackageListOptions(dir.path(), kPackages));
  ASSERT_TRUE(corpus.ok()) << corpus.error().ToString();
  EXPECT_TRUE(corpus->index_info().built);
  EXPECT_EQ(corpus->index_info().build_reason.rfind("unreadable corpus.db: ", 0), 0u)
      << corpus->index_info().build_reason;
  EXPECT_EQ(corpus->documents().size(), 6u);
}

TEST(CorpusOpenTest, IgnoresTheTemporaryFileOfAnInterruptedBuild) {
  TempDir dir;
  WriteFile(dir.path() / "corpus.db.tmp", "half an index");
  auto corpus = OpenSmall(dir.path(), PackageListOptions(dir.path(), kPackages));
  ASSERT_TRUE(corpus.ok()) << corpus.error().ToString();
  EXPECT_EQ(corpus->index_info().build_reason, "no corpus.db yet");
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "corpus.db.tmp"));
  EXPECT_EQ(corpus->documents().size(), 6u);
}

TEST(CorpusOpenTest, IndexesTheCuratedCorpusOnlyWhenThePackageCommandIsMissing) {
  TempDir dir;
  CorpusOpenOptions options;
  options.debian_packages_command = "orchestra-no-such-command dumpavail";
  options.debian_packages_sources = {};
  auto corpus = OpenSmall(dir.path(), options);
  ASSERT_TRUE(corpus.ok()) << corpus.error().ToString();
  EXPECT_FALSE(corpus->index_info().debian_available);
  EXPECT_EQ(corpus->documents().size(), 5u);
  EXPECT_EQ(corpus->Search("decentralized compute", 3, "web").size(), 2u);
}

TEST(CorpusOpenTest, IndexesTheCuratedCorpusOnlyWhenThePackageCommandFails) {
  TempDir dir;
  CorpusOpenOptions options;
  options.debian_packages_command = "sh -c 'echo Package: half; exit 3'";
  options.debian_packages_sources = {};
  auto corpus = OpenSmall(dir.path(), options);
  ASSERT_TRUE(corpus.ok()) << corpus.error().ToString();
  EXPECT_FALSE(corpus->index_info().debian_available);
  EXPECT_EQ(corpus->documents().size(), 5u);
}

TEST(CorpusOpenTest, RejectsBadCuratedFilesAsLoadDoes) {
  TempDir dir;
  CorpusOpenOptions options;
  options.debian_packages_command = "";
  auto corpus =
      Corpus::Open(dir.path(), {{"data/corpus/x.json", R"({"documents": [{}]})"}}, options);
  ASSERT_FALSE(corpus.ok());
  EXPECT_EQ(corpus.error().message, "data/corpus/x.json: documents[0]: missing \"url\"");
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "corpus.db"));
}

TEST(CorpusOpenTest, FailsWithIoErrorWhenTheDataDirCannotBeCreated) {
  TempDir dir;
  WriteFile(dir.path() / "file", "x");
  CorpusOpenOptions options;
  options.debian_packages_command = "";
  auto corpus = OpenSmall(dir.path() / "file" / "data", options);
  ASSERT_FALSE(corpus.ok());
  EXPECT_EQ(corpus.error().code, ErrorCode::kIo);
}

TEST(CorpusOpenTest, SearchesFromSeveralThreadsOverSeveralConnections) {
  TempDir dir;
  auto options = PackageListOptions(dir.path(), kPackages);
  options.search_connections = 2;
  auto corpus = OpenSmall(dir.path(), options);
  ASSERT_TRUE(corpus.ok()) << corpus.error().ToString();
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        if (corpus->Search("decentralized compute", 3, "web").size() != 2u) ++failures[t];
        if (corpus->Search("ancient warfare", 3, "web").size() != 1u) ++failures[t];
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures, std::vector<int>(4, 0));
}

// ---- The real corpus with every package apt knows: curated pages must still come first.

bool AptCacheExists() { return std::system("command -v apt-cache >/dev/null 2>&1") == 0; }

// The embedded corpus plus `apt-cache dumpavail`. ctest runs every test in a process of its
// own: the data dir is shared by them (and by later runs; under ctest by every test that needs
// the full corpus, through $ORCHESTRA_CORPUS_DIR), so the index is built once and then reused,
// as Open promises; Open rebuilds it whenever its inputs differ.
const Corpus* FullCorpus() {
  static const Result<Corpus> corpus =
      Corpus::OpenEmbedded(CorpusDirectory(std::filesystem::temp_directory_path() /
                                           fmt::format("orchestra-corpus-test-{}", ::getuid())));
  EXPECT_TRUE(corpus.ok()) << corpus.error().ToString();
  return corpus.ok() ? &corpus.value() : nullptr;
}

class CorpusWithDebianTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (EmbeddedCorpus().empty()) GTEST_SKIP() << "data/corpus was empty at configure time";
    if (!AptCacheExists()) GTEST_SKIP() << "apt-cache not found: no Debian package list here";
    corpus_ = FullCorpus();
    ASSERT_NE(corpus_, nullptr);
    if (!corpus_->index_info().debian_available) {
      GTEST_SKIP() << "`apt-cache dumpavail` gave no package list";
    }
  }

  // The top `n` results of `query`, timed.
  std::vector<const Document*> Top(std::string_view query, int n,
                                   std::string_view type = "web") const {
    const auto start = std::chrono::steady_clock::now();
    auto found = corpus_->Search(query, n, type);
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    std::printf("  %.2f ms  %.*s\n", ms, static_cast<int>(query.size()), query.data());
    return found;
  }

  const Corpus* corpus_ = nullptr;
};

TEST_F(CorpusWithDebianTest, IndexesTensOfThousandsOfPackages) {
  const CorpusIndexInfo& info = corpus_->index_info();
  std::printf("  %zu documents (%zu Debian) from %zu records, %s, %.1f MB\n",
              corpus_->documents().size(), info.debian_documents, info.debian_records,
              info.built ? fmt::format("built in {:.1f} s", info.build_seconds).c_str() : "reused",
              std::filesystem::file_size(info.path) / 1e6);
  EXPECT_GT(info.debian_documents, 1000u);
  EXPECT_EQ(info.curated_documents, Corpus::LoadEmbedded()->documents().size());
}

TEST_F(CorpusWithDebianTest, FindsPackageDocumentsByTheirHomepage) {
  const Document& last = corpus_->documents().back();
  EXPECT_EQ(last.topic, "debian_packages");
  EXPECT_EQ(corpus_->FindByUrl(last.url), &last);
}

TEST_F(CorpusWithDebianTest, RanksCuratedPagesFirstForDecentralizedComputeQueries) {
  for (std::string_view query :
       {"decentralized compute marketplace providers", "decentralized compute marketplaces"}) {
    const auto top = Top(query, 3);
    ASSERT_EQ(top.size(), 3u);
    for (const Document* doc : top) EXPECT_NE(doc->topic, "debian_packages") << doc->url;
  }
  const auto top = Urls(Top("decentralized compute marketplace Akash Render Golem 2026", 5));
  EXPECT_TRUE(Contains(top, "https://akash.network/")) << ::testing::PrintToString(top);
  EXPECT_TRUE(Contains(top, "https://rendernetwork.com/")) << ::testing::PrintToString(top);
  EXPECT_TRUE(Contains(top, "https://www.golem.network/")) << ::testing::PrintToString(top);
}

TEST_F(CorpusWithDebianTest, RanksGpuPricingPagesFirstForCloudGpuPricingQueries) {
  for (std::string_view query : {"cloud GPU pricing RunPod Vast.ai Lambda",
                                 "cloud GPU pricing RunPod Vast.ai Lambda price point inference "
                                 "API"}) {
    const auto top = Urls(Top(query, 4));
    EXPECT_TRUE(Contains(top, "https://www.runpod.io/pricing")) << ::testing::PrintToString(top);
    EXPECT_TRUE(Contains(top, "https://vast.ai/pricing")) << ::testing::PrintToString(top);
    EXPECT_TRUE(Contains(top, "https://lambdalabs.com/service/gpu-cloud#pricing"))
        << ::testing::PrintToString(top);
  }
}

TEST_F(CorpusWithDebianTest, RanksFundingNewsFirstForAiFundingQueries) {
  for (std::string_view query : {"AI startup funding rounds 2024", "recent AI funding rounds 2024",
                                 "recent AI funding rounds trends"}) {
    const auto top = Top(query, 5);
    ASSERT_EQ(top.size(), 5u);
    for (const Document* doc : top) EXPECT_EQ(doc->topic, "ai_funding") << doc->url;
  }
}

TEST_F(CorpusWithDebianTest, RanksAnalysisFirstForMarketAnalysisQueries) {
  const auto found = Top("decentralized compute market analysis report", 10);
  ASSERT_GE(found.size(), 3u);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(found[i]->kind, "analysis") << found[i]->url;
  const auto news = Top("decentralized compute marketplace gaps opportunities analysis", 5, "news");
  ASSERT_FALSE(news.empty());
  for (const Document* doc : news) EXPECT_NE(doc->topic, "debian_packages") << doc->url;
}

TEST_F(CorpusWithDebianTest, FindsPackagesForQueriesAboutSoftware) {
  const auto top = Top("real-time strategy game ancient warfare", 3);
  ASSERT_FALSE(top.empty());
  EXPECT_EQ(top[0]->topic, "debian_packages") << top[0]->url;
  // Words nearly every package description has: answered, and not slowly.
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(Top("library for python development files data tool", 10).size(), 10u);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

}  // namespace
}  // namespace orchestra::sim
