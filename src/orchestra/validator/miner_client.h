#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "orchestra/core/json.h"
#include "orchestra/net/dendrite.h"
#include "orchestra/protocol/orchestra_synapse.h"
#include "orchestra/validator/miners.h"

namespace orchestra::validator {

// What one miner sent back for one synapse, as the validator's dendrite received it.
struct MinerReply {
  MinerTarget miner;
  // The dendrite's outcome (net::Dendrite): 200, the axon's error status, 408 no answer in
  // time, 503 unreachable, 422 an answer that is not the synapse.
  int status_code = 0;
  // The dendrite's message, at most kMaxMinerMessageBytes (a longer one keeps its first whole
  // UTF-8 characters, then "... (cut)"): an axon error's message is whatever the miner wrote,
  // and it goes into score reasons, log lines and the store once per miner per round.
  std::string status_message;
  // The synapse's subclass fields as answered (an object) when status_code is 200, else null.
  // For OrchestraSynapse the response half (task_pipeline, standardized_data, ...) is there,
  // unvalidated: the scorer reads it.
  Json fields;
  double seconds = 0.0;  // the whole exchange as the dendrite timed it (0 when it failed)
};

inline constexpr size_t kMaxMinerMessageBytes = 1024;

// Time given to a miner beyond the challenge's deadline_ms to carry its answer back: the
// synapse timeout is deadline_ms + this.
inline constexpr double kTransferSlackSeconds = 2.0;

// Sends `challenge` as OrchestraSynapse to every miner at once and waits for all (each bounded
// by the synapse timeout). One reply per miner, in the order of `miners`. Never throws.
boost::asio::awaitable<std::vector<MinerReply>> AskChallenge(
    net::Dendrite& dendrite, const std::vector<MinerTarget>& miners,
    const protocol::Challenge& challenge, double slack_seconds = kTransferSlackSeconds);

// Asks every miner for its ledger (LedgerSynapse; `since_version` as the miner's delta
// contract). Replies as AskChallenge's: fields hold ledger_version and entries.
boost::asio::awaitable<std::vector<MinerReply>> AskLedger(net::Dendrite& dendrite,
                                                          const std::vector<MinerTarget>& miners,
                                                          std::optional<std::string> since_version,
                                                          double timeout_seconds);

}  // namespace orchestra::validator
