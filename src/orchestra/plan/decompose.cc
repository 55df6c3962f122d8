#include "orchestra/plan/decompose.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <set>

namespace orchestra::plan {
namespace {

// Words that say what to do, not what about.
const std::set<std::string>& NonTopicWords() {
  static const std::set<std::string> words = {
      "a",         "an",       "and",     "any",       "are",      "as",       "at",
      "be",        "by",       "can",     "could",     "compare",  "describe", "determine",
      "do",        "explain",  "find",    "fill",      "for",      "from",     "give",
      "how",       "identify", "in",      "into",      "is",       "it",       "its",
      "list",      "me",       "new",     "of",        "on",       "or",       "our",
      "please",    "product",  "provide", "recommend", "research", "should",   "summarize",
      "summarise", "that",     "the",     "their",     "them",     "these",    "this",
      "to",        "us",       "we",      "what",      "which",    "with",     "would",
      "you",       "your"};
  return words;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

const Json* Resolve(const Json& root, const Json* node) {
  // Follows local "$ref": "#/$defs/Name" links (bounded, so cycles cannot hang).
  for (int hops = 0; node && hops < 16; ++hops) {
    const Json* ref = JsonFind(*node, "$ref");
    if (!ref || !ref->is_string()) return node;
    std::string_view target = ref->get_string();
    constexpr std::string_view kPrefix = "#/$defs/";
    if (target.substr(0, kPrefix.size()) != kPrefix) return nullptr;
    const Json* defs = JsonFind(root, "$defs");
    node = defs ? JsonFind(*defs, target.substr(kPrefix.size())) : nullptr;
  }
  return node;
}

JsonArray Links(const Json& search_output, size_t limit) {
  JsonArray urls;
  std::set<std::string> seen;
  const Json* results = JsonFind(search_output, "results");
  if (!results || !results->is_array()) return urls;
  for (const Json& r : results->get_array()) {
    std::string link = JsonString(r, "link");
    if (link.empty()) link = JsonString(r, "url");
    if (link.empty() || !seen.insert(link).second) continue;
    urls.emplace_back(link);
    if (urls.size() == limit) break;
  }
  return urls;
}

// Context items for the synthesis prompt: search results and scraped records, tagged with the
// step that produced them.
JsonArray ContextItems(const std::map<int, Json>& outputs) {
  JsonArray items;
  for (const auto& [step, output] : outputs) {
    if (const Json* results = JsonFind(output, "results"); results && results->is_array()) {
      for (const Json& r : results->get_array()) {
        items.push_back(JsonObject{{"step", step}, {"kind", "search_result"}, {"data", r}});
      }
    }
    if (const Json* data = JsonFind(output, "data"); data && data->is_array()) {
      for (const Json& r : data->get_array()) {
        items.push_back(JsonObject{{"step", step}, {"kind", "record"}, {"data", r}});
      }
    }
  }
  return items;
}

Json FieldOr(const Json& object, std::string_view key) {
  const Json* v = JsonFind(object, key);
  return v ? *v : Json(JsonObject{});
}

}  // namespace

std::string TopicQuery(std::string_view objective) {
  std::string out;
  std::string word;
  auto flush = [&] {
    // Trailing punctuation ends a word; inner dots stay ("Vast.ai").
    while (!word.empty() && (word.back() == '.' || word.back() == ',')) word.pop_back();
    if (!word.empty() && !NonTopicWords().contains(Lower(word))) {
      if (!out.empty()) out += ' ';
      out += word;
    }
    word.clear();
  };
  for (char c : objective) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' ||
        static_cast<unsigned char>(c) >= 0x80) {
      word += c;
    } else {
      flush();
    }
  }
  flush();
  return out;
}

static const Json* EntityItems(const Json& json_schema, std::string* name) {
  const Json* root = Resolve(json_schema, &json_schema);
  const Json* props = root ? JsonFind(*root, "properties") : nullptr;
  if (!props || !props->is_object()) return nullptr;
  for (const auto& kv : props->get_object()) {
    const Json* field = Resolve(json_schema, &kv.value());
    if (!field || JsonString(*field, "type") != "array") continue;
    const Json* items = JsonFind(*field, "items");
    items = items ? Resolve(json_schema, items) : nullptr;
    const Json* item_props = items ? JsonFind(*items, "properties") : nullptr;
    if (!item_props || !item_props->is_object()) continue;
    if (name) *name = std::string(kv.key());
    return item_props;
  }
  return nullptr;
}

// Lower-case words of the top-level property names other than `entity` (and of their nested
// property names): "market_gaps" → {"market", "gaps"}.
static std::set<std::string> OtherFieldWords(const Json& json_schema, const std::string& entity) {
  std::set<std::string> words;
  auto add_words = [&](std::string_view key) {
    std::string word;
    for (char c : std::string(key) + "_") {
      if (std::isalnum(static_cast<unsigned char>(c))) {
        word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      } else if (!word.empty()) {
        words.insert(word);
        word.clear();
      }
    }
  };
  const Json* root = Resolve(json_schema, &json_schema);
  const Json* props = root ? JsonFind(*root, "properties") : nullptr;
  if (!props || !props->is_object()) return words;
  for (const auto& kv : props->get_object()) {
    if (kv.key() == entity) continue;
    add_words(kv.key());
    const Json* field = Resolve(json_schema, &kv.value());
    const Json* nested = field ? JsonFind(*field, "properties") : nullptr;
    if (nested && nested->is_object()) {
      for (const auto& n : nested->get_object()) add_words(n.key());
    }
  }
  return words;
}

