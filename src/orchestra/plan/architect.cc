#include "orchestra/plan/architect.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "orchestra/core/ascii.h"
#include "orchestra/core/text.h"
#include "orchestra/experts/adapters.h"

namespace orchestra::plan {
namespace {

std::string Join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

// The words of a field name, as a search would use them: "market_gaps" -> "market gap".
std::vector<std::string> FieldWords(std::string_view field) { return ContentWords(field); }

// `query` without the words whose stems are in `drop`.
std::string Without(const std::string& query, const std::set<std::string>& drop) {
  std::vector<std::string> kept;
  for (std::string& w : Words(query)) {
    if (!drop.contains(Stem(w))) kept.push_back(std::move(w));
  }
  return Join(kept);
}

// `query` plus the words of `fields` it does not already hold.
std::string With(const std::string& query, const std::vector<std::string>& fields) {
  std::set<std::string> have;
  for (const auto& w : Words(query)) have.insert(Stem(w));
  std::string out = query;
  for (const auto& f : fields) {
    for (const auto& w : FieldWords(f)) {
      if (have.insert(w).second) out += (out.empty() ? "" : " ") + w;
    }
  }
  return out;
}

// http(s) URLs in free text, trailing punctuation removed.
void CollectUrls(std::string_view text, std::vector<std::string>& out) {
  size_t pos = 0;
  while ((pos = text.find("http", pos)) != std::string_view::npos) {
    const std::string_view rest = text.substr(pos);
    if (!rest.starts_with("http://") && !rest.starts_with("https://")) {
      pos += 4;
      continue;
    }
    size_t end = 0;
    while (end < rest.size() &&
           !IsOneOf(rest.substr(end, 1), {" ", "\t", "\n", "\"", "'", "<", ">", ")", "]"})) {
      ++end;
    }
    std::string url(rest.substr(0, end));
    while (!url.empty() &&
           IsOneOf(std::string_view(&url.back(), 1), {".", ",", ";", ":", "!", "?"})) {
      url.pop_back();
    }
    if (url.size() > 8 && std::find(out.begin(), out.end(), url) == out.end()) {
      out.push_back(url);
    }
    pos += std::max<size_t>(end, 4);
  }
}

// `text` with every URL replaced by the name it gives (UrlName).
std::string NameUrls(std::string_view text) {
  std::vector<std::string> urls;
  CollectUrls(text, urls);
  std::string out(text);
  for (const std::string& url : urls) {
    for (size_t at = out.find(url); at != std::string::npos; at = out.find(url, at)) {
      const std::string name = UrlName(url);
      out.replace(at, url.size(), name);
      at += name.size();
    }
  }
  return out;
}

// The hints' text: string values and strings in lists, one level of nesting.
void HintText(const Json& hints, std::string& text, std::vector<std::string>& urls) {
  auto add = [&](const Json& v) {
    if (!v.is_string()) return;
    const std::string_view s = v.get_string();
    CollectUrls(s, urls);
    if (s.starts_with("http://") || s.starts_with("https://")) return;
    text += (text.empty() ? "" : " ") + std::string(s);
  };
  if (!hints.is_object()) return;
  for (const auto& kv : hints.get_object()) {
    if (kv.value().is_array()) {
      for (const Json& item : kv.value().get_array()) add(item);
    } else {
      add(kv.value());
    }
  }
}

bool Offered(const ledger::Snapshot& ledger, std::string_view capability) {
  return !ledger.WithCapability(capability).empty();
}

Task SearchTask(const Brief& brief, int step, std::string name, std::string query, Purpose purpose,
                std::string target, std::string item = "") {
  Task t;
  t.step = step;
  t.name = std::move(name);
  t.capability = brief.search_capability;
  t.query = experts::SearchRequest(query, kDiscoveryResults, brief.search_type);
  t.purpose = purpose;
  t.target = std::move(target);
  t.item = std::move(item);
  return t;
}

Task ReadTask(int step, std::string name, std::vector<std::string> urls,
              const std::vector<std::string>& fields, Purpose purpose, std::string target,
              std::vector<int> depends_on) {
  Task t;
  t.step = step;
  t.name = std::move(name);
  t.capability = "web_scraping";
  t.item = urls.size() == 1 ? urls.front() : "";
  t.query = experts::ScrapeRequest(urls, fields);
  t.purpose = purpose;
  t.target = std::move(target);
  t.depends_on = std::move(depends_on);
  return t;
}

std::vector<std::string> ItemFieldNames(const ListTarget& target) {
  std::vector<std::string> out;
  for (const auto& f : target.item_fields) {
    if (f.role != FieldRole::kUrl) out.push_back(f.name);
  }
  return out;
}

std::vector<std::string> SubjectFields(const SchemaNeeds& needs) {
  std::vector<std::string> out;
  for (const auto& f : needs.root_fields) {
    if (f.role == FieldRole::kName || f.role == FieldRole::kDetail || f.role == FieldRole::kDate) {
      out.push_back(f.name);
    }
  }
  return out;
}

// The target the pages the objective names by URL fill: the one thing the schema describes
// when a single URL names it (a root object field, else the root's own fields), the primary
// list when several URLs name its items.
std::string UrlTarget(const Brief& brief) {
  const SchemaNeeds& needs = brief.needs;
  if (brief.urls.size() == 1) {
    for (const ListTarget& list : needs.lists) {
      if (list.single) return list.field;
    }
    if (!SubjectFields(needs).empty() || !needs.primary()) return "";
  }
  return needs.primary() ? needs.primary()->field : "";
}

// "competitors" -> "competitor": task names read as one item of the list.
std::string Singular(const std::string& field) {
  const auto words = ContentWords(field);
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : "_") + w;
  return out.empty() ? "item" : out;
}

}  // namespace

