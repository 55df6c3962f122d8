#include "orchestra/validator/challenge_generator.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "orchestra/core/ascii.h"
#include "orchestra/core/hash.h"
#include "orchestra/core/rng.h"
#include "orchestra/protocol/orchestra_synapse.h"
#include "orchestra/validator/figures.h"
#include "orchestra/validator/traps.h"

namespace orchestra::validator {
namespace {

constexpr size_t kMaxEntities = 12;
constexpr size_t kMaxFacts = 30;
constexpr size_t kMaxFactsPerDocument = 6;
constexpr size_t kExtraTopicTerms = 6;
constexpr size_t kMaxFactLength = 40;

const std::set<std::string, std::less<>>& StopWords() {
  static const std::set<std::string, std::less<>> words = {
      "a",     "an",    "and",   "are",   "as",    "at",    "be",    "by",   "for",   "from",
      "has",   "in",    "into",  "is",    "it",    "its",   "of",    "on",   "or",    "that",
      "the",   "their", "this",  "to",    "was",   "were",  "which", "with", "who",   "will",
      "can",   "more",  "most",  "also",  "than",  "other", "such",  "per",  "about", "after",
      "over",  "new",   "based", "while", "they",  "have",  "been",  "but",  "not",   "all",
      "up",    "out",   "one",   "two",   "any",   "each",  "our",   "we",   "you",   "your",
      "these", "those", "what",  "when",  "where", "how",   "some",  "use",  "used",  "using"};
  return words;
}

size_t Draw(Rng& rng, size_t n) { return static_cast<size_t>(rng.Next() % n); }

template <typename T>
void Shuffle(std::vector<T>& items, Rng& rng) {
  for (size_t i = items.size(); i > 1; --i) std::swap(items[i - 1], items[Draw(rng, i)]);
}

std::string Singular(std::string_view word) {
  if (word.size() > 3 && word.ends_with("ies"))
    return std::string(word.substr(0, word.size() - 3)) + "y";
  if (word.size() > 3 && word.ends_with('s') && !word.ends_with("ss")) {
    return std::string(word.substr(0, word.size() - 1));
  }
  return std::string(word);
}

bool WordMatches(std::string_view token, std::string_view word) {
  if (token == word) return true;
  if (Singular(token) == Singular(word)) return true;
  return word.size() >= 5 && token.starts_with(word);
}

void AppendStrings(const Json& value, std::string& out) {
  if (value.is_string()) {
    out += ' ';
    out += value.get_string();
  } else if (value.is_array()) {
    for (const Json& v : value.get_array()) AppendStrings(v, out);
  } else if (value.is_object()) {
    for (const auto& kv : value.get_object()) AppendStrings(kv.value(), out);
  }
}

std::string AllText(const Document& d) {
  std::string text = d.title + ' ' + d.snippet + ' ' + d.text;
  AppendStrings(d.fields, text);
  return text;
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = AsciiLower(c);
  return out;
}

void AddUnique(std::vector<std::string>& list, std::string value, size_t cap) {
  if (value.empty() || list.size() >= cap) return;
  const std::string lower = Lower(value);
  for (const std::string& v : list) {
    if (Lower(v) == lower) return;
  }
  list.push_back(std::move(value));
}

std::string NumberFact(double n);

// Short facts of one document: its money and percentage figures, then short string and
// number values of its structured fields ("Series B", "2024-05-26", "6600000000").
std::vector<std::string> FactsOf(const Document& d, std::string_view entity) {
  std::vector<std::string> facts;
  for (std::string& f : ExtractFigures(d.snippet + ' ' + d.text)) {
    AddUnique(facts, std::move(f), kMaxFactsPerDocument);
  }
  if (!d.fields.is_object()) return facts;
  for (const auto& kv : d.fields.get_object()) {
    // Page metadata (a package's version and archive section, ...) is no fact about the topic.
    static constexpr std::string_view kMetadata[] = {"version", "section", "kind", "source",
                                                     "topic",   "url",     "link"};
    if (std::find(std::begin(kMetadata), std::end(kMetadata), kv.key()) != std::end(kMetadata)) {
      continue;
    }
    const Json& v = kv.value();
    if (v.is_string()) {
      const std::string_view s = v.get_string();
      if (s.size() <= kMaxFactLength && !EqualsIgnoringAsciiCase(s, entity)) {
        AddUnique(facts, std::string(s), kMaxFactsPerDocument);
      }
    } else if (v.is_number()) {
      double n = 0;
      if (JsonNumber(v, &n)) AddUnique(facts, NumberFact(n), kMaxFactsPerDocument);
    } else if (v.is_object()) {  // {"h100_80gb_per_hour_usd": 2.69, ...}: the figures
      for (const auto& inner : v.get_object()) {
        double n = 0;
        if (JsonNumber(inner.value(), &n)) {
          AddUnique(facts, NumberFact(n), kMaxFactsPerDocument);
        }
      }
    }
  }
  return facts;
}

// A number as a page would write it: integers without a decimal point.
std::string NumberFact(double n) {
  if (std::abs(n) < 9e15 && n == static_cast<double>(static_cast<int64_t>(n))) {
    return std::to_string(static_cast<int64_t>(n));
  }
  return fmt::format("{}", n);
}

bool HasMoneyFigure(const Document& d) {
  for (const std::string& f : ExtractFigures(d.snippet + ' ' + d.text)) {
    if (f.starts_with('$')) return true;
  }
  return false;
}

// Frequent meaningful words of the documents' titles and snippets beyond the topic's own.
std::vector<std::string> FrequentTerms(const std::vector<Document>& documents,
                                       const std::vector<std::string>& exclude, size_t n) {
  std::map<std::string, int> counts;
  for (const Document& d : documents) {
    std::set<std::string> seen;
    for (std::string& w : Words(d.title + ' ' + d.snippet)) {
      if (w.size() < 4 || StopWords().contains(w) || std::isdigit(static_cast<unsigned char>(w[0])))
        continue;
      if (std::find(exclude.begin(), exclude.end(), w) != exclude.end()) continue;
      if (seen.insert(w).second) ++counts[w];
    }
  }
  std::vector<std::pair<std::string, int>> ranked(counts.begin(), counts.end());
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  std::vector<std::string> out;
  for (const auto& [word, count] : ranked) {
    if (out.size() == n || count < 2) break;
    out.push_back(word);
  }
  return out;
}

std::string Fill(std::string_view pattern, std::string_view topic, std::string_view entity) {
  std::string out(pattern);
  for (auto [key, value] :
       {std::pair<std::string_view, std::string_view>{"{topic}", topic}, {"{entity}", entity}}) {
    for (size_t at = out.find(key); at != std::string::npos; at = out.find(key, at + value.size()))
      out.replace(at, key.size(), value);
  }
  return out;
}

}  // namespace

std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> out;
  std::string word;
  for (char c : text) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (std::isalnum(u)) {
      word += AsciiLower(c);
    } else if (!word.empty()) {
      out.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) out.push_back(std::move(word));
  return out;
}

