#include "orchestra/validator/retriever.h"

#include <fmt/format.h>

#include "orchestra/core/hash.h"
#include "orchestra/protocol/receipt.h"

namespace orchestra::validator {
namespace {

// The first of `keys` that `record` holds as a string.
std::string FirstString(const Json& record, std::initializer_list<std::string_view> keys) {
  for (std::string_view key : keys) {
    const Json* v = JsonFind(record, key);
    if (v && v->is_string()) return std::string(v->get_string());
  }
  return "";
}

// Whether a failed attempt is worth another UID: the subnet (this UID) failed, not our call.
bool Retryable(const Error& error) {
  return error.code == ErrorCode::kUnavailable || error.code == ErrorCode::kDeadline ||
         error.code == ErrorCode::kMalformedAnswer;
}

}  // namespace

const ledger::LedgerEntry* MostReliable(const std::vector<ledger::LedgerEntry>& ledger,
                                        std::string_view capability) {
  const ledger::LedgerEntry* best = nullptr;
  for (const ledger::LedgerEntry& e : ledger) {
    if (!e.HasCapability(capability)) continue;
    if (!best || e.reliability > best->reliability ||
        (e.reliability == best->reliability &&
         (e.cost_per_query < best->cost_per_query ||
          (e.cost_per_query == best->cost_per_query && e.subnet_id < best->subnet_id)))) {
      best = &e;
    }
  }
  return best;
}

Retriever::Retriever(experts::Transport& transport, ledger::LedgerEntry search,
                     ledger::LedgerEntry scrape, RetrieverOptions options)
    : transport_(transport),
      search_(std::move(search)),
      scrape_(std::move(scrape)),
      options_(std::move(options)) {}

boost::asio::awaitable<Result<Json>> Retriever::Call(const ledger::LedgerEntry& entry, Json payload,
                                                     Deadline deadline) {
  const std::string request_hash = CanonicalHash(payload);
  const std::string lock =
      protocol::LockFor(challenge_id_, options_.validator_hotkey, ++step_, request_hash);
  Error last(ErrorCode::kDeadline, fmt::format("{}: no time left for the call", entry.subnet_id));
  for (int attempt = 0; attempt < std::max(1, options_.attempts); ++attempt) {
    if (deadline.Expired()) break;
    ++calls_;
    // A named call, not a braced temporary: g++ 12 destroys an aggregate temporary inside a
    // co_await expression twice.
    experts::ExpertCall call;
    call.entry = &entry;
    call.payload = payload;
    call.lock = lock;
    call.request_hash = request_hash;
    call.attempt = attempt;
    // One slow or hung UID must not eat the whole budget: each try gets a few times the
    // subnet's measured p95, and a retry goes to the next UID.
    const auto per_try = std::chrono::milliseconds(
        std::max<int64_t>(1000, static_cast<int64_t>(3 * entry.p95_latency_ms)));
    auto reply = co_await transport_.Call(std::move(call), deadline.Within(per_try));
    if (reply) {
      if (!reply->output.is_object()) {
        last = Error(ErrorCode::kMalformedAnswer,
                     fmt::format("{}: answer is not a JSON object", entry.subnet_id));
        continue;
      }
      co_return std::move(reply->output);
    }
    last = reply.error();
    if (!Retryable(last)) break;
  }
  if (!last.message.starts_with(entry.subnet_id)) {
    last.message = fmt::format("{}: {}", entry.subnet_id, last.message);
  }
  co_return last;
}

namespace {

// The documents of a search answer ({"results": [{"title", "link", "snippet", ...}]}).
Result<std::vector<Document>> SearchDocuments(const Json& output, int max_results,
                                              std::string_view subnet) {
  const Json* results = JsonFind(output, "results");
  if (!results || !results->is_array()) {
    return Error(ErrorCode::kMalformedAnswer, fmt::format("{}: results: must be a list", subnet));
  }
  std::vector<Document> documents;
  for (const Json& r : results->get_array()) {
    Document d;
    d.url = FirstString(r, {"link", "url"});
    if (d.url.empty()) continue;  // a result nobody could cite or fetch
    d.title = FirstString(r, {"title"});
    d.snippet = FirstString(r, {"snippet", "description"});
    d.published_date = FirstString(r, {"published_date", "date"});
    documents.push_back(std::move(d));
    if (static_cast<int>(documents.size()) == max_results) break;
  }
  return documents;
}

// The documents of a scraping answer ({"data": [record]}): the record's own page fields in
// the Document's members, everything else in `fields`.
Result<std::vector<Document>> ScrapedDocuments(const Json& output, std::string_view subnet) {
  const Json* data = JsonFind(output, "data");
  if (!data || !data->is_array()) {
    return Error(ErrorCode::kMalformedAnswer, fmt::format("{}: data: must be a list", subnet));
  }
  std::vector<Document> documents;
  for (const Json& record : data->get_array()) {
    if (!record.is_object()) continue;
    Document d;
    d.url = FirstString(record, {"url", "link"});
    if (d.url.empty()) continue;
    d.title = FirstString(record, {"title"});
    d.snippet = FirstString(record, {"snippet", "description"});
    d.text = FirstString(record, {"text", "content"});
    d.published_date = FirstString(record, {"published_date", "date"});
    JsonObject fields;
    for (const auto& kv : record.get_object()) {
      const std::string_view key = kv.key();
      if (key == "url" || key == "title" || key == "snippet" || key == "text" ||
          key == "published_date") {
        continue;
      }
      fields[key] = kv.value();
    }
    d.fields = std::move(fields);
    documents.push_back(std::move(d));
  }
  return documents;
}

}  // namespace

boost::asio::awaitable<Result<std::vector<Document>>> Retriever::Search(std::string query,
                                                                        int max_results,
                                                                        Deadline deadline) {
  if (query.empty()) co_return Error(ErrorCode::kInvalidArgument, "search: query is empty");
  max_results = std::clamp(max_results, 1, 100);
  JsonObject payload;
  payload["query"] = std::move(query);
  payload["max_results"] = max_results;
  payload["search_type"] = "web";
  auto output = co_await Call(search_, std::move(payload), deadline);
  if (!output) co_return output.error();
  co_return SearchDocuments(*output, max_results, search_.subnet_id);
}

boost::asio::awaitable<Result<std::vector<Document>>> Retriever::Fetch(
    std::vector<std::string> urls, Deadline deadline) {
  if (urls.empty() || urls.size() > 20) {
    co_return Error(ErrorCode::kInvalidArgument,
                    fmt::format("fetch: urls: needs 1 to 20, got {}", urls.size()));
  }
  JsonArray list;
  for (const std::string& url : urls) list.emplace_back(url);
  JsonObject payload;
  payload["urls"] = std::move(list);
  auto output = co_await Call(scrape_, std::move(payload), deadline);
  if (!output) co_return output.error();
  co_return ScrapedDocuments(*output, scrape_.subnet_id);
}

}  // namespace orchestra::validator