// What a URL names, as a word of the topic: its last path segment that is not a page of a
// site ("github.com/stedolan/jq" -> "jq"), else the host's name ("https://mosquitto.org/" and
// "zstd.example.org/docs/" -> "mosquitto", "zstd"). Scheme, "www" and the top-level domain
// say nothing of the topic.
std::string UrlName(std::string_view url) {
  url.remove_prefix(url.find("://") + 3);
  url = url.substr(0, url.find_first_of("?#"));
  std::vector<std::string_view> segments;
  for (size_t pos = 0; pos <= url.size();) {
    const size_t slash = std::min(url.find('/', pos), url.size());
    if (slash > pos) segments.push_back(url.substr(pos, slash - pos));
    pos = slash + 1;
  }
  if (segments.empty()) return "";
  for (size_t i = segments.size(); i-- > 1;) {
    const std::string_view segment = segments[i];
    if (segment.find('.') != std::string_view::npos) continue;  // index.html, README.md
    std::string lower(segment);
    std::transform(lower.begin(), lower.end(), lower.begin(), AsciiLower);
    if (IsOneOf(lower, {"docs", "doc", "documentation", "about", "pricing", "blog", "home", "en",
                        "wiki", "download", "downloads", "features", "latest", "index"})) {
      continue;
    }
    return std::string(segment);
  }
  std::string_view host = segments.front().substr(0, segments.front().find(':'));
  if (host.starts_with("www.")) host.remove_prefix(4);
  return std::string(host.substr(0, host.find('.')));
}

std::vector<std::string> PhrasesOf(std::string_view objective) {
  std::vector<std::string> phrases;
  std::string run;
  auto end_run = [&] {
    if (!run.empty()) phrases.push_back(std::move(run));
    run.clear();
  };
  size_t pos = 0;
  while (pos < objective.size()) {
    const size_t space = objective.find_first_of(" \t\n", pos);
    std::string_view token = objective.substr(
        pos, space == std::string_view::npos ? std::string_view::npos : space - pos);
    pos = space == std::string_view::npos ? objective.size() : space + 1;
    // Punctuation at a token's edge ends the run there ("telemetry," "Git?" "(see").
    bool opens = false;
    while (!token.empty() && IsOneOf(token.substr(0, 1), {"(", "[", "\"", "'"})) {
      token.remove_prefix(1);
      opens = true;
    }
    bool closes = false;
    while (!token.empty() && IsOneOf(token.substr(token.size() - 1),
                                     {",", ";", ":", "?", "!", ".", ")", "]", "\"", "'"})) {
      token.remove_suffix(1);
      closes = true;
    }
    if (opens) end_run();
    std::string named;
    if (token.starts_with("http://") || token.starts_with("https://")) {
      named = UrlName(token);
      token = named;
    }
    bool content = false;
    for (const auto& w : Words(token)) {
      content = content || (!IsStopWord(w) && !IsInstructionWord(w));
    }
    if (!content) {
      end_run();
      continue;
    }
    run += (run.empty() ? "" : " ") + std::string(token);
    if (closes) end_run();
  }
  end_run();
  return phrases;
}

