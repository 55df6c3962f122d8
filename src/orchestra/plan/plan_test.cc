#include <fmt/format.h>
#include <gtest/gtest.h>

#include "orchestra/experts/adapters.h"
#include "orchestra/ledger/snapshot.h"
#include "orchestra/plan/architect.h"
#include "orchestra/plan/route.h"

namespace orchestra::plan {
namespace {

schema::Schema Compile(std::string_view target) {
  auto s = schema::Schema::FromTarget(*ParseJson(target));
  EXPECT_TRUE(s.ok()) << target;
  return std::move(*s);
}

constexpr std::string_view kWorkedExample = R"({
    "competitors": [{"name": "str", "description": "str", "strengths": "list", "weaknesses": "list"}],
    "market_gaps": [{"gap": "str", "opportunity": "str", "difficulty": "str"}],
    "recommendation": "str"})";

ledger::Snapshot SearchScrapeChat() {
  auto entry = [](std::string id, std::vector<std::string> caps) {
    ledger::LedgerEntry e;
    e.subnet_id = std::move(id);
    e.capabilities = std::move(caps);
    e.cost_per_query = 0.002;
    e.reliability = 0.95;
    e.avg_latency_ms = 300;
    e.p95_latency_ms = 600;
    return e;
  };
  return ledger::Snapshot({{"SN22", entry("SN22", {"web_search", "news_search"})},
                           {"SN13", entry("SN13", {"web_scraping"})},
                           {"SN1", entry("SN1", {"synthesis"})}});
}

Brief BriefFor(std::string_view objective, std::string_view target, const Json& hints = {}) {
  const ledger::Snapshot ledger = SearchScrapeChat();
  return MakeBrief(objective, hints, Compile(target), ledger);
}

TEST(TopicTest, GenericWordsDoNotAdmitAnotherTopic) {
  const Topic topic = Topic::FromObjective("Compare open-source message brokers for IoT telemetry");
  EXPECT_EQ(topic.query(), "open source message brokers iot telemetry");
  EXPECT_TRUE(topic.Admits("mosquitto: MQTT version 5.0 compatible message broker for IoT"));
  EXPECT_TRUE(topic.Admits("RabbitMQ is an AMQP broker for enterprise messaging"));
  EXPECT_FALSE(topic.Admits("Kubernetes: open-source container orchestration system"));
  EXPECT_FALSE(topic.Admits("Akash Network - open-source decentralized compute marketplace"));
  EXPECT_GT(topic.Score("message broker"), topic.Score("open source"));
}

TEST(TopicTest, MatchesInflectionsButNotShortPrefixes) {
  EXPECT_TRUE(WordsMatch("message", "messaging"));
  EXPECT_TRUE(WordsMatch("compression", "compressed"));
  EXPECT_FALSE(WordsMatch("server", "service"));
  EXPECT_FALSE(WordsMatch("broker", "broken"));
}

TEST(TopicTest, TheSpecificQueryLeavesGenericWordsOut) {
  EXPECT_EQ(Topic::FromObjective("Pick an open-source OCR engine").SpecificQuery(), "ocr engine");
  // Nothing specific: every word rather than none.
  EXPECT_EQ(Topic::FromObjective("the best open source tools").SpecificQuery(),
            "best open source tools");
}

TEST(TopicTest, AccessoryWordsNameThingsMadeForAnotherThing) {
  for (const char* w : {"library", "binding", "wrapper", "plugin", "documentation", "doc"}) {
    EXPECT_TRUE(IsAccessoryWord(w)) << w;
  }
  for (const char* w : {"engine", "editor", "broker", "tool", "server"}) {
    EXPECT_FALSE(IsAccessoryWord(w)) << w;
  }
}

TEST(TopicTest, AThingTheObjectiveNamesIsOnTopicOnItsOwn) {
  Topic topic = Topic::FromObjective("Explain how MQTT and AMQP differ for device telemetry");
  EXPECT_FALSE(topic.Admits("python3-paho-mqtt: MQTT client class"));  // 1 term of 5
  topic.AddNamed("MQTT");
  topic.AddNamed("Apache Kafka");  // not a term of the topic: ignored
  EXPECT_TRUE(topic.Admits("python3-paho-mqtt: MQTT client class"));
  EXPECT_FALSE(topic.Admits("Apache web server"));
  // MakeBrief names what the objective enumerates.
  const Brief brief =
      BriefFor("Explain how MQTT and AMQP differ for device telemetry", R"({"summary": "str"})");
  EXPECT_TRUE(brief.topic.Admits("node-amqp: AMQP 0-9-1 client for Node.js"));
}

