#include "orchestra/schema/coerce.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace orchestra::schema {
namespace {

using ::testing::ElementsAre;

std::string Number(std::string_view text) {
  auto n = ParseLooseNumber(text);
  return n ? CanonicalJson(*n) : "none";
}

TEST(ParseLooseNumberTest, AcceptsCurrencyAndThousandsSeparators) {
  EXPECT_EQ(Number("1,234"), "1234");
  EXPECT_EQ(Number("$6.6"), "6.6");
  EXPECT_EQ(Number(" -€1,234,567.50 "), "-1234567.5");
  EXPECT_EQ(Number("$-5"), "-5");
  EXPECT_EQ(Number("1e3"), "1000.0");
  EXPECT_EQ(Number(".5"), "0.5");
  EXPECT_EQ(Number("42"), "42");
}

TEST(ParseLooseNumberTest, RejectsAnythingElse) {
  for (std::string_view text :
       {"", "$", "12%", "1,5", "1,2345", "12 USD", "0x1f", "nan", "inf", "1.2.3", "--1", "e5"}) {
    EXPECT_EQ(Number(text), "none") << text;
  }
}

TEST(ParseLooseBoolTest, OnlyTrueAndFalse) {
  EXPECT_EQ(ParseLooseBool(" True"), true);
  EXPECT_EQ(ParseLooseBool("FALSE"), false);
  EXPECT_EQ(ParseLooseBool("yes"), std::nullopt);
}

TEST(SplitCommaListTest, TrimsAndDropsEmptyItems) {
  EXPECT_THAT(SplitCommaList(" a, b ,,c,"), ElementsAre("a", "b", "c"));
}

TEST(IntegralDoubleTest, OnlyWholeDoubles) {
  EXPECT_EQ(IntegralDouble(Json(3.0)), 3);
  EXPECT_EQ(IntegralDouble(Json(3.5)), std::nullopt);
  EXPECT_EQ(IntegralDouble(Json(3)), std::nullopt);
}

}  // namespace
}  // namespace orchestra::schema