bool ItemKind::Admits(std::string_view text) const {
  if (phrase.empty()) return false;
  const std::vector<bool> in = phrase.TermsIn(text);
  return in[head] && (!modifier || in[*modifier]) && phrase.Score(in) >= 0.5;
}

namespace {

// `phrase` headed by its term `head`; in a compound, the specific word before the head is the
// modifier ("speech engine": an engine of another kind is not one).
ItemKind Headed(Topic phrase, size_t head, bool compound) {
  ItemKind kind;
  kind.head = head;
  if (compound && head > 0 && phrase.terms()[head - 1].weight >= 1.0) kind.modifier = head - 1;
  kind.phrase = std::move(phrase);
  return kind;
}

}  // namespace

ItemKind KindOf(const Brief& brief, const ListTarget& list) {
  const std::vector<std::string> words = ContentWords(list.field);
  if (words.empty()) return {};
  for (const std::string& run : PhrasesOf(brief.objective)) {
    Topic phrase = Topic::FromObjective(run);
    const auto& terms = phrase.terms();
    auto named = std::find_if(terms.begin(), terms.end(), [&](const Topic::Term& t) {
      return WordsMatch(t.word, words.back());
    });
    if (named == terms.end()) continue;
    // The head: the name when specific (then a compound), else the last specific word before it.
    for (auto it = named + 1; it != terms.begin(); --it) {
      if ((it - 1)->weight < 1.0) continue;
      // Both before `phrase` is moved: `terms` refers into it.
      const bool is_name = it - 1 == named;
      const auto head = static_cast<size_t>(it - 1 - terms.begin());
      return Headed(std::move(phrase), head, is_name);
    }
    return {};
  }
  return {};
}

ItemKind KindOfText(std::string_view description) {
  // A description says first what its thing is ("an open-source decentralized compute
  // marketplace that matches ..."): the first phrase of two specific words or more, else the
  // first of one.
  ItemKind best;
  size_t best_specific = 0;
  for (const std::string& run : PhrasesOf(description)) {
    Topic phrase = Topic::FromObjective(run);
    size_t specific = 0, last = 0;
    for (size_t t = 0; t < phrase.terms().size(); ++t) {
      if (phrase.terms()[t].weight >= 1.0) {
        ++specific;
        last = t;
      }
    }
    if (specific <= best_specific) continue;
    best_specific = specific;
    best = Headed(std::move(phrase), last, true);
    if (best_specific >= 2) break;
  }
  return best;
}

Brief MakeBrief(std::string_view objective, const Json& hints, const schema::Schema& target,
                const ledger::Snapshot& ledger) {
  Brief brief;
  brief.objective = std::string(objective);
  std::string hint_text;
  CollectUrls(objective, brief.urls);
  HintText(hints, hint_text, brief.urls);
  brief.topic = Topic::FromObjective(NameUrls(objective), hint_text);
  brief.named = NamedEntities(objective);
  for (const std::string& name : brief.named) brief.topic.AddNamed(name);
  brief.needs = AnalyzeSchema(target);
  for (const ListTarget& list : brief.needs.lists) {
    if (list.single) continue;
    if (ItemKind kind = KindOf(brief, list); !kind.empty())
      brief.kinds[list.field] = std::move(kind);
  }
  if (brief.urls.size() == 1) brief.subject = UrlName(brief.urls.front());
  bool news = false, social = false;
  for (const auto& w : Words(objective)) {
    news = news || IsOneOf(w, {"news", "recent", "recently", "latest", "funding", "raised",
                               "raises", "announced", "announcement", "headlines", "this", "week"});
    social = social || IsOneOf(w, {"social", "twitter", "tweets", "reddit", "sentiment"});
  }
  if (social && Offered(ledger, "social_search")) {
    brief.search_capability = "social_search";
    brief.search_type = "social";
  } else if (news && Offered(ledger, "news_search")) {
    brief.search_capability = "news_search";
    brief.search_type = "news";
  }
  return brief;
}

