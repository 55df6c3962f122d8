#include "orchestra/synth/assemble.h"

#include <gtest/gtest.h>

#include "orchestra/synth/draft.h"

namespace orchestra::synth {
namespace {

schema::Schema Target(std::string_view target) {
  auto s = schema::Schema::FromTarget(*ParseJson(target));
  EXPECT_TRUE(s.ok());
  return std::move(*s);
}

constexpr std::string_view kBrokers =
    R"({"brokers": [{"name": "str", "description": "str", "strengths": "list"}],
        "summary": "str", "recommendation": "str"})";

plan::Brief Brief(std::string_view objective, const schema::Schema& target) {
  plan::Brief brief;
  brief.objective = std::string(objective);
  brief.topic = plan::Topic::FromObjective(objective);
  brief.needs = plan::AnalyzeSchema(target);
  return brief;
}

Item Mosquitto() {
  Item item{"https://mosquitto.org/", "mosquitto", "MQTT message broker for IoT", "", 1, {}, 0};
  item.records.emplace_back(
      3, ParseJson(R"({"title": "mosquitto: MQTT version 5.0 compatible message broker",
                        "strengths": ["Lightweight", "Runs on low power devices"]})")
             ->as_object());
  return item;
}

TEST(DraftTest, NameFromTitleKeepsTheShortHead) {
  EXPECT_EQ(NameFromTitle("Akash Network - Decentralized Compute Marketplace"), "Akash Network");
  EXPECT_EQ(NameFromTitle("mosquitto: MQTT version 5.0 compatible message broker"), "mosquitto");
  EXPECT_EQ(NameFromTitle("Cloud TPU | Google Cloud"), "Cloud TPU");
  EXPECT_EQ(NameFromTitle("Paris-based AI startup Mistral AI raises $640M"),
            "Paris-based AI startup Mistral AI raises $640M");
}

TEST(DraftTest, ItemsTakeRecordsFirstThenTheirSearchResultAndNameWhatIsMissing) {
  const schema::Schema target = Target(kBrokers);
  const plan::Brief brief = Brief("Compare message brokers for IoT telemetry", target);
  Material material;
  material.lists["brokers"].push_back(Mosquitto());
  material.lists["brokers"].push_back(
      Item{"https://www.rabbitmq.com/", "RabbitMQ", "AMQP message broker", "", 1, {}, 6});
  const Draft draft = MakeDraft(brief.needs, brief.topic, material);
  const Json& brokers = draft.document.at("brokers");
  ASSERT_EQ(brokers.as_array().size(), 2u);
  EXPECT_EQ(brokers.at(0).at("name"), "mosquitto");  // the record's title, cleaned
  EXPECT_EQ(brokers.at(0).at("description"), "MQTT message broker for IoT");  // the hit's snippet
  EXPECT_EQ(brokers.at(0).at("strengths").as_array().size(), 2u);
  EXPECT_EQ(JsonFind(brokers.at(1), "strengths"), nullptr);
  bool rabbit_gap = false;
  for (const plan::Gap& gap : draft.gaps) {
    if (gap.item_name == "RabbitMQ") {
      rabbit_gap = true;
      EXPECT_EQ(gap.fields, std::vector<std::string>{"strengths"});
      EXPECT_EQ(gap.failed_read, 6);
    }
  }
  EXPECT_TRUE(rabbit_gap);
}

TEST(DraftTest, TheSynthesisExpertLendsAnItemOnlyTheFieldsItsOwnMaterialLacked) {
  const schema::Schema target = Target(kBrokers);
  const plan::Brief brief = Brief("Compare message brokers for IoT telemetry", target);
  Material material;
  material.lists["brokers"].push_back(Mosquitto());
  material.judgement = *ParseJson(R"({"brokers": [
      {"name": "Mosquitto", "description": "A broker", "strengths": ["Invented"]},
      {"name": "NATS", "description": "Lightweight messaging", "strengths": ["Fast"]}]})");
  const Draft draft = MakeDraft(brief.needs, brief.topic, material);
  const Json& brokers = draft.document.at("brokers");
  ASSERT_EQ(brokers.as_array().size(), 1u);  // the expert adds no item
  // The page's strengths and the search result's description stay; nothing was missing.
  EXPECT_EQ(brokers.at(0).at("strengths").as_array().size(), 2u);
  EXPECT_EQ(brokers.at(0).at("description"), "MQTT message broker for IoT");
  // An item whose page and search result say nothing of a field takes the expert's.
  Item bare{"https://nats.io/", "NATS", "", "", 1, {}, 0};
  material.lists["brokers"].push_back(bare);
  const Draft lent = MakeDraft(brief.needs, brief.topic, material);
  EXPECT_EQ(lent.document.at("brokers").at(1).at("description"), "Lightweight messaging");
  EXPECT_EQ(CompactJson(lent.document.at("brokers").at(1).at("strengths")), R"(["Fast"])");
}

