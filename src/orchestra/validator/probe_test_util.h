#pragma once

// Test helpers for validator_test only: the simulated expert network probed by a real Prober
// over loopback (signed synapse calls and OpenAI-compatible HTTP), with the seed ledger as the
// validator's base.

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <memory>
#include <optional>

#include "orchestra/crypto/sr25519.h"
#include "orchestra/crypto/ss58.h"
#include "orchestra/experts/http_transport.h"
#include "orchestra/ledger/snapshot.h"
#include "orchestra/net/http_client.h"
#include "orchestra/sim/simulator.h"
#include "orchestra/validator/prober.h"

namespace orchestra::validator::testing {

inline std::shared_ptr<const sim::Corpus> CuratedCorpus() {
  static auto corpus = std::make_shared<const sim::Corpus>(sim::Corpus::LoadEmbedded().value());
  return corpus;
}

// The default manifest with every UID answering every call at once and cleanly, so that what
// a test sees depends only on what it changes.
inline sim::Manifest CleanManifest() {
  sim::Manifest manifest = sim::Manifest::Default().value();
  for (auto& subnet : manifest.subnets) {
    for (auto& uid : subnet.uids) {
      uid.p50_ms = 0;
      uid.p95_ms = 0;
      uid.reliability = 1;
      uid.fault_weights = {};
      uid.quality = 1;
    }
  }
  return manifest;
}

inline std::vector<ledger::LedgerEntry> SeedEntries() {
  auto seed = ledger::SeedSnapshot();
  EXPECT_TRUE(seed.ok()) << seed.error().ToString();
  std::vector<ledger::LedgerEntry> out;
  if (!seed) return out;
  for (const auto& [id, entry] : seed->entries()) out.push_back(entry);
  return out;
}

// A simulator and a prober signed with a validator key, run one round at a time on this
// thread.
class ProbedNetwork {
 public:
  explicit ProbedNetwork(sim::Manifest manifest = CleanManifest(), ProberOptions options = {}) {
    sim::SimulatorOptions sim_options;
    sim_options.seed = 42;
    sim_options.latency_scale = 0;
    auto started = sim::Simulator::Start(std::move(manifest), CuratedCorpus(), sim_options);
    if (!started) {
      ADD_FAILURE() << started.error().ToString();
      return;
    }
    sim_ = std::move(*started);
    crypto::MiniSecret secret{};
    secret.fill(0x5a);
    const crypto::Keypair validator = crypto::Keypair::FromMiniSecret(secret);
    options.validator_hotkey = crypto::Ss58Encode(validator.public_key().bytes());
    client_.emplace(io_.get_executor());
    transport_.emplace(*client_, sim_->directory(), validator, io_.get_executor());
    prober_.emplace(SeedEntries(), sim_->directory(), *transport_, std::move(options));
  }

  sim::Simulator& sim() { return *sim_; }
  Prober& prober() { return *prober_; }

  ExpertView Round() {
    auto done = boost::asio::co_spawn(
        io_, prober_->Probe(Deadline::After(std::chrono::seconds(30))), boost::asio::use_future);
    io_.restart();
    io_.run();
    return done.get();
  }

 private:
  boost::asio::io_context io_;
  std::unique_ptr<sim::Simulator> sim_;
  std::optional<net::HttpClient> client_;
  std::optional<experts::HttpTransport> transport_;
  std::optional<Prober> prober_;
};

}  // namespace orchestra::validator::testing
