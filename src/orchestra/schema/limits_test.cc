// Hostile schemas and documents: clear errors or violations, never a crash or a hang.
#include <gtest/gtest.h>

#include <string>

#include "orchestra/schema/schema.h"
#include "orchestra/schema/standardize.h"
#include "orchestra/schema/testing_json.h"

namespace orchestra::schema {
namespace {

using testing::J;

TEST(LimitsTest, SchemaNestedDeeperThanTheLimitIsRejected) {
  Json schema = JsonObject{{"type", "integer"}};
  for (int i = 0; i < 130; ++i) schema = JsonObject{{"items", std::move(schema)}};
  auto compiled = Schema::Compile(schema);
  ASSERT_FALSE(compiled.ok());
  EXPECT_NE(compiled.error().message.find("deeper than the limit of 128"), std::string::npos);
}

TEST(LimitsTest, InstanceNestedDeeperThanTheLimitIsReported) {
  auto schema =
      Schema::Compile(J(R"({"$ref":"#/$defs/L","$defs":{"L":{"items":{"$ref":"#/$defs/L"}}}})"));
  ASSERT_TRUE(schema.ok()) << schema.error().message;
  Json instance = JsonArray{};
  for (int i = 0; i < 200; ++i) instance = JsonArray{std::move(instance)};
  const auto report = schema->Validate(instance);
  ASSERT_FALSE(report.valid);
  EXPECT_EQ(report.violations.back().rule, "depth");
}

TEST(LimitsTest, ExponentialSchemaStopsAtTheEvaluationBudget) {
  // Each level applies the next one twice to the same instance: 2^40 evaluations unbounded.
  JsonObject defs;
  for (int i = 0; i < 40; ++i) {
    const std::string next = "#/$defs/d" + std::to_string(i + 1);
    defs["d" + std::to_string(i)] =
        JsonObject{{"allOf", JsonArray{JsonObject{{"$ref", next}}, JsonObject{{"$ref", next}}}}};
  }
  defs["d40"] = JsonObject{{"type", "integer"}};
  CompileOptions options;
  options.max_evaluations = 100000;
  auto schema =
      Schema::Compile(JsonObject{{"$ref", "#/$defs/d0"}, {"$defs", std::move(defs)}}, options);
  ASSERT_TRUE(schema.ok()) << schema.error().message;
  const auto report = schema->Validate(Json(1));
  ASSERT_FALSE(report.valid);
  EXPECT_EQ(report.violations.back().rule, "limit");
}

TEST(LimitsTest, CyclicRefThroughAllOfIsRejected) {
  auto compiled = Schema::Compile(J(R"({"allOf":[{"$ref":"#"}]})"));
  ASSERT_FALSE(compiled.ok());
  EXPECT_NE(compiled.error().message.find("loop"), std::string::npos);
}

TEST(LimitsTest, BigNumbersCompareExactly) {
  auto schema = Schema::Compile(J(R"({"maximum":9007199254740992})"));
  ASSERT_TRUE(schema.ok());
  EXPECT_FALSE(schema->Validate(J("9007199254740993")).valid);
  EXPECT_TRUE(schema->Validate(J("9007199254740992")).valid);
  EXPECT_FALSE(schema->Validate(J("1e300")).valid);
}

TEST(LimitsTest, FormatIsAnAnnotationUnlessAsserted) {
  const Json schema = J(R"({"type":"string","format":"date"})");
  auto lenient = Schema::Compile(schema);
  ASSERT_TRUE(lenient.ok());
  EXPECT_TRUE(lenient->Validate(Json("2024-02-30")).valid);
  CompileOptions options;
  options.assert_format = true;
  auto strict = Schema::Compile(schema, options);
  ASSERT_TRUE(strict.ok());
  EXPECT_FALSE(strict->Validate(Json("2024-02-30")).valid);
  EXPECT_TRUE(strict->Validate(Json("2024-02-29")).valid);
}

TEST(LimitsTest, CatastrophicPatternInASchemaValidatesQuickly) {
  auto schema = Schema::Compile(J(R"({"pattern":"^(a|aa)+$"})"));
  ASSERT_TRUE(schema.ok());
  EXPECT_FALSE(schema->Validate(Json(std::string(5000, 'a') + "b")).valid);
}

TEST(StandardizeProvenanceTest, MapsOutputPathsToInputPaths) {
  auto schema =
      Schema::FromTarget(J(R"({"company_name":"str","tags":"list[str]","note":"Optional[str]"})"));
  ASSERT_TRUE(schema.ok()) << schema.error().message;
  const Standardized out =
      Standardize(J(R"({"data":{"companyName":"Acme","tags":"a, b"}})"), *schema);
  auto origin = [&](const std::string& path) {
    for (const auto& [p, from] : out.provenance) {
      if (p == path) return from;
    }
    return std::string("(none)");
  };
  EXPECT_EQ(origin("$.company_name"), "$.data.companyName");
  EXPECT_EQ(origin("$.tags[1]"), "$.data.tags");
  EXPECT_EQ(origin("$.note"), "(schema default)");
}

}  // namespace
}  // namespace orchestra::schema