std::vector<std::string> TopicWords(std::string_view topic) {
  std::vector<std::string> out;
  for (std::string& w : Words(topic)) {
    if (!StopWords().contains(w)) out.push_back(std::move(w));
  }
  return out;
}

bool IsOnTopic(const Document& document, std::string_view topic) {
  const std::vector<std::string> wanted = TopicWords(topic);
  if (wanted.empty()) return false;
  const std::vector<std::string> tokens = Words(AllText(document));
  return std::all_of(wanted.begin(), wanted.end(), [&](const std::string& w) {
    return std::any_of(tokens.begin(), tokens.end(),
                       [&](const std::string& t) { return WordMatches(t, w); });
  });
}

std::string EntityOf(const Document& document) {
  for (std::string_view key : {"name", "company", "provider", "product", "organization"}) {
    const Json* v = JsonFind(document.fields, key);
    if (v && v->is_string() && !v->get_string().empty()) return std::string(v->get_string());
  }
  for (std::string_view separator : {" - ", " | ", ": ", " — "}) {
    const size_t at = document.title.find(separator);
    if (at == std::string::npos || at == 0) continue;
    std::string head = document.title.substr(0, at);
    if (Words(head).size() <= 4) return head;
  }
  return "";
}

Result<Route> CheapestRoute(const std::vector<std::string>& capabilities,
                            const std::vector<ledger::LedgerEntry>& ledger,
                            double min_reliability) {
  Route route;
  std::vector<double> finish;  // longest chain ending at each step
  for (const std::string& capability : capabilities) {
    const ledger::LedgerEntry* best = nullptr;
    for (const ledger::LedgerEntry& e : ledger) {
      if (!e.HasCapability(capability) || e.reliability < min_reliability) continue;
      if (!best || e.cost_per_query < best->cost_per_query ||
          (e.cost_per_query == best->cost_per_query &&
           (e.avg_latency_ms < best->avg_latency_ms ||
            (e.avg_latency_ms == best->avg_latency_ms && e.subnet_id < best->subnet_id)))) {
        best = &e;
      }
    }
    if (!best) {
      return Error(ErrorCode::kNotFound,
                   fmt::format("route: no subnet with capability {} and reliability >= {}",
                               capability, min_reliability));
    }
    RouteStep step{capability, best->subnet_id, best->cost_per_query, best->avg_latency_ms, {}};
    double start = 0;
    if (!route.steps.empty()) {
      step.depends_on.push_back(static_cast<int>(route.steps.size()) - 1);
      start = finish.back();
    }
    finish.push_back(start + step.latency_ms);
    route.cost += step.cost;
    route.steps.push_back(std::move(step));
  }
  route.critical_path_ms = finish.empty() ? 0 : *std::max_element(finish.begin(), finish.end());
  return route;
}

