// The adversarial miners the validator's tests rely on (issue 17), each checked directly: a
// LocalSubnet with one orchestra_test_miner of every mode, called by a signed dendrite as a
// validator would, and each answer inspected for exactly the misbehaviour its mode promises.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <set>

#include "e2e/local_subnet.h"
#include "orchestra/crypto/ss58.h"
#include "orchestra/crypto/test_util.h"
#include "orchestra/net/metagraph_source.h"
#include "orchestra/protocol/orchestra_synapse.h"
#include "orchestra/protocol/receipt.h"
#include "orchestra/schema/schema.h"

namespace orchestra {
namespace {

using protocol::BittensorSynapse;
using testing::CallMiner;
using testing::LocalMiner;
using testing::LocalSubnet;

crypto::Keypair ValidatorKey() { return crypto::testing::KeyFromByte(2); }

Json ExampleFile(const std::string& name) {
  const char* root = std::getenv("ORCHESTRA_SOURCE_DIR");
  std::ifstream in(std::string(root ? root : ".") + "/data/examples/" + name + ".json");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto json = ParseJson(text);
  EXPECT_TRUE(json.ok()) << name;
  return json.ok() ? *json : Json();
}

// The example's challenge under `id`, with a deadline that small latencies meet easily.
JsonObject Challenge(const std::string& example, const std::string& id) {
  JsonObject challenge = ExampleFile(example).as_object();
  challenge["challenge_id"] = id;
  challenge["deadline_ms"] = 20000;
  return challenge;
}

class AdversarialMinersTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto started = LocalSubnet::Start(
        {.modes = {"honest", "forger", "replayer", "lazy", "stale-ledger", "off-topic", "copier"},
         .latency_scale = 0.05,
         .perfect_experts = true,
         .validator_hotkeys = {crypto::Ss58Encode(ValidatorKey().public_key().bytes())}});
    ASSERT_TRUE(started.ok()) << started.error().ToString();
    subnet_ = std::move(*started).release();
  }
  static void TearDownTestSuite() {
    delete subnet_;
    subnet_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(subnet_, nullptr) << "the local subnet did not start"; }

  // `mode`'s answer to `challenge`, which must be a 200 with a readable response.
  static protocol::Response Ask(const std::string& mode, JsonObject challenge) {
    const BittensorSynapse answer =
        CallMiner(ValidatorKey(), subnet_->miner(mode).axon, protocol::OrchestraSynapseClass(),
                  std::move(challenge));
    EXPECT_EQ(answer.dendrite.status_code.value_or(0), 200)
        << mode << ": " << answer.dendrite.status_message.value_or("");
    auto response = protocol::ResponseFromJson(answer.fields);
    EXPECT_TRUE(response.ok()) << mode << ": " << response.error().ToString();
    return response.ok() ? *response : protocol::Response{};
  }

  static Json Ledger(const std::string& mode) {
    const BittensorSynapse answer = CallMiner(ValidatorKey(), subnet_->miner(mode).axon,
                                              protocol::LedgerSynapseClass(), JsonObject{});
    EXPECT_EQ(answer.dendrite.status_code.value_or(0), 200) << mode;
    return answer.fields;
  }

  static bool ValidAgainst(const Json& target_schema, const Json& data) {
    auto schema = schema::Schema::FromTarget(target_schema);
    EXPECT_TRUE(schema.ok()) << schema.error().ToString();
    return schema.ok() && schema->Validate(data).valid;
  }

  static LocalSubnet* subnet_;
};

LocalSubnet* AdversarialMinersTest::subnet_ = nullptr;

std::vector<std::string> Hashes(const protocol::Response& response) {
  std::vector<std::string> hashes;
  for (const auto& step : response.task_pipeline)
    if (!step.hash.empty()) hashes.push_back(step.hash);
  return hashes;
}

// What a proof check starts with: the step's hash is its receipt's Hash().
bool HashMatchesReceipt(const protocol::TaskStep& step) {
  auto receipt = protocol::ReceiptFromJson(step.receipt);
  return receipt.ok() && receipt->Hash() == step.hash;
}

