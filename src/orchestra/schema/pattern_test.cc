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
