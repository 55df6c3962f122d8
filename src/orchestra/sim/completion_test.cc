#include "orchestra/sim/completion.h"

#include <gtest/gtest.h>

#include "orchestra/sim/corpus.h"
#include "orchestra/sim/data_universe.h"
#include "orchestra/sim/desearch.h"
#include "orchestra/sim/embedded_corpus.h"

namespace orchestra::sim {
namespace {

constexpr std::string_view kObjective =
    "Research the competitive landscape for decentralized compute marketplaces and identify gaps "
    "our product could fill";

// The seed's worked-example target_schema, as JSON Schema.
const Json& SeedSchema() {
  static const Json schema = ParseJson(R"({
    "type": "object",
    "properties": {
      "competitors": {"type": "array", "items": {"type": "object",
        "properties": {"name": {"type": "string"}, "description": {"type": "string"},
                       "strengths": {"type": "array", "items": {"type": "string"}},
                       "weaknesses": {"type": "array", "items": {"type": "string"}}},
        "required": ["name", "description", "strengths", "weaknesses"]}},
      "market_gaps": {"type": "array", "items": {"type": "object",
        "properties": {"gap": {"type": "string"}, "opportunity": {"type": "string"},
                       "difficulty": {"type": "string"}},
        "required": ["gap", "opportunity", "difficulty"]}},
      "recommendation": {"type": "string"}
    },
    "required": ["competitors", "market_gaps", "recommendation"]
  })")
                                 .value();
  return schema;
}

// Search results, scraped records and analysis snippets, as the miner passes them on.
const Json& SeedContext() {
  static const Json context = ParseJson(R"([
    {"step": 1, "kind": "search_result", "data": {"title": "Akash Network - Decentralized Compute",
      "link": "https://akash.network", "snippet": "Akash is a decentralized cloud.", "published_date": "2025-01-15"}},
    {"step": 1, "kind": "search_result", "data": {"title": "Render Network",
      "link": "https://rendernetwork.com", "snippet": "Distributed GPU rendering for creators."}},
    {"step": 2, "kind": "record", "data": {"url": "https://akash.network", "name": "Akash Network",
      "description": "Decentralized cloud compute marketplace",
      "strengths": ["Low pricing", "Kubernetes native", "Active community"],
      "weaknesses": ["Limited GPU availability", "Complex onboarding"]}},
    {"step": 2, "kind": "record", "data": {"url": "https://rendernetwork.com", "name": "Render Network",
      "description": "Decentralized GPU rendering",
      "strengths": ["Strong GPU network", "Creator focused"],
      "weaknesses": ["Rendering-specific", "Limited general compute"]}},
    {"step": 3, "kind": "search_result", "data": {"title": "State of DePIN: decentralized compute", "link": "https://messari.io/depin",
      "snippet": "Gap: No dominant player for ML inference workloads. Opportunity: Purpose-built inference routing with latency guarantees. Difficulty: Medium - requires validator network for SLA enforcement."}},
    {"step": 3, "kind": "search_result", "data": {"title": "Why decentralized compute matters", "link": "https://a16z.com/depin",
      "snippet": "Gap: Poor developer experience across all platforms. Opportunity: One-click deployment with familiar interfaces. Difficulty: Low - mostly UX investment."}},
    {"step": 3, "kind": "search_result", "data": {"title": "DePIN outlook", "link": "https://messari.io/outlook",
      "snippet": "Recommendation: Focus on ML inference workloads with latency SLAs. Current market is fragmented between rendering (Render), general compute (Akash), and storage (Filecoin). No player owns inference. Enter with superior DX and measurable performance guarantees."}}
  ])")
                                  .value();
  return context;
}

