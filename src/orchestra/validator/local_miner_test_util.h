#pragma once

// Test helpers for validator_test only: a real miner (its service and daemon, experts played
// in-process) on a loopback port, for the tests that ask miners over the wire.

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "orchestra/crypto/test_util.h"
#include "orchestra/miner/daemon.h"
#include "orchestra/miner/miner_test_util.h"
#include "orchestra/validator/miners.h"

namespace orchestra::validator::testing {

// The keys a LocalMiner knows: its own hotkey, and the one validator its metagraph permits.
inline const crypto::Keypair kLocalMinerKey = crypto::testing::KeyFromByte(4);
inline const crypto::Keypair kLocalValidatorKey = crypto::testing::KeyFromByte(2);

// A real miner on 127.0.0.1, serving from its own thread until destroyed. Its experts answer
// at once from the embedded corpus and sign receipts with KeyFromByte(9); only a dendrite
// signing with kLocalValidatorKey gets past its blacklist.
class LocalMiner {
 public:
  LocalMiner()
      : service_(std::make_shared<const ledger::Snapshot>(*ledger::SeedSnapshot()),
                 experts_.transport(), Options()) {
    miner::DaemonOptions options;
    options.axon.hotkey = crypto::testing::AddressOf(kLocalMinerKey);
    options.handle_signals = false;
    auto metagraph = std::make_shared<net::StaticMetagraphSource>(
        std::vector<net::NeuronRecord>{{.hotkey = crypto::testing::AddressOf(kLocalValidatorKey),
                                        .uid = 0,
                                        .validator_permit = true,
                                        .stake = 100}});
    daemon_.emplace(io_, options, metagraph, service_);
    auto port = daemon_->Start();
    EXPECT_TRUE(port.ok()) << port.error().ToString();
    port_ = port.ok() ? *port : 0;
    thread_ = std::thread([this] { io_.run(); });
  }
  ~LocalMiner() {
    boost::asio::post(io_, [this] { daemon_->Stop(); });
    thread_.join();
  }
  LocalMiner(const LocalMiner&) = delete;
  LocalMiner& operator=(const LocalMiner&) = delete;

  MinerTarget Target(int uid = 1) const {
    return MinerTarget{.uid = uid,
                       .axon = {"127.0.0.1", port_, crypto::testing::AddressOf(kLocalMinerKey)},
                       .serving = true};
  }

 private:
  static miner::OrchestratorOptions Options() {
    miner::OrchestratorOptions options;
    options.miner_hotkey = crypto::testing::AddressOf(kLocalMinerKey);
    return options;
  }

  miner::testing::SimulatedExperts experts_;
  miner::MinerService service_;
  boost::asio::io_context io_;
  std::optional<miner::MinerDaemon> daemon_;
  uint16_t port_ = 0;
  std::thread thread_;
};

}  // namespace orchestra::validator::testing
