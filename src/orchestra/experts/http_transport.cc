#include "orchestra/experts/http_transport.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <utility>

#include "orchestra/experts/synapse_class.h"

namespace orchestra::experts {
namespace {

std::string Who(const ledger::LedgerEntry& entry, const Endpoint& uid) {
  return fmt::format("{} uid {}", entry.subnet_id, uid.uid);
}

// The synapse class for one call: the entry's, plus any payload key its input_schema does not
// declare (sent as is; a UID that does not know it ignores it, as Pydantic does).
protocol::SynapseClass ClassForCall(const ledger::LedgerEntry& entry, const JsonObject& payload) {
  protocol::SynapseClass cls = SynapseClassFor(entry);
  // What the subnet answers, fields the ledger does not know included: drift shows.
  cls.extra_allowed = true;
  for (const auto& [key, value] : payload) {
    if (cls.Find(key)) continue;
    cls.fields.push_back(protocol::SynapseField{.name = std::string(key),
                                                .type = protocol::FieldType::kAny,
                                                .required = false,
                                                .nullable = true,
                                                .default_value = nullptr});
  }
  return cls;
}

}  // namespace

Error ExpertStatusError(int status, std::string_view detail, std::string_view who) {
  const std::string what = detail.empty() ? fmt::format("{}: HTTP {}", who, status)
                                          : fmt::format("{}: HTTP {} {}", who, status, detail);
  if (status == 408 || status == 504) return Error(ErrorCode::kDeadline, what);
  if (status == 401 || status == 402 || status == 403 || status == 429 || status >= 500) {
    return Error(ErrorCode::kUnavailable, what);
  }
  return Error(ErrorCode::kMalformedAnswer, what);
}

Result<Json> InterpretAnswer(int status, std::string_view body, std::string_view who) {
  if (status != 200) return ExpertStatusError(status, body.substr(0, 120), who);
  auto json = ParseJson(body, who);
  if (!json) return Error(ErrorCode::kMalformedAnswer, json.error().message);
  if (!json->is_object()) {
    return Error(ErrorCode::kMalformedAnswer, fmt::format("{}: answer is not a JSON object", who));
  }
  return json;
}

HttpTransport::HttpTransport(net::HttpClient& client, const Directory& directory,
                             crypto::Keypair miner_hotkey, boost::asio::any_io_executor executor)
    : client_(client),
      directory_(directory),
      dendrite_(std::move(executor), std::move(miner_hotkey)) {}

boost::asio::awaitable<Result<ExpertReply>> HttpTransport::Call(ExpertCall call,
                                                                Deadline deadline) {
  const ledger::LedgerEntry& entry = *call.entry;
  const auto& uids = directory_.Find(entry.subnet_id);
  if (uids.empty()) {
    co_return Error(ErrorCode::kNotFound, fmt::format("{}: no reachable UID", entry.subnet_id));
  }
  auto named =
      std::find_if(uids.begin(), uids.end(), [&](const Endpoint& e) { return e.uid == call.uid; });
  const Endpoint& uid =
      named != uids.end() ? *named : uids[static_cast<size_t>(call.attempt) % uids.size()];
  if (entry.transport == ledger::Transport::kOpenAiChat) {
    co_return co_await CallOpenAiChat(entry, uid, std::move(call), deadline);
  }
  co_return co_await CallSynapse(entry, uid, std::move(call), deadline);
}

std::vector<int> HttpTransport::Uids(const ledger::LedgerEntry& entry) const {
  std::vector<int> out;
  for (const Endpoint& e : directory_.Find(entry.subnet_id)) out.push_back(e.uid);
  return out;
}

boost::asio::awaitable<Result<ExpertReply>> HttpTransport::CallSynapse(
    const ledger::LedgerEntry& entry, const Endpoint& uid, ExpertCall call, Deadline deadline) {
  const std::string who = Who(entry, uid);
  if (!call.payload.is_object()) {
    co_return Error(ErrorCode::kInvalidArgument,
                    fmt::format("{}: a synapse payload must be a JSON object, got {}", who,
                                boost::json::to_string(call.payload.kind())));
  }
  // Checked here because a dendrite reads a timeout of 0 as "the default 12 s".
  const std::chrono::milliseconds remaining = deadline.Remaining();
  if (remaining <= std::chrono::milliseconds::zero()) {
    co_return Error(ErrorCode::kDeadline, fmt::format("{}: deadline passed before the call", who));
  }
  JsonObject& payload = call.payload.get_object();
  const protocol::SynapseClass cls = ClassForCall(entry, payload);
  std::set<std::string> sent_keys = {std::string(kLockField), std::string(kReceiptField)};
  for (const auto& field : payload) sent_keys.emplace(field.key());
  // Input fields of the class we did not set come back with their defaults: not answers.
  for (const std::string& name : SchemaFieldNames(entry.input_schema)) sent_keys.insert(name);
  protocol::BittensorSynapse request;
  request.fields = std::move(payload);
  request.fields.insert_or_assign(kLockField, call.lock);
  const net::AxonEndpoint axon{.ip = uid.host, .port = uid.port, .hotkey = uid.hotkey};
  const double timeout_seconds = std::chrono::duration<double>(remaining).count();
  protocol::BittensorSynapse answer =
      co_await dendrite_.Call(axon, cls, std::move(request), timeout_seconds);

  const int status = static_cast<int>(answer.dendrite.status_code.value_or(0));
  if (status != 200) {
    co_return ExpertStatusError(status, answer.dendrite.status_message.value_or(""), who);
  }
  Json receipt;
  if (Json* sent = answer.fields.if_contains(kReceiptField)) receipt = std::move(*sent);
  // The output: what the UID filled in beyond what we sent (our payload comes back with it).
  JsonObject output;
  for (auto& field : answer.fields) {
    if (field.value().is_null() || sent_keys.contains(std::string(field.key()))) continue;
    output.emplace(field.key(), std::move(field.value()));
  }
  co_return ExpertReply{std::move(output), uid.uid, uid.hotkey, entry.cost_per_query,
                        std::move(receipt)};
}

boost::asio::awaitable<Result<ExpertReply>> HttpTransport::CallOpenAiChat(
    const ledger::LedgerEntry& entry, const Endpoint& uid, ExpertCall call, Deadline deadline) {
  net::HttpRequest request;
  request.method = "POST";
  request.target = "/v1/chat/completions";
  request.headers = {{"content-type", "application/json"}, {"orchestra-lock", call.lock}};
  request.body = CompactJson(call.payload);
  auto response = co_await client_.Send(uid.host, uid.port, std::move(request), deadline);
  if (!response) co_return response.error();
  const std::string who = Who(entry, uid);
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
