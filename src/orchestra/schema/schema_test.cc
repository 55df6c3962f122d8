#include "orchestra/schema/schema.h"

#include <gtest/gtest.h>

#include "orchestra/schema/testing_json.h"

namespace orchestra::schema {
namespace {

using testing::J;

std::string CompileError(std::string_view json_schema) {
  auto schema = Schema::Compile(J(json_schema));
  EXPECT_FALSE(schema.ok());
  if (schema.ok()) return "";
  EXPECT_EQ(schema.error().code, ErrorCode::kInvalidArgument);
  return schema.error().message;
}

TEST(SchemaTest, UnknownTypeNameIsRejectedWithLocation) {
  EXPECT_EQ(CompileError(R"({"properties":{"age":{"type":"int"}}})"),
            "schema at #/properties/age/type: unknown type \"int\" (expected null, boolean, "
            "integer, number, string, array, object)");
}

TEST(SchemaTest, UnresolvableRefIsRejected) {
  EXPECT_EQ(CompileError(R"({"items":{"$ref":"#/$defs/Missing"}})"),
            "schema at #/items/$ref: cannot resolve \"#/$defs/Missing\": no such location");
}

TEST(SchemaTest, RemoteRefIsRejected) {
  EXPECT_NE(CompileError(R"({"$ref":"https://example.com/s.json"})").find("only local"),
            std::string::npos);
}

TEST(SchemaTest, RefLoopWithoutProgressIsRejected) {
  EXPECT_NE(CompileError(R"({"$ref":"#/$defs/A","$defs":{"A":{"anyOf":[{"$ref":"#/$defs/A"}]}}})")
                .find("loop"),
            std::string::npos);
}

TEST(SchemaTest, MalformedKeywordValueIsRejected) {
  EXPECT_EQ(CompileError(R"({"type":"array","maxItems":-1})"),
            "schema at #/maxItems: must be a non-negative integer");
}

TEST(SchemaTest, UnknownKeywordsAreIgnored) {
  auto schema = Schema::Compile(J(R"({"type":"string","format":"uri","title":"Link","x-foo":1})"));
  ASSERT_TRUE(schema.ok()) << schema.error().message;
  EXPECT_TRUE(schema->Validate(J(R"("not a uri")")).valid);
}

TEST(SchemaTest, FromTargetKeepsJsonSchemaAsIs) {
  const Json json_schema = J(R"({"type":"object","properties":{"a":{"type":"string"}}})");
  auto schema = Schema::FromTarget(json_schema);
  ASSERT_TRUE(schema.ok()) << schema.error().message;
  EXPECT_EQ(CanonicalJson(schema->json_schema()), CanonicalJson(json_schema));
}

TEST(SchemaTest, FromTargetConvertsShorthand) {
  auto schema = Schema::FromTarget(J(R"({"a":"str"})"));
  ASSERT_TRUE(schema.ok()) << schema.error().message;
  EXPECT_EQ(CanonicalJson(schema->json_schema()),
            R"({"properties":{"a":{"type":"string"}},"required":["a"],"type":"object"})");
}

TEST(SchemaTest, FromTargetReportsShorthandErrors) {
  auto schema = Schema::FromTarget(J(R"({"a":"lst"})"));
  ASSERT_FALSE(schema.ok());
  EXPECT_EQ(schema.error().message.rfind("target_schema.a: unknown type \"lst\"", 0), 0u);
}

TEST(SchemaTest, CopiesShareOneCompiledTree) {
  auto schema = Schema::FromTarget(J(R"({"a":"str"})"));
  ASSERT_TRUE(schema.ok());
  const Schema copy = *schema;
  EXPECT_EQ(&copy.root(), &schema->root());
}

TEST(SchemaTest, RefToEscapedPointerResolves) {
  auto schema = Schema::Compile(J(R"({"$defs":{"a/b":{"type":"integer"}},"$ref":"#/$defs/a~1b"})"));
  ASSERT_TRUE(schema.ok()) << schema.error().message;
  EXPECT_FALSE(schema->Validate(J(R"("x")")).valid);
  EXPECT_TRUE(schema->Validate(J("3")).valid);
}

}  // namespace
}  // namespace orchestra::schema
