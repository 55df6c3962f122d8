#include "orchestra/validator/weights.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

namespace orchestra::validator {
namespace {

constexpr int64_t kU16Max = 65535;

Error Invalid(std::string message) {
  return Error(ErrorCode::kInvalidArgument, std::move(message));
}

}  // namespace

Result<EmitWeights> ConvertWeightsAndUidsForEmit(const std::vector<int64_t>& uids,
                                                 const std::vector<double>& weights) {
  if (weights.empty()) return Invalid("weights: empty");
  for (size_t i = 0; i < weights.size(); ++i) {
    if (!std::isfinite(weights[i])) return Invalid(fmt::format("weights[{}]: not finite", i));
    if (weights[i] < 0) {
      return Invalid(
          fmt::format("weights[{}]: {} is negative, cannot exist on chain", i, weights[i]));
    }
  }
  if (uids.empty()) return Invalid("uids: empty");
  for (size_t i = 0; i < uids.size(); ++i) {
    if (uids[i] < 0) {
      return Invalid(fmt::format("uids[{}]: {} is negative, cannot exist on chain", i, uids[i]));
    }
    if (uids[i] > kU16Max) {
      return Invalid(fmt::format("uids[{}]: {} does not fit the chain's u16", i, uids[i]));
    }
  }
  if (uids.size() != weights.size()) {
    return Invalid(fmt::format("weights and uids must have the same length, got {} and {}",
                               uids.size(), weights.size()));
  }
  double sum = 0.0;
  for (double w : weights) sum += w;
  EmitWeights out;
  if (sum == 0) return out;
  const double max_weight = *std::max_element(weights.begin(), weights.end());
  for (size_t i = 0; i < weights.size(); ++i) {
    const double scaled = weights[i] / max_weight;
    // nearbyint in the default rounding mode rounds half to even, as Python's round().
    const double value = std::nearbyint(scaled * static_cast<double>(kU16Max));
    if (value != 0) {
      out.uids.push_back(static_cast<uint16_t>(uids[i]));
      out.values.push_back(static_cast<uint16_t>(value));
    }
  }
  return out;
}

Result<NormalizedWeights> NormalizeWeights(
    const std::vector<MinerAverage>& averages, const std::map<std::string, int>& uid_of_hotkey,
    const std::function<bool(std::string_view hotkey)>& is_black_roomed) {
  std::map<std::string_view, double> average_of;
  for (const MinerAverage& a : averages) average_of[a.hotkey] = a.average;

  NormalizedWeights out;
  std::set<int> uids;
  double sum = 0.0;
  for (const auto& [hotkey, uid] : uid_of_hotkey) {
    if (uid < 0) return Invalid(fmt::format("uid of {}: {} is negative", hotkey, uid));
    if (!uids.insert(uid).second) {
      return Invalid(fmt::format("uid {}: held by two hotkeys (one is {})", uid, hotkey));
    }
    double weight = 0.0;
    auto it = average_of.find(hotkey);
    if (it != average_of.end() && std::isfinite(it->second) && it->second > 0 &&
        !(is_black_roomed && is_black_roomed(hotkey))) {
      weight = it->second;
    }
    sum += weight;
    out.miners.push_back({hotkey, uid, weight});
  }
  std::sort(out.miners.begin(), out.miners.end(),
            [](const MinerWeight& a, const MinerWeight& b) { return a.uid < b.uid; });
  if (sum > 0) {
    for (MinerWeight& m : out.miners) m.weight /= sum;
  } else {
    out.all_zero = true;
    out.note = out.miners.empty()
                   ? "no miners in the metagraph: no weights"
                   : fmt::format(
                         "no miner of {} has a positive average (black-roomed miners "
                         "count as 0): every weight is 0, none is set",
                         out.miners.size());
  }
  return out;
}

Result<EmitWeights> WeightsForEmit(
    const std::vector<MinerAverage>& averages, const std::map<std::string, int>& uid_of_hotkey,
    const std::function<bool(std::string_view hotkey)>& is_black_roomed) {
  auto normalized = NormalizeWeights(averages, uid_of_hotkey, is_black_roomed);
  if (!normalized) return normalized.error();
  if (normalized->all_zero) return EmitWeights{};
  std::vector<int64_t> uids;
  std::vector<double> weights;
  for (const MinerWeight& m : normalized->miners) {
    uids.push_back(m.uid);
    weights.push_back(m.weight);
  }
  return ConvertWeightsAndUidsForEmit(uids, weights);
}

}  // namespace orchestra::validator