TEST(DraftTest, AnEnumTakesTheChoiceTheItemsOwnMaterialNamesFirst) {
  const schema::Schema target = Target(R"({"type": "object", "properties": {
      "proxies": {"type": "array", "items": {"type": "object", "properties": {
          "name": {"type": "string"},
          "role": {"enum": ["web server", "load balancer", "cache", "proxy"]}}}}}})");
  const plan::Brief brief = Brief("Choose a reverse proxy", target);
  Material material;
  auto& proxies = material.lists["proxies"];
  proxies.push_back(Item{"http://www.haproxy.org/",
                         "haproxy",
                         "fast and reliable load balancing reverse proxy",
                         "",
                         1,
                         {},
                         0});
  proxies.push_back(Item{"https://pushpin.org/", "pushpin", "", "", 1, {}, 0});
  proxies.back().records.emplace_back(
      2, ParseJson(R"({"role": "Reverse proxy for realtime web services"})")->as_object());
  proxies.push_back(Item{"https://varnish-cache.org/", "varnish", "", "", 1, {}, 0});
  proxies.back().records.emplace_back(2, ParseJson(R"({"role": "Cache"})")->as_object());
  proxies.push_back(Item{"https://example.org/", "unknown", "an HTTP toolkit", "", 1, {}, 0});
  const Draft draft = MakeDraft(brief.needs, brief.topic, material);
  const Json& out = draft.document.at("proxies");
  EXPECT_EQ(out.at(0).at("role"), "load balancer");  // named before "proxy" in its snippet
  EXPECT_EQ(out.at(1).at("role"), "proxy");          // the page's free text, classified
  EXPECT_EQ(out.at(2).at("role"), "cache");          // a choice in another case
  EXPECT_EQ(JsonFind(out.at(3), "role"), nullptr);   // names none: missing, not guessed
}

TEST(DraftTest, SummariesUseOnlyOnTopicSentences) {
  const schema::Schema target = Target(R"({"summary": "str"})");
  const plan::Brief brief = Brief("Explain what the zstd compression format is good for", target);
  Material material;
  material.passages = {
      {1,
       "Zstandard (zstd) is a fast lossless compression algorithm. It targets real-time "
       "compression scenarios at zlib-level ratios."},
      {1,
       "Akash Network is a decentralized compute marketplace. Providers bid in reverse "
       "auctions."}};
  const Draft draft = MakeDraft(brief.needs, brief.topic, material);
  const std::string summary(draft.document.at("summary").as_string());
  EXPECT_NE(summary.find("lossless compression"), std::string::npos);
  EXPECT_EQ(summary.find("Akash"), std::string::npos);
  EXPECT_TRUE(draft.gaps.empty());
}

TEST(DraftTest, ARootListOfExamplesNamesTheSubjectsPages) {
  const schema::Schema target = Target(R"({"summary": "str", "examples": "list"})");
  const plan::Brief brief = Brief("Explain what deduplicating backup programs do", target);
  Material material;
  material.subject.push_back(Item{"https://www.borgbackup.org/",
                                  "borgbackup: deduplicating and compressing backup program",
                                  "deduplicating and compressing backup program",
                                  "",
                                  1,
                                  {},
                                  0});
  material.subject.push_back(Item{"https://restic.net/", "restic", "backup program", "", 1, {}, 0});
  const Draft draft = MakeDraft(brief.needs, brief.topic, material);
  EXPECT_EQ(CompactJson(draft.document.at("examples")), R"(["borgbackup","restic"])");
  EXPECT_TRUE(draft.gaps.empty() || draft.gaps[0].fields == std::vector<std::string>{"summary"});
}

TEST(AssembleTest, NothingOnTopicGivesAnHonestEmptyAnswer) {
  const schema::Schema target = Target(kBrokers);
  const plan::Brief brief = Brief("Compare message brokers for IoT telemetry", target);
  const Synthesis s = Assemble(target, brief, Material{}, {});
  EXPECT_EQ(CompactJson(s.standardized_data), "{}");
  EXPECT_EQ(s.missing.size(), 3u);
  EXPECT_NE(s.final_synthesis.find("No expert source on"), std::string::npos) << s.final_synthesis;
  EXPECT_NE(s.final_synthesis.find("Not found: brokers; summary; recommendation."),
            std::string::npos)
      << s.final_synthesis;
}

TEST(AssembleTest, TracesEveryLeafToTheStepsHoldingItAndSaysWhatIsMissing) {
  const schema::Schema target = Target(kBrokers);
  const plan::Brief brief = Brief("Compare message brokers for IoT telemetry", target);
  Material material;
  material.lists["brokers"].push_back(Mosquitto());
  material.judgement = *ParseJson(R"({"recommendation": "Use mosquitto for small devices"})");
  std::map<int, Json> outputs;
  outputs[1] = *ParseJson(R"({"results": [{"title": "mosquitto", "link": "https://mosquitto.org/",
                                            "snippet": "MQTT message broker for IoT"}]})");
  outputs[3] = *ParseJson(R"({"data": [{"url": "https://mosquitto.org/",
      "title": "mosquitto: MQTT version 5.0 compatible message broker",
      "strengths": ["Lightweight", "Runs on low power devices"]}]})");
  outputs[4] = *ParseJson(
      R"({"choices": [{"message": {"content": "{\"recommendation\": \"Use mosquitto for small devices\"}"}}]})");
  const Synthesis s = Assemble(target, brief, material, outputs);
  EXPECT_EQ(CanonicalJson(s.provenance.at("$.brokers[0].name")), "[1,3,4]");
  EXPECT_EQ(CanonicalJson(s.provenance.at("$.brokers[0].strengths[0]")), "[3]");
  EXPECT_EQ(CanonicalJson(s.provenance.at("$.recommendation")), "[4]");
  EXPECT_EQ(s.standardized_data.at("recommendation"), "Use mosquitto for small devices");
  EXPECT_NE(s.final_synthesis.find("Brokers (1): mosquitto"), std::string::npos)
      << s.final_synthesis;
  EXPECT_NE(s.final_synthesis.find("Not found: summary."), std::string::npos) << s.final_synthesis;
}

}  // namespace
}  // namespace orchestra::synth
