#include "orchestra/miner/daemon.h"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <csignal>

namespace orchestra::miner {

MinerDaemon::MinerDaemon(boost::asio::io_context& io, DaemonOptions options,
                         std::shared_ptr<const net::MetagraphSource> metagraph,
                         MinerService& service)
    : io_(io),
      options_(std::move(options)),
      service_(service),
      axon_(std::make_unique<net::Axon>(options_.axon, std::move(metagraph))),
      server_(io.get_executor(), options_.axon.server),
      signals_(io),
      drain_timer_(io) {}

MinerDaemon::~MinerDaemon() = default;

Result<uint16_t> MinerDaemon::Start() {
  if (auto attached = service_.AttachTo(*axon_); !attached) return attached.error();
  auto port = server_.Start(axon_->AsHandler());
  if (!port) return port;
  if (options_.handle_signals) {
    boost::system::error_code ec;
    signals_.add(SIGINT, ec);
    if (!ec) signals_.add(SIGTERM, ec);
    if (ec) {
      server_.Stop();
      return Error(ErrorCode::kInternal, "miner: cannot handle SIGINT/SIGTERM: " + ec.message());
    }
    WaitForSignal();
  }
  return port;
}

void MinerDaemon::WaitForSignal() {
  signals_.async_wait([this](const boost::system::error_code& ec, int signal) {
    if (ec) return;  // cancelled by Stop()
    if (draining_) {
      spdlog::warn("miner: signal {} while draining: stopping now", signal);
      Stop();
      return;
    }
    spdlog::info("miner: signal {}: draining (a second signal stops at once)", signal);
    Drain();
    WaitForSignal();
  });
}

void MinerDaemon::Drain() {
  if (draining_ || stopped_) return;
  draining_ = true;
  if (options_.on_stop) options_.on_stop();
  server_.Drain([this] {
    boost::asio::post(io_, [this] {
      if (stopped_) return;
      spdlog::info("miner: drained ({} challenges answered, {} rejected); stopping",
                   service_.challenges_answered(), service_.challenges_rejected());
      Stop();
    });
  });
  drain_timer_.expires_after(options_.drain_timeout);
  drain_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    spdlog::warn("miner: drain took longer than {} ms; cutting {} connections off",
                 options_.drain_timeout.count(), server_.open_connections());
    Stop();
  });
}

void MinerDaemon::Stop() {
  if (stopped_) return;
  stopped_ = true;
  if (options_.on_stop && !draining_) options_.on_stop();
  server_.Stop();
  boost::system::error_code ignored;
  signals_.cancel(ignored);
  drain_timer_.cancel();
}

}  // namespace orchestra::miner
