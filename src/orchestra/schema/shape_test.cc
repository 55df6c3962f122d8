#include "orchestra/schema/shape.h"

#include <gtest/gtest.h>

#include "orchestra/schema/schema.h"
#include "orchestra/schema/testing_json.h"

namespace orchestra::schema {
namespace {

using testing::J;

Schema Compiled(std::string_view json_schema) {
  auto schema = Schema::Compile(J(json_schema));
  EXPECT_TRUE(schema.ok()) << schema.error().message;
  return std::move(*schema);
}

// The effective node of property `name` of the root, by its location in the document.
std::string EffectiveOf(const Schema& schema, std::string_view name) {
  const Node* shape = Effective(schema.root().Property(name));
  return shape ? shape->location : "nullptr";
}

TEST(ShapeTest, NullptrInNullptrOut) {
  EXPECT_EQ(Effective(nullptr), nullptr);
  EXPECT_EQ(Referenced(nullptr), nullptr);
}

TEST(ShapeTest, PlainNodeIsItsOwnShape) {
  const Schema schema = Compiled(R"({"type": "object", "properties": {"a": {"type": "string"}}})");
  EXPECT_EQ(Effective(&schema.root()), &schema.root());
  EXPECT_EQ(EffectiveOf(schema, "a"), "#/properties/a");
}

TEST(ShapeTest, FollowsARefChainToItsEnd) {
  const Schema schema = Compiled(R"({"properties": {"a": {"$ref": "#/$defs/B"}},
      "$defs": {"B": {"$ref": "#/$defs/C", "description": "an annotation"},
                "C": {"type": "object", "properties": {"x": {"type": "integer"}}}}})");
  EXPECT_EQ(EffectiveOf(schema, "a"), "#/$defs/C");
  EXPECT_EQ(Referenced(schema.root().Property("a"))->location, "#/$defs/C");
}

TEST(ShapeTest, RefBesideOwnPropertiesIsNotFollowed) {
  const Schema schema = Compiled(R"({"properties": {"a": {"$ref": "#/$defs/B",
      "properties": {"y": {"type": "string"}}}}, "$defs": {"B": {"type": "object"}}})");
  EXPECT_EQ(EffectiveOf(schema, "a"), "#/properties/a");
}

TEST(ShapeTest, OptionalAnyOfGivesTheValueBranchWhicheverOrder) {
  const Schema schema = Compiled(R"({"properties": {
      "first": {"anyOf": [{"$ref": "#/$defs/X"}, {"type": "null"}]},
      "last": {"anyOf": [{"type": "null"}, {"$ref": "#/$defs/X"}]}},
      "$defs": {"X": {"type": "array", "items": {"type": "string"}}}})");
  EXPECT_EQ(EffectiveOf(schema, "first"), "#/$defs/X");
  EXPECT_EQ(EffectiveOf(schema, "last"), "#/$defs/X");
}

TEST(ShapeTest, OptionalOneOfGivesTheValueBranchWhicheverOrder) {
  const Schema schema = Compiled(R"({"properties": {
      "first": {"oneOf": [{"type": "string"}, {"type": "null"}]},
      "last": {"oneOf": [{"type": "null"}, {"type": "string"}]}}})");
  EXPECT_EQ(EffectiveOf(schema, "first"), "#/properties/first/oneOf/0");
  EXPECT_EQ(EffectiveOf(schema, "last"), "#/properties/last/oneOf/1");
}

TEST(ShapeTest, NullBranchBehindARefCountsAsNull) {
  const Schema schema = Compiled(R"({"properties": {
      "a": {"anyOf": [{"$ref": "#/$defs/Nothing"}, {"type": "integer"}]}},
      "$defs": {"Nothing": {"type": "null"}}})");
  EXPECT_EQ(EffectiveOf(schema, "a"), "#/properties/a/anyOf/1");
}

TEST(ShapeTest, UnionGivesItsFirstNonNullBranch) {
  const Schema schema = Compiled(
      R"({"properties": {"a": {"anyOf": [{"type": "null"}, {"type": "string"}, {"type": "integer"}]}}})");
  EXPECT_EQ(EffectiveOf(schema, "a"), "#/properties/a/anyOf/1");
}

TEST(ShapeTest, AllNullBranchesGiveTheFirst) {
  const Schema schema =
      Compiled(R"({"properties": {"a": {"anyOf": [{"type": "null"}, {"type": ["null"]}]}}})");
  EXPECT_EQ(EffectiveOf(schema, "a"), "#/properties/a/anyOf/0");
}

TEST(ShapeTest, SingleAllOfIsFollowed) {
  const Schema schema = Compiled(R"({"properties": {
      "a": {"allOf": [{"$ref": "#/$defs/X"}], "default": {"x": 1}}},
      "$defs": {"X": {"type": "object", "properties": {"x": {"type": "integer"}}}}})");
  EXPECT_EQ(EffectiveOf(schema, "a"), "#/$defs/X");
}

TEST(ShapeTest, AllOfBesideATypeOrOfSeveralBranchesIsNotFollowed) {
  const Schema schema = Compiled(R"({"properties": {
      "typed": {"type": "object", "allOf": [{"properties": {"x": {"type": "integer"}}}]},
      "several": {"allOf": [{"type": "object"}, {"required": ["x"]}]}}})");
  EXPECT_EQ(EffectiveOf(schema, "typed"), "#/properties/typed");
  EXPECT_EQ(EffectiveOf(schema, "several"), "#/properties/several");
}

TEST(ShapeTest, RefLoopStopsAfterBoundedHops) {
  // Compile rejects such loops; a hand-built graph must still end.
  Node a, b;
  a.ref = &b;
  b.ref = &a;
  const Node* shape = Effective(&a);
  EXPECT_TRUE(shape == &a || shape == &b);
  EXPECT_TRUE(Referenced(&a) == &a || Referenced(&a) == &b);
}

TEST(ShapeTest, BranchLoopStopsAfterBoundedHops) {
  Node optional, null;
  null.types = kNullBit;
  optional.any_of = {&optional, &null};
  EXPECT_NE(Effective(&optional), nullptr);
  Node wrapper;
  wrapper.all_of = {&wrapper};
  EXPECT_EQ(Effective(&wrapper), &wrapper);
}

}  // namespace
}  // namespace orchestra::schema
