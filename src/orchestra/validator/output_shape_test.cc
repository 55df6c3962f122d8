#include "orchestra/validator/output_shape.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "orchestra/schema/shorthand.h"

namespace orchestra::validator {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

Json J(std::string_view text) { return ParseJson(text).value(); }

TEST(OutputShapeTest, ShapeNamesKeysAndCoarseTypes) {
  const Json shape = ShapeOf(J(R"({"results": [{"title": "a", "rank": 1, "score": 0.5,
      "fresh": true, "tags": []}], "total_found": 1, "next": null})"));
  EXPECT_EQ(CompactJson(shape),
            R"({"next":"None","results":[{"fresh":"bool","rank":"int","score":"float",)"
            R"("tags":"list","title":"str"}],"total_found":"int"})");
  // The shape reads as the seed shorthand a ledger writes.
  EXPECT_TRUE(schema::ShorthandToJsonSchema(shape).ok());
}

TEST(OutputShapeTest, FingerprintIgnoresKeyOrderAndValues) {
  const Json a = ShapeOf(J(R"({"a": 1, "b": ["x"]})"));
  const Json b = ShapeOf(J(R"({"b": ["y", "z"], "a": 7})"));
  EXPECT_EQ(ShapeFingerprint(a), ShapeFingerprint(b));
  EXPECT_NE(ShapeFingerprint(a), ShapeFingerprint(ShapeOf(J(R"({"a": "1", "b": ["x"]})"))));
  EXPECT_TRUE(ShapeFingerprint(a).starts_with("0x"));
  EXPECT_EQ(ShapeFingerprint(a).size(), 66u);
}

TEST(OutputShapeTest, MergerOutvotesOneAnswerOutOfShape) {
  ShapeMerger merger;
  merger.Add(J(R"({"results": [{"title": "a"}], "total_found": 1})"));
  merger.Add(J(R"({"results": "unavailable", "total_found": 2})"));
  merger.Add(J(R"({"results": [], "total_found": 0})"));
  EXPECT_EQ(merger.answers(), 3u);
  EXPECT_EQ(CompactJson(merger.Shape()), R"({"results":[{"title":"str"}],"total_found":"int"})");
}

TEST(OutputShapeTest, MergerUnitesKeysAndWidensIntToFloat) {
  ShapeMerger merger;
  merger.Add(J(R"({"price": 3, "items": [{"a": 1}]})"));
  merger.Add(J(R"({"price": 2.5, "items": [{"b": "x"}], "extra": true})"));
  EXPECT_EQ(CompactJson(merger.Shape()),
            R"({"extra":"bool","items":[{"a":"int","b":"str"}],"price":"float"})");
}

TEST(OutputShapeTest, DeepValuesAreCutOff) {
  Json deep = "leaf";
  for (int i = 0; i < 20; ++i) deep = JsonObject{{"k", std::move(deep)}};
  Json shape = ShapeOf(deep);
  int depth = 0;
  while (shape.is_object()) {
    shape = Json(shape.at("k"));
    ++depth;
  }
  EXPECT_EQ(depth, kMaxShapeDepth);
  EXPECT_EQ(shape, "any");
}

TEST(OutputShapeTest, SeedShorthandAgreesWithTheProbedSearchShape) {
  const Json shape = J(R"({"results": [{"title": "str", "link": "str"}], "total_found": "int"})");
  auto lines = CompareWithShape(J(R"({"results": "list[dict]", "total_found": "int"})"), shape);
  ASSERT_TRUE(lines.ok()) << lines.error().ToString();
  EXPECT_THAT(*lines, IsEmpty());
}

TEST(OutputShapeTest, RenamedKeyIsReportedWithTheKeyThatReplacedIt) {
  const Json shape = J(R"({"results": [{"title": "str"}], "count": "int"})");
  auto lines = CompareWithShape(J(R"({"results": "list[dict]", "total_found": "int"})"), shape);
  ASSERT_TRUE(lines.ok());
  EXPECT_THAT(*lines, ElementsAre("total_found: listed by the ledger, not returned by the subnet "
                                  "(it returns count, which the ledger lacks)"));
}

TEST(OutputShapeTest, RetypedKeyIsReported) {
  auto lines = CompareWithShape(J(R"({"results": "list[dict]", "total_found": "int"})"),
                                J(R"({"results": "list", "total_found": "str"})"));
  ASSERT_TRUE(lines.ok());
  EXPECT_THAT(*lines, ElementsAre("total_found: the ledger says int, the subnet returns str"));
}

TEST(OutputShapeTest, OptionalLedgerKeysMayBeAbsentAndExtraProbedKeysAreFine) {
  auto lines = CompareWithShape(J(R"({"choices": "list[dict]", "usage": "Optional[dict]"})"),
                                J(R"({"choices": [{"index": "int"}], "id": "str"})"));
  ASSERT_TRUE(lines.ok());
  EXPECT_THAT(*lines, IsEmpty());
}

TEST(OutputShapeTest, JsonSchemaWithReferencesIsComparedInDepth) {
  const Json ledger = J(R"({"type": "object",
      "properties": {"results": {"type": "array", "items": {"$ref": "#/$defs/Result"}},
                     "total_found": {"anyOf": [{"type": "integer"}, {"type": "null"}]}},
      "required": ["results"],
      "$defs": {"Result": {"type": "object", "properties": {"title": {"type": "string"},
                "rank": {"type": "integer"}}, "required": ["title", "rank"]}}})");
  auto fine = CompareWithShape(
      ledger, J(R"({"results": [{"title": "str", "rank": "int"}], "total_found": "int"})"));
  ASSERT_TRUE(fine.ok());
  EXPECT_THAT(*fine, IsEmpty());
  auto drifted = CompareWithShape(ledger, J(R"({"results": [{"title": "str", "rank": "float"}]})"));
  ASSERT_TRUE(drifted.ok());
  EXPECT_THAT(*drifted,
              ElementsAre("results[].rank: the ledger says int, the subnet returns float"));
}

TEST(OutputShapeTest, UnreadableLedgerSchemaIsAnError) {
  auto lines = CompareWithShape(J(R"({"results": "lst[dict]"})"), J(R"({"results": "list"})"));
  ASSERT_FALSE(lines.ok());
  EXPECT_THAT(lines.error().message, HasSubstr("output_schema"));
  EXPECT_FALSE(CompareWithShape(J("[1]"), J("{}")).ok());
}

TEST(OutputShapeTest, LedgerJsonSchemaThatDoesNotCompileIsAnError) {
  auto lines = CompareWithShape(J(R"({"type": "object",
      "properties": {"results": {"$ref": "#/$defs/Missing"}}})"),
                                J(R"({"results": "list"})"));
  ASSERT_FALSE(lines.ok());
  EXPECT_EQ(lines.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(lines.error().message, HasSubstr("output_schema: schema at #/properties/results"));
}

}  // namespace
}  // namespace orchestra::validator
