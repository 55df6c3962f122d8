#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "orchestra/core/deadline.h"
#include "orchestra/core/json.h"
#include "orchestra/core/result.h"
#include "orchestra/ledger/entry.h"
#include "orchestra/validator/reference.h"
#include "orchestra/validator/retriever.h"

// The validator's synthetic challenges (issue 17): templates × topics the expert world knows,
// each with a target_schema, a deadline and the private reference (capabilities, answer key
// from documents the validator retrieved itself, cheapest adequate route, optional traps).
namespace orchestra::validator {

// What a topic is about, so that a template is only paired with topics it suits.
enum TopicKind : uint32_t {
  kSoftware = 1,        // libraries, applications
  kInfrastructure = 2,  // databases, brokers, clouds, networks
  kAi = 4,              // models, inference, AI products and policy
  kMarket = 8,          // an industry whose players compete
  kPricing = 16,        // something sold at listed prices
  kFunding = 32,        // investment and funding rounds
  kTool = 64,           // a kind of product one adopts (options to compare)
};

struct TopicPhrase {
  std::string phrase;  // "message broker"
  uint32_t kinds = 0;  // TopicKind bits
};

// The built-in vocabulary: over a hundred category phrases across software, infrastructure, AI
// and markets. A phrase becomes a topic only when the validator's search finds enough
// documents about it.
const std::vector<TopicPhrase>& DefaultTopicVocabulary();

// One kind of challenge. Objectives hold "{topic}" (and "{entity}" for single-entity
// templates); schemas are seed shorthand or JSON Schema as Pydantic v2 emits it.
struct ChallengeTemplate {
  std::string name;                       // "competitive_landscape"
  std::vector<std::string> objectives;    // phrasing variants
  std::vector<Json> schemas;              // target_schema variants
  std::vector<std::string> capabilities;  // in pipeline order (each step feeds the next)
  uint32_t topic_kinds = 0;               // TopicKind bits it suits
  bool needs_figures = false;  // pricing, funding: a topic needs documents with money figures
  bool single_entity = false;  // about one entity of the topic
};

// competitive_landscape, market_pricing, tool_comparison, funding_trends,
// technology_explainer, entity_deep_dive.
const std::vector<ChallengeTemplate>& ChallengeTemplates();

// The cheapest adequate route for `capabilities` (pipeline order: step i depends on step i-1):
// for each capability the subnet of `ledger` that has it at the lowest cost_per_query among
// those with reliability >= min_reliability (ties: lower latency, then subnet id); cost the
// sum, critical_path_ms the longest dependency chain of avg_latency_ms.
// kNotFound naming the first capability no adequate subnet serves.
Result<Route> CheapestRoute(const std::vector<std::string>& capabilities,
                            const std::vector<ledger::LedgerEntry>& ledger, double min_reliability);

// How often the validator issues a synthetic challenge: by default one per 20 blocks of 12 s
// (the public design), i.e. every 240 s.
struct Cadence {
  int blocks_per_challenge = 20;
  std::chrono::milliseconds block_time{12000};

  std::chrono::milliseconds Interval() const { return block_time * blocks_per_challenge; }
  // Whether a challenge is due at `block` (block 0 is).
  bool Due(uint64_t block) const {
    return blocks_per_challenge <= 1 || block % static_cast<uint64_t>(blocks_per_challenge) == 0;
  }
  // The first block after `block` at which one is due.
  uint64_t NextDue(uint64_t block) const {
    const uint64_t n = blocks_per_challenge <= 1 ? 1 : static_cast<uint64_t>(blocks_per_challenge);
    return (block / n + 1) * n;
  }
};

struct GeneratorOptions {
  uint64_t seed = 0;
  // Deadlines are drawn uniformly in [min, max], whole seconds.
  std::chrono::milliseconds min_deadline{30000};
  std::chrono::milliseconds max_deadline{30000};
  // false: ids derived from (seed, sequence), so a run is reproducible; true:
  // protocol::NewChallengeId (fresh each time: what a production validator wants, since
  // receipts bind the id and a restart with the same seed would repeat derived ids).
  bool fresh_ids = false;
  int search_results = 10;              // documents asked for per topic search
  int min_documents = 3;                // on-topic documents a topic needs to be accepted
  int max_fetch = 8;                    // on-topic pages read in full (scraped) for the answer key
  int max_attempts = 40;                // topic searches one Next() may spend
  double min_reliability = 0.8;         // of a subnet, to be on the cheapest adequate route
  double schema_trap_rate = 0.0;        // share of challenges with a schema trap
  double logic_trap_rate = 0.0;         // share of figure-bearing challenges with a logic trap
  std::vector<TopicPhrase> vocabulary;  // empty: DefaultTopicVocabulary()
};

// Makes challenges: deterministic under options.seed for a given world (same seed, same
// retrieved documents → same challenges, ids included unless fresh_ids). Each call uses the
// next sequence number, whether it succeeds or not.
// Errors: kNotFound when no topic tried is known well enough (the message says what was
// tried), kNotFound for an unknown template, the retriever's errors when a search fails,
// kDeadline when the deadline passes. Not thread-safe: use from the retriever's event loop.
class ChallengeGenerator {
 public:
  // `retriever` must outlive the generator; `ledger` is the validator's measured view of the
  // expert subnets (its probes), used for routes and traps.
  ChallengeGenerator(Retriever& retriever, std::vector<ledger::LedgerEntry> ledger,
                     GeneratorOptions options);

  void set_ledger(std::vector<ledger::LedgerEntry> ledger) { ledger_ = std::move(ledger); }

  // A challenge of a drawn template on a drawn topic: tries templates and their topics in a
  // seeded order until a topic's search finds enough on-topic documents.
  boost::asio::awaitable<Result<GeneratedChallenge>> Next(Deadline deadline);

  // A challenge of template `template_name` on `topic`; kNotFound when the world knows too
  // little about the topic (fewer than min_documents on-topic documents, or, for templates
  // that need figures, none with a money figure).
  boost::asio::awaitable<Result<GeneratedChallenge>> Generate(std::string template_name,
                                                              std::string topic, Deadline deadline);

  uint64_t sequence() const { return sequence_; }

 private:
  boost::asio::awaitable<Result<GeneratedChallenge>> Build(const ChallengeTemplate& t,
                                                           const std::string& topic,
                                                           const std::string& challenge_id,
                                                           uint64_t draw_seed, Deadline deadline);
  std::string ChallengeIdFor(uint64_t sequence) const;

  Retriever& retriever_;
  std::vector<ledger::LedgerEntry> ledger_;
  GeneratorOptions options_;
  uint64_t sequence_ = 0;
};

// Helpers exposed for the scorer and tests.

// Lower-case alphanumeric words of `text` (apostrophes and punctuation split words).
std::vector<std::string> Words(std::string_view text);
// The words of a topic phrase that carry meaning (stop words such as "and", "for" dropped).
std::vector<std::string> TopicWords(std::string_view topic);
// Whether `document` is about `topic`: each topic word occurs in its title, snippet, text or
// string fields (as is, as a plural, or, for words of 5+ letters, as a prefix:
// "orchestrat" of "orchestration").
bool IsOnTopic(const Document& document, std::string_view topic);
// The entity a document is about: its "name"/"company"/"provider"/"product" field, else the
// head of its title before " - ", " | ", ": " or " — " when that is a short name; "" if none.
std::string EntityOf(const Document& document);

}  // namespace orchestra::validator