static std::string WithoutWords(const std::string& query, const std::set<std::string>& drop) {
  std::string out, word;
  for (char c : query + " ") {
    if (c != ' ') {
      word += c;
      continue;
    }
    if (!word.empty() && !drop.contains(Lower(word))) out += (out.empty() ? "" : " ") + word;
    word.clear();
  }
  return out;
}

std::vector<std::string> EntityFields(const Json& json_schema) {
  std::vector<std::string> fields;
  if (const Json* props = EntityItems(json_schema, nullptr)) {
    for (const auto& p : props->get_object()) fields.emplace_back(p.key());
  }
  return fields;
}

SearchQueries ResearchQueries(std::string_view objective, const Json& json_schema) {
  const std::string topic = TopicQuery(objective);
  std::string entity;
  EntityItems(json_schema, &entity);
  const std::set<std::string> other = OtherFieldWords(json_schema, entity);
  SearchQueries q;
  q.entity = WithoutWords(topic, other);
  if (q.entity.empty()) q.entity = topic;
  // The analysis search covers what the entity list does not: name those fields.
  std::string extra;
  for (const auto& w : other) {
    if (topic.find(w) == std::string::npos) extra += " " + w;
  }
  q.analysis = topic + extra + " analysis";
  return q;
}

TaskDag Decompose(std::string_view objective, const Json& json_schema) {
  const SearchQueries queries = ResearchQueries(objective, json_schema);
  std::vector<std::string> fields = EntityFields(json_schema);
  if (fields.empty()) fields = {"title", "text"};
  JsonArray extract;
  for (const auto& f : fields) extract.emplace_back(f);

  TaskDag dag;
  dag.tasks.push_back(Task{1,
                           "market_search",
                           "web_search",
                           {},
                           QueryKind::kFixed,
                           JsonObject{{"query", queries.entity},
                                      {"max_results", kMarketSearchResults},
                                      {"search_type", "web"}}});
  dag.tasks.push_back(Task{2,
                           "entity_scraping",
                           "web_scraping",
                           {1},
                           QueryKind::kScrapeResults,
                           JsonObject{{"extract_fields", std::move(extract)}}});
  dag.tasks.push_back(Task{3,
                           "analysis_search",
                           "web_search",
                           {1},
                           QueryKind::kSizedSearch,
                           JsonObject{{"query", queries.analysis},
                                      {"max_results", kAnalysisSearchResults},
                                      {"search_type", "news"}}});
  dag.tasks.push_back(Task{4,
                           "synthesis",
                           "synthesis",
                           {1, 2, 3},
                           QueryKind::kSynthesize,
                           JsonObject{{"json_schema", json_schema}}});
  return dag;
}

Result<Json> BuildQuery(const Task& task, const std::map<int, Json>& outputs,
                        std::string_view objective) {
  auto output_of = [&](int step) -> const Json* {
    auto it = outputs.find(step);
    return it == outputs.end() ? nullptr : &it->second;
  };
  switch (task.kind) {
    case QueryKind::kFixed:
      return task.query;
    case QueryKind::kSizedSearch: {
      Json query = task.query;
      // A thin market search means a narrow topic: widen the analysis search to compensate.
      const Json* market = task.depends_on.empty() ? nullptr : output_of(task.depends_on[0]);
      if (market && JsonInt(*market, "total_found", 0) < kMaxScrapedUrls) {
        query.as_object()["max_results"] = kMarketSearchResults;
      }
      return query;
    }
    case QueryKind::kScrapeResults: {
      const Json* search = task.depends_on.empty() ? nullptr : output_of(task.depends_on[0]);
      if (!search) {
        return Error(ErrorCode::kDependencyFailed,
                     fmt::format("{}: no output from step {}", task.name,
                                 task.depends_on.empty() ? 0 : task.depends_on[0]));
      }
      JsonArray urls = Links(*search, kMaxScrapedUrls);
      if (urls.empty()) {
        return Error(
            ErrorCode::kDependencyFailed,
            fmt::format("{}: step {} found no links to scrape", task.name, task.depends_on[0]));
      }
      Json query = JsonObject{{"urls", std::move(urls)},
                              {"extract_fields", FieldOr(task.query, "extract_fields")}};
      return query;
    }
    case QueryKind::kSynthesize: {
      std::map<int, Json> inputs;
      for (int d : task.depends_on) {
        if (const Json* o = output_of(d)) inputs.emplace(d, *o);
      }
      if (inputs.empty()) {
        return Error(ErrorCode::kDependencyFailed,
                     fmt::format("{}: every input step failed; nothing to synthesize", task.name));
      }
      const std::string prompt = fmt::format("Objective: {}\n\nContext (JSON):\n{}", objective,
                                             CompactJson(ContextItems(inputs)));
      JsonArray messages{
          JsonObject{{"role", "system"},
                     {"content",
                      "You are a synthesis expert. Fill the JSON schema using only facts from "
                      "the context; leave out what the context does not support."}},
          JsonObject{{"role", "user"}, {"content", prompt}}};
      return Json(JsonObject{
          {"model", "orchestra-synthesis"},
          {"messages", std::move(messages)},
          {"temperature", 0.0},
          {"max_tokens", 2048},
          {"response_format",
           JsonObject{{"type", "json_schema"},
                      {"json_schema", JsonObject{{"name", "target_schema"},
                                                 {"schema", FieldOr(task.query, "json_schema")},
                                                 {"strict", true}}}}}});
    }
  }
  return Error(ErrorCode::kInternal, "unknown query kind");
}

}  // namespace orchestra::plan
