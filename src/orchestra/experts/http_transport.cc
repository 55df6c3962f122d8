#include "orchestra/experts/http_transport.h"

#include <fmt/format.h>

namespace orchestra::experts {

Result<Json> InterpretAnswer(int status, std::string_view body, std::string_view who) {
  auto excerpt = [&] { return std::string(body.substr(0, 120)); };
  if (status == 408 || status == 504) {
    return Error(ErrorCode::kDeadline, fmt::format("{}: HTTP {} (expert timed out)", who, status));
  }
  if (status == 429 || status >= 500) {
    return Error(ErrorCode::kUnavailable, fmt::format("{}: HTTP {} {}", who, status, excerpt()));
  }
  if (status != 200) {
    return Error(ErrorCode::kMalformedAnswer,
                 fmt::format("{}: HTTP {} {}", who, status, excerpt()));
  }
  auto json = ParseJson(body, who);
  if (!json) return Error(ErrorCode::kMalformedAnswer, json.error().message);
  if (!json->is_object()) {
    return Error(ErrorCode::kMalformedAnswer, fmt::format("{}: answer is not a JSON object", who));
  }
  return json;
}

boost::asio::awaitable<Result<ExpertReply>> HttpTransport::Call(ExpertCall call,
                                                                Deadline deadline) {
  const ledger::LedgerEntry& entry = *call.entry;
  const auto& uids = directory_.Find(entry.subnet_id);
  if (uids.empty()) {
    co_return Error(ErrorCode::kNotFound, fmt::format("{}: no reachable UID", entry.subnet_id));
  }
  const Endpoint& uid = uids[static_cast<size_t>(call.attempt) % uids.size()];
  net::HttpRequest request;
  request.method = "POST";
  request.target = entry.transport == ledger::Transport::kOpenAiChat ? "/v1/chat/completions"
                                                                     : "/" + entry.synapse;
  request.headers = {{"content-type", "application/json"}, {"orchestra-lock", call.lock}};
  request.body = CompactJson(call.payload);
  auto response = co_await client_.Send(uid.host, uid.port, std::move(request), deadline);
  if (!response) co_return response.error();
  const std::string who = fmt::format("{} uid {}", entry.subnet_id, uid.uid);
  auto output = InterpretAnswer(response->status, response->body, who);
  if (!output) co_return output.error();
  Json receipt;
  if (auto header = response->Header("orchestra-receipt"); !header.empty()) {
    auto parsed = ParseJson(header, who + " orchestra-receipt header");
    if (!parsed) co_return Error(ErrorCode::kMalformedAnswer, parsed.error().message);
    receipt = std::move(*parsed);
  }
  co_return ExpertReply{std::move(*output), uid.uid, uid.hotkey, entry.cost_per_query,
                        std::move(receipt)};
}

}  // namespace orchestra::experts
