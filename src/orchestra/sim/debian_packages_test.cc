#include "orchestra/sim/debian_packages.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace orchestra::sim {
namespace {

// Three packages as `apt-cache dumpavail` prints them: a long description with paragraphs and
// a verbatim line, a package without a homepage, one sharing the first one's homepage.
constexpr std::string_view kThreePackages = R"(Package: 0ad
Version: 0.0.26-3
Installed-Size: 28591
Depends: 0ad-data (>= 0.0.26),
 libc6 (>= 2.34)
Description: Real-time strategy game of ancient warfare
 0 A.D. (pronounced "zero ey-dee") is a free, open-source, cross-platform
 real-time strategy (RTS) game of ancient warfare.
 .
 In short, it is a historically-based war/economy game.
 .
   $ 0ad --autostart
 Enjoy.
Homepage: https://play0ad.com/
Description-md5: d943033bedada21853d2ae54a2578a7b
Section: games

Package: zlib1g
Version: 1:1.2.13.dfsg-1
Section: libs
Description: compression library - runtime

Package: 0ad-data
Version: 0.0.26-1
Section: games
Description: Real-time strategy game of ancient warfare (data files)
Homepage: https://play0ad.com
)";

std::vector<DebianPackage> Parse(std::string_view text, DebianPackageStats* stats = nullptr) {
  return ParseDebianPackages(text, stats);
}

TEST(ParseDebianPackagesTest, ReadsFieldsOfEachRecord) {
  DebianPackageStats stats;
  const auto packages = Parse(kThreePackages, &stats);
  ASSERT_EQ(packages.size(), 3u);
  EXPECT_EQ(packages[0].name, "0ad");
  EXPECT_EQ(packages[0].version, "0.0.26-3");
  EXPECT_EQ(packages[0].section, "games");
  EXPECT_EQ(packages[0].homepage, "https://play0ad.com/");
  EXPECT_EQ(packages[0].synopsis, "Real-time strategy game of ancient warfare");
  EXPECT_EQ(packages[1].name, "zlib1g");
  EXPECT_EQ(packages[1].homepage, "");
  EXPECT_EQ(packages[1].long_description, "");
  EXPECT_EQ(stats.records, 3u);
  EXPECT_EQ(stats.malformed, 0u);
}

TEST(ParseDebianPackagesTest, JoinsContinuationLinesIntoParagraphs) {
  const auto packages = Parse(kThreePackages);
  ASSERT_FALSE(packages.empty());
  EXPECT_EQ(packages[0].long_description,
            "0 A.D. (pronounced \"zero ey-dee\") is a free, open-source, cross-platform "
            "real-time strategy (RTS) game of ancient warfare.\n\n"
            "In short, it is a historically-based war/economy game.\n\n"
            "  $ 0ad --autostart\n"
            "Enjoy.");
}

TEST(ParseDebianPackagesTest, AcceptsCrlfLineEnds) {
  const auto packages = Parse(
      "Package: a\r\nDescription: first\r\n line one\r\n .\r\n line two\r\nHomepage: "
      "https://a.org/\r\n\r\nPackage: b\r\n");
  ASSERT_EQ(packages.size(), 2u);
  EXPECT_EQ(packages[0].synopsis, "first");
  EXPECT_EQ(packages[0].long_description, "line one\n\nline two");
  EXPECT_EQ(packages[0].homepage, "https://a.org/");
  EXPECT_EQ(packages[1].name, "b");
}

TEST(ParseDebianPackagesTest, SkipsMalformedRecordsAndCountsThem) {
  DebianPackageStats stats;
  const auto packages = Parse(R"(Package: good-1

Version: 1.0
Description: a record without Package

 continuation before any field
Package: orphan

Package: no-colon
this line is not a field

Package: twice
Package: twice-again

Package: bad name
Description: a blank in the name

Package: folded
Homepage: https://folded.org/
 /more

Package: good-2
)",
                              &stats);
  ASSERT_EQ(packages.size(), 2u);
  EXPECT_EQ(packages[0].name, "good-1");
  EXPECT_EQ(packages[1].name, "good-2");
  EXPECT_EQ(stats.records, 8u);
  EXPECT_EQ(stats.malformed, 6u);
}

TEST(ParseDebianPackagesTest, SkipsRecordWhoseFieldReadHereIsLargerThanTheLimit) {
  std::string text = "Package: huge\nDescription: big\n";
  for (size_t i = 0; i < kMaxDebianFieldBytes / 60 + 10; ++i) {
    text += " " + std::string(59, 'x') + "\n";
  }
  text += "\nPackage: huge-line\nHomepage: https://" + std::string(kMaxDebianFieldBytes, 'y') +
          ".org\n\nPackage: after\nDescription: " + std::string(1000, 'z') + "\n";
  DebianPackageStats stats;
  const auto packages = Parse(text, &stats);
  ASSERT_EQ(packages.size(), 1u);
  EXPECT_EQ(packages[0].name, "after");
  EXPECT_EQ(packages[0].synopsis.size(), 1000u);
  EXPECT_EQ(stats.malformed, 2u);
}

