#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "orchestra/core/json.h"
#include "orchestra/core/result.h"
#include "orchestra/core/rng.h"
#include "orchestra/net/dendrite.h"

namespace orchestra::validator {

// A miner of the subnet as the validator sees it in the metagraph.
struct MinerTarget {
  int uid = -1;
  net::AxonEndpoint axon;  // ip, port, hotkey
  double stake = 0.0;
  bool validator_permit = false;
  // Serves an axon: a routable ip (not 0.0.0.0, not empty) and a port. A neuron that never
  // called serve_axon has neither and is never queried.
  bool serving = false;
};

// The neurons of a metagraph document (net::NeuronsFromJson's format and checks), with their
// axons: "axon": {"ip": "…", "port": N} optional per neuron (absent, ip "0.0.0.0" or port 0:
// not serving). Errors name the neuron and field ("neurons[3].axon.port: must be an integer
// from 0 to 65535").
Result<std::vector<MinerTarget>> MinerTargetsFromJson(const Json& metagraph);

// Up to `n` serving miners, chosen uniformly at random from `rng` without repetition, leaving
// out `self_hotkey` (the validator's own neuron) and every hotkey in `exclude` (the black
// room). Returned in uid order, so a log of a round reads in a stable order.
std::vector<MinerTarget> SampleMiners(const std::vector<MinerTarget>& miners, size_t n, Rng& rng,
                                      const std::string& self_hotkey,
                                      const std::set<std::string>& exclude);

}  // namespace orchestra::validator
