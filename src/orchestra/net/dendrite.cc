#include "orchestra/net/dendrite.h"

#include <fmt/format.h>
#include <sodium.h>
#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <cmath>
#include <exception>
#include <optional>
#include <utility>

#include "orchestra/crypto/ss58.h"

namespace orchestra::net {
namespace {

using protocol::BittensorSynapse;
using protocol::SynapseClass;
using SteadyClock = std::chrono::steady_clock;

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

int64_t SystemNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string RandomUuid() {
  uint8_t bytes[16];
  randombytes_buf(bytes, sizeof(bytes));
  bytes[6] = static_cast<uint8_t>((bytes[6] & 0x0f) | 0x40);  // version 4
  bytes[8] = static_cast<uint8_t>((bytes[8] & 0x3f) | 0x80);  // RFC 4122 variant
  std::string out;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += fmt::format("{:02x}", bytes[i]);
  }
  return out;
}

// Overwrites the fields of `into` that `from` sets (Python's merge of model_dump(exclude_none)).
void MergeSet(protocol::TerminalInfo& into, const protocol::TerminalInfo& from) {
  auto take = [](auto& to, const auto& value) {
    if (value) to = value;
  };
  take(into.status_code, from.status_code);
  take(into.status_message, from.status_message);
  take(into.process_time, from.process_time);
  take(into.ip, from.ip);
  take(into.port, from.port);
  take(into.version, from.version);
  take(into.nonce, from.nonce);
  take(into.uuid, from.uuid);
  take(into.hotkey, from.hotkey);
  take(into.signature, from.signature);
}

void SetDendriteStatus(BittensorSynapse& synapse, int status, std::string message) {
  synapse.dendrite.status_code = status;
  synapse.dendrite.status_message = std::move(message);
}

// Python's process_server_response. Returns the failure that makes the answer unusable.
Status ProcessResponse(const SynapseClass& cls, const HttpResponse& response,
                       BittensorSynapse& local) {
  // An error's message as the body carries it: whole, where the status header may carry only
  // its beginning (an axon caps it there).
  std::optional<std::string> body_message;
  if (response.status == 200) {
    auto server = protocol::SynapseFromBody(cls, response.body);
    if (!server) return server.error();
    local.name = cls.name;
    local.timeout = server->timeout;
    local.total_size = server->total_size;
    local.header_size = server->header_size;
    local.dendrite = server->dendrite;
    local.axon = server->axon;
    for (auto& [key, value] : server->fields) local.fields.insert_or_assign(key, value);
  } else {
    auto json = ParseJson(response.body, fmt::format("HTTP {} answer", response.status));
    if (!json) return json.error();
    if (!json->is_object()) {
      return Error(ErrorCode::kMalformedAnswer,
                   fmt::format("HTTP {} answer is not a JSON object", response.status));
    }
    local.axon.status_code = response.status;
    const Json* message = JsonFind(*json, "message");
    if (message && message->is_string()) body_message = std::string(message->get_string());
    local.axon.status_message = body_message;
  }
  auto headers = protocol::SynapseFromHeaders(cls, response.headers);
  if (!headers) return headers.error();
  MergeSet(local.dendrite, headers->dendrite);
  MergeSet(local.axon, headers->axon);
  if (body_message) local.axon.status_message = std::move(body_message);
  local.dendrite.status_code = local.axon.status_code;
  local.dendrite.status_message = local.axon.status_message;
  return {};
}

}  // namespace

Dendrite::Dendrite(asio::any_io_executor executor, crypto::Keypair hotkey, DendriteOptions options)
    : executor_(executor),
      keypair_(std::move(hotkey)),
      hotkey_ss58_(crypto::Ss58Encode(keypair_.public_key().bytes())),
      uuid_(RandomUuid()),
      options_(std::move(options)),
      client_(executor, options_.client) {
  if (!options_.now_ns) options_.now_ns = SystemNowNs;
}

int64_t Dendrite::NextNonce() {
  const int64_t now = options_.now_ns();
  int64_t last = last_nonce_.load();
  int64_t next = 0;
  do {
    next = std::max(now, last + 1);
  } while (!last_nonce_.compare_exchange_weak(last, next));
  return next;
}

BittensorSynapse Dendrite::Prepare(const AxonEndpoint& axon, const SynapseClass& cls,
                                   BittensorSynapse synapse, double timeout_seconds) {
  synapse.name = cls.name;
  synapse.timeout = timeout_seconds;
  synapse.dendrite = protocol::TerminalInfo{};
  synapse.dendrite.ip = options_.external_ip;
  synapse.dendrite.version = options_.bittensor_version;
  synapse.dendrite.nonce = NextNonce();
  synapse.dendrite.uuid = uuid_;
  synapse.dendrite.hotkey = hotkey_ss58_;
  synapse.axon = protocol::TerminalInfo{};
  synapse.axon.ip = axon.ip;
  synapse.axon.port = axon.port;
  synapse.axon.hotkey = axon.hotkey;
  const std::string message =
      protocol::SignatureMessage(synapse.dendrite.nonce, synapse.dendrite.hotkey, axon.hotkey,
                                 synapse.dendrite.uuid, protocol::BodyHash(cls, synapse));
  synapse.dendrite.signature = protocol::SignMessage(keypair_, message);
  return synapse;
}