TEST(TopicTest, AnObjectiveOfOnlyGenericWordsAdmitsNothing) {
  const Topic topic = Topic::FromObjective("Compare the best open-source tools");
  EXPECT_FALSE(topic.Admits("The best open-source tools of 2025"));
}

TEST(NeedsTest, ReadsRolesOfTheWorkedExample) {
  const SchemaNeeds needs = AnalyzeSchema(Compile(kWorkedExample));
  ASSERT_EQ(needs.lists.size(), 2u);
  EXPECT_EQ(needs.primary()->field, "competitors");
  EXPECT_TRUE(needs.primary()->NeedsDetail());
  EXPECT_EQ(needs.primary()->NameField(), "name");
  EXPECT_EQ(needs.lists[1].field, "market_gaps");
  ASSERT_EQ(needs.root_fields.size(), 1u);
  EXPECT_EQ(needs.root_fields[0].role, FieldRole::kJudgement);
  EXPECT_TRUE(needs.NeedsJudgement());
}

TEST(NeedsTest, NotesAreTextAndRootExamplesAreNames) {
  const SchemaNeeds needs = AnalyzeSchema(
      Compile(R"({"systems": [{"name": "str", "notes": "str"}], "examples": "list"})"));
  ASSERT_EQ(needs.lists.size(), 1u);
  EXPECT_EQ(needs.primary()->item_fields[1].role, FieldRole::kText);
  EXPECT_FALSE(needs.primary()->NeedsDetail());  // a snippet answers it: no page read
  ASSERT_EQ(needs.root_fields.size(), 1u);
  EXPECT_EQ(needs.root_fields[0].role, FieldRole::kName);
  EXPECT_TRUE(needs.root_fields[0].is_list);
}

TEST(NeedsTest, WhatAThingIsIsTextOnlyWhenAFreeString) {
  const SchemaNeeds needs = AnalyzeSchema(Compile(R"({"type": "object", "properties": {
      "tools": {"type": "array", "items": {"type": "object", "properties": {
          "name": {"type": "string"}, "category": {"type": "string"},
          "best_for": {"type": "string"}, "language": {"type": "string"},
          "kind": {"enum": ["daemon", "library"]}, "role": {"type": "array"}}}},
      "kind": {"type": "string"}}})"));
  ASSERT_EQ(needs.lists.size(), 1u);
  const auto& fields = needs.primary()->item_fields;
  ASSERT_EQ(fields.size(), 6u);
  EXPECT_EQ(fields[1].role, FieldRole::kText);    // category: what its page says it is
  EXPECT_EQ(fields[2].role, FieldRole::kText);    // best_for
  EXPECT_EQ(fields[3].role, FieldRole::kDetail);  // language: a fact behind its page
  EXPECT_EQ(fields[4].role, FieldRole::kDetail);  // an enum is not a description
  EXPECT_EQ(fields[5].role, FieldRole::kDetail);  // nor is a list
  ASSERT_EQ(needs.root_fields.size(), 1u);
  EXPECT_EQ(needs.root_fields[0].role, FieldRole::kText);
}

TEST(NeedsTest, FollowsRefsAndOptionalAndTreatsAJudgementObjectAsJudgement) {
  const SchemaNeeds needs = AnalyzeSchema(Compile(R"({
      "type": "object",
      "$defs": {"Round": {"type": "object", "properties": {
          "company": {"type": "string"}, "amount_usd": {"type": "number"},
          "source_url": {"anyOf": [{"type": "string"}, {"type": "null"}]}}}},
      "properties": {
          "rounds": {"type": "array", "items": {"$ref": "#/$defs/Round"}},
          "recommendation": {"type": "object", "properties": {
              "price_point": {"type": "number"}, "rationale": {"type": "string"}}},
          "summary": {"anyOf": [{"type": "string"}, {"type": "null"}]}}})"));
  ASSERT_EQ(needs.lists.size(), 1u);
  const ListTarget& rounds = *needs.primary();
  ASSERT_EQ(rounds.item_fields.size(), 3u);
  EXPECT_EQ(rounds.item_fields[0].role, FieldRole::kName);
  EXPECT_EQ(rounds.item_fields[1].role, FieldRole::kDetail);
  EXPECT_EQ(rounds.item_fields[2].role, FieldRole::kUrl);
  ASSERT_EQ(needs.root_fields.size(), 2u);
  EXPECT_EQ(needs.root_fields[0].role, FieldRole::kJudgement);
  EXPECT_EQ(needs.root_fields[1].role, FieldRole::kSummary);
}

