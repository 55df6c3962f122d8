#include "orchestra/ledger/reader.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "orchestra/core/reference_test_util.h"

namespace orchestra::ledger {
namespace {

// Seed 000, "Step 2: Ledger Lookup", verbatim: the seed's own ledger format.
constexpr std::string_view kSeedExample = R"({
  "SN22": {
    "name": "Desearch",
    "capabilities": ["web_search", "news_search", "social_search"],
    "input_schema": {"query": "str", "max_results": "int", "search_type": "str"},
    "output_schema": {"results": "list[dict]", "total_found": "int"},
    "avg_latency_ms": 340,
    "reliability": 0.97,
    "cost_per_query": 0.002,
    "last_updated": "2026-02-08T10:00:00Z"
  },
  "SN13": {
    "name": "Data Universe",
    "capabilities": ["web_scraping", "structured_extraction", "pdf_parsing"],
    "input_schema": {"urls": "list[str]", "extract_fields": "list[str]"},
    "output_schema": {"data": "list[dict]", "errors": "list"},
    "avg_latency_ms": 890,
    "reliability": 0.92,
    "cost_per_query": 0.003,
    "last_updated": "2026-02-08T09:30:00Z"
  }
})";

std::string ReadSourceFile(const std::string& relative) {
  std::ifstream in(testing::SourceDir() / relative, std::ios::binary);
  EXPECT_TRUE(in) << relative;
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// The seed example with `path` (entry, field) set to `value` (JSON text).
Json SeedExampleWith(std::string_view subnet, std::string_view field, std::string_view value) {
  Json json = *ParseJson(kSeedExample);
  json.as_object()[subnet].as_object()[field] = *ParseJson(value);
  return json;
}

std::string ErrorOf(const Result<Snapshot>& read) {
  return read.ok() ? "(read without error)" : read.error().message;
}

TEST(ReadLedgerTest, ReadsTheSeedDocumentsOwnExample) {
  auto ledger = ReadLedgerText(kSeedExample, "seed example");
  ASSERT_TRUE(ledger.ok()) << ledger.error().ToString();
  ASSERT_EQ(ledger->entries().size(), 2u);
  const LedgerEntry* sn22 = ledger->Find("SN22");
  ASSERT_NE(sn22, nullptr);
  EXPECT_EQ(sn22->netuid, 22);
  EXPECT_EQ(sn22->name, "Desearch");
  EXPECT_EQ(sn22->transport, Transport::kSynapse);
  EXPECT_EQ(sn22->synapse, "DesearchSynapse");
  EXPECT_EQ(sn22->avg_latency_ms, 340);
  EXPECT_EQ(sn22->p95_latency_ms, 340);  // the seed's example gives none: no tail is assumed
  EXPECT_EQ(sn22->reliability, 0.97);
  EXPECT_EQ(sn22->last_updated, "2026-02-08T10:00:00Z");
  ASSERT_NE(sn22->compiled_output_schema(), nullptr);
  const LedgerEntry* sn13 = ledger->Find("SN13");
  ASSERT_NE(sn13, nullptr);
  EXPECT_EQ(sn13->netuid, 13);
  EXPECT_EQ(sn13->synapse, "DataUniverseSynapse");
  EXPECT_EQ(CanonicalJson(sn13->input_schema),
            R"({"extract_fields":"list[str]","urls":"list[str]"})");
}

TEST(ReadLedgerTest, SeedFormGivesTheShippedEntryWhereTheSeedSaysAsMuch) {
  // The shipped SN22 is the seed's plus p95 and notes: with those two, the seed form reads to
  // the very same entry, synapse class included.
  const LedgerEntry shipped = *SeedSnapshot()->Find("SN22");
  Json json = SeedExampleWith("SN22", "p95_latency_ms", "620");
  json.as_object()["SN22"].as_object()["notes"] = shipped.notes;
  auto ledger = ReadLedger(json);
  ASSERT_TRUE(ledger.ok()) << ledger.error().ToString();
  EXPECT_EQ(CanonicalJson(ToJson(*ledger->Find("SN22"))), CanonicalJson(ToJson(shipped)));
}

TEST(ReadLedgerTest, ReadsOurFormatAsShippedWithTheSameVersion) {
  auto shipped = ReadLedgerText(ReadSourceFile("data/ledger/seed_snapshot.json"), "shipped");
  ASSERT_TRUE(shipped.ok()) << shipped.error().ToString();
  EXPECT_EQ(shipped->version(), SeedSnapshot()->version());
  auto again = ReadLedger(shipped->ToJson());
  ASSERT_TRUE(again.ok()) << again.error().ToString();
  EXPECT_EQ(again->version(), shipped->version());
  EXPECT_EQ(again->Find("SN1")->transport, Transport::kOpenAiChat);
  EXPECT_EQ(again->Find("SN1")->synapse, "");
}

TEST(ReadLedgerTest, DefaultSynapseNamesMatchEveryNameTheShippedLedgerAndManifestUse) {
  size_t checked = 0;
  auto shipped = SeedSnapshot();
  ASSERT_TRUE(shipped.ok());
  for (const auto& [id, entry] : shipped->entries()) {
    if (entry.transport != Transport::kSynapse) continue;
    EXPECT_EQ(DefaultSynapseName(entry.name, entry.capabilities), entry.synapse) << id;
    ++checked;
  }
  auto manifest = ParseJson(ReadSourceFile("data/sim/manifest.json"), "manifest");
  ASSERT_TRUE(manifest.ok()) << manifest.error().message;
  for (const Json& subnet : JsonFind(*manifest, "subnets")->as_array()) {
    std::vector<std::string> capabilities;
    for (const Json& c : JsonFind(subnet, "capabilities")->as_array()) {
      capabilities.emplace_back(c.as_string());
    }
    EXPECT_EQ(DefaultSynapseName(JsonString(subnet, "name"), capabilities),
              JsonString(subnet, "synapse"));
    ++checked;
  }
  EXPECT_GE(checked, 10u);
}

TEST(ReadLedgerTest, DefaultSynapseNameCopesWithNamesThatAreNoIdentifier) {
  EXPECT_EQ(DefaultSynapseName("web-3 oracle", {"price_feed"}), "Web3OracleSynapse");
  EXPECT_EQ(DefaultSynapseName("404 labs", {"news_search"}), "Subnet404LabsSearchSynapse");
  EXPECT_EQ(DefaultSynapseName("", {}), "SubnetSynapse");
}

TEST(ReadLedgerTest, NetuidComesOnlyFromAnIdOfTheSeedsShape) {
  EXPECT_EQ(NetuidFromSubnetId("SN22"), 22);
  EXPECT_EQ(NetuidFromSubnetId("SN0"), 0);
  for (std::string_view bad : {"sn22", "SN", "SN-1", "SN+1", "SN22a", "Desearch", "", "SN 2"}) {
    EXPECT_EQ(NetuidFromSubnetId(bad), std::nullopt) << bad;
  }
}

TEST(ReadLedgerTest, ASeedEntryKeepsWhatItStatesAndGetsDefaultsForTheRest) {
  Json json = *ParseJson(kSeedExample);
  JsonObject& sn22 = json.as_object()["SN22"].as_object();
  sn22["synapse"] = "SearchSynapse";
  JsonObject& sn13 = json.as_object()["SN13"].as_object();
  sn13["transport"] = "openai_chat";
  auto ledger = ReadLedger(json);
  ASSERT_TRUE(ledger.ok()) << ledger.error().ToString();
  EXPECT_EQ(ledger->Find("SN22")->synapse, "SearchSynapse");
  EXPECT_EQ(ledger->Find("SN13")->transport, Transport::kOpenAiChat);
  EXPECT_EQ(ledger->Find("SN13")->synapse, "");
}

TEST(ReadLedgerTest, AnIdThatNamesNoNetuidNeedsANetuidField) {
  Json json = *ParseJson(kSeedExample);
  json.as_object()["Desearch"] = json.as_object()["SN22"];
  json.as_object().erase("SN22");
  EXPECT_EQ(ErrorOf(ReadLedger(json)),
            "Desearch.netuid: absent, and the subnet id names no netuid (expected SN<netuid>, "
            "e.g. SN22)");
  json.as_object()["Desearch"].as_object()["netuid"] = 22;
  auto ledger = ReadLedger(json);
  ASSERT_TRUE(ledger.ok()) << ledger.error().ToString();
  EXPECT_EQ(ledger->Find("Desearch")->netuid, 22);
}

TEST(ReadLedgerTest, WrongTypesAreRejectedNamingSubnetAndField) {
  EXPECT_EQ(ErrorOf(ReadLedger(SeedExampleWith("SN13", "reliability", R"("0.92")"))),
            "SN13.reliability: must be in [0, 1]");
  EXPECT_EQ(ErrorOf(ReadLedger(SeedExampleWith("SN22", "capabilities", R"("web_search")"))),
            "SN22.capabilities: must be a non-empty list of strings");
  EXPECT_EQ(ErrorOf(ReadLedger(SeedExampleWith("SN22", "avg_latency_ms", "null"))),
            "SN22.avg_latency_ms: must be a positive number");
  EXPECT_EQ(ErrorOf(ReadLedger(SeedExampleWith("SN22", "output_schema", R"(["results"])"))),
            "SN22.output_schema: must be an object");
  EXPECT_EQ(ErrorOf(ReadLedger(SeedExampleWith("SN22", "netuid", R"("22")"))),
            "SN22.netuid: must be a non-negative integer");
  EXPECT_EQ(ErrorOf(ReadLedger(SeedExampleWith("SN22", "transport", R"("grpc")"))),
            "SN22.transport: unknown transport \"grpc\" (expected synapse or openai_chat)");
  Json not_an_entry = *ParseJson(kSeedExample);
  not_an_entry.as_object()["SN13"] = JsonArray{1, 2};
  EXPECT_EQ(ErrorOf(ReadLedger(not_an_entry)), "SN13: entry must be an object, got array");
}

TEST(ReadLedgerTest, AnOutputSchemaThatDoesNotCompileIsRejectedNamingWhere) {
  const std::string error =
      ErrorOf(ReadLedger(SeedExampleWith("SN13", "output_schema", R"({"data": "lst[dict]"})")));
  EXPECT_EQ(error.rfind("SN13.output_schema.data: ", 0), 0u) << error;
  EXPECT_NE(error.find("lst"), std::string::npos) << error;
}

TEST(ReadLedgerTest, TruncatedJsonIsAParseErrorNamingTheDocumentAndPosition) {
  const std::string_view truncated = kSeedExample.substr(0, kSeedExample.size() / 2);
  auto read = ReadLedgerText(truncated, "ledger.json");
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code, ErrorCode::kParse);
  EXPECT_EQ(read.error().message.rfind("ledger.json: ", 0), 0u) << read.error().message;
  EXPECT_NE(read.error().message.find("line "), std::string::npos) << read.error().message;
}

