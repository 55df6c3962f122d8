// `orchestra schema check` and `orchestra schema standardize` end to end: the real binary on
// files in a temporary directory (and stdin through the shell).
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "e2e/subprocess.h"
#include "orchestra/core/json.h"

namespace orchestra {
namespace {

using testing::OrchestraBinary;
using testing::RunProcess;
using testing::TempDir;

constexpr const char* kSchema =
    R"({"type":"object","properties":{"name":{"type":"string","minLength":1},)"
    R"("age":{"type":"integer","minimum":0},"tags":{"type":"array","items":{"type":"string"}}},)"
    R"("required":["name","age"],"additionalProperties":false})";

std::string WriteFile(const TempDir& dir, const std::string& name, const std::string& text) {
  const std::string path = dir.path() + "/" + name;
  std::ofstream(path) << text;
  return path;
}

TEST(SchemaCheckCommandTest, ValidInstanceExitsZeroAndSaysValid) {
  TempDir dir;
  const auto file = WriteFile(dir, "doc.json", R"({"name":"Ada","age":36})");
  auto run = RunProcess({OrchestraBinary(), "schema", "check", "--schema", kSchema, file});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("valid"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("compliance 1.000"), std::string::npos) << run.out;
}

TEST(SchemaCheckCommandTest, InvalidInstanceExitsOneAndListsEveryViolationAsJson) {
  TempDir dir;
  const auto file = WriteFile(dir, "doc.json", R"({"name":"","age":-1,"extra":true})");
  auto run =
      RunProcess({OrchestraBinary(), "schema", "check", "--json", "--schema", kSchema, file});
  EXPECT_EQ(run.exit_code, 1) << run.err;
  auto json = ParseJson(run.out, "stdout");
  ASSERT_TRUE(json.ok()) << json.error().message << run.out;
  EXPECT_FALSE(JsonFind(*json, "valid")->as_bool());
  std::set<std::string> rules;
  for (const Json& v : JsonFind(*json, "violations")->as_array()) {
    rules.insert(JsonString(v, "path") + " " + JsonString(v, "rule"));
  }
  EXPECT_EQ(rules, (std::set<std::string>{"$.name minLength", "$.age minimum",
                                          "$.extra additionalProperties"}));
  EXPECT_NE(JsonFind(*json, "measures"), nullptr);
}

TEST(SchemaCheckCommandTest, ReadsTheInstanceFromStdinAndSchemaFromAFile) {
  TempDir dir;
  const auto schema = WriteFile(dir, "schema.json", kSchema);
  const auto doc = WriteFile(dir, "doc.json", R"({"name":"Ada"})");
  auto run = RunProcess(
      {"/bin/sh", "-c",
       "'" + OrchestraBinary() + "' schema check --schema '" + schema + "' < '" + doc + "'"});
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_NE(run.out.find("$.age  [required]"), std::string::npos) << run.out;
}

TEST(SchemaCheckCommandTest, ShorthandSchemaIsAccepted) {
  TempDir dir;
  const auto file = WriteFile(dir, "doc.json", R"({"tags":["a","b"]})");
  auto run = RunProcess(
      {OrchestraBinary(), "schema", "check", "--schema", R"({"tags":"list[str]"})", file});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
}

TEST(SchemaCheckCommandTest, MalformedDocumentExitsTwo) {
  TempDir dir;
  const auto file = WriteFile(dir, "doc.json", R"({"name": )");
  auto run = RunProcess({OrchestraBinary(), "schema", "check", "--schema", kSchema, file});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("error"), std::string::npos) << run.err;
}

TEST(SchemaCheckCommandTest, BadSchemaExitsTwoNamingTheLocation) {
  TempDir dir;
  const auto file = WriteFile(dir, "doc.json", "\"x\"");
  auto run = RunProcess({OrchestraBinary(), "schema", "check", "--schema",
                         R"({"type":"string","pattern":"(a"})", file});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("#/pattern"), std::string::npos) << run.err;
}

TEST(SchemaStandardizeCommandTest, RepairsDirtyDataAndPrintsProvenance) {
  TempDir dir;
  const auto file = WriteFile(dir, "dirty.json",
                              R"({"data":{"Name":"Ada","AGE":"36","tags":"math, poetry","x":1}})");
  auto run =
      RunProcess({OrchestraBinary(), "schema", "standardize", "--json", "--schema", kSchema, file});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  auto json = ParseJson(run.out, "stdout");
  ASSERT_TRUE(json.ok()) << json.error().message << run.out;
  const Json& clean = *JsonFind(*json, "clean");
  EXPECT_EQ(JsonString(clean, "name"), "Ada");
  EXPECT_EQ(JsonInt(clean, "age"), 36);
  EXPECT_EQ(JsonFind(clean, "tags")->as_array().size(), 2u);
  EXPECT_EQ(JsonFind(clean, "x"), nullptr);
  const Json& provenance = *JsonFind(*json, "provenance");
  EXPECT_EQ(JsonString(provenance, "$.name"), "$.data.Name");
  EXPECT_EQ(JsonString(provenance, "$.age"), "$.data.AGE");
  EXPECT_TRUE(JsonFind(*JsonFind(*json, "report"), "valid")->as_bool());
}

TEST(SchemaStandardizeCommandTest, MissingRequiredFieldStaysMissingAndExitsOne) {
  TempDir dir;
  const auto file = WriteFile(dir, "dirty.json", R"({"name":"Ada"})");
  auto run = RunProcess({OrchestraBinary(), "schema", "standardize", "--schema", kSchema, file});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_NE(run.out.find("missing:\n  $.age"), std::string::npos) << run.out;
}

}  // namespace
}  // namespace orchestra
