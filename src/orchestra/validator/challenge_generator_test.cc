#include "orchestra/validator/challenge_generator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "orchestra/core/hash.h"
#include "orchestra/schema/schema.h"
#include "orchestra/schema/shorthand.h"
#include "orchestra/validator/sim_world_test_util.h"

namespace orchestra::validator {
namespace {

using ::testing::HasSubstr;

Deadline Soon() { return Deadline::After(std::chrono::seconds(30)); }

// Topics the curated corpus knows well enough for each template (the default vocabulary is
// searched as a whole by Next()).
const std::pair<std::string, std::string> kKnownTopics[] = {
    {"competitive_landscape", "decentralized compute marketplace"},
    {"market_pricing", "GPU cloud pricing"},
    {"tool_comparison", "AI inference"},
    {"funding_trends", "AI startup funding"},
    {"technology_explainer", "AI inference"},
    {"entity_deep_dive", "GPU cloud pricing"},
};

GeneratorOptions Exhaustive(uint64_t seed) {
  GeneratorOptions options;
  options.seed = seed;
  options.max_attempts = 1000;  // the curated corpus knows few of the vocabulary's topics
  return options;
}

TEST(ChallengeTemplatesTest, AtLeastSixTemplatesEachWithPhrasingsAndCompilingSchemas) {
  std::set<std::string> names;
  for (const ChallengeTemplate& t : ChallengeTemplates()) {
    names.insert(t.name);
    EXPECT_GE(t.objectives.size(), 3u) << t.name;
    EXPECT_GE(t.schemas.size(), 2u) << t.name;
    EXPECT_FALSE(t.capabilities.empty()) << t.name;
    for (const Json& schema : t.schemas) {
      auto compiled = schema::Schema::FromTarget(schema);
      EXPECT_TRUE(compiled.ok()) << t.name << ": " << compiled.error().ToString();
    }
    for (const std::string& objective : t.objectives) {
      EXPECT_THAT(objective, HasSubstr(t.single_entity ? "{entity}" : "{topic}"));
    }
  }
  for (const char* name : {"competitive_landscape", "market_pricing", "tool_comparison",
                           "funding_trends", "technology_explainer", "entity_deep_dive"}) {
    EXPECT_TRUE(names.contains(name)) << name;
  }
}

TEST(ChallengeTemplatesTest, VocabularyIsBroad) {
  std::set<std::string> phrases;
  uint32_t kinds = 0;
  for (const TopicPhrase& p : DefaultTopicVocabulary()) {
    EXPECT_TRUE(phrases.insert(p.phrase).second) << "duplicate " << p.phrase;
    EXPECT_NE(p.kinds, 0u) << p.phrase;
    kinds |= p.kinds;
  }
  EXPECT_GE(phrases.size(), 100u);
  EXPECT_EQ(kinds, kSoftware | kInfrastructure | kAi | kMarket | kPricing | kFunding | kTool);
  // Every template has topics of its kinds to draw from.
  for (const ChallengeTemplate& t : ChallengeTemplates()) {
    size_t suited = 0;
    for (const TopicPhrase& p : DefaultTopicVocabulary()) suited += (p.kinds & t.topic_kinds) != 0;
    EXPECT_GE(suited, 8u) << t.name;
  }
  for (const char* p : {"message broker", "image compression library", "relational database"}) {
    EXPECT_TRUE(phrases.contains(p)) << p;
  }
}

TEST(CheapestRouteTest, TakesTheCheapestAdequateSubnetPerCapabilityInAChain) {
  const auto ledger = sim::Manifest::Default().value().LedgerEntries();
  auto route = CheapestRoute({"web_search", "web_scraping", "synthesis"}, ledger, 0.8);
  ASSERT_TRUE(route.ok()) << route.error().ToString();
  ASSERT_EQ(route->steps.size(), 3u);
  EXPECT_EQ(route->steps[0].subnet_id, "SN42");
  EXPECT_EQ(route->steps[1].subnet_id, "SN33");
  EXPECT_EQ(route->steps[2].subnet_id, "SN19");
  EXPECT_TRUE(route->steps[0].depends_on.empty());
  EXPECT_EQ(route->steps[2].depends_on, std::vector<int>{1});
  EXPECT_DOUBLE_EQ(route->cost, 0.0012 + 0.0018 + 0.0006);
  double chain = 0;
  for (const RouteStep& s : route->steps) chain += s.latency_ms;
  EXPECT_DOUBLE_EQ(route->critical_path_ms, chain);

  // Demanding more reliability than the cheap subnets have moves the route to the others.
  auto strict = CheapestRoute({"web_search"}, ledger, 0.94);
  ASSERT_TRUE(strict.ok());
  EXPECT_EQ(strict->steps[0].subnet_id, "SN22");

  auto none = CheapestRoute({"web_search", "teleportation"}, ledger, 0.8);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, ErrorCode::kNotFound);
  EXPECT_THAT(none.error().message, HasSubstr("teleportation"));
}

TEST(CadenceTest, DefaultsToOneChallengePerTwentyBlocksOfTwelveSeconds) {
  const Cadence cadence;
  EXPECT_EQ(cadence.Interval(), std::chrono::seconds(240));
  EXPECT_TRUE(cadence.Due(0));
  EXPECT_TRUE(cadence.Due(40));
  EXPECT_FALSE(cadence.Due(39));
  EXPECT_EQ(cadence.NextDue(5), 20u);
  EXPECT_EQ(cadence.NextDue(20), 40u);
}

TEST(ChallengeGeneratorTest, EveryTemplateGivesACompilingSchemaAndAKeyFromRetrievedDocuments) {
  testing::SimWorld world;
  auto retriever = world.MakeRetriever();
  ChallengeGenerator generator(*retriever, world.ledger(), Exhaustive(7));
  for (const auto& [name, topic] : kKnownTopics) {
    SCOPED_TRACE(name + " / " + topic);
    auto generated = world.Run(generator.Generate(name, topic, Soon()));
    ASSERT_TRUE(generated.ok()) << generated.error().ToString();
    const protocol::Challenge& c = generated->challenge;
    const ChallengeReference& ref = generated->reference;
    EXPECT_TRUE(schema::Schema::FromTarget(c.target_schema).ok());
    EXPECT_EQ(c.deadline_ms, 30000);
    EXPECT_TRUE(IsPrefixedHash256(c.challenge_id)) << c.challenge_id;
    EXPECT_EQ(ref.template_name, name);
    EXPECT_EQ(ref.topic, topic);
    EXPECT_FALSE(ref.capabilities.empty());
    EXPECT_EQ(ref.route.steps.size(), ref.capabilities.size());
    ASSERT_FALSE(ref.key.entities.empty());
    ASSERT_FALSE(ref.key.source_urls.empty());
    EXPECT_FALSE(ref.key.facts.empty());
    EXPECT_FALSE(ref.key.topic_terms.empty());
    if (name == "entity_deep_dive") {
      EXPECT_THAT(c.objective, HasSubstr(ref.key.entities.front()));
    } else {
      EXPECT_THAT(c.objective, HasSubstr(topic));
    }

    // Every entity and fact is in the pages the key cites, as the validator reads them.
    std::vector<std::string> urls = ref.key.source_urls;
    if (urls.size() > 20) urls.resize(20);
    auto pages = world.Run(retriever->Fetch(urls, Soon()));
    ASSERT_TRUE(pages.ok()) << pages.error().ToString();
    std::string seen;
    for (const Document& d : *pages) {
      seen += d.title + ' ' + d.snippet + ' ' + CompactJson(d.fields) + ' ';
    }
    for (const std::string& entity : ref.key.entities) {
      EXPECT_THAT(seen, HasSubstr(entity)) << "entity " << entity;
    }
    for (const std::string& fact : ref.key.facts) {
      std::string bare = fact;
      if (bare.starts_with('$')) bare = bare.substr(1);
      EXPECT_NE(seen.find(bare.substr(0, bare.find_first_of(" /MBK%"))), std::string::npos)
          << "fact " << fact;
    }
  }
}

TEST(ChallengeGeneratorTest, SameSeedSameChallenges) {
  testing::SimWorld world;
  auto retriever = world.MakeRetriever();
  GeneratorOptions options = Exhaustive(1234);
  options.min_deadline = std::chrono::seconds(20);
  options.max_deadline = std::chrono::seconds(40);
  options.schema_trap_rate = 0.5;
  options.logic_trap_rate = 0.5;
  ChallengeGenerator first(*retriever, world.ledger(), options);
  ChallengeGenerator second(*retriever, world.ledger(), options);
  options.seed = 4321;
  ChallengeGenerator other(*retriever, world.ledger(), options);
  std::vector<std::string> a, b, c;
  for (int i = 0; i < 4; ++i) {
    auto x = world.Run(first.Next(Soon()));
    auto y = world.Run(second.Next(Soon()));
    auto z = world.Run(other.Next(Soon()));
    ASSERT_TRUE(x.ok() && y.ok() && z.ok());
    a.push_back(CanonicalJson(ToJson(*x)));
    b.push_back(CanonicalJson(ToJson(*y)));
    c.push_back(CanonicalJson(ToJson(*z)));
  }
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_EQ(std::set<std::string>(a.begin(), a.end()).size(), a.size());  // ids differ
}

TEST(ChallengeGeneratorTest, FreshIdsChangeOnlyTheIds) {
  testing::SimWorld world;
  auto retriever = world.MakeRetriever();
  GeneratorOptions options = Exhaustive(77);
  ChallengeGenerator seeded(*retriever, world.ledger(), options);
  options.fresh_ids = true;
  ChallengeGenerator fresh(*retriever, world.ledger(), options);
  auto a = world.Run(seeded.Generate("market_pricing", "GPU cloud pricing", Soon()));
  auto b = world.Run(fresh.Generate("market_pricing", "GPU cloud pricing", Soon()));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->challenge.challenge_id, b->challenge.challenge_id);
  EXPECT_TRUE(IsPrefixedHash256(b->challenge.challenge_id));
  b->challenge.challenge_id = a->challenge.challenge_id;
  EXPECT_EQ(CanonicalJson(ToJson(*a)), CanonicalJson(ToJson(*b)));
}

