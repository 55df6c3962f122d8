#include "orchestra/net/metagraph_source.h"

#include <utility>

namespace orchestra::net {

Metagraph::Metagraph(std::vector<NeuronRecord> neurons) {
  by_hotkey_.reserve(neurons.size());
  for (NeuronRecord& neuron : neurons) {
    std::string key = neuron.hotkey;
    by_hotkey_.insert_or_assign(std::move(key), std::move(neuron));
  }
}

const NeuronRecord* Metagraph::Find(const std::string& hotkey) const {
  const auto it = by_hotkey_.find(hotkey);
  return it == by_hotkey_.end() ? nullptr : &it->second;
}

StaticMetagraphSource::StaticMetagraphSource(std::vector<NeuronRecord> neurons)
    : current_(std::make_shared<const Metagraph>(std::move(neurons))) {}

std::shared_ptr<const Metagraph> StaticMetagraphSource::Snapshot() const { return current_.load(); }

void StaticMetagraphSource::Replace(std::vector<NeuronRecord> neurons) {
  current_.store(std::make_shared<const Metagraph>(std::move(neurons)));
}

}  // namespace orchestra::net