ChallengeGenerator::ChallengeGenerator(Retriever& retriever,
                                       std::vector<ledger::LedgerEntry> ledger,
                                       GeneratorOptions options)
    : retriever_(retriever), ledger_(std::move(ledger)), options_(std::move(options)) {
  if (options_.vocabulary.empty()) options_.vocabulary = DefaultTopicVocabulary();
  if (options_.max_deadline < options_.min_deadline) options_.max_deadline = options_.min_deadline;
}

std::string ChallengeGenerator::ChallengeIdFor(uint64_t sequence) const {
  if (options_.fresh_ids) return protocol::NewChallengeId(fmt::format("synthetic {}", sequence));
  return PrefixedHex(
      Blake2b256(fmt::format("orchestra/validator/challenge/{}/{}", options_.seed, sequence)));
}

boost::asio::awaitable<Result<GeneratedChallenge>> ChallengeGenerator::Next(Deadline deadline) {
  const uint64_t sequence = sequence_++;
  Rng rng(DeriveSeed(DeriveSeed(options_.seed, "next"), sequence));
  const std::string id = ChallengeIdFor(sequence);
  std::vector<const ChallengeTemplate*> templates;
  for (const ChallengeTemplate& t : ChallengeTemplates()) templates.push_back(&t);
  Shuffle(templates, rng);
  int attempts = 0;
  std::vector<std::string> tried;
  for (const ChallengeTemplate* t : templates) {
    std::vector<const TopicPhrase*> topics;
    for (const TopicPhrase& p : options_.vocabulary) {
      if (p.kinds & t->topic_kinds) topics.push_back(&p);
    }
    Shuffle(topics, rng);
    const uint64_t draw_seed = rng.Next();
    for (const TopicPhrase* topic : topics) {
      if (attempts >= options_.max_attempts) break;
      if (deadline.Expired()) co_return Error(ErrorCode::kDeadline, "challenge generation");
      ++attempts;
      auto built = co_await Build(*t, topic->phrase, id, draw_seed, deadline);
      if (built) co_return built;
      if (built.error().code != ErrorCode::kNotFound) co_return built.error();
      tried.push_back(fmt::format("{}/{}", t->name, topic->phrase));
    }
  }
  co_return Error(ErrorCode::kNotFound,
                  fmt::format("no topic known well enough after {} searches (last tried: {})",
                              attempts, tried.empty() ? "none" : tried.back()));
}

boost::asio::awaitable<Result<GeneratedChallenge>> ChallengeGenerator::Generate(
    std::string template_name, std::string topic, Deadline deadline) {
  const uint64_t sequence = sequence_++;
  for (const ChallengeTemplate& t : ChallengeTemplates()) {
    if (t.name != template_name) continue;
    co_return co_await Build(t, topic, ChallengeIdFor(sequence),
                             DeriveSeed(DeriveSeed(options_.seed, "generate"), sequence), deadline);
  }
  co_return Error(ErrorCode::kNotFound, fmt::format("template: unknown \"{}\"", template_name));
}