TEST(ArchitectTest, DiscoveryAsksOneSearchPerListAndKeepsOtherListsWordsOutOfThePrimary) {
  const Brief brief = BriefFor(
      "Research the competitive landscape for decentralized compute marketplaces and identify "
      "gaps our product could fill",
      kWorkedExample);
  const std::vector<Task> wave = DiscoveryWave(brief, 1);
  ASSERT_EQ(wave.size(), 2u);
  EXPECT_EQ(wave[0].name, "discover_competitors");
  EXPECT_EQ(wave[0].capability, "web_search");
  EXPECT_EQ(JsonString(wave[0].query, "query"), "decentralized compute marketplaces");
  EXPECT_EQ(wave[1].name, "discover_market_gaps");
  EXPECT_NE(JsonString(wave[1].query, "query").find("gaps"), std::string::npos);
  EXPECT_TRUE(brief.needs.NeedsJudgement());
}

TEST(ArchitectTest, ASummaryOnlySchemaNeedsOneSearchAndNoRead) {
  const Brief brief =
      BriefFor("Explain what the zstd compression format is good for", R"({"summary": "str"})");
  const std::vector<Task> wave = DiscoveryWave(brief, 1);
  ASSERT_EQ(wave.size(), 1u);
  EXPECT_EQ(wave[0].capability, "web_search");
  EXPECT_EQ(JsonString(wave[0].query, "query"), "zstd compression format");
  EXPECT_FALSE(brief.needs.NeedsJudgement());
  const PlanEstimate estimate = Estimate(brief, SearchScrapeChat(), {});
  EXPECT_EQ(estimate.calls, 1);
  EXPECT_DOUBLE_EQ(estimate.cost, 0.002);
}

