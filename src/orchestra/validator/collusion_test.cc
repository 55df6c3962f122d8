#include "orchestra/validator/collusion.h"

#include <gtest/gtest.h>

#include "orchestra/core/rng.h"

namespace orchestra::validator {
namespace {

Json Parse(std::string_view text) {
  auto json = ParseJson(text);
  EXPECT_TRUE(json.ok()) << json.error().ToString();
  return json.ok() ? *json : Json();
}

protocol::TaskStep Step(std::string subnet, std::string task, std::string_view query) {
  protocol::TaskStep step;
  step.subnet = std::move(subnet);
  step.task = std::move(task);
  step.query = Parse(query);
  step.hash = "0x" + std::string(64, 'a');  // a proven call (the proof is judged elsewhere)
  return step;
}

constexpr const char* kBrokers = R"({
  "competitors": [
    {"name": "RabbitMQ", "license": "MPL 2.0",
     "summary": "RabbitMQ is a message broker implementing AMQP, with plugins for MQTT and STOMP; it routes messages through exchanges to queues."},
    {"name": "Apache Kafka", "license": "Apache-2.0",
     "summary": "Kafka is a distributed event streaming platform that stores records in partitioned, replicated logs."},
    {"name": "NATS", "license": "Apache-2.0",
     "summary": "NATS is a lightweight publish-subscribe messaging system written in Go."}
  ],
  "market_leader": "Apache Kafka",
  "throughput_msgs_per_s": 1000000,
  "sources": 3
})";

// kBrokers with its keys reordered, its case and whitespace changed, punctuation added or
// dropped and a number written differently: the same answer to a reader.
constexpr const char* kBrokersReworded = R"({"sources":3.0,"throughput_msgs_per_s":"1,000,000",
  "market_leader":"APACHE KAFKA",
  "competitors":[
    {"summary":"rabbitmq is a message-broker implementing amqp with plugins for mqtt and stomp -- it routes messages through exchanges to queues",
     "license":"mpl 2.0","name":"rabbitmq"},
    {"license":"apache 2.0","name":"apache kafka",
     "summary":"Kafka   is a distributed event-streaming platform that stores records in partitioned replicated logs"},
    {"name":"Nats","summary":"NATS is a lightweight publish/subscribe messaging system, written in Go!","license":"Apache 2.0"}]})";

// kBrokers with one figure changed.
constexpr const char* kBrokersOneFigureChanged = R"({
  "competitors": [
    {"name": "RabbitMQ", "license": "MPL 2.0",
     "summary": "RabbitMQ is a message broker implementing AMQP, with plugins for MQTT and STOMP; it routes messages through exchanges to queues."},
    {"name": "Apache Kafka", "license": "Apache-2.0",
     "summary": "Kafka is a distributed event streaming platform that stores records in partitioned, replicated logs."},
    {"name": "NATS", "license": "Apache-2.0",
     "summary": "NATS is a lightweight publish-subscribe messaging system written in Go."}
  ],
  "market_leader": "Apache Kafka",
  "throughput_msgs_per_s": 1000000,
  "sources": 4
})";

// An honest answer to the same objective, assembled independently.
constexpr const char* kBrokersIndependent = R"({
  "competitors": [
    {"name": "ActiveMQ", "license": "Apache-2.0",
     "summary": "Apache ActiveMQ is a Java based broker supporting JMS, OpenWire and AMQP clients."},
    {"name": "Apache Pulsar", "license": "Apache-2.0",
     "summary": "Pulsar separates serving from storage, keeping topics in BookKeeper ledgers with geo-replication."},
    {"name": "Redis Streams", "license": "BSD-3-Clause",
     "summary": "Redis Streams add an append-only log type with consumer groups to Redis."}
  ],
  "market_leader": "Apache Kafka",
  "throughput_msgs_per_s": 800000,
  "sources": 5
})";

constexpr const char* kGpuPrices = R"({
  "providers": [
    {"name": "Lambda", "gpu": "H100 SXM", "price_per_hour": 2.49, "region": "us-east"},
    {"name": "RunPod", "gpu": "A100 80GB", "price_per_hour": 1.19, "region": "eu-west"},
    {"name": "CoreWeave", "gpu": "H100 PCIe", "price_per_hour": 4.25, "region": "us-central"}
  ],
  "cheapest": "RunPod",
  "note": "On-demand prices for a single card, billed per second, storage extra."
})";