Json Request(const Json& context, const Json* schema, std::string_view objective = kObjective) {
  JsonObject request{{"model", "sn1-apex"}, {"temperature", 0.2}};
  const std::string prompt = "Objective: " + std::string(objective) +
                             "\nFill the target schema from the context only.\nContext (JSON):\n" +
                             CompactJson(context);
  request["messages"] = JsonArray{JsonObject{{"role", "system"}, {"content", "You are precise."}},
                                  JsonObject{{"role", "user"}, {"content", prompt}}};
  if (schema != nullptr) {
    request["response_format"] =
        JsonObject{{"type", "json_schema"},
                   {"json_schema", JsonObject{{"name", "deliverable"}, {"schema", *schema}}}};
  }
  return request;
}

Json Content(const Json& response) {
  return ParseJson(response.at("choices").at(0).at("message").at("content").as_string()).value();
}

void CollectStrings(const Json& value, std::vector<std::string>* out) {
  if (value.is_string()) out->emplace_back(value.get_string());
  if (value.is_array()) {
    for (const Json& v : value.get_array()) CollectStrings(v, out);
  }
  if (value.is_object()) {
    for (const auto& m : value.get_object()) CollectStrings(m.value(), out);
  }
}

// Every string leaf of `filled` occurs verbatim in some string of `context`.
void ExpectEveryLeafQuoted(const Json& filled, const Json& context) {
  std::vector<std::string> leaves, sources;
  CollectStrings(filled, &leaves);
  CollectStrings(context, &sources);
  for (const auto& leaf : leaves) {
    const bool quoted = std::any_of(sources.begin(), sources.end(), [&](const std::string& s) {
      return s.find(leaf) != std::string::npos;
    });
    EXPECT_TRUE(quoted) << "not in the context: " << leaf;
  }
}

TEST(CompleteTest, FillsTheSeedSchemaFromScrapedRecordsAndLabelledSnippets) {
  auto response = Complete(Request(SeedContext(), &SeedSchema()));
  ASSERT_TRUE(response.ok()) << response.error().ToString();
  const Json filled = Content(*response);
  EXPECT_EQ(filled, ParseJson(R"({
    "competitors": [
      {"name": "Akash Network", "description": "Decentralized cloud compute marketplace",
       "strengths": ["Low pricing", "Kubernetes native", "Active community"],
       "weaknesses": ["Limited GPU availability", "Complex onboarding"]},
      {"name": "Render Network", "description": "Decentralized GPU rendering",
       "strengths": ["Strong GPU network", "Creator focused"],
       "weaknesses": ["Rendering-specific", "Limited general compute"]}],
    "market_gaps": [
      {"gap": "No dominant player for ML inference workloads",
       "opportunity": "Purpose-built inference routing with latency guarantees",
       "difficulty": "Medium - requires validator network for SLA enforcement"},
      {"gap": "Poor developer experience across all platforms",
       "opportunity": "One-click deployment with familiar interfaces",
       "difficulty": "Low - mostly UX investment"}],
    "recommendation": "Focus on ML inference workloads with latency SLAs. Current market is fragmented between rendering (Render), general compute (Akash), and storage (Filecoin). No player owns inference. Enter with superior DX and measurable performance guarantees"
  })")
                        .value());
  ExpectEveryLeafQuoted(filled, SeedContext());
  EXPECT_EQ(response->at("orchestra").at("unfilled"), JsonArray());
}

TEST(CompleteTest, ReportsRequiredFieldWithoutSourceAsUnfilled) {
  const Json schema = ParseJson(R"({"type": "object",
    "properties": {"competitors": {"type": "array", "items": {"type": "object",
        "properties": {"name": {"type": "string"}, "funding_total": {"type": "number"}},
        "required": ["name", "funding_total"]}},
      "ceo": {"type": "string", "enum": ["nobody"]}},
    "required": ["competitors", "ceo"]})")
                          .value();
  auto response = Complete(Request(SeedContext(), &schema));
  ASSERT_TRUE(response.ok()) << response.error().ToString();
  const Json filled = Content(*response);
  EXPECT_EQ(filled.at("competitors").at(0), ParseJson(R"({"name": "Akash Network"})").value());
  EXPECT_FALSE(filled.as_object().contains("ceo"));
  const Json& unfilled = response->at("orchestra").at("unfilled");
  EXPECT_NE(std::find(unfilled.as_array().begin(), unfilled.as_array().end(),
                      Json("$.competitors[0].funding_total")),
            unfilled.as_array().end());
  EXPECT_EQ(unfilled.as_array().back(), "$.ceo");
}

