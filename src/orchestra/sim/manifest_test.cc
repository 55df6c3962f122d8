#include "orchestra/sim/manifest.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "orchestra/ledger/snapshot.h"

namespace orchestra::sim {
namespace {

using ::testing::HasSubstr;

TEST(ManifestTest, DefaultCoversEveryCapabilityWithRealChoices) {
  auto manifest = Manifest::Default();
  ASSERT_TRUE(manifest.ok()) << manifest.error().ToString();
  std::map<std::string, std::set<int>> subnets_by_capability;
  for (const SubnetSpec& s : manifest->subnets) {
    for (const auto& c : s.entry.capabilities) subnets_by_capability[c].insert(s.entry.netuid);
    ASSERT_GE(s.uids.size(), 3u) << s.entry.name;
    std::set<double> qualities, reliabilities;
    for (const UidSpec& u : s.uids) {
      qualities.insert(u.quality);
      reliabilities.insert(u.reliability);
    }
    EXPECT_GT(qualities.size() + reliabilities.size(), 2u) << s.entry.name << ": UIDs all alike";
  }
  for (const char* capability :
       {"web_search", "news_search", "social_search", "web_scraping", "structured_extraction",
        "pdf_parsing", "text_generation", "synthesis", "reasoning"}) {
    EXPECT_GE(subnets_by_capability[capability].size(), 2u) << capability;
  }
  // Subnets sharing a capability trade cost, latency and reliability differently.
  const SubnetSpec* desearch = manifest->Find(22);
  const SubnetSpec* masa = manifest->Find(42);
  ASSERT_TRUE(desearch && masa);
  EXPECT_LT(masa->entry.cost_per_query, desearch->entry.cost_per_query);
  EXPECT_GT(masa->entry.avg_latency_ms, desearch->entry.avg_latency_ms);
  EXPECT_LT(masa->entry.reliability, desearch->entry.reliability);
}

TEST(ManifestTest, SeedSubnetsUseExactlyTheSeedLedgerSchemasAndLlmsSpeakOpenAi) {
  auto manifest = Manifest::Default();
  auto seed = ledger::SeedSnapshot();
  ASSERT_TRUE(manifest.ok() && seed.ok());
  for (const char* id : {"SN22", "SN13"}) {
    const ledger::LedgerEntry* expected = seed->Find(id);
    const SubnetSpec* actual = manifest->Find(expected->netuid);
    ASSERT_TRUE(actual) << id;
    EXPECT_EQ(actual->entry.input_schema, expected->input_schema) << id;
    EXPECT_EQ(actual->entry.output_schema, expected->output_schema) << id;
    EXPECT_EQ(actual->entry.subnet_id, id);
  }
  for (int netuid : {1, 64, 19}) {
    const SubnetSpec* llm = manifest->Find(netuid);
    ASSERT_TRUE(llm) << netuid;
    EXPECT_EQ(llm->entry.transport, ledger::Transport::kOpenAiChat);
    EXPECT_EQ(llm->engine, Engine::kComplete);
  }
}

TEST(ManifestTest, RoundTripsThroughJson) {
  auto manifest = Manifest::Default();
  ASSERT_TRUE(manifest.ok());
  auto again = Manifest::FromJson(manifest->ToJson());
  ASSERT_TRUE(again.ok()) << again.error().ToString();
  EXPECT_EQ(again->ToJson(), manifest->ToJson());
}

TEST(ManifestTest, ErrorsNameThePlace) {
  auto base = Manifest::Default()->ToJson();
  auto with = [&](auto edit) {
    Json copy = base;
    edit(copy.as_object()["subnets"].as_array()[1].as_object());
    return Manifest::FromJson(copy);
  };
  const std::pair<std::function<void(JsonObject&)>, std::string> cases[] = {
      {[](JsonObject& s) { s["engine"] = "oracle"; }, "subnets[1].engine: unknown engine"},
      {[](JsonObject& s) { s["uids"] = JsonArray{}; }, "subnets[1].uids: must be a non-empty"},
      {[](JsonObject& s) { s["uids"].as_array()[2].as_object()["p95_ms"] = 1; },
       "subnets[1].uids[2].p95_ms: must be >= p50_ms"},
      {[](JsonObject& s) { s["uids"].as_array()[0].as_object()["reliability"] = 1.5; },
       "subnets[1].uids[0].reliability: must be in [0, 1]"},
      {[](JsonObject& s) {
         s["uids"].as_array()[0].as_object()["faults"] = JsonObject{{"x", 1}};
       },
       "subnets[1].uids[0].faults.x: unknown fault"},
      {[](JsonObject& s) { s["uids"].as_array()[0].as_object()["faults"] = JsonObject{}; },
       "needs at least one fault"},
      {[](JsonObject& s) { s["uids"].as_array()[1].as_object()["uid"] = 0; },
       "subnets[1].uids[1].uid: 0 appears twice"},
      {[](JsonObject& s) { s["netuid"] = 22; }, "subnets[1].netuid: 22 appears twice"},
      {[](JsonObject& s) { s["transport"] = "carrier pigeon"; }, "transport"},
  };
  for (const auto& [edit, expected] : cases) {
    auto parsed = with(edit);
    ASSERT_FALSE(parsed.ok()) << expected;
    EXPECT_THAT(parsed.error().message, HasSubstr(expected));
  }
}

TEST(PlanCallTest, SameSeedSameSequenceOfLatenciesAndFaults) {
  UidSpec uid{.uid = 1, .p50_ms = 300, .p95_ms = 900, .reliability = 0.7};
  uid.fault_weights[static_cast<size_t>(Fault::kTimeout)] = 1;
  uid.fault_weights[static_cast<size_t>(Fault::kHttp503)] = 3;
  int faults = 0, timeouts = 0, differs = 0;
  std::vector<double> latencies;
  for (uint64_t i = 0; i < 4000; ++i) {
    const CallPlan a = PlanCall(42, 22, uid, i);
    const CallPlan b = PlanCall(42, 22, uid, i);
    EXPECT_EQ(a.latency_ms, b.latency_ms);
    EXPECT_EQ(a.faulty, b.faulty);
    EXPECT_EQ(a.fault, b.fault);
    if (PlanCall(43, 22, uid, i).latency_ms != a.latency_ms) ++differs;
    faults += a.faulty;
    timeouts += a.faulty && a.fault == Fault::kTimeout;
    latencies.push_back(a.latency_ms);
  }
  EXPECT_EQ(differs, 4000);  // another seed, another world
  // 30% faults, a quarter of them timeouts; the median latency is p50.
  EXPECT_NEAR(faults / 4000.0, 0.3, 0.03);
  EXPECT_NEAR(static_cast<double>(timeouts) / faults, 0.25, 0.05);
  std::nth_element(latencies.begin(), latencies.begin() + 2000, latencies.end());
  EXPECT_NEAR(latencies[2000], 300, 30);
  std::nth_element(latencies.begin(), latencies.begin() + 3800, latencies.end());
  EXPECT_NEAR(latencies[3800], 900, 120);
}

}  // namespace
}  // namespace orchestra::sim