TEST(ReadLedgerTest, ADocumentThatIsNoLedgerIsRejectedSayingWhatWasExpected) {
  EXPECT_EQ(ErrorOf(ReadLedgerText("[1, 2]", "x")),
            "ledger: expected a JSON object ({\"SN22\": {...}} or {\"entries\": {...}}), got "
            "array");
  EXPECT_EQ(ErrorOf(ReadLedgerText(R"({"entries": []})", "x")),
            "ledger.entries: must be an object of entries by subnet id, got array");
  EXPECT_EQ(ErrorOf(ReadLedgerText(R"({"ledger_format": 2, "entries": {}})", "x")),
            "ledger.ledger_format: 2 is not supported (this build reads 1)");
}

TEST(ReadLedgerEntriesTest, KeepsTheGoodEntriesAndGivesEachBadOneItsReason) {
  Json json = *ParseJson(kSeedExample);
  json.as_object()["SN9"] = "pretrain";
  json.as_object()["SN13"].as_object()["reliability"] = 2;
  auto document = ReadLedgerEntries(json);
  ASSERT_TRUE(document.ok()) << document.error().ToString();
  EXPECT_EQ(document->form, LedgerForm::kSeed);
  ASSERT_EQ(document->entries.size(), 1u);
  EXPECT_TRUE(document->entries.contains("SN22"));
  ASSERT_EQ(document->rejected.size(), 2u);
  EXPECT_EQ(document->rejected[0].subnet_id, "SN13");
  EXPECT_EQ(document->rejected[0].error.message, "SN13.reliability: must be in [0, 1]");
  EXPECT_EQ(document->rejected[1].subnet_id, "SN9");
  EXPECT_EQ(document->rejected[1].error.message, "SN9: entry must be an object, got string");
}

TEST(ReadLedgerEntriesTest, TellsOurFormFromTheSeeds) {
  auto ours = ReadLedgerEntries(SeedSnapshot()->ToJson());
  ASSERT_TRUE(ours.ok());
  EXPECT_EQ(ours->form, LedgerForm::kOrchestra);
  EXPECT_EQ(ours->entries.size(), SeedSnapshot()->entries().size());
  EXPECT_TRUE(ours->rejected.empty());
}

}  // namespace
}  // namespace orchestra::ledger
