#include "orchestra/schema/shorthand_type.h"

#include <gtest/gtest.h>

namespace orchestra::schema {
namespace {

std::string Schema(std::string_view type) {
  auto parsed = ParseShorthandType(type);
  EXPECT_TRUE(parsed.ok()) << parsed.error().message;
  return parsed.ok() ? CanonicalJson(parsed->schema) : "";
}

bool Optional(std::string_view type) {
  auto parsed = ParseShorthandType(type);
  return parsed.ok() && parsed->optional;
}

TEST(ShorthandTypeTest, BasicNames) {
  EXPECT_EQ(Schema("str"), R"({"type":"string"})");
  EXPECT_EQ(Schema("int"), R"({"type":"integer"})");
  EXPECT_EQ(Schema("float"), R"({"type":"number"})");
  EXPECT_EQ(Schema("bool"), R"({"type":"boolean"})");
  EXPECT_EQ(Schema("list"), R"({"items":{},"type":"array"})");
  EXPECT_EQ(Schema("dict"), R"({"type":"object"})");
  EXPECT_EQ(Schema("any"), "{}");
}

TEST(ShorthandTypeTest, DateAndDatetimeCarryTheirFormatLikePydantic) {
  EXPECT_EQ(Schema("date"), R"({"format":"date","type":"string"})");
  EXPECT_EQ(Schema("DateTime"), R"({"format":"date-time","type":"string"})");
  EXPECT_EQ(Schema("Optional[date]"), R"({"anyOf":[{"format":"date","type":"string"},)"
                                      R"({"type":"null"}]})");
}

TEST(ShorthandTypeTest, ListOfStr) {
  EXPECT_EQ(Schema("list[str]"), R"({"items":{"type":"string"},"type":"array"})");
}

TEST(ShorthandTypeTest, DictOfFloat) {
  EXPECT_EQ(Schema("dict[str, float]"),
            R"({"additionalProperties":{"type":"number"},"type":"object"})");
}

TEST(ShorthandTypeTest, DictOfAnyHasNoAdditionalPropertiesLikePydantic) {
  EXPECT_EQ(Schema("dict[str, any]"), R"({"type":"object"})");
}

TEST(ShorthandTypeTest, OptionalInt) {
  EXPECT_EQ(Schema("Optional[int]"), R"({"anyOf":[{"type":"integer"},{"type":"null"}]})");
  EXPECT_TRUE(Optional("Optional[int]"));
}

TEST(ShorthandTypeTest, PipeNoneEqualsOptional) {
  EXPECT_EQ(Schema("int | None"), Schema("Optional[int]"));
  EXPECT_TRUE(Optional("int | None"));
  EXPECT_FALSE(Optional("list[int | None]"));
}

TEST(ShorthandTypeTest, NestedOptionalsFlatten) {
  EXPECT_EQ(Schema("Optional[int | None]"), R"({"anyOf":[{"type":"integer"},{"type":"null"}]})");
}

TEST(ShorthandTypeTest, LiteralOfStrings) {
  EXPECT_EQ(Schema("Literal['a', 'b']"), R"({"enum":["a","b"],"type":"string"})");
  EXPECT_EQ(Schema(R"(Literal["x y"])"), R"({"enum":["x y"],"type":"string"})");
}

TEST(ShorthandTypeTest, LiteralOfMixedValuesHasNoType) {
  EXPECT_EQ(Schema("Literal[1, 'a', True]"), R"({"enum":[1,"a",true]})");
}

TEST(ShorthandTypeTest, WhitespaceAndTypingCapitalsAreTolerated) {
  EXPECT_EQ(Schema("  Optional[ List[ Dict[ str ,int ] ] ]  "),
            R"({"anyOf":[{"items":{"additionalProperties":{"type":"integer"},"type":"object"},)"
            R"("type":"array"},{"type":"null"}]})");
}

TEST(ShorthandTypeTest, UnionOfTypes) {
  EXPECT_EQ(Schema("int | str"), R"({"anyOf":[{"type":"integer"},{"type":"string"}]})");
}

TEST(ShorthandTypeTest, NonStrDictKeyIsRejected) {
  auto parsed = ParseShorthandType("dict[int, str]");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().message.find("dict keys must be str"), std::string::npos);
}

TEST(ShorthandTypeTest, TrailingGarbageIsRejected) {
  auto parsed = ParseShorthandType("list[str]]");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().message, "malformed type \"list[str]]\": unexpected \"]\" at column 10");
}

TEST(ShorthandTypeTest, EmptyTextIsUnknownType) {
  auto parsed = ParseShorthandType("  ");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().message.rfind("unknown type \"\"", 0), 0u);
}

TEST(ShorthandTypeTest, DeepNestingIsRejectedNotOverflowed) {
  std::string deep;
  for (int i = 0; i < 5000; ++i) deep += "list[";
  EXPECT_FALSE(ParseShorthandType(deep).ok());
}

TEST(ShorthandTypeTest, LongLiteralsAndUnionsAreDeduplicatedInLinearTime) {
  // 100,000 values and then all of them again (pairwise: 2 * 10^10 comparisons).
  std::string literal = "Literal[";
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 100'000; ++i) literal += "'v" + std::to_string(i) + "', ";
  }
  literal += "1]";
  auto parsed = ParseShorthandType(literal);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  ASSERT_EQ(parsed->schema.at("enum").get_array().size(), 100'001u);

  std::string union_text = "Union[";
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 50'000; ++i) union_text += "Literal[" + std::to_string(i) + "], ";
  }
  union_text += "str]";
  parsed = ParseShorthandType(union_text);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->schema.at("anyOf").get_array().size(), 50'001u);
}

}  // namespace
}  // namespace orchestra::schema