std::vector<Task> DiscoveryWave(const Brief& brief, int first_step) {
  std::vector<Task> wave;
  int step = first_step;
  const SchemaNeeds& needs = brief.needs;
  const std::string& topic = brief.topic.query();
  // Words naming the other lists: the primary search leaves them out, theirs add them.
  std::set<std::string> other_words;
  for (size_t i = 1; i < needs.lists.size(); ++i) {
    for (const auto& w : FieldWords(needs.lists[i].field)) other_words.insert(w);
  }
  const std::string url_target = brief.urls.empty() ? "-" : UrlTarget(brief);
  for (size_t i = 0; i < needs.lists.size(); ++i) {
    const ListTarget& list = needs.lists[i];
    if (list.single && list.field == url_target) continue;  // its page is named: read below
    // Things compared with a subject named by URL: searched for once its page says what it is.
    if (list.relative && !brief.subject.empty()) continue;
    std::string query;
    if (i == 0 && !list.single) {
      // Generic words ("open source", "tool") would rank any package that says them.
      query = Without(brief.topic.SpecificQuery(), other_words);
      if (query.empty()) query = topic;
    } else {
      query = With(topic, {list.field}) + " analysis";
    }
    wave.push_back(
        SearchTask(brief, step++, "discover_" + list.field, query, Purpose::kDiscover, list.field));
  }
  const std::vector<std::string> facts = needs.RootDetailFields();
  const bool only_words = needs.lists.empty() && facts.empty() && !needs.root_fields.empty();
  if (!facts.empty()) {
    const std::string query = needs.lists.empty() ? topic : With(topic, facts);
    wave.push_back(SearchTask(brief, step++, "discover_subject", query, Purpose::kDiscover, ""));
  } else if (only_words) {
    wave.push_back(SearchTask(brief, step++, "discover_topic", topic, Purpose::kDiscover, ""));
  }
  if (!brief.urls.empty()) {
    std::vector<std::string> fields;
    for (const ListTarget& list : needs.lists) {
      if (list.field == url_target) fields = ItemFieldNames(list);
    }
    if (url_target.empty()) fields = SubjectFields(needs);
    if (fields.empty()) fields = {"title", "text"};
    wave.push_back(
        ReadTask(step++, "read_named_urls", brief.urls, fields, Purpose::kDetail, url_target, {}));
  }
  return wave;
}

std::vector<Task> DetailTasks(const Brief& brief, const ListTarget& target,
                              const std::vector<Candidate>& candidates, int first_step) {
  (void)brief;
  std::vector<Task> wave;
  if (!target.NeedsDetail()) return wave;
  const std::vector<std::string> fields = ItemFieldNames(target);
  int step = first_step;
  for (size_t i = 0; i < candidates.size(); ++i) {
    wave.push_back(ReadTask(step++, fmt::format("read_{}_{}", Singular(target.field), i + 1),
                            {candidates[i].url}, fields, Purpose::kDetail, target.field,
                            {candidates[i].found_by}));
  }
  return wave;
}

std::vector<Task> SubjectTasks(const Brief& brief, const std::vector<Candidate>& candidates,
                               int first_step) {
  std::vector<Task> wave;
  const std::vector<std::string> fields = SubjectFields(brief.needs);
  if (fields.empty()) return wave;
  int step = first_step;
  for (size_t i = 0; i < candidates.size(); ++i) {
    wave.push_back(ReadTask(step++, fmt::format("read_subject_{}", i + 1), {candidates[i].url},
                            fields, Purpose::kDetail, "", {candidates[i].found_by}));
  }
  return wave;
}

std::vector<Task> FollowUpTasks(const Brief& brief, const std::vector<Gap>& gaps,
                                const std::vector<int>& depends_on, int first_step,
                                size_t max_tasks) {
  std::vector<Task> wave;
  int step = first_step;
  for (const Gap& gap : gaps) {
    if (wave.size() >= max_tasks) break;
    const int n = static_cast<int>(wave.size()) + 1;
    std::vector<int> deps = depends_on;
    if (gap.failed_read > 0 && !gap.item_url.empty()) {
      const ListTarget* list = nullptr;
      for (const auto& l : brief.needs.lists) {
        if (l.field == gap.target) list = &l;
      }
      const std::vector<std::string> fields =
          list ? ItemFieldNames(*list) : SubjectFields(brief.needs);
      Task t = ReadTask(step++, fmt::format("reread_{}", n), {gap.item_url}, fields,
                        Purpose::kFollowUp, gap.target, {gap.failed_read});
      wave.push_back(std::move(t));
      continue;
    }
    const std::string base = gap.item_name.empty() ? brief.topic.query() : gap.item_name;
    Task t = SearchTask(brief, step++, fmt::format("find_missing_{}", n), With(base, gap.fields),
                        Purpose::kFollowUp, gap.target, gap.item_name);
    t.depends_on = std::move(deps);
    wave.push_back(std::move(t));
  }
  return wave;
}

