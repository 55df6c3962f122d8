#include "orchestra/core/logfmt.h"

#include <gtest/gtest.h>

namespace orchestra {
namespace {

TEST(LogfmtValueTest, LeavesPlainTokensBare) {
  EXPECT_EQ(LogfmtValue("0x4f2a"), "0x4f2a");
  EXPECT_EQ(LogfmtValue("caf\xc3\xa9"), "caf\xc3\xa9");
}

TEST(LogfmtValueTest, QuotesEmptyValuesAndThoseWithSpacesQuotesOrEquals) {
  EXPECT_EQ(LogfmtValue(""), "\"\"");
  EXPECT_EQ(LogfmtValue("a b"), "\"a b\"");
  EXPECT_EQ(LogfmtValue("k=v"), "\"k=v\"");
  EXPECT_EQ(LogfmtValue("say \"hi\" \\o/"), "\"say \\\"hi\\\" \\\\o/\"");
}

// A carriage return would let a value overwrite the line on a terminal, ESC drive it.
TEST(LogfmtValueTest, EscapesEveryControlByte) {
  EXPECT_EQ(LogfmtValue("a\nb"), "\"a\\nb\"");
  EXPECT_EQ(LogfmtValue("a\rb\tc"), "\"a\\rb\\tc\"");
  EXPECT_EQ(LogfmtValue("\x1b[2Jx"), "\"\\x1b[2Jx\"");
  EXPECT_EQ(LogfmtValue(std::string_view("a\0b\x7f", 4)), "\"a\\x00b\\x7f\"");
}

TEST(LogfmtValueTest, EscapesBytesThatAreNotUtf8) {
  EXPECT_EQ(LogfmtValue("a\xff"
                        "b"),
            "\"a\\xffb\"");
  EXPECT_EQ(LogfmtValue("\xc3\xa9\xc3"), "\"\xc3\xa9\\xc3\"");
}

}  // namespace
}  // namespace orchestra
