#include "orchestra/schema/pattern.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace orchestra::schema {
namespace {

bool Matches(std::string_view pattern, std::string_view text) {
  auto compiled = Pattern::Compile(pattern);
  EXPECT_TRUE(compiled.ok()) << pattern << ": " << compiled.error().message;
  return compiled.ok() && compiled->Search(text);
}

TEST(PatternTest, SearchIsUnanchoredUnlessAnchorsSayOtherwise) {
  EXPECT_TRUE(Matches("a+", "xxaay"));
  EXPECT_FALSE(Matches("^a+$", "xxaay"));
  EXPECT_TRUE(Matches("^[a-z]+$", "abc"));
  EXPECT_FALSE(Matches("^[a-z]+$", "ab1"));
}

TEST(PatternTest, CountsCodePointsNotBytes) {
  EXPECT_TRUE(Matches("^.{3}$", "日本語"));
  EXPECT_TRUE(Matches("^\\p{Letter}+$", "π"));
  EXPECT_FALSE(Matches("^\\p{L}+$", "123"));
}

TEST(PatternTest, InvalidBytesAreOneReplacementCharacterEach) {
  EXPECT_TRUE(Matches("^..$", "\xff\xfe"));
  EXPECT_TRUE(Matches("^\uFFFDa$",
                      "\xe6"
                      "a"));  // a truncated 3-byte sequence, then "a"
}

TEST(PatternTest, AnchorsAndWordBoundariesAtEveryPosition) {
  EXPECT_TRUE(Matches("^$", ""));
  EXPECT_FALSE(Matches("\\b", ""));
  EXPECT_TRUE(Matches("\\B", ""));
  EXPECT_TRUE(Matches("a\\b", "a"));
  EXPECT_TRUE(Matches("\\Bor", "word"));
  EXPECT_FALSE(Matches("\\Bwo", "word"));
  EXPECT_TRUE(Matches("d$", "word"));
  EXPECT_FALSE(Matches("x^", "x"));
  EXPECT_FALSE(Matches("\\bé", "é"));  // é is not a word character (\w is ASCII)
  EXPECT_TRUE(Matches("\\bé", "fé"));
}

TEST(PatternTest, SearchesInTurnDoNotDisturbEachOther) {
  auto small = Pattern::Compile("^[A-Z]{3}$");
  auto large = Pattern::Compile("(x|y){100}z");
  ASSERT_TRUE(small.ok() && large.ok());
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(small->Search("USD"));
    EXPECT_FALSE(large->Search(std::string(150, 'x')));
    EXPECT_FALSE(small->Search("usd"));
    EXPECT_TRUE(large->Search(std::string(100, 'y') + "z"));
  }
}

TEST(PatternTest, QuantifiersClassesAndAlternation) {
  EXPECT_TRUE(Matches("^(foo|bar){2,3}$", "foobarfoo"));
  EXPECT_FALSE(Matches("^(foo|bar){2,3}$", "foo"));
  EXPECT_TRUE(Matches("^[^a-c\\d]+$", "xyz"));
  EXPECT_TRUE(Matches("\\bword\\b", "a word here"));
  EXPECT_FALSE(Matches("\\bword\\b", "swordfish"));
}

TEST(PatternTest, CatastrophicPatternRunsInLinearTime) {
  const std::string text = std::string(20000, 'a') + "!";
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(Matches("^(a+)+$", text));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST(PatternTest, RejectsBackreferencesLookaroundAndHugeCounts) {
  EXPECT_FALSE(Pattern::Compile("(a)\\1").ok());
  EXPECT_FALSE(Pattern::Compile("a(?=b)").ok());
  EXPECT_FALSE(Pattern::Compile("a{5000}").ok());
  EXPECT_FALSE(Pattern::Compile("(a{1000}){1000}").ok());
  EXPECT_FALSE(Pattern::Compile("(a").ok());
}

}  // namespace
}  // namespace orchestra::schema
