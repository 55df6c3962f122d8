#pragma once

#include <optional>
#include <string>
#include <vector>

#include "orchestra/core/json.h"
#include "orchestra/core/result.h"
#include "orchestra/protocol/orchestra_synapse.h"

// What a validator knows about a challenge and keeps from the miners: the types shared by the
// challenge generator (which fills them), the scorer (which judges an answer against them) and
// the validator's round (which plants the traps and keeps the reference with the challenge).
namespace orchestra::validator {

// One step of the cheapest adequate route the validator knows for a challenge.
struct RouteStep {
  std::string capability;       // "web_search", "web_scraping", "synthesis", ...
  std::string subnet_id;        // "SN22"
  double cost = 0.0;            // TAO, the subnet's price per call as the validator measured it
  double latency_ms = 0.0;      // the subnet's typical latency as the validator measured it
  std::vector<int> depends_on;  // indices into Route::steps
};

// The cheapest route able to answer the challenge: cost is the sum of the steps' costs, and
// critical_path_ms the longest dependency chain of their latencies.
struct Route {
  std::vector<RouteStep> steps;
  double cost = 0.0;
  double critical_path_ms = 0.0;
};

// What a good answer contains, from documents the validator retrieved itself. Matching is on
// normalised tokens (lower case, punctuation dropped), so "Apache Kafka" matches "apache-kafka".
struct AnswerKey {
  std::vector<std::string> entities;     // names a good answer mentions ("RabbitMQ", ...)
  std::vector<std::string> facts;        // short facts (figures, key terms) from those documents
  std::vector<std::string> topic_terms;  // words that define the topic; an answer using none is
                                         // off-topic
  std::vector<std::string> source_urls;  // where the entities and facts came from
  // Words of the topics an answer must not drift into ("Kubernetes", "GPU marketplace" for an
  // objective about message brokers): text carrying one is another topic's. Optional in JSON
  // (empty when absent); the scorer does not read it, the quality bench (bench/quality.sh) does.
  std::vector<std::string> off_topic_terms;
};

// A schema trap: just before the challenge the validator drifts `subnet_id`'s shape through
// the simulator's admin API (`drift` is sim::SchemaDrift JSON). A miner whose ledger still
// has the old shape calls with it and fails, or answers with stale data.
struct SchemaTrap {
  std::string subnet_id;  // "SN22"
  int netuid = 0;
  Json drift;  // {"input": {"rename": {...}}, "output": {"rename": {...}, "retype": {...}}}
};

// A logic trap: the validator plants `stale_answer` on the cheap route (`stale_subnet_id`) for
// requests matching `match`, while the reliable route still serves the truth. The trap is
// passed when standardized_data carries `truth` (and not `stale_value`).
struct LogicTrap {
  std::string stale_subnet_id;  // where the planted answer lives ("SN42")
  int stale_netuid = 0;
  Json match;               // sim plant "match": {input field: value}
  Json match_contains;      // sim plant "match_contains": {input field: text}; null when none
  Json stale_answer;        // sim plant "answer"
  std::string truth;        // the value only the right route returns ("$2.49/hr")
  std::string stale_value;  // the planted stale value ("$3.10/hr")
};

// The validator's private reference for one challenge: never sent to a miner.
struct ChallengeReference {
  std::string template_name;              // "competitive_landscape", "tool_comparison", ...
  std::string topic;                      // "message brokers"
  std::vector<std::string> capabilities;  // what an adequate answer needs
  AnswerKey key;
  Route route;
  std::optional<SchemaTrap> schema_trap;
  std::optional<LogicTrap> logic_trap;
};

// How a miner's ledger (its LedgerSynapse answer) compares with the validator's own probes of
// the expert subnets: freshness is the share of the miner's entries that agree with the probes
// (schema fingerprints, liveness, latency within tolerance), coverage the share of the live
// subnets the probes found that the miner's ledger lists. Each finding says what disagreed.
struct LedgerJudgement {
  bool checked = false;  // false: no ledger or no probes to judge by (scored 0, said so)
  double freshness = 0.0;
  double coverage = 0.0;
  std::vector<std::string> findings;  // "SN22: output fingerprint differs (ledger total_found,
                                      // probe count)"
};

// A challenge with its reference, as the generator makes them and `orchestra score
// --challenge FILE` reads them: {"challenge": {...}, "reference": {...}} ("reference" may be
// absent: the checks that need it are then reported as not checked).
struct GeneratedChallenge {
  protocol::Challenge challenge;
  ChallengeReference reference;
};

Json ToJson(const ChallengeReference& reference);
// Errors name the field ("reference.key.entities[2]: must be a string").
Result<ChallengeReference> ReferenceFromJson(const Json& json);
Json ToJson(const GeneratedChallenge& generated);
Result<GeneratedChallenge> GeneratedChallengeFromJson(const Json& json);

}  // namespace orchestra::validator