TEST(CompleteTest, EmptyContextLeavesEveryRequiredFieldUnfilled) {
  auto response = Complete(Request(JsonArray(), &SeedSchema()));
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(Content(*response), JsonObject());
  EXPECT_EQ(response->at("orchestra").at("unfilled"),
            ParseJson(R"(["$.competitors", "$.market_gaps", "$.recommendation"])").value());
}

TEST(CompleteTest, CoercesAnUnambiguousNumericStringForANumberField) {
  const Json context = ParseJson(R"([{"step": 1, "kind": "search_result", "data": {
      "snippet": "Price point: 1.99. Rationale: Undercuts hyperscalers on H100 rentals."}}])")
                           .value();
  const Json schema = ParseJson(R"({"type": "object", "properties": {
      "price_point": {"type": "number"}, "rationale": {"type": "string"}},
      "required": ["price_point", "rationale"]})")
                          .value();
  auto response = Complete(Request(context, &schema, "Price an H100 hour"));
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(Content(*response), ParseJson(R"({"price_point": 1.99,
                          "rationale": "Undercuts hyperscalers on H100 rentals"})")
                                    .value());
}

TEST(CompleteTest, FollowsPydanticRefsAndNullableFields) {
  const Json schema = ParseJson(R"({
    "$defs": {"Gap": {"type": "object", "properties": {
        "gap": {"type": "string"}, "difficulty": {"anyOf": [{"type": "string"}, {"type": "null"}]}},
        "required": ["gap"]}},
    "type": "object",
    "properties": {"market_gaps": {"type": "array", "items": {"$ref": "#/$defs/Gap"}}},
    "required": ["market_gaps"]})")
                          .value();
  auto response = Complete(Request(SeedContext(), &schema));
  ASSERT_TRUE(response.ok());
  const Json filled = Content(*response);
  ASSERT_EQ(filled.at("market_gaps").as_array().size(), 2u);
  EXPECT_EQ(filled.at("market_gaps").at(1).at("difficulty"), "Low - mostly UX investment");
}

TEST(CompleteTest, StringFieldWithoutKeyTakesTheMostRelevantSentence) {
  const Json schema = ParseJson(R"({"type": "object",
      "properties": {"summary_of_rendering": {"type": "string"}}})")
                          .value();
  auto response = Complete(Request(SeedContext(), &schema, "GPU rendering networks"));
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(Content(*response).at("summary_of_rendering"),
            "Distributed GPU rendering for creators.");
}

TEST(CompleteTest, TextAnswerQuotesTheMostRelevantSentences) {
  auto response =
      Complete(Request(SeedContext(), nullptr, "Which player owns ML inference workloads?"));
  ASSERT_TRUE(response.ok());
  const Json& choice = response->at("choices").at(0);
  EXPECT_EQ(choice.at("finish_reason"), "stop");
  const std::string content(choice.at("message").at("content").as_string());
  EXPECT_EQ(content.rfind("Gap: No dominant player for ML inference workloads.", 0), 0u) << content;
  EXPECT_FALSE(response->at("orchestra").as_object().contains("unfilled"));
}

TEST(CompleteTest, TextAnswerStopsAtMaxTokens) {
  Json request = Request(SeedContext(), nullptr, "ML inference workloads");
  request.as_object()["max_tokens"] = 4;
  auto response = Complete(request);
  ASSERT_TRUE(response.ok());
  const Json& choice = response->at("choices").at(0);
  EXPECT_EQ(choice.at("finish_reason"), "length");
  EXPECT_EQ(choice.at("message").at("content"), "Gap: No dominant player");
}