// As librust-winapi-dev's Provides, over 64 KiB in the real package list.
TEST(ParseDebianPackagesTest, AcceptsHugeFieldsItDoesNotRead) {
  std::string text =
      "Package: wide\nProvides: " + std::string(kMaxDebianFieldBytes * 2, 'p') + "\nDepends: a,\n";
  for (int i = 0; i < 5000; ++i) text += " lib" + std::to_string(i) + " (>= 1.0),\n";
  text += "Homepage: https://wide.org\n";
  DebianPackageStats stats;
  const auto packages = Parse(text, &stats);
  ASSERT_EQ(packages.size(), 1u);
  EXPECT_EQ(packages[0].homepage, "https://wide.org");
  EXPECT_EQ(stats.malformed, 0u);
}

TEST(ParseDebianPackagesTest, NeverFailsOnArbitraryBytes) {
  const std::string inputs[] = {
      "",
      "\n\n\n",
      ":",
      " ",
      "Package:",
      "Package: x\nDescription:",
      std::string("Package: n\0ul\nDescription: \xff\xfe bad utf-8\n \xc3\n", 43),
      "# a comment\nPackage: c\n# another\nSection: misc",
      "Package: \t\n",
      "\r\n\r",
  };
  for (const std::string& input : inputs) {
    DebianPackageStats stats;
    const auto packages = Parse(input, &stats);
    for (const DebianPackage& package : packages) EXPECT_FALSE(package.name.empty());
  }
  const auto commented = Parse("# a comment\nPackage: c\n# another\nSection: misc");
  ASSERT_EQ(commented.size(), 1u);
  EXPECT_EQ(commented[0].section, "misc");
}

TEST(ParseDebianPackagesTest, ReplacesInvalidUtf8AndControlCharacters) {
  const auto packages = Parse("Package: p\nDescription: caf\xe9 \x01ok\n \xc3\xa9t\xc3\xa9\n");
  ASSERT_EQ(packages.size(), 1u);
  EXPECT_EQ(packages[0].synopsis, "caf\xEF\xBF\xBD ok");
  EXPECT_EQ(packages[0].long_description, "\xc3\xa9t\xc3\xa9");
}

TEST(ParseDebianPackagesTest, ReadsFieldNamesWithoutRegardToCase) {
  const auto packages = Parse("package: lower\nHOMEPAGE: https://lower.org\n");
  ASSERT_EQ(packages.size(), 1u);
  EXPECT_EQ(packages[0].name, "lower");
  EXPECT_EQ(packages[0].homepage, "https://lower.org");
}

TEST(DebianPackageDocumentsTest, MapsAPackageToAHomepageDocument) {
  std::unordered_set<std::string> taken;
  DebianPackageStats stats;
  const auto docs =
      DebianPackageDocuments(Parse(kThreePackages), "apt-cache dumpavail", &taken, &stats);
  ASSERT_EQ(docs.size(), 1u);
  const Document& doc = docs[0];
  EXPECT_EQ(doc.url, "https://play0ad.com/");
  EXPECT_EQ(doc.title, "0ad: Real-time strategy game of ancient warfare");
  EXPECT_EQ(doc.kind, "homepage");
  EXPECT_EQ(doc.topic, "debian_packages");
  EXPECT_EQ(doc.source, "apt-cache dumpavail");
  EXPECT_EQ(doc.published_date, "");
  EXPECT_EQ(doc.text.substr(0, 6), "0 A.D.");
  EXPECT_EQ(doc.fields, (JsonObject{{"name", "0ad"},
                                    {"description", "Real-time strategy game of ancient warfare"},
                                    {"section", "games"},
                                    {"version", "0.0.26-3"}}));
  EXPECT_EQ(doc.snippet,
            "Real-time strategy game of ancient warfare. 0 A.D. (pronounced \"zero ey-dee\") is a "
            "free, open-source, cross-platform real-time strategy (RTS) game of ancient warfare. "
            "In short, it is a historically-based war/economy game. $ 0ad --autostart Enjoy.");
  EXPECT_EQ(taken, (std::unordered_set<std::string>{"play0ad.com"}));
  EXPECT_EQ(stats.without_homepage, 1u);
  EXPECT_EQ(stats.duplicate_homepage, 1u);
}

