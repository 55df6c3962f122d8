#include "orchestra/ledger/shape.h"

#include <gtest/gtest.h>

namespace orchestra::ledger {
namespace {

Shape OfSchema(std::string_view text) {
  auto schema = schema::Schema::FromTarget(*ParseJson(text));
  EXPECT_TRUE(schema.ok()) << schema.error().ToString();
  return ShapeOfSchema(*schema);
}

std::vector<Json> Answers(std::initializer_list<std::string_view> texts) {
  std::vector<Json> out;
  for (auto t : texts) out.push_back(*ParseJson(t));
  return out;
}

std::string Changes(const Shape& ledger, const Shape& probed) {
  std::string out;
  for (const ShapeChange& c : CompareShapes(ledger, probed)) {
    out += c.path + ": " + (c.before.empty() ? "-" : c.before) + " -> " +
           (c.after.empty() ? "-" : c.after) + "\n";
  }
  return out;
}

constexpr std::string_view kSearch = R"({"results": "list[dict]", "total_found": "int"})";

TEST(ShapeTest, ShorthandAndJsonSchemaDeclareTheSameShape) {
  const Shape shorthand = OfSchema(kSearch);
  EXPECT_EQ(shorthand, (Shape{{"results", "list"}, {"results[]", "dict"}, {"total_found", "int"}}));
  const Shape json_schema = OfSchema(R"({"type": "object", "properties": {
      "results": {"type": "array", "items": {"$ref": "#/$defs/Hit"}},
      "total_found": {"type": "integer"},
      "next": {"anyOf": [{"type": "string"}, {"type": "null"}]}},
      "required": ["results", "total_found"],
      "$defs": {"Hit": {"type": "object", "properties": {"title": {"type": "string"}}}}})");
  EXPECT_EQ(json_schema.at("results[]"), "dict");
  EXPECT_EQ(json_schema.at("next"), "?str");
  EXPECT_EQ(Fingerprint(shorthand),
            Fingerprint(Shape{{"results", "list"}, {"results[]", "dict"}, {"total_found", "int"}}));
}

TEST(ShapeTest, AnswersAgreeingWithTheLedgerShowNoChange) {
  const Shape probed = ShapeOfAnswers(Answers({R"({"results": [{"title": "a"}], "total_found": 1})",
                                               R"({"results": [], "total_found": 0})"}));
  EXPECT_EQ(Changes(OfSchema(kSearch), probed), "");
  EXPECT_EQ(Fingerprint(probed), Fingerprint(OfSchema(kSearch)));
  // An optional field an answer leaves out is no change; a float where int was said is.
  EXPECT_EQ(Changes(Shape{{"total_found", "int"}, {"next", "?str"}},
                    ShapeOfAnswers(Answers({R"({"total_found": 1.5})"}))),
            "total_found: int -> float\n");
}

TEST(ShapeTest, ARenameAndARetypeAreNamedFieldByField) {
  // The simulator's drift: results renamed to items, total_found now a string.
  const Shape probed =
      ShapeOfAnswers(Answers({R"({"items": [{"title": "a"}], "total_found": "1"})",
                              R"({"items": [{"title": "b"}], "total_found": "2"})"}));
  EXPECT_EQ(Changes(OfSchema(kSearch), probed),
            "items: - -> list\n"
            "results: list -> -\n"
            "total_found: int -> str\n");
  EXPECT_NE(Fingerprint(probed), Fingerprint(OfSchema(kSearch)));
  EXPECT_EQ(CompactJson(ShorthandOf(probed)), R"({"items":"list[dict]","total_found":"str"})");
  // What the ledger then holds compiles, and declares what the probes saw.
  auto compiled = schema::Schema::FromTarget(ShorthandOf(probed));
  ASSERT_TRUE(compiled.ok());
  EXPECT_EQ(Changes(ShapeOfSchema(*compiled), probed), "");
}

TEST(ShapeTest, OneOddAnswerAmongSeveralDoesNotChangeTheShape) {
  const Shape probed = ShapeOfAnswers(
      Answers({R"({"total_found": 1})", R"({"total_found": 2})", R"({"total_found": "oops"})",
               R"("not json object")", R"({"total_found": null})"}));
  EXPECT_EQ(probed.at("total_found"), "int");
}

}  // namespace
}  // namespace orchestra::ledger
