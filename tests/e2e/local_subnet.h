#pragma once

// A whole subnet on loopback for end-to-end tests: one `orchestra experts` process (the
// curated corpus, small latencies) and N orchestra_test_miner processes, each with its own
// development hotkey and an ephemeral port, serving any signed caller. A validator under test
// is pointed at Metagraph() (or WriteMetagraph()) and the experts' control API.
//
//   auto subnet = LocalSubnet::Start({.modes = {"honest", "forger"}});
//   ASSERT_TRUE(subnet.ok()) << subnet.error().ToString();
//   const LocalMiner& forger = (*subnet)->miner("forger");
//   BittensorSynapse answer = CallMiner(validator_key, forger.axon,
//                                       protocol::OrchestraSynapseClass(), challenge_fields);
//
// Binaries: $ORCHESTRA_BIN (default build/orchestra) and $ORCHESTRA_TEST_MINER_BIN (default
// build/tests/orchestra_test_miner); e2e_test's ctest entries set both. Not thread-safe; the
// object owns every process it started and stops them all in Stop() or its destructor.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "e2e/subprocess.h"
#include "orchestra/core/json.h"
#include "orchestra/core/result.h"
#include "orchestra/crypto/sr25519.h"
#include "orchestra/net/dendrite.h"
#include "orchestra/protocol/bittensor_synapse.h"

namespace orchestra::testing {

struct LocalSubnetOptions {
  // One test miner per entry, by orchestra_test_miner --mode: honest, forger, replayer, lazy,
  // stale-ledger, copier, off-topic. A "copier" copies the first "honest" miner listed before
  // it (kInvalidArgument when there is none).
  std::vector<std::string> modes = {};
  // `orchestra experts` --corpus: "curated" (fast) or "full" (with Debian's package
  // descriptions, indexed once into the subnet's folder: a world broad enough for a
  // validator's topics).
  std::string corpus = "curated";
  // `orchestra experts` --latency-scale and --seed.
  double latency_scale = 0.05;
  uint64_t seed = 7;
  // Every expert UID made fully reliable (no faults) and of full quality (no unrelated search
  // results), through the admin API, before the miners start: two honest runs of one challenge
  // then give the same standardized_data, so copying shows as equality.
  bool perfect_experts = false;
  // What Metagraph() says: the netuid, each miner's stake, and the validators registered with a
  // validator permit and validator_stake (uids after the miners', no axon).
  int netuid = 1;
  double miner_stake = 10.0;
  std::vector<std::string> validator_hotkeys = {};  // SS58
  double validator_stake = 1000.0;
};

struct LocalMiner {
  std::string mode;
  int uid = 0;             // its uid in Metagraph(): its index in options.modes
  net::AxonEndpoint axon;  // ip 127.0.0.1, the bound port, its hotkey (SS58)
  std::string data_dir;    // its ledger and wallet
};

class LocalSubnet {
 public:
  // Starts the experts, then every miner (copiers last), and waits for each to serve (up to a
  // minute each). Errors (kUnavailable) say which process did not start and what it printed.
  static Result<std::unique_ptr<LocalSubnet>> Start(LocalSubnetOptions options);
  ~LocalSubnet();  // Stop()
  LocalSubnet(const LocalSubnet&) = delete;
  LocalSubnet& operator=(const LocalSubnet&) = delete;

  // Sends SIGTERM to every miner, then to the experts, and waits for each to drain and exit.
  // Errors (kInternal) name every process that did not exit 0, with the end of its stderr.
  // Idempotent: later calls return {} and do nothing.
  Status Stop();

  // The miners, in the order of options.modes.
  const std::vector<LocalMiner>& miners() const { return miners_; }
  // The first miner of `mode`; throws std::out_of_range (a failed test) when there is none.
  const LocalMiner& miner(std::string_view mode) const;

  // The experts' control API (GET /metagraph/{netuid}, POST /admin/... with the token).
  uint16_t experts_port() const { return experts_port_; }
  std::string experts_address() const;  // "127.0.0.1:<experts_port>"
  const std::string& admin_token() const { return admin_token_; }

  // The miners' subnet as net::NeuronsFromJson reads it (and `orchestra miner --metagraph`):
  //   {"netuid": N, "neurons": [{"uid": 0, "hotkey": "5…", "stake": 10.0,
  //     "validator_permit": false, "axon": {"ip": "127.0.0.1", "port": 40123}}, …]}
  // followed by options.validator_hotkeys with validator_permit true and no axon.
  Json Metagraph() const;
  // Writes Metagraph() to `path`; returns `path`.
  std::string WriteMetagraph(const std::string& path) const;

  // A temporary folder removed with the subnet; each process has a sub-folder of it.
  const std::string& dir() const { return dir_.path(); }

 private:
  explicit LocalSubnet(LocalSubnetOptions options) : options_(std::move(options)) {}

  LocalSubnetOptions options_;
  TempDir dir_;
  std::unique_ptr<BackgroundProcess> experts_;
  std::vector<std::unique_ptr<BackgroundProcess>> processes_;  // miners, in miners_' order
  std::vector<LocalMiner> miners_;
  uint16_t experts_port_ = 0;
  std::string admin_token_;
  bool stopped_ = false;
};

// Sends `fields` as `cls` to `axon`, signed by `key`, and returns the answered synapse
// (dendrite.status_code says how the call went). Blocks the calling thread.
protocol::BittensorSynapse CallMiner(const crypto::Keypair& key, const net::AxonEndpoint& axon,
                                     const protocol::SynapseClass& cls, JsonObject fields,
                                     double timeout_seconds = 30.0);

// The path of orchestra_test_miner ($ORCHESTRA_TEST_MINER_BIN).
std::string TestMinerBinary();

}  // namespace orchestra::testing