TEST(DebianPackageDocumentsTest, SnippetIsTheSynopsisWhenThereIsNoLongDescription) {
  std::unordered_set<std::string> taken;
  const auto docs = DebianPackageDocuments(
      Parse("Package: p\nDescription: Short one\nHomepage: https://p.org\n"), "x", &taken, nullptr);
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0].snippet, "Short one");
  EXPECT_EQ(docs[0].text, "");
}

TEST(DebianPackageDocumentsTest, CutsALongDescriptionInTheSnippetAtAWord) {
  std::string text = "Package: p\nHomepage: https://p.org\nDescription: Synopsis\n";
  for (int i = 0; i < 40; ++i) text += " word" + std::to_string(i) + " and more words here\n";
  std::unordered_set<std::string> taken;
  const auto docs = DebianPackageDocuments(Parse(text), "x", &taken, nullptr);
  ASSERT_EQ(docs.size(), 1u);
  const std::string& snippet = docs[0].snippet;
  EXPECT_LE(snippet.size(), 300u);
  EXPECT_GE(snippet.size(), 250u);
  EXPECT_EQ(snippet.substr(0, 21), "Synopsis. word0 and m");
  EXPECT_EQ(snippet.substr(snippet.size() - 3), "...");
  EXPECT_NE(snippet[snippet.size() - 4], ' ');
  EXPECT_NE(docs[0].text.find(snippet.substr(10, snippet.size() - 13)), std::string::npos);
}

TEST(DebianPackageDocumentsTest, SkipsHomepagesTakenByTheCuratedCorpus) {
  std::unordered_set<std::string> taken{NormalizeUrl("https://www.play0ad.com")};
  DebianPackageStats stats;
  EXPECT_TRUE(DebianPackageDocuments(Parse(kThreePackages), "x", &taken, &stats).empty());
  EXPECT_EQ(stats.duplicate_homepage, 2u);
}

TEST(DebianPackageDocumentsTest, KeepsOnlyHttpHomepages) {
  std::unordered_set<std::string> taken;
  DebianPackageStats stats;
  const auto docs = DebianPackageDocuments(Parse(R"(Package: ftp
Homepage: ftp://ftp.gnu.org/gnu/aspell/

Package: bare
Homepage: www.example.org

Package: empty-host
Homepage: https://

Package: spaced
Homepage: https://a b.org/

Package: ok
Homepage: HTTP://Example.ORG/x
)"),
                                           "x", &taken, &stats);
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0].url, "HTTP://Example.ORG/x");
  EXPECT_EQ(docs[0].title, "ok");
  EXPECT_EQ(stats.without_homepage, 4u);
}

TEST(ReadDebianPackageListTest, ReadsWhatTheCommandPrints) {
  const DebianPackageList list = ReadDebianPackageList("printf 'Package: a\\n\\nPackage: b\\n'");
  ASSERT_TRUE(list.available) << list.why_not;
  EXPECT_EQ(list.bytes, "Package: a\n\nPackage: b\n");
}

TEST(ReadDebianPackageListTest, SaysWhyThereIsNoList) {
  const std::pair<std::string, std::string> cases[] = {
      {"", "no Debian package command configured"},
      {"orchestra-no-such-command dumpavail", "orchestra-no-such-command not found"},
      {"/nonexistent/apt-cache dumpavail", "/nonexistent/apt-cache not found"},
      {"sh -c 'echo Package: half; exit 3'",
       "`sh -c 'echo Package: half; exit 3'` failed (exit status 3)"},
  };
  for (const auto& [command, why_not] : cases) {
    const DebianPackageList list = ReadDebianPackageList(command);
    EXPECT_FALSE(list.available) << command;
    EXPECT_EQ(list.bytes, "") << command;
    EXPECT_EQ(list.why_not, why_not);
  }
}

TEST(DebianPackageSourcesStampTest, ChangesWhenAFileBelowChanges) {
  char pattern[] = "/tmp/orchestra-stamp-XXXXXX";
  const std::filesystem::path dir = ::mkdtemp(pattern);
  std::filesystem::create_directories(dir / "lists");
  std::ofstream(dir / "lists" / "a_Packages") << "Package: a\n";
  const std::string before = DebianPackageSourcesStamp({dir / "lists", dir / "missing"});
  EXPECT_NE(before.find("a_Packages"), std::string::npos);
  EXPECT_EQ(before, DebianPackageSourcesStamp({dir / "lists", dir / "missing"}));
  std::ofstream(dir / "lists" / "a_Packages", std::ios::app) << "Version: 1\n";
  EXPECT_NE(before, DebianPackageSourcesStamp({dir / "lists", dir / "missing"}));
  EXPECT_EQ(DebianPackageSourcesStamp({dir / "missing"}), "");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace orchestra::sim
