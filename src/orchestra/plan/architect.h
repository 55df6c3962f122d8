#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "orchestra/core/json.h"
#include "orchestra/ledger/snapshot.h"
#include "orchestra/plan/needs.h"
#include "orchestra/plan/route.h"
#include "orchestra/plan/task_dag.h"
#include "orchestra/plan/topic.h"
#include "orchestra/schema/schema.h"

// The lead architect's planning: from an objective, its hints and the target schema to the
// waves of expert calls that fill the schema. Every function is pure: it reads what it is
// given and returns tasks whose queries are complete (built by experts/adapters.h); the
// managerial loop (miner/orchestrator.cc) runs the waves, audits the answers and asks for
// the next wave. Steps are numbered by the caller over the whole pipeline (`first_step`).
namespace orchestra::plan {

inline constexpr int kDiscoveryResults = 10;
// Items read per list when the schema sets no maxItems (the primary list), and for the other
// lists.
inline constexpr size_t kPrimaryItems = 5;
inline constexpr size_t kSecondaryItems = 3;
// Follow-up calls one wave may add, and targeted searches (for fields an item's own page
// lacked) one challenge may make: such fields are rarely anywhere else, and every call costs.
inline constexpr size_t kMaxFollowUps = 6;
inline constexpr size_t kMaxTargetedSearches = 2;

// What a list's items are, as the objective names them: the run of the objective's content
// words that holds the list's own name ("open-source message brokers" for "brokers", "backup
// tool" for "tools"), and the word heading it: the name itself when it is specific ("broker"),
// else the run's last specific word ("backup" in "backup tool", "control" in "version control
// system"). Empty when the objective does not name the list's kind ("competitors" is a role,
// not a kind). The kind decides what an item is; the rest of the objective ("for IoT
// telemetry", "over SSH") only ranks the items.
struct ItemKind {
  Topic phrase;
  size_t head = 0;  // index of the head in phrase.terms()
  // When the head is the list's own specific name, the specific word before it: the two are a
  // compound ("speech engine", "message broker"), and the modifier is required too.
  std::optional<size_t> modifier;
  bool empty() const { return phrase.empty(); }
  // Whether `text` is about a thing of this kind: it mentions the head (and the modifier) and
  // at least half of the phrase's weight. False when the kind is empty.
  bool Admits(std::string_view text) const;
};
// What the plan is built from.
struct Brief {
  std::string objective;
  Topic topic;
  SchemaNeeds needs;
  std::vector<std::string> urls;  // named in the objective or the hints, read directly
  // Things the objective names in an enumeration ("from RunPod, Vast.ai, and Lambda"): the
  // primary list must cover them.
  std::vector<std::string> named;
  // The kind of each list whose kind the objective names (KindOf), by field; the managerial
  // loop replaces a relative list's with the kind its subject's page names.
  std::map<std::string, ItemKind> kinds;
  // The one thing the objective is about when a single URL names it (UrlName: "jq"); a
  // relative list ("alternatives") holds things mentioned with it, not the thing itself.
  std::string subject;
  // The search flavour the objective calls for, among those the ledger offers: news for
  // recent events, social for sentiment, web otherwise.
  std::string search_capability = "web_search";
  std::string search_type = "web";
};

ItemKind KindOf(const Brief& brief, const ListTarget& list);

// The kind a description says its thing is: its first phrase (PhrasesOf) of two specific
// words or more, else its first of one, headed by its last specific word, with the specific
// word before it as the modifier ("lightweight and flexible command-line JSON processor" ->
// "flexible command-line JSON processor", head "processor", modifier "json"). Empty when the
// description has no specific word.
ItemKind KindOfText(std::string_view description);

// What a URL names, as a word of the topic: its last path segment that is not a page of a
// site ("https://github.com/stedolan/jq" -> "jq"), else the host's name
// ("https://mosquitto.org/", "https://zstd.example.org/docs" -> "mosquitto", "zstd").
std::string UrlName(std::string_view url);

// The objective's runs of content words, in order (a URL counts as its UrlName): words not
// separated by punctuation, stop words or instruction words ("Compare open-source message brokers
// for IoT telemetry" -> "open-source message brokers", "IoT telemetry"). The words keep their
// spelling.
std::vector<std::string> PhrasesOf(std::string_view objective);

// Reads the objective, `hints` (a JSON object or null: its string values, and strings in its
// lists, extend the topic; http(s) URLs among them are read directly) and the compiled target.
// `ledger` decides which search capabilities can be used.
Brief MakeBrief(std::string_view objective, const Json& hints, const schema::Schema& target,
                const ledger::Snapshot& ledger);

// The first wave: one search per list target (the primary list's query is the topic without
// the other lists' words; another list's is the topic plus its field words), one for the
// subject's facts when root fields need page detail, one for the topic when the schema asks
// only for a summary or judgement, and one read of the URLs the brief names. Never empty for
// a schema with any field.
std::vector<Task> DiscoveryWave(const Brief& brief, int first_step);

// An item to read: a page a discovery search found and the audit kept.
struct Candidate {
  std::string url;
  std::string name;  // from the search result's title
  int found_by = 0;  // the step whose answer named it
};

// The detail wave for one list target: one read per candidate (in parallel), extracting the
// target's item fields. Empty when the target's items need nothing a search result lacks.
std::vector<Task> DetailTasks(const Brief& brief, const ListTarget& target,
                              const std::vector<Candidate>& candidates, int first_step);
// The read of the subject's pages (root fields needing detail): the first `candidates`.
std::vector<Task> SubjectTasks(const Brief& brief, const std::vector<Candidate>& candidates,
                               int first_step);

// What the completeness check found missing after a wave.
struct Gap {
  std::string target;               // the list field; "" for root fields
  std::string item_name;            // the item missing fields ("" for root fields)
  std::string item_url;             // its page, when known
  std::vector<std::string> fields;  // the missing fields, as the schema names them
  int failed_read = 0;              // the step of a read of item_url that failed (0: none)
};

// Follow-ups for `gaps`, at most `max_tasks`: a failed read is retried (it is routed afresh);
// an item whose page lacked fields gets a targeted search ("<item> <field words>"); missing
// root fields a search for the topic plus their words. Each depends on the step that showed
// the gap.
std::vector<Task> FollowUpTasks(const Brief& brief, const std::vector<Gap>& gaps,
                                const std::vector<int>& depends_on, int first_step,
                                size_t max_tasks);

// The names an objective enumerates: two or more capitalised names (1-3 words each, not
// instruction or stop words) joined by commas, "and" or "or". "Research cloud GPU pricing from
// RunPod, Vast.ai, and Lambda" → {"RunPod", "Vast.ai", "Lambda"}.
std::vector<std::string> NamedEntities(std::string_view objective);

// A search for a thing the objective names that discovery did not find: its name and the
// topic's specific terms (target: the primary list; item: the name).
Task FindNamed(const Brief& brief, const std::string& name, int step);

// The discovery of a relative list ("alternatives") of a subject the objective names by URL,
// once the subject's page told what it is (`kind`, KindOfText of its description): a search
// for things of that kind, depending on the step that read the subject (0: none). An empty
// kind (the page was not read) searches for the topic's specific words.
Task RelativeDiscovery(const Brief& brief, const ListTarget& list, const ItemKind& kind,
                       int depends_on, int step);

// A second discovery when a search found nothing on topic: the kind of thing the objective
// names on its own ("open source message brokers"), else the whole topic, depending on the
// empty step.
Task RetryDiscovery(const Brief& brief, const Task& empty, int step);

// The inference call for the fields needing judgement (and the summaries), and for the lists
// in `incomplete_lists` (fields whose items' pages left some of their fields empty: the
// expert fills them from the context, and the answer lends them to the items it names): a
// chat request whose JSON schema is the target's root reduced to those fields, over `context`
// (audited items, see experts::ContextPrompt).
Task SynthesisTask(const Brief& brief, const schema::Schema& target, const JsonArray& context,
                   const std::vector<std::string>& incomplete_lists, std::vector<int> depends_on,
                   int step);

// The plan's expected cost (ledger prices of the cheapest adequate route per call) and time
// (the waves' p95 latencies in sequence), before anything runs: discovery, one read per item
// to detail, and synthesis when judgement is needed.
struct PlanEstimate {
  int calls = 0;
  double cost = 0;
  double time_ms = 0;
};
PlanEstimate Estimate(const Brief& brief, const ledger::Snapshot& ledger,
                      const RoutingPolicy& policy);

}  // namespace orchestra::plan
