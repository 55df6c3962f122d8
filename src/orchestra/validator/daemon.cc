#include "orchestra/validator/daemon.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <csignal>

#include "orchestra/net/http_message.h"

namespace orchestra::validator {
ValidatorDaemon::ValidatorDaemon(boost::asio::io_context& io, ValidatorDaemonOptions options,
                                 Validator& validator, const obs::MetricsRegistry& metrics)
    : io_(io),
      options_(std::move(options)),
      validator_(validator),
      metrics_(metrics),
      server_(io.get_executor(),
              [&] {
                net::ServerOptions api = options_.api;
                api.single_threaded = true;
                return api;
              }()),
      signals_(io),
      round_timer_(io),
      drain_timer_(io) {}

ValidatorDaemon::~ValidatorDaemon() = default;

Result<uint16_t> ValidatorDaemon::Start() {
  auto port =
      server_.Start([this](net::HttpRequest request) { return Handle(std::move(request)); });
  if (!port) return port;
  if (options_.handle_signals) {
    boost::system::error_code ec;
    signals_.add(SIGINT, ec);
    if (!ec) signals_.add(SIGTERM, ec);
    if (ec) {
      server_.Stop();
      return Error(ErrorCode::kInternal,
                   "validator: cannot handle SIGINT/SIGTERM: " + ec.message());
    }
    WaitForSignal();
  }
  round_running_ = true;
  boost::asio::co_spawn(io_, RoundLoop(), boost::asio::detached);
  return port;
}

boost::asio::awaitable<void> ValidatorDaemon::RoundLoop() {
  while (!draining_ && !stopped_) {
    const auto started = std::chrono::steady_clock::now();
    if (options_.before_round) options_.before_round();
    auto report = co_await validator_.RunRound();
    if (!report) {
      spdlog::warn("validator: round {}: {}", validator_.rounds(), report.error().message);
    }
    if (options_.max_rounds && validator_.rounds() >= *options_.max_rounds) {
      spdlog::info("validator: {} rounds done", validator_.rounds());
      break;
    }
    if (draining_ || stopped_) break;
    round_timer_.expires_at(started + options_.interval);
    boost::system::error_code ec;
    co_await round_timer_.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
  }
  round_running_ = false;
  if (!draining_) {
    Drain();
  } else {
    MaybeFinish();
  }
}

boost::asio::awaitable<net::HttpResponse> ValidatorDaemon::Handle(net::HttpRequest request) {
  const std::string_view path =
      std::string_view(request.target).substr(0, std::string_view(request.target).find('?'));
  if (path == "/status") {
    if (request.method != "GET") co_return net::MessageResponse(405, "use GET");
    co_return net::JsonResponse(200, co_await validator_.StatusJson());
  }
  if (path == "/metrics") {
    if (request.method != "GET") co_return net::MessageResponse(405, "use GET");
    net::HttpResponse response;
    response.status = 200;
    response.headers.Add("content-type", std::string(obs::kPrometheusContentType));
    response.body = metrics_.RenderText();
    co_return response;
  }
  if (path == "/v1/orchestrate") {
    if (request.method != "POST") co_return net::MessageResponse(405, "use POST");
    co_return co_await HandleOrganic(std::move(request));
  }
  co_return net::MessageResponse(404, fmt::format("unknown path {}", path.substr(0, 200)));
}

boost::asio::awaitable<net::HttpResponse> ValidatorDaemon::HandleOrganic(net::HttpRequest request) {
  if (options_.api_key.empty()) {
    co_return net::MessageResponse(503, "the organic API is off: no API key is configured");
  }
  if (!net::HasBearerToken(request, options_.api_key)) {
    co_return net::MessageResponse(401, "missing or wrong bearer API key");
  }
  auto body = ParseJson(request.body, "request body");
  if (!body) co_return net::MessageResponse(400, body.error().message);
  auto challenge = protocol::ChallengeFromJson(*body);
  if (!challenge) co_return net::MessageResponse(400, challenge.error().message);
  auto best = co_await validator_.Organic(std::move(*challenge));
  if (!best) co_return net::MessageResponse(503, best.error().message);
  co_return net::JsonResponse(
      200, JsonObject{{"response", best->answer},
                      {"score", ToJson(best->card)},
                      {"miner",
                       JsonObject{{"uid", best->miner.uid}, {"hotkey", best->miner.axon.hotkey}}}});
}

void ValidatorDaemon::WaitForSignal() {
  signals_.async_wait([this](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    if (draining_) {
      spdlog::warn("validator: signal {} while draining: stopping now", signal);
      Stop();
      return;
    }
    spdlog::info("validator: signal {}: draining (a second signal stops at once)", signal);
    Drain();
    WaitForSignal();
  });
}

void ValidatorDaemon::Drain() {
  if (draining_ || stopped_) return;
  draining_ = true;
  round_timer_.cancel();
  server_.Drain([this] {
    boost::asio::post(io_, [this] {
      server_drained_ = true;
      MaybeFinish();
    });
  });
  drain_timer_.expires_after(options_.drain_timeout);
  drain_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    spdlog::warn("validator: drain took longer than {} ms; stopping",
                 options_.drain_timeout.count());
    Stop();
  });
}

void ValidatorDaemon::MaybeFinish() {
  if (stopped_ || !draining_ || round_running_ || !server_drained_) return;
  spdlog::info("validator: drained after {} rounds; stopping", validator_.rounds());
  Stop();
}

void ValidatorDaemon::Stop() {
  if (stopped_) return;
  stopped_ = true;
  server_.Stop();
  boost::system::error_code ignored;
  signals_.cancel(ignored);
  round_timer_.cancel();
  drain_timer_.cancel();
}

}  // namespace orchestra::validator