TEST(ChallengeGeneratorTest, ABatchVariesTemplatesShapesAndDeadlines) {
  testing::SimWorld world;
  auto retriever = world.MakeRetriever();
  GeneratorOptions options = Exhaustive(99);
  options.min_deadline = std::chrono::seconds(20);
  options.max_deadline = std::chrono::seconds(40);
  ChallengeGenerator generator(*retriever, world.ledger(), options);
  std::set<std::string> templates, shapes;
  std::set<int64_t> deadlines;
  int json_schemas = 0, shorthands = 0;
  for (int i = 0; i < 16; ++i) {
    auto g = world.Run(generator.Next(Soon()));
    ASSERT_TRUE(g.ok()) << g.error().ToString();
    templates.insert(g->reference.template_name);
    shapes.insert(CanonicalJson(g->challenge.target_schema));
    deadlines.insert(g->challenge.deadline_ms);
    EXPECT_GE(g->challenge.deadline_ms, 20000);
    EXPECT_LE(g->challenge.deadline_ms, 40000);
    (schema::LooksLikeJsonSchema(g->challenge.target_schema) ? json_schemas : shorthands)++;
    EXPECT_TRUE(schema::Schema::FromTarget(g->challenge.target_schema).ok());
    EXPECT_FALSE(g->reference.key.entities.empty());
  }
  EXPECT_GE(templates.size(), 4u);
  EXPECT_GE(shapes.size(), 6u);
  EXPECT_GE(deadlines.size(), 3u);
  EXPECT_GT(json_schemas, 0);
  EXPECT_GT(shorthands, 0);
}