std::vector<protocol::TaskStep> BrokersPath() {
  return {Step("SN22", "web_search", R"({"query":"message broker comparison","limit":5})"),
          Step("SN13", "web_scraping", R"({"urls":["https://www.rabbitmq.com"]})"),
          Step("SN1", "synthesis", R"({"prompt":"compare brokers"})")};
}

std::vector<protocol::TaskStep> GpuPath() {
  return {Step("SN22", "web_search", R"({"query":"H100 hourly price","limit":8})"),
          Step("SN64", "synthesis", R"({"prompt":"cheapest GPU cloud"})")};
}

// What a relay runs: one cheap call of its own for a proof, none of which explains its data.
std::vector<protocol::TaskStep> RelayPath() {
  return {Step("SN42", "web_search", R"({"query":"anything","limit":1})")};
}

AnswerPrint Print(std::string hotkey, const char* data, std::vector<protocol::TaskStep> path,
                  std::string challenge = "c1") {
  return MakeAnswerPrint(std::move(hotkey), std::move(challenge), Parse(data), path);
}

TEST(NormalizedTokensTest, LowerCasesDropsPunctuationKeepsNumbers) {
  EXPECT_EQ(
      NormalizedTokens("Apache-Kafka: $2.49/hr, 1,000 USERS. Next v1.2"),
      (std::vector<std::string>{"apache", "kafka", "2.49", "hr", "1000", "users", "next", "v1.2"}));
  EXPECT_EQ(NormalizedTokens("1,2 and 3,4567"),
            (std::vector<std::string>{"1", "2", "and", "3", "4567"}));
  EXPECT_EQ(NormalizedTokens("Zürich  café"), (std::vector<std::string>{"zürich", "café"}));
  EXPECT_TRUE(NormalizedTokens(" -- !? ").empty());
}

TEST(CollusionTest, IdenticalAnswerIsFlaggedAndTheFirstResponderKeepsTheCredit) {
  auto findings = FindCopies(
      {Print("honest", kBrokers, BrokersPath()), Print("copier", kBrokers, RelayPath())});
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].index, 1u);
  EXPECT_EQ(findings[0].hotkey, "copier");
  EXPECT_EQ(findings[0].copied_from, "honest");
  EXPECT_EQ(findings[0].first_responder, "honest");
  EXPECT_EQ(findings[0].data_similarity, 1.0);
  EXPECT_EQ(findings[0].path_similarity, 0.0);
  EXPECT_TRUE(findings[0].data_crossed);
  EXPECT_FALSE(findings[0].path_crossed);
  EXPECT_EQ(CanonicalJson(ToJson(findings[0])),
            R"({"copied_from":"honest","copied_from_index":0,"data_crossed":true,)"
            R"("data_similarity":1.0,"first_responder":"honest","hotkey":"copier","index":1,)"
            R"("path_crossed":false,"path_similarity":0.0})");
}

TEST(CollusionTest, TwinsDoingTheSameKindsOfWorkAreReportedOnlyWhenAskedTo) {
  const std::vector<AnswerPrint> twins = {Print("honest", kBrokers, BrokersPath()),
                                          Print("same-code", kBrokers, BrokersPath())};
  EXPECT_TRUE(FindCopies(twins).empty());
  auto flagged = FindCopies(twins, CopyThresholds{.twins_flag = true});
  ASSERT_EQ(flagged.size(), 1u);
  EXPECT_EQ(flagged[0].hotkey, "same-code");
  EXPECT_TRUE(flagged[0].data_crossed);
  EXPECT_TRUE(flagged[0].path_crossed);
}

TEST(CollusionTest, ReorderedKeysCaseWhitespaceAndPunctuationDoNotHideACopy) {
  const AnswerPrint original = Print("honest", kBrokers, BrokersPath());
  const AnswerPrint reworded = Print("copier", kBrokersReworded, {});
  EXPECT_EQ(DataSimilarity(original, reworded), 1.0);
  auto findings = FindCopies({original, reworded});
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].hotkey, "copier");
  EXPECT_TRUE(findings[0].data_crossed);
  EXPECT_FALSE(findings[0].path_crossed);  // the copier made no calls of its own
}

TEST(CollusionTest, ACopyWithOneFigureChangedIsStillANearDuplicate) {
  auto findings = FindCopies({Print("honest", kBrokers, BrokersPath()),
                              Print("copier", kBrokersOneFigureChanged, GpuPath())});
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_GE(findings[0].data_similarity, CopyThresholds{}.data);
  EXPECT_TRUE(findings[0].data_crossed);
  EXPECT_FALSE(findings[0].path_crossed);
}

TEST(CollusionTest, HonestAnswersOnDifferentTopicsAreNotFlagged) {
  const AnswerPrint brokers = Print("a", kBrokers, BrokersPath());
  const AnswerPrint gpus = Print("b", kGpuPrices, GpuPath());
  EXPECT_LT(DataSimilarity(brokers, gpus), 0.1);
  EXPECT_EQ(PathSimilarity(brokers, gpus), 0.0);
  EXPECT_TRUE(FindCopies({brokers, gpus}).empty());
}

