#include "orchestra/core/text.h"

#include <gtest/gtest.h>

namespace orchestra {
namespace {

TEST(SplitSentencesTest, SplitsOnTerminatorsButNotOnDecimals) {
  const auto sentences = SplitSentences("GPUs cost $1.99 per hour. Vast.ai is cheaper!\nNew line");
  ASSERT_EQ(sentences.size(), 3u);
  EXPECT_EQ(sentences[0], "GPUs cost $1.99 per hour.");
  EXPECT_EQ(sentences[1], "Vast.ai is cheaper!");
  EXPECT_EQ(sentences[2], "New line");
}

TEST(ContentWordsTest, DropsStopWordsAndStemsPlurals) {
  EXPECT_EQ(ContentWords("marketGaps of the companies"),
            (std::vector<std::string>{"market", "gap", "company"}));
}

TEST(WordsTest, TreatsUnicodePunctuationAsSeparator) {
  EXPECT_EQ(Words("Akash \xE2\x80\x94 Caf\xC3\xA9"),
            (std::vector<std::string>{"akash", "caf\xC3\xA9"}));
}

TEST(StemTest, DropsPluralEndingsOnly) {
  EXPECT_EQ(Stem("brokers"), "broker");
  EXPECT_EQ(Stem("libraries"), "library");
  EXPECT_EQ(Stem("analysis"), "analysis");
  EXPECT_EQ(Stem("class"), "class");
  EXPECT_EQ(Stem("weaknesses"), "weakness");
  EXPECT_EQ(Stem("matches"), "match");
}

}  // namespace
}  // namespace orchestra