TEST_F(AdversarialMinersTest, TheMetagraphListsEveryMinerWhereItServes) {
  auto neurons = net::NeuronsFromJson(subnet_->Metagraph());
  ASSERT_TRUE(neurons.ok()) << neurons.error().ToString();
  ASSERT_EQ(neurons->size(), subnet_->miners().size() + 1);
  for (const LocalMiner& miner : subnet_->miners()) {
    EXPECT_EQ((*neurons)[miner.uid].hotkey, miner.axon.hotkey);
    EXPECT_NE(miner.axon.port, 0) << miner.mode;
  }
  EXPECT_TRUE(neurons->back().validator_permit);
  EXPECT_EQ(subnet_->admin_token().size(), 48u);
}

TEST_F(AdversarialMinersTest, HonestProvesEveryStepAndAnswersInTheTargetShape) {
  const JsonObject challenge = Challenge("competitive_landscape", "0xad01");
  const protocol::Response honest = Ask("honest", challenge);
  ASSERT_FALSE(honest.task_pipeline.empty());
  for (const auto& step : honest.task_pipeline) {
    EXPECT_FALSE(step.error.has_value()) << step.step << ": " << step.error.value_or("");
    EXPECT_TRUE(HashMatchesReceipt(step)) << step.step;
  }
  EXPECT_TRUE(ValidAgainst(challenge.at("target_schema"), honest.standardized_data));
}

TEST_F(AdversarialMinersTest, ForgerHashesAreWellFormedButNotItsReceiptsHashes) {
  const protocol::Response forged = Ask("forger", Challenge("competitive_landscape", "0xad02"));
  ASSERT_FALSE(forged.task_pipeline.empty());
  for (const auto& step : forged.task_pipeline) {
    EXPECT_THAT(step.hash, ::testing::MatchesRegex("0x[0-9a-f]{64}")) << step.step;
    auto receipt = protocol::ReceiptFromJson(step.receipt);
    ASSERT_TRUE(receipt.ok()) << step.step << ": " << receipt.error().ToString();
    EXPECT_NE(receipt->Hash(), step.hash) << step.step;
    EXPECT_THAT(receipt->signature, ::testing::MatchesRegex("0x[0-9a-f]{128}")) << step.step;
  }
}

TEST_F(AdversarialMinersTest, ReplayerAnswersTheSecondChallengeWithTheFirstOnesProofs) {
  const protocol::Response first = Ask("replayer", Challenge("competitive_landscape", "0xad03"));
  const protocol::Response second = Ask("replayer", Challenge("ai_funding", "0xad04"));
  ASSERT_FALSE(Hashes(first).empty());
  for (const auto& step : first.task_pipeline) EXPECT_TRUE(HashMatchesReceipt(step)) << step.step;
  EXPECT_EQ(second.challenge_id, "0xad04");
  EXPECT_EQ(Hashes(second), Hashes(first));
}

TEST_F(AdversarialMinersTest, LazyStandardizedDataIsNotTheTargetShapeWhereHonestIs) {
  const JsonObject challenge = Challenge("competitive_landscape", "0xad05");
  const protocol::Response lazy = Ask("lazy", challenge);
  const protocol::Response honest = Ask("honest", challenge);
  EXPECT_NE(JsonFind(lazy.standardized_data, "results"), nullptr);  // the search's, as sent
  for (const auto& step : lazy.task_pipeline) EXPECT_TRUE(HashMatchesReceipt(step)) << step.step;
  EXPECT_FALSE(ValidAgainst(challenge.at("target_schema"), lazy.standardized_data));
  EXPECT_TRUE(ValidAgainst(challenge.at("target_schema"), honest.standardized_data));
}

TEST_F(AdversarialMinersTest, StaleLedgerHandsOutAnOldLedgerWithoutFallbacks) {
  const Json stale = Ledger("stale-ledger");
  const Json honest = Ledger("honest");
  EXPECT_NE(JsonString(stale, "ledger_version"), JsonString(honest, "ledger_version"));
  // Subnets offering each capability, per ledger.
  auto offering = [](const Json& ledger) {
    std::map<std::string, int> subnets;
    for (const auto& [id, entry] : ledger.at("entries").as_object())
      for (const Json& capability : entry.at("capabilities").as_array())
        ++subnets[std::string(capability.as_string())];
    return subnets;
  };
  for (const auto& [capability, subnets] : offering(stale)) EXPECT_EQ(subnets, 1) << capability;
  EXPECT_GT(offering(honest).at("web_search"), 1);
  for (const auto& [id, entry] : stale.at("entries").as_object()) {
    EXPECT_LT(JsonString(entry, "last_updated"), "2026-01-01") << id;
  }
  // And it routes with that ledger: its answer names it.
  const protocol::Response answer = Ask("stale-ledger", Challenge("gpu_pricing", "0xad06"));
  EXPECT_EQ(answer.ledger_version, JsonString(stale, "ledger_version"));
}