TEST(CollusionTest, IndependentAnswersOnTheSameRouteAreNotFlaggedByDefault) {
  // Same objective, same cheapest route (identical calls), answers assembled independently.
  const AnswerPrint first = Print("a", kBrokers, BrokersPath());
  const AnswerPrint second = Print("b", kBrokersIndependent, BrokersPath());
  EXPECT_LT(DataSimilarity(first, second), 0.5);
  EXPECT_EQ(PathSimilarity(first, second), 1.0);
  EXPECT_TRUE(FindCopies({first, second}).empty());

  CopyThresholds strict;
  strict.path_alone_flags = true;
  auto findings = FindCopies({first, second}, strict);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_TRUE(findings[0].path_crossed);
  EXPECT_FALSE(findings[0].data_crossed);
}

TEST(CollusionTest, TheFirstResponderIsNeverFlaggedAndWorkIsNeverACopyOfARelay) {
  // Two relays and an author doing the work: the relays' calls explain none of their data.
  std::vector<AnswerPrint> prints = {
      Print("gpu", kGpuPrices, GpuPath()),
      Print("relay-a", kBrokers, RelayPath()),
      Print("relay-b", kBrokersReworded, RelayPath()),
      Print("honest", kBrokers, BrokersPath()),
      Print("relay-c", kBrokersOneFigureChanged, RelayPath()),
  };
  auto findings = FindCopies(prints);
  // relay-a answered first: nothing earlier to copy. relay-b matches relay-a with the same
  // (thin) work: twins, not flagged. The author's calls cover everything relay-a did: not a
  // copy. relay-c's calls do not cover the author's: a copy of the author.
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].hotkey, "relay-c");
  EXPECT_EQ(findings[0].copied_from, "honest");
  EXPECT_EQ(findings[0].copied_from_index, 3u);
  EXPECT_EQ(findings[0].first_responder, "honest");
}

TEST(CollusionTest, SameMinerOrOtherChallengeIsNotACopy) {
  EXPECT_TRUE(FindCopies({Print("m", kBrokers, BrokersPath()), Print("m", kBrokers, BrokersPath())})
                  .empty());
  EXPECT_TRUE(FindCopies({Print("a", kBrokers, BrokersPath(), "c1"),
                          Print("b", kBrokers, BrokersPath(), "c2")})
                  .empty());
}

TEST(CollusionTest, NearlyEmptyAnswersAreNotComparedOnData) {
  EXPECT_TRUE(FindCopies({Print("a", "{}", {}), Print("b", "{}", {})}).empty());
  EXPECT_TRUE(
      FindCopies({Print("a", R"({"name":"x"})", {}), Print("b", R"({"name":"x"})", {})}).empty());
  EXPECT_EQ(DataSimilarity(Print("a", "null", {}), Print("b", "null", {})), 0.0);
}

// Answers drawn independently from one vocabulary (so they share many words, as answers to
// related objectives do): none is a near-duplicate of another.
TEST(CollusionTest, ManyIndependentAnswersProduceNoFinding) {
  Rng rng(17);
  std::vector<std::string> vocabulary;
  for (int i = 0; i < 400; ++i) vocabulary.push_back("w" + std::to_string(i));
  std::vector<AnswerPrint> prints;
  for (int m = 0; m < 256; ++m) {
    JsonObject data;
    JsonArray items;
    for (int item = 0; item < 5; ++item) {
      std::string text;
      for (int w = 0; w < 12; ++w) text += vocabulary[rng.Next() % vocabulary.size()] + " ";
      items.emplace_back(JsonObject{{"name", vocabulary[rng.Next() % 400]}, {"summary", text}});
    }
    data["items"] = std::move(items);
    prints.push_back(
        MakeAnswerPrint("miner-" + std::to_string(m), "c1", Json(std::move(data)), BrokersPath()));
  }
  EXPECT_TRUE(FindCopies(prints).empty());
  // One real copy among them (relayed: its own path is a single cheap call) is found, and only
  // it.
  prints.push_back(prints[100]);
  prints.back().hotkey = "copier";
  const AnswerPrint relay = MakeAnswerPrint("copier", "c1", Json(), RelayPath());
  prints.back().path_features = relay.path_features;
  prints.back().tasks = relay.tasks;
  auto findings = FindCopies(prints);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].hotkey, "copier");
  EXPECT_EQ(findings[0].first_responder, "miner-100");
}

}  // namespace
}  // namespace orchestra::validator
