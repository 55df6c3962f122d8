#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "orchestra/core/result.h"
#include "orchestra/validator/store.h"

// From moving averages to the weights a validator sets on chain, one mechanism at a time.
// Pure functions: no I/O, no state. Errors are kInvalidArgument naming the bad input.
namespace orchestra::validator {

// Weights as the chain takes them: parallel lists of UIDs and u16 values.
struct EmitWeights {
  std::vector<uint16_t> uids;
  std::vector<uint16_t> values;
};

// Bittensor's bittensor.utils.weight_utils.convert_weights_and_uids_for_emit, step for step:
// errors for a negative weight, a negative UID or lists of different lengths (checked in that
// order, as Python does; empty lists are an error too, as Python's min() of an empty list);
// all weights zero gives empty lists (nothing to set); otherwise each weight is divided by the
// largest, multiplied by 65535 and rounded half to even (Python's round), and the entries that
// round to 0 are dropped. [0.1, 0.2, 0.7] -> [9362, 18724, 65535].
// Where Python would fail later, this fails up front: a non-finite weight (Python's round
// raises), a UID above 65535 (the chain's UIDs are u16).
// Python callers usually pass float32 arrays; this takes doubles, so a product within float32
// precision of .5 can round the other way than a float32 caller's would.
Result<EmitWeights> ConvertWeightsAndUidsForEmit(const std::vector<int64_t>& uids,
                                                 const std::vector<double>& weights);

struct MinerWeight {
  std::string hotkey;
  int uid = -1;
  double weight = 0.0;
};

struct NormalizedWeights {
  // Every miner of the metagraph map, by UID.
  std::vector<MinerWeight> miners;
  // True when nobody earned anything: every weight is then 0. Deliberately not uniform: equal
  // weights would pay miners who did no work (and a validator copying them would be right).
  bool all_zero = false;
  // Why, for the log and the status endpoint, when all_zero.
  std::string note;
};

// One mechanism's weights from its moving averages (ValidatorStore::Averages(mechanism)):
// each miner of `uid_of_hotkey` (the metagraph: hotkey -> UID) gets its average, divided by
// the sum so that the weights sum to 1. A black-roomed miner, a miner without an average, and
// a non-finite or negative average get 0; an average of a hotkey no longer in the metagraph is
// ignored. The UID comes from the metagraph, not from the average (UIDs are recycled).
// Errors: a negative UID, or two hotkeys with the same UID.
Result<NormalizedWeights> NormalizeWeights(
    const std::vector<MinerAverage>& averages, const std::map<std::string, int>& uid_of_hotkey,
    const std::function<bool(std::string_view hotkey)>& is_black_roomed);

// NormalizeWeights then ConvertWeightsAndUidsForEmit: what to set on chain for one mechanism.
// All zero gives empty lists (nothing to set).
Result<EmitWeights> WeightsForEmit(
    const std::vector<MinerAverage>& averages, const std::map<std::string, int>& uid_of_hotkey,
    const std::function<bool(std::string_view hotkey)>& is_black_roomed);

}  // namespace orchestra::validator
