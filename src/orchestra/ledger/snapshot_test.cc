#include "orchestra/ledger/snapshot.h"

#include <gtest/gtest.h>

#include "orchestra/schema/schema.h"

namespace orchestra::ledger {
namespace {

// The seed snapshot's JSON with SN13's output_schema replaced by `output_schema`.
Json SeedWithSn13OutputSchema(std::string_view output_schema) {
  Json json = SeedSnapshot()->ToJson();
  json.as_object()["entries"].as_object()["SN13"].as_object()["output_schema"] =
      *ParseJson(output_schema);
  return json;
}

TEST(SnapshotOutputSchemaTest, AcceptsAnAnswerOfTheLedgerShapeAndNamesWhereOneViolatesIt) {
  auto seed = SeedSnapshot();
  ASSERT_TRUE(seed.ok()) << seed.error().ToString();
  const schema::Schema* sn22 = seed->Find("SN22")->compiled_output_schema();
  ASSERT_NE(sn22, nullptr);
  EXPECT_TRUE(
      sn22->Validate(*ParseJson(R"({"results": [{"title": "Akash"}], "total_found": 1})")).valid);
  auto report = sn22->Validate(*ParseJson(R"({"results": "none", "total_found": 1})"));
  ASSERT_FALSE(report.valid);
  EXPECT_EQ(report.violations.front().path, "$.results");
  EXPECT_EQ(report.violations.front().rule, "type");
}

TEST(SnapshotOutputSchemaTest, EveryCopyOfASnapshotSharesTheSchemasCompiledOnce) {
  auto seed = SeedSnapshot();
  ASSERT_TRUE(seed.ok());
  auto shared = std::make_shared<const Snapshot>(*seed);
  for (const auto& [id, entry] : seed->entries()) {
    ASSERT_NE(entry.compiled_output_schema(), nullptr) << id;
    EXPECT_EQ(shared->Find(id)->compiled_output_schema(), entry.compiled_output_schema()) << id;
  }
}

TEST(SnapshotOutputSchemaTest, ShorthandThatDoesNotCompileIsRejectedNamingSubnetAndPath) {
  auto bad = Snapshot::FromJson(SeedWithSn13OutputSchema(R"({"data": "lst[dict]"})"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(bad.error().message.rfind("SN13.output_schema.data: ", 0), 0u) << bad.error().message;
  EXPECT_NE(bad.error().message.find("lst"), std::string::npos) << bad.error().message;
}

TEST(SnapshotOutputSchemaTest, JsonSchemaThatDoesNotCompileIsRejectedNamingSubnetAndLocation) {
  auto bad = Snapshot::FromJson(
      SeedWithSn13OutputSchema(R"({"type": "object", "properties": {"data": {"type": "lisst"}}})"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message.rfind("SN13.output_schema: schema at #/properties/data/type", 0),
            0u)
      << bad.error().message;
}

TEST(SnapshotOutputSchemaTest, AnEntryCopiedIntoANewSnapshotIsCompiledFromItsOwnSchema) {
  LedgerEntry changed = *SeedSnapshot()->Find("SN22");
  changed.output_schema = *ParseJson(R"({"answer": "str"})");
  Snapshot snapshot({{"SN22", changed}});
  const schema::Schema* compiled = snapshot.Find("SN22")->compiled_output_schema();
  ASSERT_NE(compiled, nullptr);
  EXPECT_TRUE(compiled->Validate(*ParseJson(R"({"answer": "yes"})")).valid);
  EXPECT_FALSE(compiled->Validate(*ParseJson(R"({"results": [], "total_found": 0})")).valid);
}

TEST(SnapshotOutputSchemaTest, EntryMadeInCodeWithABadSchemaIsKeptWithoutACompiledSchema) {
  LedgerEntry entry = *SeedSnapshot()->Find("SN22");
  entry.output_schema = *ParseJson(R"({"results": "list[dikt]"})");
  Snapshot snapshot({{"SN22", entry}});
  ASSERT_NE(snapshot.Find("SN22"), nullptr);
  EXPECT_EQ(snapshot.Find("SN22")->compiled_output_schema(), nullptr);
  EXPECT_FALSE(Snapshot::Build({{"SN22", entry}}).ok());
}

}  // namespace
}  // namespace orchestra::ledger
