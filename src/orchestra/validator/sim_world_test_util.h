#pragma once

// Test helper for validator_test only: the expert world of the simulator (curated corpus, the
// shipped manifest's subnets answering at once and without faults) reached as the validator
// reaches it, through experts::HttpTransport signed with a validator key.

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>
#include <optional>

#include "orchestra/crypto/sr25519.h"
#include "orchestra/crypto/ss58.h"
#include "orchestra/experts/http_transport.h"
#include "orchestra/net/http_client.h"
#include "orchestra/sim/simulator.h"
#include "orchestra/validator/retriever.h"

namespace orchestra::validator::testing {

inline const crypto::Keypair& ValidatorKey() {
  static const crypto::Keypair key = crypto::Keypair::FromMiniSecret(crypto::MiniSecret{11});
  return key;
}

inline std::string ValidatorAddress() {
  return crypto::Ss58Encode(ValidatorKey().public_key().bytes());
}

class SimWorld {
 public:
  SimWorld() {
    sim::Manifest manifest = sim::Manifest::Default().value();
    // The validator's measured view keeps the manifest's figures (SN22 more reliable than the
    // cheaper SN42); the UIDs themselves answer every call, so runs are reproducible.
    ledger_ = manifest.LedgerEntries();
    for (sim::SubnetSpec& subnet : manifest.subnets) {
      for (sim::UidSpec& uid : subnet.uids) {
        uid.reliability = 1;
        uid.quality = 1;
        uid.fault_weights = {};
      }
    }
    static const auto corpus =
        std::make_shared<const sim::Corpus>(sim::Corpus::LoadEmbedded().value());
    sim::SimulatorOptions options;
    options.seed = 42;
    options.latency_scale = 0;
    auto started = sim::Simulator::Start(std::move(manifest), corpus, options);
    if (!started) ADD_FAILURE() << started.error().ToString();
    sim_ = std::move(*started);
    client_ = std::make_unique<net::HttpClient>(io_.get_executor());
    transport_ = std::make_unique<experts::HttpTransport>(*client_, sim_->directory(),
                                                          ValidatorKey(), io_.get_executor());
  }

  // Runs `task` on this world's event loop until it completes.
  template <typename T>
  T Run(boost::asio::awaitable<T> task) {
    std::optional<T> out;
    bool done = false;
    boost::asio::co_spawn(
        io_, [&]() -> boost::asio::awaitable<void> { out.emplace(co_await std::move(task)); },
        [&](std::exception_ptr e) {
          done = true;
          if (e) std::rethrow_exception(e);
        });
    io_.restart();
    while (!done) io_.run_one();
    return std::move(*out);
  }

  const ledger::LedgerEntry& Entry(std::string_view subnet_id) const {
    for (const ledger::LedgerEntry& e : ledger_) {
      if (e.subnet_id == subnet_id) return e;
    }
    ADD_FAILURE() << "no " << subnet_id;
    return ledger_.front();
  }

  // A retriever over the most reliable search and scraping subnets (SN22, SN13), or over
  // `search_subnet` for search.
  std::unique_ptr<Retriever> MakeRetriever(std::string_view search_subnet = "") {
    const ledger::LedgerEntry* search =
        search_subnet.empty() ? MostReliable(ledger_, "web_search") : &Entry(search_subnet);
    auto retriever =
        std::make_unique<Retriever>(*transport_, *search, *MostReliable(ledger_, "web_scraping"),
                                    RetrieverOptions{.validator_hotkey = ValidatorAddress()});
    retriever->set_challenge_id("0x" + std::string(64, 'c'));
    return retriever;
  }

  sim::Simulator& sim() { return *sim_; }
  const std::vector<ledger::LedgerEntry>& ledger() const { return ledger_; }
  net::HttpClient& client() { return *client_; }
  // Expert calls signed with ValidatorKey(), on io().
  experts::Transport& transport() { return *transport_; }
  boost::asio::io_context& io() { return io_; }

 private:
  std::vector<ledger::LedgerEntry> ledger_;
  std::unique_ptr<sim::Simulator> sim_;
  boost::asio::io_context io_;
  std::unique_ptr<net::HttpClient> client_;
  std::unique_ptr<experts::HttpTransport> transport_;
};

}  // namespace orchestra::validator::testing
