#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace orchestra::net {

// What an axon needs to know about one registered neuron to gate its callers.
struct NeuronRecord {
  std::string hotkey;  // SS58
  int uid = -1;
  bool validator_permit = false;
  double stake = 0.0;  // TAO
};

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
