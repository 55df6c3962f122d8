// Hostile schemas and documents: clear errors or violations, never a crash or a hang.
#include <gtest/gtest.h>

#include <algorithm>

#include <string>
#include <vector>

#include "orchestra/schema/schema.h"
#include "orchestra/schema/standardize.h"
#include "orchestra/schema/testing_json.h"

namespace orchestra::schema {
namespace {

using testing::J;

// {"type":"object","properties":{"f0":{"type":"string"},...},"required":[...]}: `properties`
// fields, the first `required` of them required, plus `undeclared` required names that no
// property declares ("u0", "u1", ...).
Json WideSchema(size_t properties, size_t required, size_t undeclared = 0) {
  JsonObject members;
  JsonArray names;
  for (size_t i = 0; i < properties; ++i) {
    const std::string name = "f" + std::to_string(i);
    members[name] = JsonObject{{"type", "string"}};
    if (i < required) names.emplace_back(name);
  }
  for (size_t i = 0; i < undeclared; ++i) names.emplace_back("u" + std::to_string(i));
  return JsonObject{
      {"type", "object"}, {"properties", std::move(members)}, {"required", std::move(names)}};
}

CompileOptions Roomy() {
  CompileOptions options;
  options.max_nodes = 1'000'000;
  options.max_work = 10'000'000;
  return options;
}

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

TEST(LimitsTest, PatternPropertiesSearchesCountTowardsTheEvaluationBudget) {
  // 2,000 members × 2,000 patterns: 4 million searches, none of which applies a subschema.
  JsonObject patterns;
  JsonObject instance;
  for (int i = 0; i < 2000; ++i) {
    patterns["^p" + std::to_string(i) + "$"] = JsonObject{{"type", "integer"}};
    instance["m" + std::to_string(i)] = i;
  }
  CompileOptions options;
  options.max_evaluations = 100000;
  auto schema = Schema::Compile(JsonObject{{"patternProperties", std::move(patterns)}}, options);
  ASSERT_TRUE(schema.ok()) << schema.error().message;
  const auto report = schema->Validate(instance);
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

TEST(LimitsTest, SchemaWithMoreSubschemasThanTheLimitIsRejectedNamingTheLimitAndWhere) {
  // Issue 16: the 1.6 MB target_schema with 100,000 properties, all of them required.
  auto compiled = Schema::Compile(WideSchema(100'000, 100'000));
  ASSERT_FALSE(compiled.ok());
  EXPECT_EQ(compiled.error().message,
            "schema at #/properties/f49999: the schema has more than 50000 subschemas, the limit "
            "(CompileOptions::max_nodes)");
}

TEST(LimitsTest, ThousandsOfFieldsStayWithinTheDefaultLimits) {
  // A Pydantic model with 10,000 Optional[str] fields: three subschemas per field.
  JsonObject members;
  for (int i = 0; i < 10'000; ++i) {
    members["field_" + std::to_string(i)] =
        J(R"({"anyOf":[{"type":"string"},{"type":"null"}],"default":null})");
  }
  auto schema = Schema::Compile(JsonObject{{"type", "object"}, {"properties", std::move(members)}});
  ASSERT_TRUE(schema.ok()) << schema.error().message;
  EXPECT_TRUE(schema->Validate(J(R"({"field_9999":"x"})")).valid);
}

TEST(LimitsTest, HundredThousandRequiredPropertiesCompileAndValidate) {
  // Compiled in time linear in the names (before: every required name against every property,
  // 10^10 comparisons). The result shows each name was paired with its own property.
  auto schema = Schema::Compile(WideSchema(100'000, 100'000, 3), Roomy());
  ASSERT_TRUE(schema.ok()) << schema.error().message;
  const Node& root = schema->root();
  ASSERT_EQ(root.property_required.size(), 100'000u);
  EXPECT_EQ(std::count(root.property_required.begin(), root.property_required.end(), 1u), 100'000);
  EXPECT_EQ(root.required_undeclared, (std::vector<std::string>{"u0", "u1", "u2"}));
  EXPECT_TRUE(root.IsRequired("f99999"));
  EXPECT_TRUE(root.IsRequired("u2"));
  EXPECT_FALSE(root.IsRequired("f100000"));

  JsonObject instance;
  for (int i = 0; i < 100'000; ++i) instance["f" + std::to_string(i)] = "x";
  instance.erase("f77777");
  instance["extra"] = 1;
  const auto report = schema->Validate(instance);
  ASSERT_EQ(report.violations.size(), 4u);
  EXPECT_EQ(report.violations[0].path, "$.f77777");
  EXPECT_EQ(report.violations[1].path, "$.u0");
  EXPECT_EQ(report.required_fields, 100'003);
}

TEST(LimitsTest, HundredThousandFieldsStandardize) {
  auto schema = Schema::Compile(WideSchema(100'000, 100'000), Roomy());
  ASSERT_TRUE(schema.ok()) << schema.error().message;
  // Every key in another naming style ("F12" for "f12"): the normalized-key pass pairs them.
  JsonObject dirty;
  for (int i = 0; i < 100'000; ++i) dirty["F" + std::to_string(i)] = i;
  dirty.erase("F5");
  const Standardized out = Standardize(dirty, *schema);
  ASSERT_TRUE(out.clean.is_object());
  EXPECT_EQ(out.clean.get_object().size(), 99'999u);
  EXPECT_EQ(out.clean.get_object().at("f99999"), Json("99999"));
  EXPECT_EQ(out.missing, (std::vector<std::string>{"$.f5"}));
}

TEST(LimitsTest, ACompiledTargetKeepsTheDocumentItWasGivenInsteadOfACopy) {
  Json target = WideSchema(1000, 1000);
  const Json* first_property = &target.at("properties").get_object().begin()->value();
  auto schema = Schema::FromTarget(std::move(target));
  ASSERT_TRUE(schema.ok()) << schema.error().message;
  EXPECT_EQ(&schema->json_schema().at("properties").get_object().begin()->value(), first_property);
}

TEST(LimitsTest, RequiredNamesPastTheWorkLimitAreRejected) {
  CompileOptions options;
  options.max_work = 1000;
  auto compiled = Schema::Compile(WideSchema(10, 0, 2000), options);
  ASSERT_FALSE(compiled.ok());
  EXPECT_NE(compiled.error().message.find("schema at #/required: compiling the schema takes more "
                                          "than 1000 units of work, the limit"),
            std::string::npos)
      << compiled.error().message;
}

TEST(LimitsTest, RepeatedPatternIsCompiledOnce) {
  // 1,000 fields with the same 1,001-instruction pattern: one program, well within max_work
  // (1,000 copies would be a million units).
  JsonObject members;
  for (int i = 0; i < 1000; ++i) {
    members["f" + std::to_string(i)] = J(R"({"type":"string","pattern":"^a{1000}$"})");
  }
  auto schema = Schema::Compile(JsonObject{{"properties", std::move(members)}});
  ASSERT_TRUE(schema.ok()) << schema.error().message;
  EXPECT_TRUE(schema->Validate(JsonObject{{"f3", std::string(1000, 'a')}}).valid);
  EXPECT_FALSE(schema->Validate(JsonObject{{"f3", "a"}}).valid);
}

TEST(LimitsTest, DistinctLargePatternsHitTheWorkLimit) {
  JsonObject members;
  for (int i = 0; i < 1000; ++i) {
    members["f" + std::to_string(i)] =
        JsonObject{{"pattern", "^a{1000}" + std::to_string(i) + "$"}};
  }
  auto compiled = Schema::Compile(JsonObject{{"properties", std::move(members)}});
  ASSERT_FALSE(compiled.ok());
  EXPECT_NE(compiled.error().message.find("/pattern: compiling the schema takes more than "
                                          "1000000 units of work"),
            std::string::npos)
      << compiled.error().message;
}

TEST(LimitsTest, LargeEnumIsLookedUpByHashAndReportedBriefly) {
  JsonArray values;
  for (int i = 0; i < 100'000; ++i) values.emplace_back("v" + std::to_string(i));
  values.emplace_back(7);
  auto schema = Schema::Compile(
      JsonObject{{"type", "array"}, {"items", JsonObject{{"enum", std::move(values)}}}});
  ASSERT_TRUE(schema.ok()) << schema.error().message;
  JsonArray instance;
  for (int i = 0; i < 100'000; i += 3) instance.emplace_back("v" + std::to_string(i));
  instance.emplace_back(7.0);
  EXPECT_TRUE(schema->Validate(instance).valid);
  instance.emplace_back("V13");
  const auto report = schema->Validate(instance);
  ASSERT_EQ(report.violations.size(), 1u);
  EXPECT_NE(report.violations[0].message.find("and 99991 more, got \"V13\""), std::string::npos)
      << report.violations[0].message;
  // The standardizer fixes the spelling with one pass over the enum per value.
  const Standardized out = Standardize(instance, *schema);
  EXPECT_EQ(out.clean.get_array().back(), Json("v13"));
}

TEST(LimitsTest, LongListsDeduplicateInLinearTime) {
  auto schema = Schema::FromTarget(J(R"({"ids":"list[int]"})"));
  ASSERT_TRUE(schema.ok()) << schema.error().message;
  JsonArray ids;
  for (int i = 0; i < 200'000; ++i) ids.emplace_back(i % 100'000);
  const Standardized out = Standardize(JsonObject{{"ids", std::move(ids)}}, *schema);
  ASSERT_EQ(out.clean.get_object().at("ids").get_array().size(), 100'000u);
  EXPECT_EQ(out.clean.get_object().at("ids").get_array()[99'999], Json(99'999));
}

TEST(LimitsTest, ExponentialSchemaStopsTheStandardizerAtItsBudget) {
  // Each level applies the next one twice to the same value: 2^40 applications unbounded.
  JsonObject defs;
  for (int i = 0; i < 40; ++i) {
    const std::string next = "#/$defs/d" + std::to_string(i + 1);
    defs["d" + std::to_string(i)] =
        JsonObject{{"allOf", JsonArray{JsonObject{{"$ref", next}}, JsonObject{{"$ref", next}}}}};
  }
  defs["d40"] = JsonObject{{"type", "integer"}};
  auto schema = Schema::Compile(JsonObject{{"$ref", "#/$defs/d0"}, {"$defs", std::move(defs)}});
  ASSERT_TRUE(schema.ok()) << schema.error().message;
  const Standardized out = Standardize(Json("1"), *schema);
  ASSERT_FALSE(out.coercions.empty());
  EXPECT_NE(out.coercions.back().find("stopped after 1048576 subschema applications (limit)"),
            std::string::npos)
      << out.coercions.back();
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