boost::asio::awaitable<Result<GeneratedChallenge>> ChallengeGenerator::Build(
    const ChallengeTemplate& t, const std::string& topic, const std::string& challenge_id,
    uint64_t draw_seed, Deadline deadline) {
  Rng rng(DeriveSeed(draw_seed, topic));
  retriever_.set_challenge_id(challenge_id);
  auto found = co_await retriever_.Search(topic, options_.search_results, deadline);
  if (!found) co_return found.error();
  std::vector<Document> documents;
  for (Document& d : *found) {
    if (IsOnTopic(d, topic)) documents.push_back(std::move(d));
  }
  if (static_cast<int>(documents.size()) < options_.min_documents) {
    co_return Error(ErrorCode::kNotFound,
                    fmt::format("topic \"{}\": {} of {} documents found are on topic, {} needed",
                                topic, documents.size(), found->size(), options_.min_documents));
  }

  // Read the pages in full: their structured fields name the entities and carry the figures.
  std::vector<std::string> urls;
  for (size_t i = 0; i < documents.size() && static_cast<int>(urls.size()) < options_.max_fetch;
       ++i) {
    urls.push_back(documents[i].url);
  }
  if (auto pages = co_await retriever_.Fetch(urls, deadline); pages) {
    for (Document& page : *pages) {
      for (Document& d : documents) {
        if (d.url != page.url) continue;
        if (d.title.empty()) d.title = page.title;
        if (d.snippet.empty()) d.snippet = page.snippet;
        d.text = std::move(page.text);
        d.fields = std::move(page.fields);
        break;
      }
    }
  } else {
    spdlog::warn("challenge {}: fetching {} pages about \"{}\" failed, keeping snippets: {}",
                 challenge_id, urls.size(), topic, pages.error().message);
  }
  if (t.needs_figures && std::none_of(documents.begin(), documents.end(), HasMoneyFigure)) {
    co_return Error(
        ErrorCode::kNotFound,
        fmt::format("topic \"{}\": no document carries a money figure for {}", topic, t.name));
  }

  std::string entity;
  std::vector<Document> about = documents;
  if (t.single_entity) {
    std::vector<std::string> candidates;
    for (const Document& d : documents) AddUnique(candidates, EntityOf(d), kMaxEntities);
    if (candidates.empty()) {
      co_return Error(ErrorCode::kNotFound,
                      fmt::format("topic \"{}\": no document names an entity", topic));
    }
    entity = candidates[Draw(rng, candidates.size())];
    const std::string lower = Lower(entity);
    std::erase_if(about, [&](const Document& d) {
      return Lower(AllText(d)).find(lower) == std::string::npos;
    });
  }

  GeneratedChallenge out;
  ChallengeReference& ref = out.reference;
  ref.template_name = t.name;
  ref.topic = topic;
  ref.capabilities = t.capabilities;
  if (!entity.empty()) ref.key.entities.push_back(entity);
  for (const Document& d : about) {
    if (entity.empty()) AddUnique(ref.key.entities, EntityOf(d), kMaxEntities);
    for (std::string& f : FactsOf(d, EntityOf(d)))
      AddUnique(ref.key.facts, std::move(f), kMaxFacts);
    ref.key.source_urls.push_back(d.url);
  }
  ref.key.topic_terms = TopicWords(topic);
  for (std::string& w : FrequentTerms(about, ref.key.topic_terms, kExtraTopicTerms)) {
    ref.key.topic_terms.push_back(std::move(w));
  }
  auto route = CheapestRoute(t.capabilities, ledger_, options_.min_reliability);
  if (!route) co_return route.error();
  ref.route = std::move(*route);

  const std::string& objective = t.objectives[Draw(rng, t.objectives.size())];
  out.challenge.challenge_id = challenge_id;
  out.challenge.objective = Fill(objective, topic, entity);
  out.challenge.target_schema = t.schemas[Draw(rng, t.schemas.size())];
  const int64_t min_s = options_.min_deadline.count() / 1000;
  const int64_t max_s = std::max(min_s, options_.max_deadline.count() / 1000);
  out.challenge.deadline_ms =
      1000 * (min_s + static_cast<int64_t>(Draw(rng, static_cast<size_t>(max_s - min_s + 1))));

  // Drawn whether used or not, so that trap rates do not shift the other draws.
  const double schema_draw = rng.Uniform();
  const double logic_draw = rng.Uniform();
  if (schema_draw < options_.schema_trap_rate) {
    ref.schema_trap = PlanSchemaTrap(ref.route, ledger_, rng);
  }
  if (t.needs_figures && logic_draw < options_.logic_trap_rate) {
    // The longest topic word is the one a miner's query most surely contains.
    std::string match = ref.key.topic_terms.front();
    for (const std::string& w : TopicWords(topic)) {
      if (w.size() > match.size()) match = w;
    }
    ref.logic_trap = PlanLogicTrap(about, match, ledger_, options_.min_reliability, rng);
  }
  co_return out;
}

}  // namespace orchestra::validator
