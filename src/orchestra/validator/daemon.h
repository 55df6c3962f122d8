#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "orchestra/core/result.h"
#include "orchestra/net/http_server.h"
#include "orchestra/obs/metrics.h"
#include "orchestra/validator/validator.h"

namespace orchestra::validator {

struct ValidatorDaemonOptions {
  // The validator's HTTP API: GET /status, GET /metrics, POST /v1/orchestrate.
  net::ServerOptions api;
  // Bearer key of POST /v1/orchestrate; empty: the organic API answers 503.
  std::string api_key;
  // One synthetic challenge per interval (the public design: 20 blocks of 12 s).
  std::chrono::milliseconds interval{240000};
  // Stop (as after SIGTERM) once this many rounds have run; unset: run until a signal.
  std::optional<uint64_t> max_rounds;
  // After SIGINT/SIGTERM, how long the round and requests in flight may take to finish.
  std::chrono::milliseconds drain_timeout{60000};
  bool handle_signals = true;
  // Called on `io`'s thread before each round (e.g. to re-read the miners); may be empty.
  std::function<void()> before_round;
};

// The validator process's loop, on `io` (run by one thread, shared with the Validator's
// dependencies): a synthetic round every interval (the first at once), and the HTTP API:
//   GET /status          the Validator's Status() (JSON)
//   GET /metrics         Prometheus text of `metrics`
//   POST /v1/orchestrate {objective, target_schema, deadline_ms?, hints?} with
//                        `Authorization: Bearer <api_key>`: the best verified miner answer,
//                        {"response": {...}, "score": ScoreCard, "miner": {uid, hotkey}};
//                        400 naming the bad field, 401 a wrong key, 503 no key configured or
//                        no verified answer.
// On SIGINT/SIGTERM it drains: no new round starts, the round in flight finishes, the API
// stops accepting and answers what it has, then io.run() returns. A second signal, or
// drain_timeout, cuts the drain short.
class ValidatorDaemon {
 public:
  ValidatorDaemon(boost::asio::io_context& io, ValidatorDaemonOptions options, Validator& validator,
                  const obs::MetricsRegistry& metrics);
  ~ValidatorDaemon();
  ValidatorDaemon(const ValidatorDaemon&) = delete;
  ValidatorDaemon& operator=(const ValidatorDaemon&) = delete;

  // Binds the API and starts the round loop; returns the API's port.
  Result<uint16_t> Start();
  // The graceful drain (what the first signal does). Call on `io`'s thread.
  void Drain();
  // Stops at once. Call on `io`'s thread.
  void Stop();

  bool draining() const { return draining_; }
  bool stopped() const { return stopped_; }

 private:
  boost::asio::awaitable<void> RoundLoop();
  boost::asio::awaitable<net::HttpResponse> Handle(net::HttpRequest request);
  boost::asio::awaitable<net::HttpResponse> HandleOrganic(net::HttpRequest request);
  void WaitForSignal();
  void MaybeFinish();

  boost::asio::io_context& io_;
  ValidatorDaemonOptions options_;
  Validator& validator_;
  const obs::MetricsRegistry& metrics_;
  net::HttpServer server_;
  boost::asio::signal_set signals_;
  boost::asio::steady_timer round_timer_;
  boost::asio::steady_timer drain_timer_;
  bool round_running_ = false;
  bool server_drained_ = false;
  std::atomic<bool> draining_ = false;
  std::atomic<bool> stopped_ = false;
};

}  // namespace orchestra::validator
