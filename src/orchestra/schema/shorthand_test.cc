#include "orchestra/schema/shorthand.h"

#include <gtest/gtest.h>

#include "orchestra/schema/testing_json.h"

namespace orchestra::schema {
namespace {

using testing::J;

std::string Converted(std::string_view shorthand) {
  auto schema = ShorthandToJsonSchema(J(shorthand));
  EXPECT_TRUE(schema.ok()) << schema.error().message;
  return schema.ok() ? CanonicalJson(*schema) : "";
}

std::string ErrorOf(std::string_view shorthand) {
  auto schema = ShorthandToJsonSchema(J(shorthand));
  EXPECT_FALSE(schema.ok());
  if (schema.ok()) return "";
  EXPECT_EQ(schema.error().code, ErrorCode::kInvalidArgument);
  return schema.error().message;
}

TEST(ShorthandTest, SeedExampleConvertsToPydanticShape) {
  EXPECT_EQ(
      Converted(R"({"competitors":[{"name":"str","description":"str","strengths":"list",
                    "weaknesses":"list"}],
                    "market_gaps":[{"gap":"str","opportunity":"str","difficulty":"str"}],
                    "recommendation":"str"})"),
      R"({"properties":{"competitors":{"items":{"properties":{"description":{"type":"string"},)"
      R"("name":{"type":"string"},"strengths":{"items":{},"type":"array"},"weaknesses":{"items":{},)"
      R"("type":"array"}},"required":["name","description","strengths","weaknesses"],)"
      R"("type":"object"},"type":"array"},"market_gaps":{"items":{"properties":{"difficulty":)"
      R"({"type":"string"},"gap":{"type":"string"},"opportunity":{"type":"string"}},"required":)"
      R"(["gap","opportunity","difficulty"],"type":"object"},"type":"array"},"recommendation":)"
      R"({"type":"string"}},"required":["competitors","market_gaps","recommendation"],)"
      R"("type":"object"})");
}

TEST(ShorthandTest, DictFieldAndNestedModelConvert) {
  EXPECT_EQ(Converted(R"({"competitors":[{"name":"str","pricing":"dict","strengths":"list"}],
                    "recommendation":{"price_point":"float","rationale":"str"}})"),
            R"({"properties":{"competitors":{"items":{"properties":{"name":{"type":"string"},)"
            R"("pricing":{"type":"object"},"strengths":{"items":{},"type":"array"}},"required":)"
            R"(["name","pricing","strengths"],"type":"object"},"type":"array"},"recommendation":)"
            R"({"properties":{"price_point":{"type":"number"},"rationale":{"type":"string"}},)"
            R"("required":["price_point","rationale"],"type":"object"}},"required":)"
            R"(["competitors","recommendation"],"type":"object"})");
}

TEST(ShorthandTest, OptionalFieldGetsDefaultNullAndIsNotRequired) {
  EXPECT_EQ(Converted(R"({"a":"Optional[int]","b":"str"})"),
            R"({"properties":{"a":{"anyOf":[{"type":"integer"},{"type":"null"}],"default":null},)"
            R"("b":{"type":"string"}},"required":["b"],"type":"object"})");
}

TEST(ShorthandTest, PipeNoneFieldIsOptionalToo) {
  EXPECT_EQ(Converted(R"({"a":"int | None"})"),
            R"({"properties":{"a":{"anyOf":[{"type":"integer"},{"type":"null"}],"default":null}},)"
            R"("type":"object"})");
}

TEST(ShorthandTest, NestedListsOfModels) {
  EXPECT_EQ(Converted(R"({"grid":[[{"x":"int"}]]})"),
            R"({"properties":{"grid":{"items":{"items":{"properties":{"x":{"type":"integer"}},)"
            R"("required":["x"],"type":"object"},"type":"array"},"type":"array"}},)"
            R"("required":["grid"],"type":"object"})");
}

TEST(ShorthandTest, TypeExpressionsInsideFields) {
  EXPECT_EQ(Converted(R"({"tags":"list[str]","scores":"dict[str, float]",
                          "level":"Literal['a', 'b']"})"),
            R"({"properties":{"level":{"enum":["a","b"],"type":"string"},"scores":)"
            R"({"additionalProperties":{"type":"number"},"type":"object"},"tags":{"items":)"
            R"({"type":"string"},"type":"array"}},"required":["tags","scores","level"],)"
            R"("type":"object"})");
}