std::vector<std::string> NamedEntities(std::string_view objective) {
  struct Token {
    std::string text;
    bool comma = false;  // followed by a comma
    bool stop = false;   // followed by the end of a sentence
  };
  std::vector<Token> tokens;
  for (std::string_view rest = objective; !rest.empty();) {
    const size_t space = rest.find_first_of(" \t\n");
    std::string word(rest.substr(0, space));
    rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
    Token t;
    while (!word.empty() &&
           IsOneOf(word.substr(word.size() - 1), {",", ".", ";", ":", "!", "?", ")"})) {
      t.comma = t.comma || word.back() == ',';
      t.stop = t.stop || word.back() != ',';
      word.pop_back();
    }
    while (!word.empty() && word.front() == '(') word.erase(0, 1);
    if (word.empty()) continue;
    t.text = std::move(word);
    tokens.push_back(std::move(t));
  }
  auto is_name_word = [](const std::string& w) {
    const std::string lower = Words(w).empty() ? "" : Words(w).front();
    return !w.empty() && std::isupper(static_cast<unsigned char>(w.front())) &&
           !IsStopWord(lower) && !IsInstructionWord(lower);
  };
  std::vector<std::string> out;
  std::vector<std::string> run;  // names of the enumeration being read
  auto close = [&] {
    if (run.size() >= 2) {
      for (auto& n : run) {
        if (std::find(out.begin(), out.end(), n) == out.end()) out.push_back(std::move(n));
      }
    }
    run.clear();
  };
  size_t i = 0;
  while (i < tokens.size()) {
    if (!is_name_word(tokens[i].text)) {
      close();
      ++i;
      continue;
    }
    std::string name = tokens[i].text;
    size_t j = i + 1;
    while (j < tokens.size() && j - i < 3 && !tokens[j - 1].comma && !tokens[j - 1].stop &&
           is_name_word(tokens[j].text)) {
      name += " " + tokens[j].text;
      ++j;
    }
    run.push_back(std::move(name));
    const Token& last = tokens[j - 1];
    if (last.stop) {
      close();
    } else if (last.comma) {
      if (j < tokens.size() && IsOneOf(tokens[j].text, {"and", "or"})) ++j;
    } else if (j < tokens.size() && IsOneOf(tokens[j].text, {"and", "or"})) {
      ++j;
    } else {
      close();
    }
    i = j;
  }
  close();
  return out;
}

Task FindNamed(const Brief& brief, const std::string& name, int step) {
  std::set<std::string> in_names;
  for (const auto& n : brief.named) {
    for (const auto& w : Words(n)) in_names.insert(Stem(w));
  }
  std::string query = name;
  int added = 0;
  for (const auto& term : brief.topic.terms()) {
    if (term.weight < 1.0 || in_names.contains(term.word) || added == 3) continue;
    query += " " + term.word;
    ++added;
  }
  const std::string target = brief.needs.primary() ? brief.needs.primary()->field : "";
  return SearchTask(brief, step, "find_named", query, Purpose::kFollowUp, target, name);
}

Task RelativeDiscovery(const Brief& brief, const ListTarget& list, const ItemKind& kind,
                       int depends_on, int step) {
  Task t = SearchTask(brief, step, "discover_" + list.field,
                      kind.empty() ? brief.topic.SpecificQuery() : kind.phrase.SpecificQuery(),
                      Purpose::kDiscover, list.field);
  if (depends_on > 0) t.depends_on = {depends_on};
  return t;
}

