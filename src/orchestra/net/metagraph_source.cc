#include "orchestra/net/metagraph_source.h"

#include <fmt/format.h>

#include <set>
#include <utility>

#include "orchestra/crypto/ss58.h"

namespace orchestra::net {

Result<std::vector<NeuronRecord>> NeuronsFromJson(const Json& metagraph) {
  const Json* neurons = metagraph.is_object() ? JsonFind(metagraph, "neurons") : nullptr;
  if (!neurons || !neurons->is_array()) {
    return Error(ErrorCode::kInvalidArgument,
                 "metagraph: expected an object with a \"neurons\" list");
  }
  std::vector<NeuronRecord> out;
  std::set<int64_t> uids;
  std::set<std::string> hotkeys;
  for (size_t i = 0; i < neurons->as_array().size(); ++i) {
    const Json& n = neurons->as_array()[i];
    auto fail = [i](std::string_view field, std::string_view why) {
      return Error(ErrorCode::kInvalidArgument,
                   fmt::format("neurons[{}]{}{}: {}", i, field.empty() ? "" : ".", field, why));
    };
    if (!n.is_object()) return fail("", "must be an object");
    NeuronRecord record;
    int64_t uid = -1;
    const Json* uid_json = JsonFind(n, "uid");
    if (!uid_json || !JsonInteger(*uid_json, &uid) || uid < 0 || uid > 65535) {
      return fail("uid", "must be an integer from 0 to 65535");
    }
    if (!uids.insert(uid).second) return fail("uid", fmt::format("{} appears twice", uid));
    record.uid = static_cast<int>(uid);
    const Json* hotkey = JsonFind(n, "hotkey");
    if (!hotkey || !hotkey->is_string()) return fail("hotkey", "must be a string");
    record.hotkey = std::string(hotkey->get_string());
    if (!crypto::Ss58Decode(record.hotkey)) return fail("hotkey", "not an SS58 address");
    if (!hotkeys.insert(record.hotkey).second) return fail("hotkey", "appears twice");
    if (const Json* stake = JsonFind(n, "stake"); stake && !stake->is_null()) {
      if (!stake->is_number()) return fail("stake", "must be a number");
      record.stake = stake->to_number<double>();
      if (!(record.stake >= 0)) return fail("stake", "must not be negative");
    }
    if (const Json* permit = JsonFind(n, "validator_permit"); permit && !permit->is_null()) {
      if (!permit->is_bool()) return fail("validator_permit", "must be true or false");
      record.validator_permit = permit->get_bool();
    }
    out.push_back(std::move(record));
  }
  return out;
}

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