TEST(CompleteTest, AnswersInTheOpenAiShape) {
  auto response = Complete(Request(SeedContext(), &SeedSchema()));
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->at("object"), "chat.completion");
  EXPECT_EQ(response->at("model"), "sn1-apex");
  EXPECT_EQ(response->at("system_fingerprint"), "orchestra-sim");
  EXPECT_EQ(response->at("id").as_string().size(), std::string("chatcmpl-sim-").size() + 24);
  EXPECT_EQ(response->at("orchestra").at("simulated"), true);
  EXPECT_EQ(response->at("orchestra").at("method"), "extractive");
  const Json& usage = response->at("usage");
  EXPECT_GT(usage.at("prompt_tokens").as_int64(), 100);
  EXPECT_GT(usage.at("completion_tokens").as_int64(), 20);
  EXPECT_EQ(usage.at("total_tokens").as_int64(),
            usage.at("prompt_tokens").as_int64() + usage.at("completion_tokens").as_int64());
}

TEST(CompleteTest, SameRequestGivesSameBytes) {
  const Json request = Request(SeedContext(), &SeedSchema());
  auto first = Complete(request);
  auto second = Complete(ParseJson(CompactJson(request)).value());
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(CompactJson(*first), CompactJson(*second));
  auto other = Complete(Request(SeedContext(), &SeedSchema(), "Another objective"));
  ASSERT_TRUE(other.ok());
  EXPECT_NE(first->at("id"), other->at("id"));
}

TEST(CompleteTest, RejectsBadRequestsNamingTheField) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {R"({"model": "m"})", "messages: required"},
      {R"({"model": "m", "messages": []})", "messages: must not be empty"},
      {R"({"model": "m", "messages": [{"role": "user", "content": 5}]})",
       "messages[0].content: expected a string or a list of parts"},
      {R"({"model": "m", "messages": [{"content": "hi"}]})", "messages[0].role: expected a string"},
      {R"({"model": "m", "messages": [{"role": "system", "content": "hi"}]})",
       "messages: no message with role \"user\""},
      {R"({"messages": [{"role": "user", "content": "hi"}]})", "model: required"},
      {R"({"model": "m", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 0})",
       "max_tokens: expected a positive integer"},
      {R"({"model": "m", "messages": [{"role": "user", "content": "hi"}],
           "response_format": {"type": "json_schema", "json_schema": {"name": "x"}}})",
       "response_format.json_schema.schema: expected a JSON Schema object"},
      {R"({"model": "m", "messages": [{"role": "user", "content": "Objective: x\nContext (JSON):\n[{"}]})",
       "messages: the context after \"Context (JSON):\": incomplete JSON at line 2, column 3 "
       "(document ends too early)"},
      {R"({"model": "m", "messages": [{"role": "user", "content": "Objective: x\nContext (JSON):\n{}"}]})",
       "messages: the context after \"Context (JSON):\" is not a JSON array"},
  };
  for (const auto& [input, message] : cases) {
    auto out = Complete(ParseJson(input).value());
    ASSERT_FALSE(out.ok()) << input;
    EXPECT_EQ(out.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(out.error().message, message);
  }
}

TEST(CompleteTest, RejectsAResponseFormatSchemaThatDoesNotCompile) {
  const Json schema = ParseJson(R"({"type": "object",
      "properties": {"gaps": {"type": "array", "items": {"$ref": "#/$defs/Missing"}}}})")
                          .value();
  auto out = Complete(Request(SeedContext(), &schema));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(out.error().message,
            "response_format.json_schema.schema: schema at #/properties/gaps/items/$ref: cannot "
            "resolve \"#/$defs/Missing\": no such location");
}

