#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "orchestra/core/clock.h"
#include "orchestra/experts/transport.h"
#include "orchestra/ledger/learner.h"
#include "orchestra/ledger/maintenance.h"
#include "orchestra/ledger/store.h"
#include "orchestra/miner/service.h"

// The Subnet Ledger's maintenance loop (seed 000's maintain_ledger): rounds of probes that keep
// the ledger the miner routes with true to what the subnets do. Each round probes every UID of
// every subnet once, with the request of its capability family; what the answers show becomes
// the subnet's health, its output schema after drift, the UIDs' learned figures and governance
// proposals (ledger/maintenance.h), and a changed ledger is installed for the next challenges.
namespace orchestra::miner {

struct KeeperOptions {
  std::chrono::milliseconds interval{300'000};  // between rounds, seed 000's 5 minutes
  double jitter = 0.1;                          // each wait is interval × (1 ± jitter)
  std::chrono::milliseconds round_timeout{30'000};
  std::chrono::milliseconds probe_timeout{5'000};
  std::string miner_hotkey;  // SS58: every probe's lock binds it, as a challenge's calls do
  // The payloads: a search probe asks `search_query`; a scrape probe reads the first link a
  // search probe of the round found, else `scrape_url`; an inference probe asks `chat_prompt`.
  std::string search_query = "open source message broker";
  std::string scrape_url = "https://mosquitto.org/";
  std::string chat_prompt = "Say in one sentence what a message broker does.";
};

// What one round found.
struct KeeperRound {
  int64_t at_ms = 0;
  int probes = 0;
  int answered = 0;
  std::vector<ledger::DriftEvent> drifts;
  // Subnets whose health changed: (subnet, from, to).
  std::vector<std::tuple<std::string, ledger::EntryStatus, ledger::EntryStatus>> status_changes;
  std::vector<Json> proposals;
  bool installed = false;                 // a new ledger went to the service
  std::vector<std::string> store_errors;  // writes the store refused (the ledger is installed)
};

// Runs on the executor the transport belongs to (experts::HttpTransport is single-threaded);
// one round at a time. `service`, `transport`, `learner` (may be null) and `store` (may be null:
// nothing is kept beyond the process) must outlive the keeper. Store writes happen on this
// thread: they are small (one entry, one event).
class LedgerKeeper {
 public:
  LedgerKeeper(MinerService& service, experts::Transport& transport, ledger::Learner* learner,
               ledger::Store* store, KeeperOptions options, const TimeSource& time = RealTime());

  // One round now, finished by its round_timeout: probes in flight then fail as timeouts.
  boost::asio::awaitable<KeeperRound> RunRound();

  // Rounds, the first after one interval, until cancelled (a terminal cancellation of the
  // awaiting coroutine); logs each round's drift and health changes.
  boost::asio::awaitable<void> Run();

  uint64_t rounds() const { return rounds_; }

 private:
  struct Probe {
    const ledger::LedgerEntry* entry;
    int uid;
    Json payload;
  };
  // What the probes of one round share; owned by RunRound's frame, which outlives them.
  struct RoundState {
    std::map<std::string, ledger::ProbeRound>* results;
    KeeperRound* report;
    std::string* found_url;
    uint64_t round;
    Deadline deadline;
  };
  boost::asio::awaitable<void> ProbeOne(Probe probe, int index, RoundState state);

  MinerService& service_;
  experts::Transport& transport_;
  ledger::Learner* learner_;
  ledger::Store* store_;
  const KeeperOptions options_;
  const TimeSource& time_;
  uint64_t rounds_ = 0;
};

}  // namespace orchestra::miner
