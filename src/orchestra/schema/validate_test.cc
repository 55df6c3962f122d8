#include <gtest/gtest.h>

#include "orchestra/schema/schema.h"
#include "orchestra/schema/testing_json.h"

namespace orchestra::schema {
namespace {

using testing::J;

constexpr std::string_view kSeedShorthand =
    R"({"competitors":[{"name":"str","description":"str","strengths":"list","weaknesses":"list"}],
        "market_gaps":[{"gap":"str","opportunity":"str","difficulty":"str"}],
        "recommendation":"str"})";

Schema Compiled(std::string_view target) {
  auto schema = Schema::FromTarget(J(target));
  EXPECT_TRUE(schema.ok()) << schema.error().message;
  if (!schema.ok()) return std::move(*Schema::Compile(Json(true)));
  return std::move(*schema);
}

TEST(ValidateTest, SeedGoodDocumentIsValidAndComplete) {
  const Schema schema = Compiled(kSeedShorthand);
  const auto report = schema.Validate(J(R"({
    "competitors": [
      {"name": "Akash", "description": "compute market", "strengths": ["cheap"], "weaknesses": ["ux"]},
      {"name": "Render", "description": "GPU render", "strengths": ["brand"], "weaknesses": ["price"]}],
    "market_gaps": [{"gap": "SLA", "opportunity": "enterprise", "difficulty": "medium"}],
    "recommendation": "Offer SLAs"})"));
  EXPECT_TRUE(report.valid);
  EXPECT_TRUE(report.violations.empty());
  EXPECT_EQ(report.total_fields, 12);
  EXPECT_EQ(report.populated_fields, 12);
  EXPECT_EQ(report.required_fields, 14);
  EXPECT_EQ(report.required_populated, 14);
  EXPECT_DOUBLE_EQ(report.compliance, 1.0);
  EXPECT_DOUBLE_EQ(report.completeness, 1.0);
}

TEST(ValidateTest, SeedFlawedDocumentReportsPathsRulesAndMeasures) {
  const Schema schema = Compiled(kSeedShorthand);
  // Second competitor: description missing, strengths of the wrong type, weaknesses empty.
  const auto report = schema.Validate(J(R"({
    "competitors": [
      {"name": "Akash", "description": "compute market", "strengths": ["cheap"], "weaknesses": ["ux"]},
      {"name": "Render", "strengths": "fast", "weaknesses": []}],
    "market_gaps": [{"gap": "SLA", "opportunity": "enterprise", "difficulty": "medium"}],
    "recommendation": "Offer SLAs"})"));
  EXPECT_FALSE(report.valid);
  ASSERT_EQ(report.violations.size(), 2u);
  EXPECT_EQ(report.violations[0].path, "$.competitors[1].description");
  EXPECT_EQ(report.violations[0].rule, "required");
  EXPECT_EQ(report.violations[1].path, "$.competitors[1].strengths");
  EXPECT_EQ(report.violations[1].rule, "type");
  EXPECT_EQ(report.violations[1].message, "expected array, got string");
  EXPECT_EQ(report.total_fields, 12);
  EXPECT_EQ(report.populated_fields, 10);  // description absent, weaknesses empty
  EXPECT_EQ(report.required_fields, 14);   // 3 at the root + 4 + 4 per competitor + 3 per gap
  EXPECT_EQ(report.required_populated, 12);
  EXPECT_DOUBLE_EQ(report.compliance, 1.0 - 2.0 / 12.0);
  EXPECT_DOUBLE_EQ(report.completeness, 12.0 / 14.0);
}

TEST(ValidateTest, EmptyListOfModelsCountsAsOneUnpopulatedField) {
  const Schema schema = Compiled(kSeedShorthand);
  const auto report =
      schema.Validate(J(R"({"competitors": [], "market_gaps": [], "recommendation": "x"})"));
  EXPECT_TRUE(report.valid);
  EXPECT_EQ(report.total_fields, 3);
  EXPECT_EQ(report.populated_fields, 1);
  EXPECT_EQ(report.required_fields, 3);
  EXPECT_EQ(report.required_populated, 1);
  EXPECT_DOUBLE_EQ(report.completeness, 1.0 / 3.0);
}

TEST(ValidateTest, DictFieldAndNestedModelCount) {
  const Schema schema =
      Compiled(R"({"competitors":[{"name":"str","pricing":"dict","strengths":"list"}],
                   "recommendation":{"price_point":"float","rationale":"str"}})");
  const auto report = schema.Validate(J(R"({
    "competitors": [{"name": "Akash", "pricing": {"gpu_hour": 1.2}, "strengths": []}],
    "recommendation": {"price_point": "cheap", "rationale": "undercut"}})"));
  ASSERT_EQ(report.violations.size(), 1u);
  EXPECT_EQ(report.violations[0].path, "$.recommendation.price_point");
  EXPECT_EQ(report.violations[0].message, "expected number, got string");
  EXPECT_EQ(report.total_fields, 5);
  EXPECT_EQ(report.populated_fields, 4);
  EXPECT_EQ(report.required_fields, 2 + 3 + 2);
  EXPECT_EQ(report.required_populated, 6);
}