TEST(ArchitectTest, ReadsUrlsNamedInTheObjectiveAndHintsDirectly) {
  const Brief brief = BriefFor(
      "Summarize what https://zstd.example.org/docs says about dictionaries.",
      R"({"name": "str", "levels": "list", "summary": "str"})",
      *ParseJson(R"({"sources": ["https://facebook.github.io/zstd/"], "focus": "levels"})"));
  ASSERT_EQ(brief.urls.size(), 2u);
  EXPECT_EQ(brief.urls[0], "https://zstd.example.org/docs");
  const std::vector<Task> wave = DiscoveryWave(brief, 1);
  const auto read = std::find_if(wave.begin(), wave.end(),
                                 [](const Task& t) { return t.name == "read_named_urls"; });
  ASSERT_NE(read, wave.end());
  EXPECT_EQ(read->capability, "web_scraping");
  EXPECT_EQ(read->query.at("urls").as_array().size(), 2u);
  EXPECT_TRUE(read->depends_on.empty());
  // The hint's words join the topic.
  EXPECT_NE(brief.topic.query().find("levels"), std::string::npos);
}

TEST(ArchitectTest, AUrlNamesWhatItIsThePageOf) {
  EXPECT_EQ(UrlName("https://github.com/stedolan/jq"), "jq");
  EXPECT_EQ(UrlName("https://mosquitto.org/"), "mosquitto");
  EXPECT_EQ(UrlName("https://www.zstd.example.org/docs/index.html?x=1#y"), "zstd");
  EXPECT_EQ(UrlName("http://localhost:8080"), "localhost");
  // The topic holds the name, not "https", "github" or "com".
  const Brief brief = BriefFor(
      "What does the tool at https://github.com/stedolan/jq do, and which similar "
      "command-line tools exist?",
      R"({"tool": {"name": "str", "purpose": "str"},
                   "alternatives": [{"name": "str", "purpose": "str"}]})");
  EXPECT_EQ(brief.topic.query(), "tool jq similar command line exist");
  // One URL names the one thing the schema describes: it is read for it, not searched for;
  // its alternatives are searched for once its page has said what it is.
  EXPECT_EQ(brief.subject, "jq");
  ASSERT_TRUE(brief.needs.lists[0].relative);  // the list first, the single object after
  const std::vector<Task> wave = DiscoveryWave(brief, 1);
  ASSERT_EQ(wave.size(), 1u);
  EXPECT_EQ(wave[0].name, "read_named_urls");
  EXPECT_EQ(wave[0].target, "tool");
  EXPECT_EQ(CompactJson(wave[0].query.at("extract_fields")), R"(["name","purpose"])");
  const ItemKind kind = KindOfText("lightweight and flexible command-line JSON processor");
  EXPECT_EQ(kind.phrase.query(), "flexible command line json processor");
  EXPECT_TRUE(kind.Admits("jo: command-line processor to output JSON from a shell"));
  EXPECT_FALSE(kind.Admits("yq: Command-line YAML processor"));  // another compound
  const Task search = RelativeDiscovery(brief, brief.needs.lists[0], kind, 1, 2);
  EXPECT_EQ(JsonString(search.query, "query"), "flexible command line json processor");
  EXPECT_EQ(search.depends_on, std::vector<int>{1});
  EXPECT_EQ(search.target, "alternatives");
  // The page could not be read: the topic is searched for, after nothing.
  const Task blind = RelativeDiscovery(brief, brief.needs.lists[0], ItemKind{}, 0, 2);
  EXPECT_EQ(JsonString(blind.query, "query"), "jq similar command line exist");
  EXPECT_TRUE(blind.depends_on.empty());
}

TEST(ArchitectTest, NewsObjectivesUseNewsSearch) {
  const Brief brief =
      BriefFor("Find recent AI funding rounds", R"({"rounds": [{"company": "str"}]})");
  EXPECT_EQ(brief.search_capability, "news_search");
  EXPECT_EQ(JsonString(DiscoveryWave(brief, 1)[0].query, "search_type"), "news");
}

TEST(ArchitectTest, DetailFansOutOneReadPerItemAfterItsSearch) {
  const Brief brief = BriefFor("decentralized compute marketplaces", kWorkedExample);
  const std::vector<Task> reads =
      DetailTasks(brief, *brief.needs.primary(),
                  {Candidate{"https://akash.network/", "Akash Network", 1},
                   Candidate{"https://www.golem.network/", "Golem Network", 1}},
                  5);
  ASSERT_EQ(reads.size(), 2u);
  EXPECT_EQ(reads[0].step, 5);
  EXPECT_EQ(reads[1].step, 6);
  EXPECT_EQ(reads[1].name, "read_competitor_2");
  EXPECT_EQ(reads[1].depends_on, std::vector<int>{1});
  EXPECT_EQ(reads[1].item, "https://www.golem.network/");
  EXPECT_EQ(
      CompactJson(reads[1].query),
      R"({"urls":["https://www.golem.network/"],"extract_fields":["name","description","strengths","weaknesses"]})");
  // Items whose fields a search result already gives need no read.
  const Brief light =
      BriefFor("message brokers", R"({"brokers": [{"name": "str", "url": "str"}]})");
  EXPECT_TRUE(
      DetailTasks(light, *light.needs.primary(), {Candidate{"https://x.org", "X", 1}}, 2).empty());
}

TEST(ArchitectTest, FollowUpsRereadFailedPagesAndSearchForMissingFields) {
  const Brief brief = BriefFor("decentralized compute marketplaces", kWorkedExample);
  const std::vector<Gap> gaps = {
      Gap{"competitors", "Akash Network", "https://akash.network/", {"strengths"}, 4},
      Gap{"competitors", "Golem Network", "https://www.golem.network/", {"weaknesses"}, 0},
      Gap{"", "", "", {"summary"}, 0}};
  const std::vector<Task> wave = FollowUpTasks(brief, gaps, {7}, 8, 2);
  ASSERT_EQ(wave.size(), 2u);  // capped
  EXPECT_EQ(wave[0].capability, "web_scraping");
  EXPECT_EQ(wave[0].depends_on, std::vector<int>{4});
  EXPECT_EQ(wave[1].capability, "web_search");
  EXPECT_EQ(JsonString(wave[1].query, "query"), "Golem Network weakness");
  EXPECT_EQ(wave[1].item, "Golem Network");
  EXPECT_EQ(wave[1].purpose, Purpose::kFollowUp);
}

TEST(ArchitectTest, PhrasesAreRunsOfContentWords) {
  EXPECT_EQ(PhrasesOf("Compare open-source message brokers for IoT telemetry"),
            (std::vector<std::string>{"open-source message brokers", "IoT telemetry"}));
  EXPECT_EQ(PhrasesOf("Which version control system should a small team adopt besides Git? "
                      "Compare the distributed alternatives"),
            (std::vector<std::string>{"version control system", "small team", "Git",
                                      "distributed alternatives"}));
  EXPECT_EQ(PhrasesOf("Compare VPN software (site-to-site): WireGuard, OpenVPN"),
            (std::vector<std::string>{"VPN software", "site-to-site", "WireGuard", "OpenVPN"}));
  EXPECT_TRUE(PhrasesOf("").empty());
  EXPECT_TRUE(PhrasesOf("compare the, and which?").empty());
}

TEST(ArchitectTest, TheKindOfItemIsThePhraseTheObjectiveNamesItIn) {
  const Brief editors = BriefFor("Recommend a text editor for programmers who work over SSH",
                                 R"({"editors": [{"name": "str"}]})");
  const ItemKind editor = KindOf(editors, *editors.needs.primary());
  ASSERT_FALSE(editor.empty());
  EXPECT_EQ(editor.phrase.query(), "text editor");
  EXPECT_EQ(editor.phrase.terms()[editor.head].word, "editor");
  EXPECT_TRUE(editor.Admits("mle: flexible terminal-based text editor"));
  EXPECT_FALSE(editor.Admits("php-text-template: text templating engine"));  // no head
  // A generic name is headed by the last specific word before it.
  const Brief backup = BriefFor("Pick a backup tool for nightly encrypted off-site backups",
                                R"({"tools": [{"name": "str"}]})");
  const ItemKind tool = KindOf(backup, *backup.needs.primary());
  ASSERT_FALSE(tool.empty());
  EXPECT_EQ(tool.phrase.terms()[tool.head].word, "backup");
  EXPECT_TRUE(tool.Admits("duplicity: encrypted bandwidth-efficient backup"));
  EXPECT_FALSE(tool.Admits("fscrypt: Tool for managing Linux filesystem encryption"));
  const Brief vcs = BriefFor("Which version control system should a small team adopt?",
                             R"({"systems": [{"name": "str"}]})");
  const ItemKind system = KindOf(vcs, *vcs.needs.primary());
  EXPECT_TRUE(system.Admits("darcs: distributed, interactive, smart revision control system"));
  EXPECT_FALSE(system.Admits("neofetch: Shows Linux System Information"));
  // A role is not a kind the objective names; nor is a name it does not use.
  const Brief landscape = BriefFor("decentralized compute marketplaces", kWorkedExample);
  EXPECT_TRUE(KindOf(landscape, *landscape.needs.primary()).empty());
  EXPECT_FALSE(KindOf(landscape, *landscape.needs.primary()).Admits("decentralized compute"));
  // "Pick" tells what to do; it is no part of the topic.
  const Brief ocr = BriefFor("Pick an OCR engine", R"({"engines": [{"name": "str"}]})");
  EXPECT_EQ(ocr.topic.query(), "ocr engine");
}

TEST(ArchitectTest, ListsAreSearchedForWithoutGenericWords) {
  const Brief brokers = BriefFor("Compare open-source message brokers for IoT telemetry",
                                 R"({"brokers": [{"name": "str"}]})");
  const std::vector<Task> wave = DiscoveryWave(brokers, 1);
  ASSERT_EQ(wave.size(), 1u);
  EXPECT_EQ(JsonString(wave[0].query, "query"), "message brokers iot telemetry");
  // Nothing kept: the kind on its own is searched for next.
  const Task again = RetryDiscovery(brokers, wave[0], 2);
  EXPECT_EQ(JsonString(again.query, "query"), "open source message brokers");
  EXPECT_EQ(again.depends_on, std::vector<int>{1});
}

TEST(ArchitectTest, NamedEntitiesAreEnumerationsOfCapitalisedNames) {
  EXPECT_EQ(NamedEntities("Research cloud GPU pricing from RunPod, Vast.ai, and Lambda. Recommend "
                          "a price point for our new inference API."),
            (std::vector<std::string>{"RunPod", "Vast.ai", "Lambda"}));
  EXPECT_EQ(NamedEntities("Compare Apache Kafka and RabbitMQ for IoT telemetry"),
            (std::vector<std::string>{"Apache Kafka", "RabbitMQ"}));
  EXPECT_TRUE(NamedEntities("Compare open-source message brokers for IoT telemetry").empty());
  EXPECT_TRUE(NamedEntities("Explain what Zstandard is good for").empty());
}

TEST(ArchitectTest, SynthesisAsksOnlyForTheJudgementOverTheGivenContext) {
  const Brief brief = BriefFor("decentralized compute marketplaces", kWorkedExample);
  const JsonArray context{
      JsonObject{{"step", 3}, {"kind", "record"}, {"data", JsonObject{{"name", "Akash Network"}}}}};
  const Task task = SynthesisTask(brief, Compile(kWorkedExample), context, {}, {1, 3}, 9);
  EXPECT_EQ(task.capability, "synthesis");
  EXPECT_EQ(task.depends_on, (std::vector<int>{1, 3}));
  const Json& schema = task.query.at("response_format").at("json_schema").at("schema");
  EXPECT_EQ(schema.at("properties").as_object().size(), 1u);
  EXPECT_NE(JsonFind(schema.at("properties"), "recommendation"), nullptr);
  const std::string prompt(task.query.at("messages").as_array()[1].at("content").as_string());
  EXPECT_EQ(prompt.rfind("Objective: decentralized compute marketplaces\n", 0), 0u);
  EXPECT_NE(prompt.find(R"({"step":3,"kind":"record","data":{"name":"Akash Network"}})"),
            std::string::npos);
  // Lists whose items lack fields are asked for too, whole, with the $defs they refer to.
  const Task more =
      SynthesisTask(brief, Compile(kWorkedExample), context, {"competitors"}, {1, 3}, 9);
  const Json& wider = more.query.at("response_format").at("json_schema").at("schema");
  EXPECT_EQ(wider.at("properties").as_object().size(), 2u);
  EXPECT_NE(JsonFind(wider.at("properties"), "competitors"), nullptr);
  EXPECT_EQ(JsonFind(wider.at("properties"), "market_gaps"), nullptr);
}

ledger::LedgerEntry Entry(std::string id, double cost, double reliability, double latency) {
  ledger::LedgerEntry e;
  e.subnet_id = std::move(id);
  e.capabilities = {"web_search"};
  e.cost_per_query = cost;
  e.reliability = reliability;
  e.avg_latency_ms = latency;
  e.p95_latency_ms = latency * 2;
  return e;
}

TaskDag SearchOnly() {
  TaskDag dag;
  Task search;
  search.step = 1;
  search.name = "search";
  search.capability = "web_search";
  dag.tasks.push_back(std::move(search));
  return dag;
}

TEST(RouteTest, PrefersCheaperSubnetWhenBothFitTheDeadline) {
  ledger::Snapshot ledger(
      {{"SNA", Entry("SNA", 0.004, 0.95, 300)}, {"SNB", Entry("SNB", 0.002, 0.95, 300)}});
  auto r = Route(SearchOnly(), ledger, {}, std::chrono::milliseconds(30000));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->routes[0].candidates[0]->subnet_id, "SNB");
  EXPECT_EQ(r->routes[0].candidates[1]->subnet_id, "SNA");
}

TEST(RouteTest, SkipsSubnetBelowMinimumReliabilityUnlessItIsTheOnlyOne) {
  ledger::Snapshot ledger(
      {{"SNA", Entry("SNA", 0.004, 0.95, 300)}, {"SNB", Entry("SNB", 0.001, 0.50, 300)}});
  auto r = Route(SearchOnly(), ledger, {}, std::chrono::milliseconds(30000));
  EXPECT_EQ(r->routes[0].candidates[0]->subnet_id, "SNA");
}

TEST(RouteTest, PutsSubnetWhoseP95ExceedsTheBudgetLast) {
  ledger::Snapshot ledger(
      {{"SNA", Entry("SNA", 0.001, 0.95, 3000)}, {"SNB", Entry("SNB", 0.003, 0.95, 300)}});
  auto r = Route(SearchOnly(), ledger, {}, std::chrono::milliseconds(2000));
  EXPECT_EQ(r->routes[0].candidates[0]->subnet_id, "SNB");
}

TEST(RouteTest, NoCandidateNamesTheTask) {
  ledger::Snapshot ledger({});
  auto r = Route(SearchOnly(), ledger, {}, std::chrono::milliseconds(2000));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("step 1 (search)"), std::string::npos);
}

}  // namespace
}  // namespace orchestra::plan
