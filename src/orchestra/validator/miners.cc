#include "orchestra/validator/miners.h"

#include <fmt/format.h>

#include <algorithm>

#include "orchestra/net/metagraph_source.h"

namespace orchestra::validator {

Result<std::vector<MinerTarget>> MinerTargetsFromJson(const Json& metagraph) {
  auto neurons = net::NeuronsFromJson(metagraph);
  if (!neurons) return neurons.error();
  const JsonArray& raw = metagraph.at("neurons").as_array();
  std::vector<MinerTarget> out;
  out.reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    const net::NeuronRecord& n = (*neurons)[i];
    MinerTarget target;
    target.uid = n.uid;
    target.axon.hotkey = n.hotkey;
    target.stake = n.stake;
    target.validator_permit = n.validator_permit;
    if (const Json* axon = JsonFind(raw[i], "axon"); axon && !axon->is_null()) {
      if (!axon->is_object())
        return Error(ErrorCode::kInvalidArgument,
                     fmt::format("neurons[{}].axon: must be an object", i));
      int64_t port = 0;
      const Json* port_json = JsonFind(*axon, "port");
      if (port_json && (!JsonInteger(*port_json, &port) || port < 0 || port > 65535))
        return Error(ErrorCode::kInvalidArgument,
                     fmt::format("neurons[{}].axon.port: must be an integer from 0 to 65535", i));
      const Json* ip = JsonFind(*axon, "ip");
      if (ip && !ip->is_null() && !ip->is_string())
        return Error(ErrorCode::kInvalidArgument,
                     fmt::format("neurons[{}].axon.ip: must be a string", i));
      target.axon.ip = ip && ip->is_string() ? std::string(ip->get_string()) : "";
      target.axon.port = static_cast<uint16_t>(port);
      target.serving = port != 0 && !target.axon.ip.empty() && target.axon.ip != "0.0.0.0";
    }
    out.push_back(std::move(target));
  }
  return out;
}

std::vector<MinerTarget> SampleMiners(const std::vector<MinerTarget>& miners, size_t n, Rng& rng,
                                      const std::string& self_hotkey,
                                      const std::set<std::string>& exclude) {
  std::vector<const MinerTarget*> eligible;
  for (const MinerTarget& m : miners) {
    if (m.serving && m.axon.hotkey != self_hotkey && !exclude.contains(m.axon.hotkey))
      eligible.push_back(&m);
  }
  // A partial Fisher-Yates shuffle: the first n positions are a uniform sample.
  const size_t take = std::min(n, eligible.size());
  for (size_t i = 0; i < take; ++i) {
    const size_t j =
        i + static_cast<size_t>(rng.Uniform() * static_cast<double>(eligible.size() - i));
    std::swap(eligible[i], eligible[std::min(j, eligible.size() - 1)]);
  }
  std::vector<MinerTarget> out;
  out.reserve(take);
  for (size_t i = 0; i < take; ++i) out.push_back(*eligible[i]);
  std::sort(out.begin(), out.end(),
            [](const MinerTarget& a, const MinerTarget& b) { return a.uid < b.uid; });
  return out;
}

}  // namespace orchestra::validator