TEST(ValidateTest, MissingEverythingClampsComplianceAtZero) {
  const Schema schema = Compiled(R"({"a":"str"})");
  const auto report = schema.Validate(J(R"("not an object")"));
  ASSERT_EQ(report.violations.size(), 1u);
  EXPECT_EQ(report.violations[0].path, "$");
  EXPECT_EQ(report.total_fields, 1);
  EXPECT_DOUBLE_EQ(report.compliance, 0.0);
}

TEST(ValidateTest, IntegralFloatIsAnInteger) {
  const Schema schema = Compiled(R"({"type":"integer"})");
  EXPECT_TRUE(schema.Validate(J("1.0")).valid);
  EXPECT_TRUE(schema.Validate(J("7")).valid);
  const auto report = schema.Validate(J("1.5"));
  ASSERT_EQ(report.violations.size(), 1u);
  EXPECT_EQ(report.violations[0].message, "expected integer, got number");
}

TEST(ValidateTest, BooleanIsNotANumber) {
  const Schema schema = Compiled(R"({"type":"number"})");
  const auto report = schema.Validate(J("true"));
  ASSERT_EQ(report.violations.size(), 1u);
  EXPECT_EQ(report.violations[0].rule, "type");
  EXPECT_EQ(report.violations[0].message, "expected number, got boolean");
}

TEST(ValidateTest, IntegerIsANumber) {
  EXPECT_TRUE(Compiled(R"({"type":"number"})").Validate(J("1")).valid);
}

TEST(ValidateTest, AdditionalPropertiesFalseRejectsUnknownField) {
  const Schema schema = Compiled(
      R"({"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":false})");
  const auto report = schema.Validate(J(R"({"a":"x","b":1})"));
  ASSERT_EQ(report.violations.size(), 1u);
  EXPECT_EQ(report.violations[0].path, "$.b");
  EXPECT_EQ(report.violations[0].rule, "additionalProperties");
}

TEST(ValidateTest, AdditionalPropertiesSchemaChecksExtraMembers) {
  const Schema schema = Compiled(R"({"type":"object","additionalProperties":{"type":"number"}})");
  const auto report = schema.Validate(J(R"({"gpu": 1.5, "cpu": "cheap"})"));
  ASSERT_EQ(report.violations.size(), 1u);
  EXPECT_EQ(report.violations[0].path, "$.cpu");
}

TEST(ValidateTest, RefIntoDefs) {
  const Schema schema = Compiled(R"({
    "$defs": {"Competitor": {"type": "object", "properties": {"name": {"type": "string"}},
                             "required": ["name"]}},
    "type": "object",
    "properties": {"competitors": {"type": "array", "items": {"$ref": "#/$defs/Competitor"}}},
    "required": ["competitors"]})");
  EXPECT_TRUE(schema.Validate(J(R"({"competitors":[{"name":"a"}]})")).valid);
  const auto report = schema.Validate(J(R"({"competitors":[{"name":"a"},{}]})"));
  ASSERT_EQ(report.violations.size(), 1u);
  EXPECT_EQ(report.violations[0].path, "$.competitors[1].name");
  EXPECT_EQ(report.violations[0].rule, "required");
}

TEST(ValidateTest, RecursiveModelThroughRef) {
  const Schema schema = Compiled(R"({
    "$ref": "#/$defs/Node",
    "$defs": {"Node": {"type": "object",
                       "properties": {"label": {"type": "string"},
                                      "children": {"type": "array", "items": {"$ref": "#/$defs/Node"}}},
                       "required": ["label"]}}})");
  EXPECT_TRUE(
      schema.Validate(J(R"({"label":"a","children":[{"label":"b","children":[]}]})")).valid);
  const auto report =
      schema.Validate(J(R"({"label":"a","children":[{"label":"b","children":[{"label":3}]}]})"));
  ASSERT_EQ(report.violations.size(), 1u);
  EXPECT_EQ(report.violations[0].path, "$.children[0].children[0].label");
  EXPECT_EQ(report.violations[0].rule, "type");
}

TEST(ValidateTest, AnyOfAcceptsEitherBranch) {
  const Schema schema = Compiled(R"({"a":"Optional[int]"})");
  EXPECT_TRUE(schema.Validate(J(R"({"a":null})")).valid);
  EXPECT_TRUE(schema.Validate(J(R"({"a":4})")).valid);
  EXPECT_TRUE(schema.Validate(J(R"({})")).valid);
}