TEST_F(AdversarialMinersTest, CopierReturnsTheHonestMinersDataWithOneProofOfItsOwn) {
  const JsonObject challenge = Challenge("competitive_landscape", "0xad07");
  const protocol::Response copied = Ask("copier", challenge);
  const protocol::Response honest = Ask("honest", challenge);
  EXPECT_EQ(CanonicalJson(copied.standardized_data), CanonicalJson(honest.standardized_data));
  EXPECT_EQ(copied.final_synthesis, honest.final_synthesis);
  ASSERT_EQ(copied.task_pipeline.size(), 1u);
  const protocol::TaskStep& own = copied.task_pipeline[0];
  EXPECT_TRUE(HashMatchesReceipt(own));
  auto receipt = protocol::ReceiptFromJson(own.receipt);
  ASSERT_TRUE(receipt.ok());
  EXPECT_EQ(receipt->lock, protocol::LockFor("0xad07", subnet_->miner("copier").axon.hotkey,
                                             own.step, receipt->request_hash));
}

// The competitive landscape's shape asked about AI funding: the honest miner's answer names the
// funded companies, the off-topic one's (about decentralized GPU compute) is in the same valid
// shape without any of them.
TEST_F(AdversarialMinersTest, OffTopicAnswersInTheRightShapeWithoutTheTopicsWords) {
  JsonObject challenge = Challenge("competitive_landscape", "0xad08");
  challenge["objective"] =
      "Research the AI companies that raised the largest funding rounds of 2024 and the gaps "
      "their investors leave open";
  const protocol::Response off_topic = Ask("off-topic", challenge);
  const protocol::Response honest = Ask("honest", challenge);
  EXPECT_EQ(off_topic.challenge_id, "0xad08");
  for (const auto& step : off_topic.task_pipeline)
    EXPECT_TRUE(HashMatchesReceipt(step)) << step.step;
  EXPECT_TRUE(ValidAgainst(challenge.at("target_schema"), off_topic.standardized_data));
  auto lower = [](std::string text) {
    for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
  };
  const std::string honest_text = lower(CanonicalJson(honest.standardized_data));
  const std::string off_topic_text = lower(CanonicalJson(off_topic.standardized_data));
  // The funded companies the curated corpus knows: the honest answer names several of them,
  // the off-topic one none.
  int named = 0;
  for (const char* company :
       {"openai", "mistral", "databricks", "anthropic", "xai", "groq", "scale ai", "waymo"}) {
    named += honest_text.find(company) != std::string::npos;
    EXPECT_THAT(off_topic_text, ::testing::Not(::testing::HasSubstr(company)));
  }
  EXPECT_GE(named, 3) << honest_text;
  EXPECT_THAT(off_topic_text, ::testing::Not(::testing::HasSubstr("funding")));
}

// Like `orchestra miner`, a test miner drains on SIGTERM, a copier with a challenge behind it.
TEST(LocalSubnetTest, StopDrainsEveryProcessToACleanExit) {
  auto subnet = LocalSubnet::Start({.modes = {"honest", "copier"}});
  ASSERT_TRUE(subnet.ok()) << subnet.error().ToString();
  const BittensorSynapse answer =
      CallMiner(ValidatorKey(), (*subnet)->miner("copier").axon, protocol::OrchestraSynapseClass(),
                Challenge("gpu_pricing", "0xad09"));
  EXPECT_EQ(answer.dendrite.status_code.value_or(0), 200);
  const Status stopped = (*subnet)->Stop();
  EXPECT_TRUE(stopped.ok()) << stopped.error().ToString();
  EXPECT_TRUE((*subnet)->Stop().ok());
}

TEST(LocalSubnetTest, ACopierWithoutAnHonestMinerBeforeItIsRefused) {
  auto subnet = LocalSubnet::Start({.modes = {"copier", "honest"}});
  ASSERT_FALSE(subnet.ok());
  EXPECT_THAT(subnet.error().message, ::testing::HasSubstr("modes[0]: a copier needs an honest"));
}

}  // namespace
}  // namespace orchestra