// A miner that passes off-topic context along: a compute-marketplace analysis carrying exactly
// the "recommendation" the schema asks for, next to the one record about the objective.
const Json& MixedBrokerContext() {
  static const Json context = ParseJson(R"([
    {"step": 1, "kind": "record", "data": {"url": "https://akash.network", "name": "Akash Network",
      "description": "Decentralized cloud compute marketplace",
      "strengths": ["Low GPU pricing", "Kubernetes native"],
      "recommendation": "Focus on ML inference workloads with latency SLAs on GPU marketplaces."}},
    {"step": 1, "kind": "search_result", "data": {"title": "State of DePIN",
      "link": "https://messari.io/depin",
      "snippet": "Recommendation: Enter the decentralized compute market with superior developer experience."}},
    {"step": 2, "kind": "record", "data": {"url": "https://mosquitto.org", "name": "Eclipse Mosquitto",
      "description": "An open source MQTT message broker, lightweight enough for IoT sensors and telemetry"}}
  ])")
                                  .value();
  return context;
}

const Json& BrokerSchema() {
  static const Json schema = ParseJson(R"({"type": "object",
    "properties": {
      "brokers": {"type": "array", "items": {"type": "object",
        "properties": {"name": {"type": "string"}, "description": {"type": "string"},
                       "strengths": {"type": "array", "items": {"type": "string"}}},
        "required": ["name", "description", "strengths"]}},
      "recommendation": {"type": "string"}},
    "required": ["brokers", "recommendation"]})")
                                 .value();
  return schema;
}

constexpr std::string_view kBrokerObjective =
    "Compare open-source message brokers for IoT telemetry";

TEST(CompleteTest, NeverFillsAFieldFromContextAboutAnotherTopic) {
  auto response = Complete(Request(MixedBrokerContext(), &BrokerSchema(), kBrokerObjective));
  ASSERT_TRUE(response.ok()) << response.error().ToString();
  const Json filled = Content(*response);
  // The recommendation is the one relevant sentence, not the compute pages' recommendations.
  EXPECT_EQ(filled, ParseJson(R"({"brokers": [{"name": "Eclipse Mosquitto",
      "description": "An open source MQTT message broker, lightweight enough for IoT sensors and telemetry"}],
      "recommendation": "An open source MQTT message broker, lightweight enough for IoT sensors and telemetry"})")
                        .value());
  // Mosquitto's record has no strengths: reported, not borrowed from Akash's.
  EXPECT_EQ(response->at("orchestra").at("unfilled"),
            ParseJson(R"(["$.brokers[0].strengths"])").value());
  EXPECT_EQ(response->at("orchestra").at("off_topic_items"), ParseJson("[0, 1]").value());
  const std::string content(response->at("choices").at(0).at("message").at("content").as_string());
  for (std::string_view compute : {"Akash", "GPU", "compute", "Kubernetes", "inference"}) {
    EXPECT_EQ(content.find(compute), std::string::npos) << compute << " in " << content;
  }
}

TEST(CompleteTest, ARecordIsAsRelevantAsTheSearchResultThatFoundItsPage) {
  // The scraped record names only the broker; the search result for its page says what it is.
  const Json context = ParseJson(R"([
    {"step": 1, "kind": "search_result", "data": {"title": "Eclipse Mosquitto",
      "link": "https://mosquitto.org/", "snippet": "An open source MQTT message broker"}},
    {"step": 2, "kind": "record", "data": {"url": "https://www.mosquitto.org", "name": "Eclipse Mosquitto"}},
    {"step": 2, "kind": "record", "data": {"url": "https://akash.network", "name": "Akash Network"}}
  ])")
                           .value();
  auto response = Complete(Request(context, &BrokerSchema(), kBrokerObjective));
  ASSERT_TRUE(response.ok()) << response.error().ToString();
  EXPECT_EQ(Content(*response).at("brokers"),
            ParseJson(R"([{"name": "Eclipse Mosquitto"}])").value());
  EXPECT_EQ(response->at("orchestra").at("off_topic_items"), ParseJson("[2]").value());
}

