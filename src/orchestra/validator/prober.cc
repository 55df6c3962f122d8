#include "orchestra/validator/prober.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cmath>
#include <ctime>

#include "orchestra/core/clock.h"
#include "orchestra/core/hash.h"
#include "orchestra/core/stats.h"
#include "orchestra/experts/synapse_class.h"
#include "orchestra/protocol/receipt.h"
#include "orchestra/validator/output_shape.h"

namespace orchestra::validator {
namespace asio = boost::asio;

namespace {

enum class Family { kSearch, kScrape, kChat, kNone };

Family FamilyOf(const ledger::LedgerEntry& entry, std::string_view capability) {
  if (entry.transport == ledger::Transport::kOpenAiChat) return Family::kChat;
  if (capability.ends_with("_search")) return Family::kSearch;
  if (capability == "web_scraping" || capability == "structured_extraction" ||
      capability == "pdf_parsing") {
    return Family::kScrape;
  }
  if (capability == "text_generation" || capability == "synthesis" || capability == "reasoning") {
    return Family::kChat;
  }
  return Family::kNone;
}

double Median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

// The field a 422 says the subnet requires ("... HTTP 422 q: field required", as Pydantic
// words it, or "... HTTP 422 query: required"), or "".
std::string RequiredField(std::string_view message) {
  size_t at = message.find(": field required");
  if (at == std::string_view::npos) at = message.find(": required");
  if (at == std::string_view::npos) return "";
  const size_t start = message.find_last_of(" \t", at);
  const std::string_view field =
      message.substr(start == std::string_view::npos ? 0 : start + 1,
                     at - (start == std::string_view::npos ? 0 : start + 1));
  return std::string(field);
}

std::vector<std::string_view> Tokens(std::string_view name) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= name.size()) {
    const size_t end = name.find_first_of("_-", start);
    const size_t stop = end == std::string_view::npos ? name.size() : end;
    if (stop > start) out.push_back(name.substr(start, stop - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return out;
}

// How much `old_name` looks like the field that became `new_name`: 3 when one name holds the
// other whole (as a word, or as a prefix: query → q, query → search_query), 2 when they share a
// word, 1 when they share a two-letter prefix, else 0.
int Resemblance(std::string_view old_name, std::string_view new_name) {
  const auto old_tokens = Tokens(old_name);
  const auto new_tokens = Tokens(new_name);
  auto holds = [](const std::vector<std::string_view>& tokens, std::string_view word) {
    return std::find(tokens.begin(), tokens.end(), word) != tokens.end();
  };
  if (old_name.starts_with(new_name) || new_name.starts_with(old_name) ||
      holds(new_tokens, old_name) || holds(old_tokens, new_name)) {
    return 3;
  }
  for (auto t : old_tokens) {
    if (holds(new_tokens, t)) return 2;
  }
  if (old_name.size() >= 2 && new_name.size() >= 2 &&
      old_name.substr(0, 2) == new_name.substr(0, 2)) {
    return 1;
  }
  return 0;
}

}  // namespace

const SubnetProbe* ExpertView::Find(std::string_view subnet_id) const {
  auto it = subnets.find(std::string(subnet_id));
  return it == subnets.end() ? nullptr : &it->second;
}

Json ExpertView::ToJson() const {
  JsonObject out_subnets;
  for (const auto& [id, p] : subnets) {
    JsonArray history(p.latency_history_ms.begin(), p.latency_history_ms.end());
    JsonArray fields(p.input_fields.begin(), p.input_fields.end());
    JsonObject renames;
    for (const auto& [from, to] : p.input_renames) renames[from] = to;
    JsonArray errors(p.errors.begin(), p.errors.end());
    out_subnets[id] = JsonObject{{"netuid", p.netuid},
                                 {"alive", p.alive},
                                 {"latency_ms", p.latency_ms},
                                 {"latency_history_ms", std::move(history)},
                                 {"cost", p.cost},
                                 {"input_fields", std::move(fields)},
                                 {"input_renames", std::move(renames)},
                                 {"output_shape", p.output_shape},
                                 {"output_fingerprint", p.output_fingerprint},
                                 {"last_probe_ms", p.last_probe_ms},
                                 {"probes", p.probes},
                                 {"answered", p.answered},
                                 {"errors", std::move(errors)}};
  }
  return JsonObject{{"probed_at_ms", probed_at_ms}, {"subnets", std::move(out_subnets)}};
}

namespace {

// `schema` (shorthand or JSON Schema) with its top-level input fields renamed.
Json RenameInputs(const Json& schema, const std::map<std::string, std::string>& renames) {
  if (renames.empty() || !schema.is_object()) return schema;
  Json out = schema;
  JsonObject* fields = &out.as_object();
  if (Json* properties = out.as_object().if_contains("properties");
      properties && properties->is_object()) {
    fields = &properties->as_object();
  }
  for (const auto& [from, to] : renames) {
    auto it = fields->find(from);
    if (it == fields->end()) continue;
    Json value = std::move(it->value());
    fields->erase(it);
    (*fields)[to] = std::move(value);
  }
  if (Json* required = out.as_object().if_contains("required"); required && required->is_array()) {
    for (Json& name : required->as_array()) {
      if (!name.is_string()) continue;
      auto renamed = renames.find(std::string(name.get_string()));
      if (renamed != renames.end()) name = renamed->second;
    }
  }
  return out;
}

}  // namespace

std::vector<ledger::LedgerEntry> MeasuredEntries(const ExpertView& view,
                                                 const std::vector<ledger::LedgerEntry>& base) {
  std::vector<ledger::LedgerEntry> out;
  for (const auto& [id, probe] : view.subnets) {
    if (!probe.alive) continue;
    // A named copy: clang 14 cannot capture a structured binding.
    const std::string& subnet_id = id;
    auto it = std::find_if(base.begin(), base.end(),
                           [&](const ledger::LedgerEntry& e) { return e.subnet_id == subnet_id; });
    if (it == base.end()) continue;
    ledger::LedgerEntry entry = *it;
    entry.cost_per_query = probe.cost;
    entry.avg_latency_ms = std::max(1.0, probe.latency_ms);
    entry.p95_latency_ms =
        std::max(entry.avg_latency_ms, Percentile(probe.latency_history_ms, 0.95));
    entry.reliability = probe.probes > 0 ? static_cast<double>(probe.answered) / probe.probes : 0.0;
    entry.last_updated = IsoTime(probe.last_probe_ms);
    entry.input_schema = RenameInputs(entry.input_schema, probe.input_renames);
    if (probe.output_shape.is_object()) entry.output_schema = probe.output_shape;
    out.push_back(std::move(entry));
  }
  return out;
}

struct Prober::Task {
  const ledger::LedgerEntry* entry = nullptr;
  std::string capability;
  Family family = Family::kNone;
  int attempt = 0;  // picks the UID
};

// One round's findings while its probes run.
struct Prober::Round {
  std::string probe_id;
  std::map<std::string, SubnetProbe> subnets;
  std::map<std::string, ShapeMerger> shapes;
  std::string found_url;  // a link the round's search probes found, for its scrape probes
  int step = 0;           // numbers the probes' locks
};

Prober::Prober(std::vector<ledger::LedgerEntry> base, const experts::Directory& directory,
               experts::Transport& transport, ProberOptions options)
    : base_(std::move(base)),
      directory_(directory),
      transport_(transport),
      options_(std::move(options)) {
  if (options_.max_concurrency == 0) options_.max_concurrency = 1;
  if (options_.history == 0) options_.history = 1;
  for (const auto& entry : base_) {
    SubnetProbe& probe = view_.subnets[entry.subnet_id];
    probe.subnet_id = entry.subnet_id;
    probe.netuid = entry.netuid;
    probe.input_fields = experts::SchemaFieldNames(entry.input_schema);
  }
}

namespace {

// Runs `jobs` with at most `limit` in flight on the current executor; returns when all are
// done. The jobs run on this coroutine's executor, so the counters need no lock.
asio::awaitable<void> RunBounded(std::vector<std::function<asio::awaitable<void>()>>& jobs,
                                 size_t limit) {
  const size_t workers = std::min(limit, jobs.size());
  if (workers == 0) co_return;
  auto executor = co_await asio::this_coro::executor;
  asio::steady_timer all_done(executor, asio::steady_timer::time_point::max());
  size_t next = 0;
  size_t running = workers;
  for (size_t w = 0; w < workers; ++w) {
    asio::co_spawn(
        executor,
        [&]() -> asio::awaitable<void> {
          while (next < jobs.size()) co_await jobs[next++]();
          if (--running == 0) all_done.cancel();
        },
        asio::detached);
  }
  // Workers that never suspend (an in-process transport) may all be done already.
  if (running > 0) co_await all_done.async_wait(asio::as_tuple(asio::use_awaitable));
}

}  // namespace

asio::awaitable<ExpertView> Prober::Probe(Deadline deadline) {
  Round round;
  round.probe_id = fmt::format("probe-{}", ++rounds_);
  const int64_t started_ms = options_.now_ms();
  std::vector<Task> first;  // searches and chats
  std::vector<Task> then;   // scrapes, which may use a link a search found
  for (const auto& entry : base_) {
    SubnetProbe probe = view_.subnets[entry.subnet_id];
    probe.alive = false;
    probe.probes = 0;
    probe.answered = 0;
    probe.errors.clear();
    probe.last_probe_ms = started_ms;
    if (directory_.Find(entry.subnet_id).empty()) {
      probe.errors.push_back("no UID in the metagraph");
    }
    int attempt = 0;
    bool any = false;
    for (const auto& capability : entry.capabilities) {
      const Family family = FamilyOf(entry, capability);
      if (family == Family::kNone) continue;
      any = true;
      if (directory_.Find(entry.subnet_id).empty()) continue;
      Task task{&entry, capability, family, attempt++};
      (family == Family::kScrape ? then : first).push_back(std::move(task));
    }
    if (!any) probe.errors.push_back("no probe for any of its capabilities");
    round.subnets[entry.subnet_id] = std::move(probe);
  }
  for (auto* tasks : {&first, &then}) {
    std::vector<std::function<asio::awaitable<void>()>> jobs;
    for (const Task& task : *tasks) {
      jobs.push_back([this, &round, &task, deadline]() { return RunTask(round, task, deadline); });
    }
    co_await RunBounded(jobs, options_.max_concurrency);
  }
  for (auto& [id, probe] : round.subnets) {
    auto shape = round.shapes.find(id);
    if (shape != round.shapes.end() && shape->second.answers() > 0) {
      probe.output_shape = shape->second.Shape();
      probe.output_fingerprint = ShapeFingerprint(probe.output_shape);
    }
    probe.latency_ms = Median(probe.latency_history_ms);
  }
  view_.subnets = std::move(round.subnets);
  view_.probed_at_ms = started_ms;
  co_return view_;
}

asio::awaitable<void> Prober::RunTask(Round& round, const Task& task, Deadline deadline) {
  const ledger::LedgerEntry& entry = *task.entry;
  SubnetProbe& probe = round.subnets[entry.subnet_id];
  // The payload under the base ledger's field names, renamed as the subnet now expects.
  JsonObject payload;
  switch (task.family) {
    case Family::kSearch: {
      std::string_view type = "web";
      if (task.capability == "news_search") type = "news";
      if (task.capability == "social_search") type = "social";
      payload = {{"query", options_.search_query}, {"max_results", 5}, {"search_type", type}};
      break;
    }
    case Family::kScrape:
      payload = {
          {"urls", JsonArray{round.found_url.empty() ? options_.scrape_url : round.found_url}},
          {"extract_fields", JsonArray{"title", "snippet"}}};
      break;
    case Family::kChat:
      payload = {
          {"model", "default"},
          {"messages", JsonArray{JsonObject{{"role", "user"}, {"content", options_.chat_prompt}}}},
          {"temperature", 0.0},
          {"max_tokens", 64}};
      break;
    case Family::kNone:
      co_return;
  }
  std::map<std::string, std::string>& renames = probe.input_renames;
  for (const auto& [from, to] : renames) {
    auto it = payload.find(from);
    if (it == payload.end()) continue;
    Json value = std::move(it->value());
    payload.erase(it);
    payload[to] = std::move(value);
  }

  ++probe.probes;
  // Each 422 naming a required field may reveal one rename; a payload has so many fields.
  const size_t max_tries = payload.size() + 1;
  for (size_t attempt = 0; attempt < max_tries; ++attempt) {
    experts::ExpertCall call;
    call.entry = &entry;
    call.payload = payload;
    call.request_hash = CanonicalHash(call.payload);
    call.lock = protocol::LockFor(round.probe_id, options_.validator_hotkey, ++round.step,
                                  call.request_hash);
    call.attempt = task.attempt;
    const auto started = std::chrono::steady_clock::now();
    auto reply = co_await transport_.Call(std::move(call), deadline.Within(options_.probe_timeout));
    const double latency_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count();
    if (reply && reply->output.is_object() && !reply->output.get_object().empty()) {
      ++probe.answered;
      probe.alive = true;
      probe.latency_history_ms.push_back(latency_ms);
      if (probe.latency_history_ms.size() > options_.history) {
        probe.latency_history_ms.erase(probe.latency_history_ms.begin());
      }
      probe.cost = reply->cost;
      if (!reply->receipt.is_null()) {
        if (auto receipt = protocol::ReceiptFromJson(reply->receipt)) probe.cost = receipt->price;
      }
      probe.input_fields.clear();
      for (const auto& kv : payload) probe.input_fields.emplace_back(kv.key());
      round.shapes[entry.subnet_id].Add(reply->output);
      if (task.family == Family::kSearch && round.found_url.empty()) {
        const Json* results = JsonFind(reply->output, "results");
        if (results && results->is_array() && !results->get_array().empty()) {
          const std::string link = JsonString(results->get_array()[0], "link");
          if (!link.empty()) round.found_url = link;
        }
      }
      co_return;
    }
    if (reply) {
      probe.errors.push_back(fmt::format("{}: an answer without any field", task.capability));
      co_return;
    }
    const std::string wanted = reply.error().code == ErrorCode::kMalformedAnswer
                                   ? RequiredField(reply.error().message)
                                   : std::string();
    if (wanted.empty() || payload.contains(wanted)) {
      probe.errors.push_back(fmt::format("{}: {}", task.capability, reply.error().message));
      co_return;
    }
    // An input rename: move the most resembling field (first in payload order on a tie) to
    // the name the subnet asks for, and try again.
    std::string best;
    int best_score = -1;
    for (const auto& kv : payload) {
      const int score = Resemblance(kv.key(), wanted);
      if (score > best_score) {
        best = std::string(kv.key());
        best_score = score;
      }
    }
    Json value = payload.at(best);
    payload.erase(best);
    payload[wanted] = std::move(value);
    std::string base_name = best;
    for (const auto& [from, to] : renames) {
      if (to == best) base_name = from;
    }
    renames.erase(base_name);
    if (base_name != wanted) renames[base_name] = wanted;
  }
  probe.errors.push_back(
      fmt::format("{}: the subnet kept asking for renamed input fields", task.capability));
}

}  // namespace orchestra::validator
