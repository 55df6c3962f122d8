#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "orchestra/cli/wiring.h"

namespace orchestra::cli {

// Flags of `orchestra miner`, named as Bittensor's miners name them.
struct MinerFlags {
  // Wallet: when none of the three is given, a development hotkey under
  // <data dir>/wallets/miner/hotkeys/default is used (created on first start).
  HotkeyFlags wallet;
  std::string axon_ip = "0.0.0.0";
  int axon_port = 8091;
  int netuid = 1;
  std::string data_dir;
  // Who may call: a metagraph document (net::NeuronsFromJson). Without one, any caller with a
  // valid signature is served (development only; a warning says so).
  std::string metagraph;
  bool allow_non_registered = false;
  bool force_validator_permit = true;
  double min_stake = 0.0;
  double drain_timeout_s = 60.0;
  // host:port of a running `orchestra experts` (its control API): the UIDs are read from its
  // metagraphs. Empty: an expert simulator is started inside this process.
  std::string experts;
  // The embedded expert network.
  uint64_t seed = 42;
  double latency_scale = 1.0;
  // The embedded experts' corpus (OpenExpertCorpus, embedded_experts.h): "full" or "curated".
  std::string corpus = "full";
  LlmFlags llm;
  std::optional<double> max_spend;  // TAO the follow-ups may bring a challenge's spend to
  // The ledger store (ledger::OpenStore: "" or "sqlite[:PATH]" for <data dir>/ledger.db,
  // "redis://HOST[:PORT][/PREFIX]" for a fleet) and the maintenance loop's interval (0: off).
  std::string ledger_store;
  double ledger_interval_s = 300.0;
};

// `orchestra miner`: serves OrchestraSynapse and LedgerSynapse on a Bittensor axon until
// SIGINT/SIGTERM, then drains. Prints one line with the hotkey and the address it serves on.
// Returns the exit code: 0 after a drain, 2 bad input (flags, wallet, metagraph), 1 could not
// serve (the port is taken, the data dir is unusable).
int MinerCommand(const MinerFlags& flags);

}  // namespace orchestra::cli
