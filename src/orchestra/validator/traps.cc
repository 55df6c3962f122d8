#include "orchestra/validator/traps.h"

#include <fmt/format.h>

#include "orchestra/validator/figures.h"

namespace orchestra::validator {
namespace {

size_t Draw(Rng& rng, size_t n) { return static_cast<size_t>(rng.Next() % n); }

// A schema's fields in order with their declared type text: the keys of a shorthand object,
// or of a JSON Schema's "properties" (type: its "type" when a string).
std::vector<std::pair<std::string, std::string>> Fields(const Json& schema) {
  std::vector<std::pair<std::string, std::string>> out;
  const Json* properties = JsonFind(schema, "properties");
  const Json& members = properties && properties->is_object() ? *properties : schema;
  if (!members.is_object()) return out;
  for (const auto& kv : members.get_object()) {
    std::string type;
    if (kv.value().is_string())
      type = kv.value().get_string();
    else
      type = JsonString(kv.value(), "type");
    out.emplace_back(kv.key(), std::move(type));
  }
  return out;
}

// The simulator's plant request for `trap` (a null answer removes the plant).
Json PlantBody(const LogicTrap& trap, Json answer) {
  JsonObject body;
  body["match"] = trap.match.is_null() ? Json(JsonObject()) : trap.match;
  if (!trap.match_contains.is_null()) body["match_contains"] = trap.match_contains;
  body["answer"] = std::move(answer);
  return body;
}

}  // namespace

std::optional<SchemaTrap> PlanSchemaTrap(const Route& route,
                                         const std::vector<ledger::LedgerEntry>& ledger, Rng& rng) {
  std::vector<const ledger::LedgerEntry*> candidates;
  // Any subnet a miner may route a step of this challenge to, not only the cheapest: a trap
  // must be able to catch a miner whose ledger sends it elsewhere than the validator would.
  for (const RouteStep& step : route.steps) {
    for (const ledger::LedgerEntry& e : ledger) {
      if (!e.HasCapability(step.capability) || e.transport != ledger::Transport::kSynapse) continue;
      if (Fields(e.input_schema).empty() || Fields(e.output_schema).empty()) continue;
      if (std::find(candidates.begin(), candidates.end(), &e) == candidates.end()) {
        candidates.push_back(&e);
      }
    }
  }
  if (candidates.empty()) return std::nullopt;
  const ledger::LedgerEntry& entry = *candidates[Draw(rng, candidates.size())];
  const auto outputs = Fields(entry.output_schema);
  JsonObject drift;
  // Output drift only. An input rename cannot be answered by anyone here: the simulator's
  // synapse class is fixed at start, so the renamed field a miner with a fresh ledger sends is
  // dropped when the request is parsed and every caller gets 422 alike (PlantSchemaTrap still
  // takes input renames for callers that want them).
  switch (Draw(rng, 2)) {
    case 0: {
      const std::string& field = outputs[Draw(rng, outputs.size())].first;
      drift["output"] = JsonObject{{"rename", JsonObject{{field, field + "_v2"}}}};
      break;
    }
    default: {
      const auto& [field, type] = outputs[Draw(rng, outputs.size())];
      const bool is_string = type == "str" || type == "string";
      drift["output"] = JsonObject{{"retype", JsonObject{{field, is_string ? "int" : "str"}}}};
      break;
    }
  }
  return SchemaTrap{entry.subnet_id, entry.netuid, std::move(drift)};
}

std::optional<LogicTrap> PlanLogicTrap(const std::vector<Document>& documents,
                                       std::string_view match_word,
                                       const std::vector<ledger::LedgerEntry>& ledger,
                                       double min_reliability, Rng& rng) {
  const ledger::LedgerEntry* cheap = nullptr;
  for (const ledger::LedgerEntry& e : ledger) {
    if (!e.HasCapability("web_search") || e.reliability < min_reliability) continue;
    if (!cheap || e.cost_per_query < cheap->cost_per_query) cheap = &e;
  }
  const ledger::LedgerEntry* reliable = MostReliable(ledger, "web_search");
  if (!cheap || !reliable || cheap == reliable || match_word.empty()) return std::nullopt;

  std::vector<size_t> bearing;  // documents whose snippet carries a money figure
  for (size_t i = 0; i < documents.size(); ++i) {
    for (const std::string& f : ExtractFigures(documents[i].snippet)) {
      if (f.starts_with('$')) {
        bearing.push_back(i);
        break;
      }
    }
  }
  if (bearing.empty()) return std::nullopt;
  const size_t chosen = bearing[Draw(rng, bearing.size())];
  std::string truth;
  for (const std::string& f : ExtractFigures(documents[chosen].snippet)) {
    if (f.starts_with('$')) {
      truth = f;
      break;
    }
  }
  static constexpr double kFactors[] = {1.25, 1.4, 0.7, 1.6};
  const std::optional<std::string> stale = ScaleFigure(truth, kFactors[Draw(rng, 4)]);
  if (!stale) return std::nullopt;

  JsonArray results;
  for (size_t i = 0; i < documents.size(); ++i) {
    const Document& d = documents[i];
    std::string snippet = d.snippet;
    if (i == chosen) {
      for (size_t at = snippet.find(truth); at != std::string::npos;
           at = snippet.find(truth, at + stale->size())) {
        snippet.replace(at, truth.size(), *stale);
      }
    }
    results.emplace_back(JsonObject{{"title", d.title},
                                    {"link", d.url},
                                    {"snippet", std::move(snippet)},
                                    {"published_date", d.published_date}});
  }
  LogicTrap trap;
  trap.stale_subnet_id = cheap->subnet_id;
  trap.stale_netuid = cheap->netuid;
  trap.match = JsonObject{};
  trap.match_contains = JsonObject{{"query", std::string(match_word)}};
  const int64_t found = static_cast<int64_t>(results.size());
  trap.stale_answer = JsonObject{{"results", std::move(results)}, {"total_found", found}};
  trap.truth = std::move(truth);
  trap.stale_value = *stale;
  return trap;
}

TrapPlanter::TrapPlanter(net::HttpClient& client, std::string host, uint16_t control_port,
                         std::string admin_token)
    : client_(client),
      host_(std::move(host)),
      port_(control_port),
      token_(std::move(admin_token)) {}

boost::asio::awaitable<Status> TrapPlanter::Post(std::string target, const Json& body,
                                                 Deadline deadline) {
  net::HttpRequest request;
  request.method = "POST";
  request.target = target;
  request.headers.Add("Authorization", "Bearer " + token_);
  request.headers.Add("Content-Type", "application/json");
  request.body = CompactJson(body);
  auto response = co_await client_.Send(host_, port_, std::move(request), deadline);
  if (!response) co_return response.error();
  if (response->status == 200) co_return Status();
  const ErrorCode code =
      response->status == 404 ? ErrorCode::kNotFound
      : response->status == 400 || response->status == 401 || response->status == 403
          ? ErrorCode::kInvalidArgument
          : ErrorCode::kUnavailable;
  co_return Error(code, fmt::format("POST {}:{}{}: {} {}", host_, port_, target, response->status,
                                    response->body.substr(0, 200)));
}

boost::asio::awaitable<Status> TrapPlanter::PlantSchemaTrap(const SchemaTrap& trap,
                                                            Deadline deadline) {
  co_return co_await Post(fmt::format("/admin/subnets/{}/drift", trap.netuid), trap.drift,
                          deadline);
}

boost::asio::awaitable<Status> TrapPlanter::RemoveSchemaTrap(const SchemaTrap& trap,
                                                             Deadline deadline) {
  co_return co_await Post(fmt::format("/admin/subnets/{}/drift", trap.netuid), Json(JsonObject()),
                          deadline);
}

boost::asio::awaitable<Status> TrapPlanter::PlantLogicTrap(const LogicTrap& trap,
                                                           Deadline deadline) {
  co_return co_await Post(fmt::format("/admin/subnets/{}/plant", trap.stale_netuid),
                          PlantBody(trap, trap.stale_answer), deadline);
}

boost::asio::awaitable<Status> TrapPlanter::RemoveLogicTrap(const LogicTrap& trap,
                                                            Deadline deadline) {
  co_return co_await Post(fmt::format("/admin/subnets/{}/plant", trap.stale_netuid),
                          PlantBody(trap, Json()), deadline);
}

boost::asio::awaitable<Status> TrapPlanter::Plant(const ChallengeReference& reference,
                                                  Deadline deadline) {
  if (reference.schema_trap) {
    if (auto s = co_await PlantSchemaTrap(*reference.schema_trap, deadline); !s) co_return s;
  }
  if (reference.logic_trap) {
    if (auto s = co_await PlantLogicTrap(*reference.logic_trap, deadline); !s) co_return s;
  }
  co_return Status();
}

boost::asio::awaitable<Status> TrapPlanter::Remove(const ChallengeReference& reference,
                                                   Deadline deadline) {
  Status first;
  if (reference.schema_trap) {
    Status s = co_await RemoveSchemaTrap(*reference.schema_trap, deadline);
    if (!s && first) first = s;
  }
  if (reference.logic_trap) {
    Status s = co_await RemoveLogicTrap(*reference.logic_trap, deadline);
    if (!s && first) first = s;
  }
  co_return first;
}

}  // namespace orchestra::validator
