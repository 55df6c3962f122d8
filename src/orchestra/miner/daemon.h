#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

#include "orchestra/core/result.h"
#include "orchestra/miner/service.h"
#include "orchestra/net/axon.h"
#include "orchestra/net/http_server.h"
#include "orchestra/net/metagraph_source.h"

namespace orchestra::miner {

struct DaemonOptions {
  // The axon: the miner's hotkey, listening address/port and limits (axon.server), who may call.
  net::AxonOptions axon;
  // After SIGINT/SIGTERM, how long work in flight may take to finish before it is cut off.
  std::chrono::milliseconds drain_timeout{60000};
  // Install SIGINT/SIGTERM handlers (tests that call Drain() themselves turn this off).
  bool handle_signals = true;
  // Called on `io`'s thread when the drain (or a stop) begins: background work of the
  // process's own (the ledger's maintenance loop) stops there, so that io.run() can return.
  std::function<void()> on_stop;
};

// The miner process's serving loop: an axon answering `service`'s synapses on `io`, which must be
// run by one thread (see MinerService). On SIGINT or SIGTERM it drains: the listening socket
// closes, idle connections close, challenges in flight finish and are answered, then the server
// stops and io.run() returns. A second signal, or drain_timeout, cuts the drain short.
class MinerDaemon {
 public:
  MinerDaemon(boost::asio::io_context& io, DaemonOptions options,
              std::shared_ptr<const net::MetagraphSource> metagraph, MinerService& service);
  ~MinerDaemon();
  MinerDaemon(const MinerDaemon&) = delete;
  MinerDaemon& operator=(const MinerDaemon&) = delete;

  // Attaches the synapses, binds and starts serving; returns the bound port.
  Result<uint16_t> Start();

  // Begins the graceful drain (what the first signal does). Call on `io`'s thread.
  void Drain();
  // Stops at once, cancelling work in flight. Call on `io`'s thread.
  void Stop();

  // Whether a drain has begun, and whether the daemon has stopped serving (after a drain or
  // Stop()). Safe to read from any thread.
  bool draining() const { return draining_; }
  bool stopped() const { return stopped_; }
  const net::Axon& axon() const { return *axon_; }
  // The axon, to attach further synapse handlers (or replace the service's) after Start() and
  // before `io` runs: test miners decorate the service's answers this way.
  net::Axon& axon() { return *axon_; }

 private:
  void WaitForSignal();

  boost::asio::io_context& io_;
  DaemonOptions options_;
  MinerService& service_;
  std::unique_ptr<net::Axon> axon_;
  net::HttpServer server_;
  boost::asio::signal_set signals_;
  boost::asio::steady_timer drain_timer_;
  std::atomic<bool> draining_ = false;
  std::atomic<bool> stopped_ = false;
};

}  // namespace orchestra::miner
