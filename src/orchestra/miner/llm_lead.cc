#include "orchestra/miner/llm_lead.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <set>

#include "orchestra/core/text.h"
#include "orchestra/experts/adapters.h"
#include "orchestra/plan/task_dag.h"

namespace orchestra::miner {
namespace {

using std::chrono::milliseconds;

constexpr size_t kMaxQueryChars = 256;

Error Invalid(std::string message) {
  return Error(ErrorCode::kInvalidArgument, std::move(message));
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() &&
         (s.front() == ' ' || s.front() == '\n' || s.front() == '\t' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\n' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// Local models often wrap a JSON answer in a Markdown code fence.
std::string_view WithoutFence(std::string_view text) {
  text = Trim(text);
  if (!text.starts_with("```")) return text;
  const size_t line = text.find('\n');
  if (line == std::string_view::npos) return text;
  text.remove_prefix(line + 1);
  text = Trim(text);
  if (text.ends_with("```")) text.remove_suffix(3);
  return Trim(text);
}

std::string SearchTypeOf(std::string_view capability) {
  if (capability == "news_search") return "news";
  if (capability == "social_search") return "social";
  return "web";
}

std::string OfferedSearches(const ledger::Snapshot& ledger) {
  std::string offered;
  for (const char* c : {"web_search", "news_search", "social_search"}) {
    if (!ledger.WithCapability(c).empty())
      offered += (offered.empty() ? "" : ", ") + std::string(c);
  }
  return offered;
}

const Json kPlanSchema = *ParseJson(R"({
  "type": "object",
  "properties": {"searches": {"type": "array", "minItems": 1, "items": {
    "type": "object",
    "properties": {"query": {"type": "string"}, "capability": {"type": "string"},
                   "target": {"type": "string"}},
    "required": ["query", "capability"]}}},
  "required": ["searches"]})");

const Json kRelevanceSchema = *ParseJson(R"({
  "type": "object",
  "properties": {"relevant": {"type": "array", "items": {
    "type": "object", "properties": {"url": {"type": "string"}}, "required": ["url"]}}},
  "required": ["relevant"]})");

// The first empty string in `value`, as a JSON path; "" when none.
std::string EmptyStringAt(const Json& value, const std::string& path) {
  if (value.is_string()) return Trim(value.get_string()).empty() ? path : "";
  if (value.is_array()) {
    const auto& a = value.get_array();
    for (size_t i = 0; i < a.size(); ++i) {
      if (auto at = EmptyStringAt(a[i], fmt::format("{}[{}]", path, i)); !at.empty()) return at;
    }
  }
  if (value.is_object()) {
    for (const auto& kv : value.get_object()) {
      if (auto at = EmptyStringAt(kv.value(), path + "." + std::string(kv.key())); !at.empty())
        return at;
    }
  }
  return "";
}

}  // namespace

const char* LlmRoleName(LlmRole role) {
  switch (role) {
    case LlmRole::kPlanner:
      return "planner";
    case LlmRole::kJudge:
      return "relevance judge";
    case LlmRole::kSynthesizer:
      return "synthesizer";
  }
  return "?";
}

Result<std::vector<plan::Task>> ReadPlan(const Json& answer, const plan::Brief& brief,
                                         const ledger::Snapshot& ledger,
                                         const std::vector<plan::Task>& built_in, size_t extra) {
  const Json* searches = answer.is_object() ? JsonFind(answer, "searches") : nullptr;
  if (!searches || !searches->is_array() || searches->get_array().empty()) {
    return Invalid("the plan is not {\"searches\": [...]} with at least one search");
  }
  std::set<std::string> lists;
  for (const auto& list : brief.needs.lists) lists.insert(list.field);
  // Targets the built-in wave searches for, with the name of their first search.
  std::map<std::string, std::string> covered_by_built_in;
  size_t built_in_searches = 0;
  for (const auto& t : built_in) {
    if (experts::FamilyOf(t.capability) != experts::Family::kSearch) continue;
    ++built_in_searches;
    covered_by_built_in.emplace(t.target, t.name);
  }
  const auto& items = searches->get_array();
  if (items.size() > built_in_searches + extra) {
    return Invalid(fmt::format("{} searches, more than the built-in plan's {} + {}", items.size(),
                               built_in_searches, extra));
  }
  const int first_step = built_in.empty() ? 1 : built_in.front().step;
  std::vector<plan::Task> wave;
  std::map<std::string, int> per_target;
  for (size_t i = 0; i < items.size(); ++i) {
    const Json& s = items[i];
    const std::string where = fmt::format("search {}", i + 1);
    if (!s.is_object()) return Invalid(where + ": not an object");
    const std::string capability = JsonString(s, "capability");
    if (experts::FamilyOf(capability) != experts::Family::kSearch ||
        ledger.WithCapability(capability).empty()) {
      return Invalid(fmt::format("{}: capability '{}' is not a search the ledger offers ({})",
                                 where, capability, OfferedSearches(ledger)));
    }
    const std::string query(Trim(JsonString(s, "query")));
    if (query.empty()) return Invalid(where + ": empty query");
    if (query.size() > kMaxQueryChars) {
      return Invalid(fmt::format("{}: query of {} characters (at most {})", where, query.size(),
                                 kMaxQueryChars));
    }
    const std::string target = JsonString(s, "target");
    if (!target.empty() && !lists.contains(target)) {
      return Invalid(
          fmt::format("{}: target '{}' is not a list of the target schema", where, target));
    }
    if (target.empty() && !covered_by_built_in.contains("")) {
      return Invalid(where + ": no target, and the schema needs no search for the subject");
    }
    const int n = ++per_target[target];
    std::string name =
        covered_by_built_in.contains(target) ? covered_by_built_in[target] : "discover_" + target;
    if (n > 1) name += fmt::format("_{}", n);
    plan::Task t;
    t.name = std::move(name);
    t.capability = capability;
    t.query = experts::SearchRequest(query, plan::kDiscoveryResults, SearchTypeOf(capability));
    t.purpose = plan::Purpose::kDiscover;
    t.target = target;
    wave.push_back(std::move(t));
  }
  for (const auto& [target, name] : covered_by_built_in) {
    if (!per_target.contains(target)) {
      return Invalid(target.empty() ? std::string("no search covers the objective's subject")
                                    : fmt::format("list target '{}' is not covered", target));
    }
  }
  for (const auto& t : built_in) {
    if (experts::FamilyOf(t.capability) != experts::Family::kSearch) wave.push_back(t);
  }
  for (size_t i = 0; i < wave.size(); ++i) wave[i].step = first_step + static_cast<int>(i);
  plan::TaskDag dag{wave};
  if (auto valid = dag.Validate(); !valid) return Invalid("the plan: " + valid.error().message);
  return wave;
}

Result<std::vector<std::string>> ReadRelevant(const Json& answer,
                                              const std::vector<std::string>& shown) {
  const Json* relevant = answer.is_object() ? JsonFind(answer, "relevant") : nullptr;
  if (!relevant || !relevant->is_array()) return Invalid("the answer is not {\"relevant\": [...]}");
  std::set<std::string> known;
  for (const auto& url : shown) known.insert(NormalizeUrl(url));
  std::vector<std::string> kept;
  for (const Json& item : relevant->get_array()) {
    const std::string url =
        item.is_string() ? std::string(item.get_string()) : JsonString(item, "url");
    const std::string key = NormalizeUrl(url);
    if (key.empty() || !known.contains(key)) {
      return Invalid(
          fmt::format("relevant item '{}' is not one of the {} items shown", url, shown.size()));
    }
    kept.push_back(key);
  }
  return kept;
}

Result<Json> ReadSynthesis(const Json& answer, const schema::Schema& reduced) {
  if (!answer.is_object()) return Invalid("the document is not a JSON object");
  const auto report = reduced.Validate(answer);
  if (!report.valid) {
    return Invalid(report.violations.empty() ? std::string("the document does not match the schema")
                                             : fmt::format("{}: {}", report.violations.front().path,
                                                           report.violations.front().message));
  }
  bool some = false;
  if (const Json* props = JsonFind(reduced.json_schema(), "properties");
      props && props->is_object()) {
    for (const auto& kv : props->get_object()) {
      const Json* v = JsonFind(answer, kv.key());
      some = some || (v && !v->is_null());
    }
  }
  if (!some) return Invalid("the document fills none of the fields asked for");
  if (auto at = EmptyStringAt(answer, "$"); !at.empty()) return Invalid(at + ": empty string");
  return answer;
}

LlmLead::LlmLead(net::HttpClient& client, experts::ChatClientOptions chat, LlmLeadOptions options)
    : chat_(client, std::move(chat)), options_(options) {}

boost::asio::awaitable<Result<Json>> LlmLead::Ask(Json request, double share, Deadline deadline) {
  const auto budget = milliseconds(static_cast<int64_t>(deadline.Remaining().count() * share));
  if (budget <= milliseconds(0)) {
    co_return Error(ErrorCode::kDeadline, chat_.who() + ": no time left to ask");
  }
  auto completion = co_await chat_.Complete(std::move(request), deadline.Within(budget));
  if (!completion) co_return completion.error();
  auto text = experts::ReadChatText(*completion);
  if (!text) co_return Error(text.error().code, chat_.who() + ": " + text.error().message);
  auto json = ParseJson(WithoutFence(*text), chat_.who() + " content");
  if (!json) co_return Error(ErrorCode::kMalformedAnswer, json.error().message);
  co_return std::move(*json);
}

boost::asio::awaitable<std::vector<plan::Task>> LlmLead::PlanDiscovery(
    const plan::Brief& brief, const ledger::Snapshot& ledger, std::vector<plan::Task> built_in,
    Deadline deadline) {
  JsonArray context;
  std::string targets;
  for (const auto& t : built_in) {
    if (experts::FamilyOf(t.capability) != experts::Family::kSearch) continue;
    context.push_back(JsonObject{{"step", t.step},
                                 {"kind", "record"},
                                 {"data", JsonObject{{"query", JsonString(t.query, "query")},
                                                     {"capability", t.capability},
                                                     {"target", t.target}}}});
    if (targets.find("'" + t.target + "'") == std::string::npos) {
      targets += (targets.empty() ? "" : ", ") + fmt::format("'{}'", t.target);
    }
  }
  if (context.empty()) co_return built_in;
  const std::string instructions = fmt::format(
      "Plan the web searches that find what the target schema asks for. The context holds the "
      "built-in plan's searches: keep, reword or add to them. Each search has a query (the "
      "words to search for, about the objective only), a capability (one of: {}) and a target "
      "(one of: {}; '' is the objective's subject). Cover every target; at most {} searches.",
      OfferedSearches(ledger), targets, context.size() + options_.extra_searches);
  Json request = experts::ChatRequest(
      chat_.model(),
      "You are the planning lead of a research pipeline. Answer only with JSON matching the "
      "schema.",
      experts::ContextPrompt(brief.objective, instructions, context), kPlanSchema, 1024);
  auto answer = co_await Ask(std::move(request), options_.plan_share, deadline);
  if (!answer) {
    FellBack(LlmRole::kPlanner, answer.error().message);
    co_return built_in;
  }
  auto plan = ReadPlan(*answer, brief, ledger, built_in, options_.extra_searches);
  if (!plan) {
    FellBack(LlmRole::kPlanner, plan.error().message);
    co_return built_in;
  }
  Used(LlmRole::kPlanner);
  co_return std::move(*plan);
}

boost::asio::awaitable<void> LlmLead::AuditRelevance(const plan::Brief& brief,
                                                     synth::Material& material, Deadline deadline) {
  JsonArray context;
  std::vector<std::string> shown;
  auto show = [&](const synth::Item& item) {
    if (item.url.empty() || shown.size() >= options_.max_judged_items) return;
    shown.push_back(item.url);
    context.push_back(JsonObject{
        {"step", item.found_by},
        {"kind", "record"},
        {"data", JsonObject{{"url", item.url}, {"title", item.name}, {"snippet", item.snippet}}}});
  };
  for (const auto& [field, items] : material.lists) {
    for (const auto& item : items) show(item);
  }
  for (const auto& item : material.subject) show(item);
  if (shown.empty()) co_return;
  Json request = experts::ChatRequest(
      chat_.model(),
      "You are the relevance auditor of a research pipeline. Answer only with JSON matching "
      "the schema.",
      experts::ContextPrompt(
          brief.objective,
          "List the url of every context item that is about the objective; leave out items "
          "about anything else.",
          context),
      kRelevanceSchema, 1024);
  auto answer = co_await Ask(std::move(request), options_.judge_share, deadline);
  if (!answer) {
    FellBack(LlmRole::kJudge, answer.error().message);
    co_return;
  }
  auto kept = ReadRelevant(*answer, shown);
  if (!kept) {
    FellBack(LlmRole::kJudge, kept.error().message);
    co_return;
  }
  const std::set<std::string> keep(kept->begin(), kept->end());
  std::set<std::string> judged;
  for (const auto& url : shown) judged.insert(NormalizeUrl(url));
  std::vector<std::pair<int, std::string>> dropped;
  auto off_topic = [&](const synth::Item& item) {
    const std::string key = NormalizeUrl(item.url);
    if (!judged.contains(key) || keep.contains(key)) return false;
    dropped.emplace_back(item.found_by, item.snippet);
    return true;
  };
  for (auto& [field, items] : material.lists) std::erase_if(items, off_topic);
  std::erase_if(material.subject, off_topic);
  std::erase_if(material.passages, [&](const std::pair<int, std::string>& passage) {
    return std::find(dropped.begin(), dropped.end(), passage) != dropped.end();
  });
  if (!dropped.empty()) {
    spdlog::debug("{}: relevance judge dropped {} of {} items", chat_.who(), dropped.size(),
                  shown.size());
  }
  Used(LlmRole::kJudge);
}

boost::asio::awaitable<std::optional<Json>> LlmLead::Synthesize(const plan::Task& synthesis,
                                                                Deadline deadline) {
  const Json* format = JsonFind(synthesis.query, "response_format");
  const Json* wrapper = format ? JsonFind(*format, "json_schema") : nullptr;
  const Json* reduced_json = wrapper ? JsonFind(*wrapper, "schema") : nullptr;
  if (!reduced_json) {
    FellBack(LlmRole::kSynthesizer, "the synthesis task asks for no JSON schema");
    co_return std::nullopt;
  }
  auto reduced = schema::Schema::Compile(*reduced_json);
  if (!reduced) {
    FellBack(LlmRole::kSynthesizer, reduced.error().message);
    co_return std::nullopt;
  }
  Json request = synthesis.query;
  auto answer = co_await Ask(std::move(request), options_.synthesis_share, deadline);
  if (!answer) {
    FellBack(LlmRole::kSynthesizer, answer.error().message);
    co_return std::nullopt;
  }
  auto document = ReadSynthesis(*answer, *reduced);
  if (!document) {
    FellBack(LlmRole::kSynthesizer, document.error().message);
    co_return std::nullopt;
  }
  Used(LlmRole::kSynthesizer);
  co_return std::move(*document);
}

LlmRoleStats LlmLead::stats(LlmRole role) const {
  std::lock_guard lock(mu_);
  return stats_[static_cast<int>(role)];
}

void LlmLead::Used(LlmRole role) {
  spdlog::debug("LLM {} used: its answer passed the checks", LlmRoleName(role));
  std::lock_guard lock(mu_);
  ++stats_[static_cast<int>(role)].used;
}

void LlmLead::FellBack(LlmRole role, const std::string& reason) {
  spdlog::debug("LLM {} not used, the built-in one is: {}", LlmRoleName(role), reason);
  std::lock_guard lock(mu_);
  auto& s = stats_[static_cast<int>(role)];
  ++s.fell_back;
  s.last_reason = reason;
}

}  // namespace orchestra::miner
