#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "orchestra/core/json.h"
#include "orchestra/core/result.h"

namespace orchestra::net {

// What an axon needs to know about one registered neuron to gate its callers.
struct NeuronRecord {
  std::string hotkey;  // SS58
  int uid = -1;
  bool validator_permit = false;
  double stake = 0.0;  // TAO
};

// Reads the neurons of a metagraph document, the format `orchestra experts` serves at
// GET /metagraph/{netuid} and `orchestra miner --metagraph FILE` reads:
//   {"netuid": 1, "neurons": [{"uid": 0, "hotkey": "5F…", "coldkey": "5C…", "stake": 1000.0,
//                              "validator_permit": true, "axon": {"ip": "…", "port": 8091}}]}
// uid and hotkey are required (hotkey a valid SS58 address, uids and hotkeys unique), stake
// (default 0, not negative) and validator_permit (default false) optional, other keys ignored.
// Errors (kInvalidArgument) name the neuron and field: "neurons[2].hotkey: not an SS58 address".
Result<std::vector<NeuronRecord>> NeuronsFromJson(const Json& metagraph);

// An immutable view of a subnet's registrations, looked up by hotkey.
class Metagraph {
 public:
  Metagraph() = default;
  explicit Metagraph(std::vector<NeuronRecord> neurons);

  // The neuron registered under `hotkey`, or nullptr.
  const NeuronRecord* Find(const std::string& hotkey) const;
  size_t size() const { return by_hotkey_.size(); }

 private:
  std::unordered_map<std::string, NeuronRecord> by_hotkey_;
};

// Where an axon reads registrations from (the chain module's metagraph poller, or a fixed
// list). Snapshot() is called once per request on the hot path: it must be cheap, thread-safe
// and never block.
class MetagraphSource {
 public:
  virtual ~MetagraphSource() = default;
  // The current snapshot; never null.
  virtual std::shared_ptr<const Metagraph> Snapshot() const = 0;
};

// A MetagraphSource holding a snapshot that its owner replaces as the chain changes; readers
// see either the old or the new snapshot, never a mix.
class StaticMetagraphSource : public MetagraphSource {
 public:
  explicit StaticMetagraphSource(std::vector<NeuronRecord> neurons = {});

  std::shared_ptr<const Metagraph> Snapshot() const override;
  // Swaps in a new set of registrations (thread-safe).
  void Replace(std::vector<NeuronRecord> neurons);

 private:
  std::atomic<std::shared_ptr<const Metagraph>> current_;
};

}  // namespace orchestra::net