TEST(CompleteTest, ContextAboutAnotherTopicLeavesEveryFieldUnfilledAndNamed) {
  JsonArray unrelated = MixedBrokerContext().as_array();
  unrelated.pop_back();  // without the Mosquitto record
  auto response = Complete(Request(unrelated, &BrokerSchema(), kBrokerObjective));
  ASSERT_TRUE(response.ok()) << response.error().ToString();
  EXPECT_EQ(Content(*response), JsonObject());
  EXPECT_EQ(response->at("orchestra").at("unfilled"),
            ParseJson(R"(["$.brokers", "$.recommendation"])").value());
}

TEST(CompleteTest, TextAnswerFromContextAboutAnotherTopicIsEmpty) {
  JsonArray unrelated = MixedBrokerContext().as_array();
  unrelated.pop_back();
  Json request = Request(unrelated, nullptr, kBrokerObjective);
  request.as_object()["response_format"] = JsonObject{{"type", "json_object"}};
  auto response = Complete(request);
  ASSERT_TRUE(response.ok()) << response.error().ToString();
  EXPECT_EQ(Content(*response), ParseJson(R"({"answer": ""})").value());
}

TEST(CompleteTest, TextAnswerQuotesOnlyTheRelevantItems) {
  auto response = Complete(Request(MixedBrokerContext(), nullptr,
                                   "Which message broker suits IoT telemetry on small devices?"));
  ASSERT_TRUE(response.ok()) << response.error().ToString();
  EXPECT_EQ(response->at("choices").at(0).at("message").at("content"),
            "An open source MQTT message broker, lightweight enough for IoT sensors and telemetry");
}

// The seed's pipeline end to end on the real corpus: search, scrape the hits, search analyses,
// then fill the seed schema; every leaf must come from what the experts returned.
TEST(CompleteTest, FillsTheSeedSchemaFromTheRealCorpusPipeline) {
  if (EmbeddedCorpus().empty()) GTEST_SKIP() << "data/corpus was empty at configure time";
  auto corpus = Corpus::LoadEmbedded();
  ASSERT_TRUE(corpus.ok()) << corpus.error().ToString();
  auto market = Search(
      *corpus, ParseJson(R"({"query": "decentralized compute marketplace Akash Render Golem 2026",
                                              "max_results": 20})")
                   .value());
  ASSERT_TRUE(market.ok());
  JsonArray context;
  JsonArray urls;
  for (const Json& result : market->at("results").as_array()) {
    context.push_back(JsonObject{{"step", 1}, {"kind", "search_result"}, {"data", result}});
    if (urls.size() < 5) urls.push_back(result.at("link"));
  }
  JsonObject scrape_input{{"urls", urls}};
  scrape_input["extract_fields"] = JsonArray{"name", "description", "strengths", "weaknesses"};
  auto scraped = Scrape(*corpus, scrape_input);
  ASSERT_TRUE(scraped.ok());
  for (const Json& record : scraped->at("data").as_array()) {
    context.push_back(JsonObject{{"step", 2}, {"kind", "record"}, {"data", record}});
  }
  auto analysis =
      Search(*corpus, ParseJson(R"({"query": "decentralized compute market analysis report",
                                                "max_results": 10})")
                          .value());
  ASSERT_TRUE(analysis.ok());
  for (const Json& result : analysis->at("results").as_array()) {
    context.push_back(JsonObject{{"step", 3}, {"kind", "search_result"}, {"data", result}});
  }

  auto response = Complete(Request(context, &SeedSchema()));
  ASSERT_TRUE(response.ok()) << response.error().ToString();
  const Json filled = Content(*response);
  ExpectEveryLeafQuoted(filled, context);
  EXPECT_GE(filled.at("competitors").as_array().size(), 3u) << PrettyJson(filled);
  EXPECT_GE(filled.at("market_gaps").as_array().size(), 2u) << PrettyJson(filled);
  EXPECT_TRUE(filled.as_object().contains("recommendation")) << PrettyJson(filled);
  EXPECT_EQ(response->at("orchestra").at("unfilled"), JsonArray()) << PrettyJson(*response);
}

}  // namespace
}  // namespace orchestra::sim