asio::awaitable<BittensorSynapse> Dendrite::Call(AxonEndpoint axon, const SynapseClass& cls,
                                                 BittensorSynapse synapse, double timeout_seconds) {
  const auto start = SteadyClock::now();
  if (!std::isfinite(timeout_seconds) || timeout_seconds <= 0) {
    timeout_seconds = protocol::kDefaultSynapseTimeout;
  }
  BittensorSynapse local = Prepare(axon, cls, std::move(synapse), timeout_seconds);

  HttpRequest request;
  request.method = "POST";
  request.target = "/" + cls.name;
  request.body = protocol::ToBody(cls, local);
  local.total_size = static_cast<int64_t>(request.body.size());
  request.headers = protocol::ToHeaders(cls, local);
  request.headers.Add("content-type", "application/json");

  const auto budget = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::duration<double>(timeout_seconds));
  Result<HttpResponse> response =
      co_await client_.Send(axon.ip, axon.port, std::move(request),
                            Deadline::After(std::max(budget, std::chrono::milliseconds(1))));

  if (!response) {
    const Error& error = response.error();
    switch (error.code) {
      case ErrorCode::kDeadline:
        SetDendriteStatus(
            local, 408,
            fmt::format("Request timeout after {} seconds", FormatDouble(local.timeout)));
        break;
      case ErrorCode::kUnavailable:
        SetDendriteStatus(
            local, 503,
            fmt::format("Service unavailable at {}:{}/{}", axon.ip, axon.port, cls.name));
        break;
      default:
        SetDendriteStatus(local, 422, fmt::format("Failed to parse response: {}", error.message));
    }
    spdlog::debug("dendrite | <-- | {} | {}:{} | {} | {} ({})", cls.name, axon.ip, axon.port,
                  *local.dendrite.status_code, *local.dendrite.status_message, error.message);
    co_return local;
  }
  if (auto processed = ProcessResponse(cls, *response, local); !processed) {
    SetDendriteStatus(local, 422,
                      fmt::format("Failed to parse response: {}", processed.error().message));
    co_return local;
  }
  local.dendrite.process_time = std::chrono::duration<double>(SteadyClock::now() - start).count();
  spdlog::debug("dendrite | <-- | {} | {}:{} | {} | {}", cls.name, axon.ip, axon.port,
                local.dendrite.status_code.value_or(0), local.dendrite.status_message.value_or(""));
  co_return local;
}

asio::awaitable<std::vector<BittensorSynapse>> Dendrite::Forward(std::vector<AxonEndpoint> axons,
                                                                 const SynapseClass& cls,
                                                                 BittensorSynapse synapse,
                                                                 double timeout_seconds) {
  struct FanOut {
    explicit FanOut(asio::any_io_executor executor, size_t n)
        : results(n), remaining(n), all_done(std::move(executor)) {}
    std::vector<BittensorSynapse> results;
    size_t remaining;
    asio::steady_timer all_done;
  };
  auto executor = co_await asio::this_coro::executor;
  auto fan_out = std::make_shared<FanOut>(executor, axons.size());
  fan_out->all_done.expires_at(asio::steady_timer::time_point::max());
  for (size_t i = 0; i < axons.size(); ++i) {
    auto one = [](Dendrite* self, std::shared_ptr<FanOut> state, size_t index, AxonEndpoint axon,
                  const SynapseClass& cls, BittensorSynapse synapse,
                  double timeout) -> asio::awaitable<void> {
      state->results[index] =
          co_await self->Call(std::move(axon), cls, std::move(synapse), timeout);
    };
    // Every child runs on this coroutine's executor, so `remaining` needs no lock.
    asio::co_spawn(executor, one(this, fan_out, i, axons[i], cls, synapse, timeout_seconds),
                   [fan_out, i, &cls, axon = axons[i]](std::exception_ptr error) {
                     if (error) {
                       auto& failed = fan_out->results[i];
                       failed.name = cls.name;
                       SetDendriteStatus(failed, 500, "Client error: the call failed");
                     }
                     if (--fan_out->remaining == 0) fan_out->all_done.cancel();
                   });
  }
  // Children borrow this dendrite, so wait for all of them even when cancelled (each is
  // bounded by the timeout).
  const bool throw_if_cancelled = co_await asio::this_coro::throw_if_cancelled();
  co_await asio::this_coro::throw_if_cancelled(false);
  while (fan_out->remaining > 0) {
    co_await fan_out->all_done.async_wait(kNoThrow);
  }
  co_await asio::this_coro::throw_if_cancelled(throw_if_cancelled);
  co_return fan_out->results;
}

}  // namespace orchestra::net
