#include "orchestra/experts/synapse_class.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "orchestra/ledger/snapshot.h"

namespace orchestra::experts {
namespace {

using ::testing::ElementsAre;

std::vector<std::string> FieldNames(const protocol::SynapseClass& cls) {
  std::vector<std::string> names;
  for (const protocol::SynapseField& field : cls.fields) names.push_back(field.name);
  return names;
}

ledger::LedgerEntry SeedEntry(const std::string& subnet_id) {
  auto seed = ledger::SeedSnapshot();
  EXPECT_TRUE(seed.ok()) << seed.error().ToString();
  if (!seed.ok()) return {};
  const ledger::LedgerEntry* entry = seed->Find(subnet_id);
  EXPECT_NE(entry, nullptr) << subnet_id << " is not in the seed ledger";
  return entry ? *entry : ledger::LedgerEntry{};
}

TEST(SynapseClassForTest, Sn22IsDesearchWithInputsThenOutputsThenLockAndReceipt) {
  const protocol::SynapseClass cls = SynapseClassFor(SeedEntry("SN22"));
  EXPECT_EQ(cls.name, "DesearchSynapse");
  EXPECT_THAT(FieldNames(cls), ElementsAre("query", "max_results", "search_type", "results",
                                           "total_found", "orchestra_lock", "orchestra_receipt"));
  EXPECT_TRUE(cls.required_hash_fields.empty());
}

TEST(SynapseClassForTest, Sn13IsDataUniverseWithInputsThenOutputsThenLockAndReceipt) {
  const protocol::SynapseClass cls = SynapseClassFor(SeedEntry("SN13"));
  EXPECT_EQ(cls.name, "DataUniverseSynapse");
  EXPECT_THAT(FieldNames(cls), ElementsAre("urls", "extract_fields", "data", "errors",
                                           "orchestra_lock", "orchestra_receipt"));
}

TEST(SynapseClassForTest, EveryFieldIsOptionalNullableAndUntyped) {
  for (const protocol::SynapseField& field : SynapseClassFor(SeedEntry("SN22")).fields) {
    EXPECT_FALSE(field.required) << field.name;
    EXPECT_TRUE(field.nullable) << field.name;
    EXPECT_EQ(field.type, protocol::FieldType::kAny) << field.name;
    EXPECT_TRUE(field.default_value.is_null()) << field.name;
  }
}

TEST(SynapseClassForTest, RoundTripsASynapseThroughTheBody) {
  const protocol::SynapseClass cls = SynapseClassFor(SeedEntry("SN22"));
  protocol::BittensorSynapse sent;
  sent.name = cls.name;
  sent.timeout = 2.5;
  sent.fields["query"] = "gpu prices";
  sent.fields["max_results"] = 5;
  sent.fields["search_type"] = "web";
  sent.fields["results"] = JsonArray{JsonObject{{"title", "t"}, {"link", "https://a.example"}}};
  sent.fields["total_found"] = 1;
  sent.fields[kLockField] = "0x" + std::string(64, 'a');
  sent.fields[kReceiptField] = JsonObject{{"lock", "0x" + std::string(64, 'a')}};

  const std::string body = protocol::ToBody(cls, sent);
  auto received = protocol::SynapseFromBody(cls, body);

  ASSERT_TRUE(received.ok()) << received.error().ToString();
  EXPECT_EQ(received->name, "DesearchSynapse");
  EXPECT_DOUBLE_EQ(received->timeout, 2.5);
  for (const protocol::SynapseField& field : cls.fields) {
    EXPECT_EQ(received->Field(cls, field.name), sent.Field(cls, field.name)) << field.name;
  }
  EXPECT_EQ(protocol::ToBody(cls, *received), body);
}

TEST(SynapseClassForTest, RequestWithoutOutputsParsesWithTheOutputsNull) {
  const protocol::SynapseClass cls = SynapseClassFor(SeedEntry("SN13"));
  protocol::BittensorSynapse sent;
  sent.fields["urls"] = JsonArray{"https://a.example"};
  sent.fields[kLockField] = "0xlock";

  auto received = protocol::SynapseFromBody(cls, protocol::ToBody(cls, sent));

  ASSERT_TRUE(received.ok()) << received.error().ToString();
  EXPECT_EQ(received->Field(cls, "urls"), sent.fields.at("urls"));
  EXPECT_TRUE(received->Field(cls, "data").is_null());
  EXPECT_TRUE(received->Field(cls, kReceiptField).is_null());
}

TEST(SynapseClassForTest, JsonSchemaEntriesDeclareTheirProperties) {
  ledger::LedgerEntry entry;
  entry.synapse = "ScrapeSynapse";
  entry.input_schema =
      JsonObject{{"type", "object"},
                 {"properties", JsonObject{{"url", JsonObject{{"type", "string"}}}}},
                 {"required", JsonArray{"url"}}};
  entry.output_schema = JsonObject{{"properties", JsonObject{{"text", JsonObject{}}}}};
  EXPECT_THAT(FieldNames(SynapseClassFor(entry)),
              ElementsAre("url", "text", "orchestra_lock", "orchestra_receipt"));
}

TEST(SynapseClassForTest, ShorthandFieldNamedPropertiesIsAField) {
  ledger::LedgerEntry entry;
  entry.synapse = "ListingSynapse";
  entry.input_schema = JsonObject{{"city", "str"}};
  entry.output_schema = JsonObject{{"properties", "list[dict]"}, {"count", "int"}};
  EXPECT_THAT(FieldNames(SynapseClassFor(entry)),
              ElementsAre("city", "properties", "count", "orchestra_lock", "orchestra_receipt"));
}

TEST(SynapseClassForTest, KeyInBothSchemasIsDeclaredOnce) {
  ledger::LedgerEntry entry;
  entry.synapse = "EchoSynapse";
  entry.input_schema = JsonObject{{"query", "str"}};
  entry.output_schema = JsonObject{{"query", "str"}, {"answer", "str"}};
  EXPECT_THAT(FieldNames(SynapseClassFor(entry)),
              ElementsAre("query", "answer", "orchestra_lock", "orchestra_receipt"));
}

}  // namespace
}  // namespace orchestra::experts
