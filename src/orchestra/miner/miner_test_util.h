#pragma once

// Test helpers for miner_test only: experts played in-process by the simulator's functions, a
// transport whose calls wait until the test opens a gate, and the worked example challenge.

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <condition_variable>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "orchestra/crypto/sr25519.h"
#include "orchestra/crypto/ss58.h"
#include "orchestra/crypto/test_util.h"
#include "orchestra/experts/transport.h"
#include "orchestra/ledger/snapshot.h"
#include "orchestra/sim/completion.h"
#include "orchestra/sim/corpus.h"
#include "orchestra/sim/data_universe.h"
#include "orchestra/sim/desearch.h"
#include "orchestra/sim/simulator.h"

namespace orchestra::miner::testing {

using crypto::testing::AddressOf;
using crypto::testing::KeyFromByte;

// Experts that answer at once from the embedded corpus, signing receipts with one key.
class SimulatedExperts {
 public:
  SimulatedExperts()
      : corpus_(std::make_shared<const sim::Corpus>(sim::Corpus::LoadEmbedded().value())),
        transport_(
            [corpus = corpus_](const ledger::LedgerEntry& e, const Json& q) -> Result<Json> {
              if (e.HasCapability("web_search")) return sim::Search(*corpus, q);
              if (e.HasCapability("web_scraping")) return sim::Scrape(*corpus, q);
              return sim::Complete(q);
            },
            KeyFromByte(9)) {}
  experts::Transport& transport() { return transport_; }

 private:
  std::shared_ptr<const sim::Corpus> corpus_;
  experts::InProcessTransport transport_;
};

// The shipped manifest's expert network served over HTTP on loopback, every UID answering well
// and at once (no faults, full quality), so that what a test plants through the admin API is all
// that goes wrong; and the ledger of its subnets.
struct FaultFreeNetwork {
  std::unique_ptr<sim::Simulator> sim;
  ledger::SnapshotPtr ledger;
};
inline FaultFreeNetwork StartFaultFreeNetwork() {
  sim::Manifest manifest = sim::Manifest::Default().value();
  for (sim::SubnetSpec& subnet : manifest.subnets) {
    for (sim::UidSpec& uid : subnet.uids) {
      uid.reliability = 1;
      uid.quality = 1;
      uid.fault_weights = {};
    }
  }
  std::map<std::string, ledger::LedgerEntry> entries;
  for (auto& e : manifest.LedgerEntries()) entries.emplace(e.subnet_id, std::move(e));
  FaultFreeNetwork network;
  network.ledger = std::make_shared<const ledger::Snapshot>(std::move(entries));
  static const auto corpus =
      std::make_shared<const sim::Corpus>(sim::Corpus::LoadEmbedded().value());
  sim::SimulatorOptions options;
  options.latency_scale = 0;
  network.sim = sim::Simulator::Start(std::move(manifest), corpus, options).value();
  return network;
}

// Wraps a transport; every call first waits until Open() (or its deadline), so a test can hold
// a challenge in flight. WaitUntilArrived(n) returns once n calls have found it shut.
class GatedTransport : public experts::Transport {
 public:
  explicit GatedTransport(experts::Transport& inner) : inner_(inner) {}

  boost::asio::awaitable<Result<experts::ExpertReply>> Call(experts::ExpertCall call,
                                                            Deadline deadline) override {
    boost::asio::steady_timer wait(co_await boost::asio::this_coro::executor, deadline.at());
    {
      std::lock_guard lock(mu_);
      if (!open_) {
        waiting_.push_back(&wait);
        ++arrived_;
        arrival_.notify_all();
      }
    }
    if (!is_open()) {
      co_await wait.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
      std::lock_guard lock(mu_);
      std::erase(waiting_, &wait);
      if (!open_) co_return Error(ErrorCode::kDeadline, "gate stayed closed");
    }
    co_return co_await inner_.Call(std::move(call), deadline);
  }

  void WaitUntilStarted() { ASSERT_TRUE(WaitUntilArrived(1)); }
  // Until `calls` calls in all have come to the shut gate; false if they have not within a
  // minute (the test is then broken, and must not hang).
  bool WaitUntilArrived(size_t calls) {
    std::unique_lock lock(mu_);
    return arrival_.wait_for(lock, std::chrono::minutes(1), [&] { return arrived_ >= calls; });
  }
  // Whether a call has reached the gate yet.
  bool started() {
    std::lock_guard lock(mu_);
    return arrived_ > 0;
  }
  // Lets every waiting and future call through. Call from any thread while `executor`'s
  // io_context runs.
  void Open(boost::asio::any_io_executor executor) {
    boost::asio::post(executor, [this] {
      std::lock_guard lock(mu_);
      open_ = true;
      for (auto* timer : waiting_) timer->cancel();
      waiting_.clear();
    });
  }

 private:
  bool is_open() {
    std::lock_guard lock(mu_);
    return open_;
  }

  experts::Transport& inner_;
  std::mutex mu_;
  std::condition_variable arrival_;
  bool open_ = false;
  size_t arrived_ = 0;  // calls that found the gate shut
  std::vector<boost::asio::steady_timer*> waiting_;
};

// The seed's worked example as an OrchestraSynapse's input fields.
inline JsonObject WorkedExampleFields(std::string challenge_id = "0xfeed") {
  return JsonObject{
      {"challenge_id", std::move(challenge_id)},
      {"objective",
       "Research the competitive landscape for decentralized compute marketplaces and identify "
       "gaps our product could fill"},
      {"target_schema", *ParseJson(R"({"competitors": [{"name": "str", "description": "str",
                       "strengths": "list", "weaknesses": "list"}],
                      "market_gaps": [{"gap": "str", "opportunity": "str", "difficulty": "str"}],
                      "recommendation": "str"})")},
      {"deadline_ms", 20000}};
}

}  // namespace orchestra::miner::testing