TEST(ValidateTest, AnyOfFailureIsOneViolationExplainingEachBranch) {
  const Schema schema = Compiled(R"({"a":"Optional[int]"})");
  const auto report = schema.Validate(J(R"({"a":"x"})"));
  ASSERT_EQ(report.violations.size(), 1u);
  EXPECT_EQ(report.violations[0].path, "$.a");
  EXPECT_EQ(report.violations[0].rule, "anyOf");
  EXPECT_EQ(report.violations[0].message,
            "matches none of the 2 alternatives (expected integer, got string; expected null, "
            "got string)");
}

TEST(ValidateTest, ValueOutsideEnumIsAnEnumViolation) {
  const Schema schema = Compiled(R"({"level":"Literal['low', 'high']"})");
  const auto report = schema.Validate(J(R"({"level":"mid"})"));
  ASSERT_EQ(report.violations.size(), 1u);
  EXPECT_EQ(report.violations[0].path, "$.level");
  EXPECT_EQ(report.violations[0].rule, "enum");
  EXPECT_EQ(report.violations[0].message, R"(expected one of "low", "high", got "mid")");
}

TEST(ValidateTest, ConstComparesNumbersByValue) {
  auto schema = Schema::Compile(J(R"({"const": 1})"));
  ASSERT_TRUE(schema.ok());
  EXPECT_TRUE(schema->Validate(J("1.0")).valid);
  EXPECT_EQ(schema->Validate(J("2")).violations.at(0).rule, "const");
}

TEST(ValidateTest, ItemCountAndLengthLimits) {
  const Schema schema = Compiled(R"({"type":"array","maxItems":2,
                                     "items":{"type":"string","minLength":2,"maxLength":3}})");
  // "日本" is two code points (six bytes): within both limits.
  const auto report = schema.Validate(J(R"(["日本","a","abcd"])"));
  ASSERT_EQ(report.violations.size(), 3u);
  EXPECT_EQ(report.violations[0].rule, "maxItems");
  EXPECT_EQ(report.violations[1].path, "$[1]");
  EXPECT_EQ(report.violations[1].rule, "minLength");
  EXPECT_EQ(report.violations[2].rule, "maxLength");
}

TEST(ValidateTest, NonIdentifierKeysUseBracketPaths) {
  const Schema schema = Compiled(R"({"market size":"int"})");
  const auto report = schema.Validate(J(R"({"market size":"big"})"));
  ASSERT_EQ(report.violations.size(), 1u);
  EXPECT_EQ(report.violations[0].path, "$['market size']");
}

TEST(ValidateTest, NoRequiredFieldsFallsBackToPopulatedShare) {
  const Schema schema = Compiled(R"({"a":"Optional[str]","b":"Optional[str]"})");
  const auto report = schema.Validate(J(R"({"a":"x"})"));
  EXPECT_EQ(report.required_fields, 0);
  EXPECT_DOUBLE_EQ(report.completeness, 0.5);
}

TEST(ValidateTest, RequiredNamesCountOncePerMentionDeclaredOrNot) {
  auto schema = Schema::Compile(J(R"({"properties":{"a":{},"c":{}},
                                      "required":["b","a","a","b","c"]})"));
  ASSERT_TRUE(schema.ok());
  const auto report = schema->Validate(J(R"({"c":"x"})"));
  ASSERT_EQ(report.violations.size(), 3u);
  EXPECT_EQ(report.violations[0].path, "$.a");  // declared: in property order, once
  EXPECT_EQ(report.violations[1].path, "$.b");  // undeclared: once per mention
  EXPECT_EQ(report.violations[2].path, "$.b");
  EXPECT_EQ(report.required_fields, 5);
  EXPECT_EQ(report.required_populated, 1);
}

TEST(ValidateTest, MembersOutOfDeclarationOrderAreFound) {
  auto schema = Schema::Compile(J(R"({"properties":{"a":{"type":"integer"},"b":{"type":"string"},
                                      "c":{"type":"boolean"}},"required":["a","b","c"]})"));
  ASSERT_TRUE(schema.ok());
  EXPECT_TRUE(schema->Validate(J(R"({"c":true,"x":0,"a":1,"b":"s"})")).valid);
  const auto report = schema->Validate(J(R"({"b":2,"c":true,"a":"1"})"));
  ASSERT_EQ(report.violations.size(), 2u);
  EXPECT_EQ(report.violations[0].path, "$.a");
  EXPECT_EQ(report.violations[1].path, "$.b");
}

}  // namespace
}  // namespace orchestra::schema