TEST(ShorthandTest, UnknownTypeNamesPathAndType) {
  EXPECT_EQ(ErrorOf(R"({"competitors":[{"name":"str","strengths":"lst"}]})"),
            "target_schema.competitors[0].strengths: unknown type \"lst\" (expected str, int, "
            "float, bool, date, datetime, list, dict, any, list[T], dict[str, T], Optional[T], "
            "T | None, Literal[...])");
}

TEST(ShorthandTest, UnknownInnerTypeNamesWholeExpression) {
  EXPECT_EQ(ErrorOf(R"({"tags":"list[strr]"})"),
            "target_schema.tags: unknown type \"strr\" in \"list[strr]\" (expected str, int, "
            "float, bool, date, datetime, list, dict, any, list[T], dict[str, T], Optional[T], "
            "T | None, Literal[...])");
}

TEST(ShorthandTest, ListWithTwoElementsIsRejectedWithPath) {
  EXPECT_EQ(ErrorOf(R"({"a":{"tags":["str","int"]}})"),
            "target_schema.a.tags: a list shorthand must have exactly one element (the item "
            "type), got 2");
}

TEST(ShorthandTest, EmptyListIsRejected) {
  EXPECT_NE(ErrorOf(R"({"tags":[]})").find("target_schema.tags: a list shorthand"),
            std::string::npos);
}

TEST(ShorthandTest, NumberLeafIsRejectedWithPath) {
  EXPECT_EQ(ErrorOf(R"({"a":{"b":3}})"),
            "target_schema.a.b: expected a type name, a nested object or a one-element list, "
            "got number 3");
}

TEST(ShorthandTest, NullAndBooleanLeavesAreRejected) {
  EXPECT_NE(ErrorOf(R"({"a":null})").find("target_schema.a: "), std::string::npos);
  EXPECT_NE(ErrorOf(R"({"a":[true]})").find("target_schema.a[0]: "), std::string::npos);
}

TEST(ShorthandTest, MalformedTypeNamesPath) {
  EXPECT_EQ(ErrorOf(R"({"a":"list[str"})"),
            "target_schema.a: malformed type \"list[str\": expected \"]\" at column 9");
}

TEST(LooksLikeJsonSchemaTest, TypeObjectIsJsonSchema) {
  EXPECT_TRUE(LooksLikeJsonSchema(J(R"({"type":"object","properties":{"a":{"type":"string"}}})")));
}

TEST(LooksLikeJsonSchemaTest, ShorthandFieldNamedTypeIsNot) {
  EXPECT_FALSE(LooksLikeJsonSchema(J(R"({"type":"str","name":"str"})")));
}

TEST(LooksLikeJsonSchemaTest, ShorthandFieldNamedPropertiesIsNot) {
  EXPECT_FALSE(LooksLikeJsonSchema(J(R"({"properties":{"a":"str"}})")));
  EXPECT_FALSE(LooksLikeJsonSchema(J(R"({"properties":{"a":{"b":"int"}}})")));
}

TEST(LooksLikeJsonSchemaTest, PydanticOutputWithoutTypeIsJsonSchema) {
  EXPECT_TRUE(LooksLikeJsonSchema(J(R"({"$ref":"#/$defs/M","$defs":{"M":{"type":"object"}}})")));
  EXPECT_TRUE(
      LooksLikeJsonSchema(J(R"({"properties":{"x":{"title":"X"},"y":{"type":"integer"}}})")));
  EXPECT_TRUE(LooksLikeJsonSchema(J(R"({"anyOf":[{"type":"string"},{"type":"null"}]})")));
}

TEST(LooksLikeJsonSchemaTest, SeedShorthandIsNot) {
  EXPECT_FALSE(
      LooksLikeJsonSchema(J(R"({"competitors":[{"name":"str"}],"recommendation":"str"})")));
}

}  // namespace
}  // namespace orchestra::schema