Task RetryDiscovery(const Brief& brief, const Task& empty, int step) {
  // The kind the objective names, on its own ("text editor"), else every word of the topic.
  std::string query = brief.topic.query();
  if (auto kind = brief.kinds.find(empty.target); kind != brief.kinds.end()) {
    query = kind->second.phrase.query();
  }
  Task t = SearchTask(brief, step, empty.name + "_again", query, Purpose::kFollowUp, empty.target);
  t.depends_on = {empty.step};
  return t;
}

Task SynthesisTask(const Brief& brief, const schema::Schema& target, const JsonArray& context,
                   const std::vector<std::string>& incomplete_lists, std::vector<int> depends_on,
                   int step) {
  std::vector<std::string> fields;
  for (const auto& f : brief.needs.root_fields) {
    if (f.role == FieldRole::kJudgement || f.role == FieldRole::kSummary) fields.push_back(f.name);
  }
  for (const auto& list : incomplete_lists) fields.push_back(list);
  // The target's root reduced to those fields ($defs kept for their references).
  Json schema = target.json_schema();
  if (schema.is_object() && JsonFind(schema, "properties")) {
    JsonObject& root = schema.as_object();
    JsonObject props;
    for (const auto& kv : root["properties"].as_object()) {
      if (std::find(fields.begin(), fields.end(), kv.key()) != fields.end()) {
        props[kv.key()] = kv.value();
      }
    }
    JsonArray required;
    if (const Json* r = JsonFind(schema, "required"); r && r->is_array()) {
      for (const Json& name : r->get_array()) {
        if (name.is_string() && props.contains(name.get_string())) required.push_back(name);
      }
    }
    root["properties"] = std::move(props);
    root["required"] = std::move(required);
  }
  std::string wanted;
  for (const auto& f : fields) wanted += (wanted.empty() ? "" : ", ") + f;
  const std::string user = experts::ContextPrompt(
      brief.objective,
      fmt::format("Fill {} from the context only. Leave out what the context does not support.",
                  wanted.empty() ? std::string("the schema") : wanted),
      context);
  Task t;
  t.step = step;
  t.name = "synthesis";
  t.capability = "synthesis";
  t.purpose = Purpose::kSynthesize;
  t.depends_on = std::move(depends_on);
  t.query = experts::ChatRequest(
      "orchestra-synthesis",
      "You are the synthesis expert of a research pipeline. Answer with JSON matching the "
      "schema, using only facts from the context; leave out what the context does not support.",
      user, schema, 2048);
  return t;
}

PlanEstimate Estimate(const Brief& brief, const ledger::Snapshot& ledger,
                      const RoutingPolicy& policy) {
  PlanEstimate e;
  auto cheapest = [&](std::string_view capability) -> const ledger::LedgerEntry* {
    const ledger::LedgerEntry* best = nullptr;
    for (const auto* entry : ledger.WithCapability(capability)) {
      if (!best || ExpectedPrice(*entry, policy) < ExpectedPrice(*best, policy)) best = entry;
    }
    return best;
  };
  auto add = [&](std::string_view capability, int calls) -> double {
    const ledger::LedgerEntry* entry = cheapest(capability);
    if (!entry || calls <= 0) return 0;
    e.calls += calls;
    e.cost += calls * entry->cost_per_query;
    return entry->p95_latency_ms;
  };
  const std::vector<Task> discovery = DiscoveryWave(brief, 1);
  int searches = 0, reads = 0;
  for (const auto& t : discovery) (t.capability == "web_scraping" ? reads : searches)++;
  e.time_ms += add(brief.search_capability, searches);
  add("web_scraping", reads);
  // Relative lists of a subject named by URL are searched for once its page is read.
  int relative = 0;
  for (const auto& list : brief.needs.lists) relative += list.relative && !brief.subject.empty();
  e.time_ms += add(brief.search_capability, relative);
  int details = 0;
  for (const auto& list : brief.needs.lists) {
    if (!list.NeedsDetail()) continue;
    size_t items =
        list.single ? 1 : (&list == brief.needs.primary() ? kPrimaryItems : kSecondaryItems);
    if (list.max_items) items = std::min<size_t>(items, *list.max_items);
    details += static_cast<int>(items);
  }
  if (!brief.needs.RootDetailFields().empty()) details += 2;
  e.time_ms += add("web_scraping", details);
  if (brief.needs.NeedsJudgement()) e.time_ms += add("synthesis", 1);
  return e;
}

}  // namespace orchestra::plan