TEST(ChallengeGeneratorTest, ATopicTheWorldKnowsNothingAboutIsRejected) {
  testing::SimWorld world;
  auto retriever = world.MakeRetriever();
  ChallengeGenerator generator(*retriever, world.ledger(), Exhaustive(3));
  auto unknown =
      world.Run(generator.Generate("competitive_landscape", "underwater basket weaving", Soon()));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
  EXPECT_THAT(unknown.error().message, HasSubstr("underwater basket weaving"));

  // Known words, but no document about all of them together.
  auto mixed = world.Run(generator.Generate("tool_comparison", "GPU message broker", Soon()));
  ASSERT_FALSE(mixed.ok());
  EXPECT_EQ(mixed.error().code, ErrorCode::kNotFound);

  // A vocabulary the world knows nothing of gives no challenge at all.
  GeneratorOptions options = Exhaustive(3);
  constexpr uint32_t kAll =
      kSoftware | kInfrastructure | kAi | kMarket | kPricing | kFunding | kTool;
  options.vocabulary = {{"underwater basket weaving", kAll}, {"medieval falconry", kAll}};
  ChallengeGenerator hopeless(*retriever, world.ledger(), options);
  auto none = world.Run(hopeless.Next(Soon()));
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, ErrorCode::kNotFound);

  auto bad = world.Run(generator.Generate("haiku", "GPU cloud pricing", Soon()));
  EXPECT_EQ(bad.error().code, ErrorCode::kNotFound);
}

TEST(ChallengeGeneratorTest, OnTopicMeansEveryTopicWord) {
  Document d;
  d.url = "https://x.test";
  d.title = "Kubernetes - Container Orchestration";
  d.snippet = "Runs containers.";
  EXPECT_TRUE(IsOnTopic(d, "container orchestration"));
  EXPECT_TRUE(IsOnTopic(d, "containers orchestration"));
  EXPECT_FALSE(IsOnTopic(d, "container database"));
  EXPECT_FALSE(IsOnTopic(d, "the and of"));
  EXPECT_EQ(EntityOf(d), "Kubernetes");
  d.fields = JsonObject{{"name", "K8s"}};
  EXPECT_EQ(EntityOf(d), "K8s");
}

}  // namespace
}  // namespace orchestra::validator
