#include "orchestra/validator/weights.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <set>

#include "orchestra/core/json.h"
#include "orchestra/core/reference_test_util.h"
#include "orchestra/core/rng.h"

namespace orchestra::validator {
namespace {

EmitWeights Convert(const std::vector<int64_t>& uids, const std::vector<double>& weights) {
  auto out = ConvertWeightsAndUidsForEmit(uids, weights);
  EXPECT_TRUE(out.ok()) << out.error().ToString();
  return out.ok() ? *out : EmitWeights{};
}

TEST(ConvertWeightsTest, DocumentedExample) {
  auto out = Convert({0, 1, 2}, {0.1, 0.2, 0.7});
  EXPECT_EQ(out.uids, (std::vector<uint16_t>{0, 1, 2}));
  EXPECT_EQ(out.values, (std::vector<uint16_t>{9362, 18724, 65535}));
}

// Expected values computed with python3 running the Bittensor function's arithmetic.
TEST(ConvertWeightsTest, MatchesPythonOnHandPickedCases) {
  // 32767.5 rounds half to even; a zero weight is dropped with its UID.
  auto ties = Convert({5, 9, 2, 7}, {0.25, 0.25, 0.5, 0.0});
  EXPECT_EQ(ties.uids, (std::vector<uint16_t>{5, 9, 2}));
  EXPECT_EQ(ties.values, (std::vector<uint16_t>{32768, 32768, 65535}));
  // Tiny weights round to 0 and are dropped; duplicate UIDs pass through as Python's do.
  auto tiny = Convert({3, 1, 4, 1, 5}, {1e-6, 0.3, 0.3, 1e-9, 0.4});
  EXPECT_EQ(tiny.uids, (std::vector<uint16_t>{1, 4, 5}));
  EXPECT_EQ(tiny.values, (std::vector<uint16_t>{49151, 49151, 65535}));
  // 2.5 -> 2, 0.5 -> 0 (dropped), 1.5 -> 2: half to even, not half up.
  auto halves = Convert({0, 1, 2, 3}, {2.5, 65535, 0.5, 1.5});
  EXPECT_EQ(halves.uids, (std::vector<uint16_t>{0, 1, 3}));
  EXPECT_EQ(halves.values, (std::vector<uint16_t>{2, 65535, 2}));
  auto thirds = Convert({7, 8, 9}, {0.333, 0.333, 0.334});
  EXPECT_EQ(thirds.values, (std::vector<uint16_t>{65339, 65339, 65535}));
  auto equal = Convert({10, 11}, {1.0, 1.0});
  EXPECT_EQ(equal.values, (std::vector<uint16_t>{65535, 65535}));
}

TEST(ConvertWeightsTest, AllZeroSetsNothing) {
  auto out = Convert({0, 1}, {0.0, 0.0});
  EXPECT_TRUE(out.uids.empty());
  EXPECT_TRUE(out.values.empty());
}

TEST(ConvertWeightsTest, RejectsWhatPythonRejects) {
  auto negative_weight = ConvertWeightsAndUidsForEmit({0, 1}, {0.5, -0.1});
  ASSERT_FALSE(negative_weight.ok());
  EXPECT_EQ(negative_weight.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(negative_weight.error().message.find("weights[1]"), std::string::npos);
  auto negative_uid = ConvertWeightsAndUidsForEmit({0, -1}, {0.5, 0.1});
  ASSERT_FALSE(negative_uid.ok());
  EXPECT_NE(negative_uid.error().message.find("uids[1]"), std::string::npos);
  auto lengths = ConvertWeightsAndUidsForEmit({0, 1, 2}, {0.5, 0.1});
  ASSERT_FALSE(lengths.ok());
  EXPECT_NE(lengths.error().message.find("got 3 and 2"), std::string::npos);
  EXPECT_FALSE(ConvertWeightsAndUidsForEmit({}, {}).ok());
  EXPECT_FALSE(ConvertWeightsAndUidsForEmit({0}, {NAN}).ok());
  EXPECT_FALSE(ConvertWeightsAndUidsForEmit({65536}, {1.0}).ok());
}

// Bittensor's arithmetic in Python (a port of convert_weights_and_uids_for_emit without numpy:
// it converts its arrays with tolist() before any arithmetic, so Python floats are what count).
constexpr const char* kPythonPort = R"(
import json, sys
def convert(uids, weights):
    if min(weights) < 0 or min(uids) < 0 or len(uids) != len(weights):
        return None
    if sum(weights) == 0:
        return [[], []]
    top = float(max(weights))
    out_uids, out_vals = [], []
    for w, u in zip([float(v) / top for v in weights], uids):
        v = round(float(w) * int(65535))
        if v != 0:
            out_uids.append(u)
            out_vals.append(v)
    return [out_uids, out_vals]
cases = json.load(open(sys.argv[1]))
print(json.dumps([convert(c["uids"], c["weights"]) for c in cases]))
)";

TEST(ConvertWeightsTest, AgreesWithPythonOnRandomInputs) {
  ORCHESTRA_REQUIRE_REFERENCE(testing::PythonUnavailable(""));
  Rng rng(1207);
  JsonArray cases;
  std::vector<std::pair<std::vector<int64_t>, std::vector<double>>> inputs;
  for (int c = 0; c < 300; ++c) {
    const int n = 1 + static_cast<int>(rng.Next() % 40);
    std::vector<int64_t> uids;
    std::vector<double> weights;
    for (int i = 0; i < n; ++i) {
      uids.push_back(static_cast<int64_t>(rng.Next() % 256));
      switch (rng.Next() % 5) {
        case 0:
          weights.push_back(0.0);
          break;
        case 1:  // a half-way product once scaled by a max of 1
          weights.push_back((static_cast<double>(rng.Next() % 200) + 0.5) / 65535.0);
          break;
        case 2:
          weights.push_back(rng.Uniform() * 1e-4);
          break;
        default:
          weights.push_back(rng.Uniform());
      }
    }
    if (c % 7 == 0) weights[0] = 1.0;
    JsonObject item;
    JsonArray u, w;
    for (int64_t x : uids) u.emplace_back(x);
    for (double x : weights) w.emplace_back(x);
    item["uids"] = std::move(u);
    item["weights"] = std::move(w);
    cases.emplace_back(std::move(item));
    inputs.emplace_back(std::move(uids), std::move(weights));
  }
  char tmpl[] = "/tmp/orchestra-weights-XXXXXX";
  const std::filesystem::path dir = mkdtemp(tmpl);
  std::ofstream(dir / "port.py") << kPythonPort;
  // CanonicalJson writes doubles as Python's repr does: the same double reaches Python.
  std::ofstream(dir / "cases.json") << CanonicalJson(Json(cases));
  const std::string command =
      "python3 " + (dir / "port.py").string() + " " + (dir / "cases.json").string();
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, n);
  ASSERT_EQ(pclose(pipe), 0);
  std::filesystem::remove_all(dir);
  auto expected = ParseJson(output, "python output");
  ASSERT_TRUE(expected.ok()) << expected.error().ToString();
  ASSERT_EQ(expected->as_array().size(), inputs.size());
  for (size_t c = 0; c < inputs.size(); ++c) {
    auto ours = Convert(inputs[c].first, inputs[c].second);
    const JsonArray& theirs = expected->as_array()[c].as_array();
    std::vector<uint16_t> uids, values;
    for (const Json& x : theirs[0].as_array()) uids.push_back(static_cast<uint16_t>(x.as_int64()));
    for (const Json& x : theirs[1].as_array()) {
      values.push_back(static_cast<uint16_t>(x.as_int64()));
    }
    EXPECT_EQ(ours.uids, uids) << "case " << c;
    EXPECT_EQ(ours.values, values) << "case " << c;
  }
}

TEST(NormalizeWeightsTest, SharesAreProportionalToAveragesAndSumToOne) {
  std::vector<MinerAverage> averages = {{"a", 0, 0.6}, {"b", 1, 0.2}, {"c", 2, 0.2}};
  auto out = NormalizeWeights(averages, {{"a", 5}, {"b", 1}, {"c", 2}}, nullptr);
  ASSERT_TRUE(out.ok());
  EXPECT_FALSE(out->all_zero);
  ASSERT_EQ(out->miners.size(), 3u);
  // By UID, with the metagraph's UID (a's average was recorded under UID 0).
  EXPECT_EQ(out->miners[0].hotkey, "b");
  EXPECT_EQ(out->miners[2].hotkey, "a");
  EXPECT_EQ(out->miners[2].uid, 5);
  EXPECT_DOUBLE_EQ(out->miners[2].weight, 0.6);
  EXPECT_DOUBLE_EQ(out->miners[0].weight + out->miners[1].weight + out->miners[2].weight, 1.0);
}

TEST(NormalizeWeightsTest, BlackRoomedMinersGetZero) {
  std::vector<MinerAverage> averages = {{"a", 0, 0.9}, {"b", 1, 0.3}};
  auto out = NormalizeWeights(averages, {{"a", 0}, {"b", 1}},
                              [](std::string_view hotkey) { return hotkey == "a"; });
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->miners[0].weight, 0.0);
  EXPECT_DOUBLE_EQ(out->miners[1].weight, 1.0);
}

TEST(NormalizeWeightsTest, MinersOutsideTheMetagraphAreIgnoredAndUnscoredMinersGetZero) {
  std::vector<MinerAverage> averages = {{"gone", 3, 0.9}, {"b", 1, 0.3}};
  auto out = NormalizeWeights(averages, {{"b", 1}, {"new", 3}}, nullptr);
  ASSERT_TRUE(out.ok());
  ASSERT_EQ(out->miners.size(), 2u);
  EXPECT_DOUBLE_EQ(out->miners[0].weight, 1.0);
  EXPECT_EQ(out->miners[1].hotkey, "new");
  EXPECT_EQ(out->miners[1].weight, 0.0);
}

TEST(NormalizeWeightsTest, AllZeroStaysZeroNotUniformAndSaysSo) {
  std::vector<MinerAverage> averages = {{"a", 0, 0.0}, {"b", 1, 0.7}};
  auto out = NormalizeWeights(averages, {{"a", 0}, {"b", 1}},
                              [](std::string_view hotkey) { return hotkey == "b"; });
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(out->all_zero);
  EXPECT_NE(out->note.find("every weight is 0"), std::string::npos) << out->note;
  for (const MinerWeight& m : out->miners) EXPECT_EQ(m.weight, 0.0);
  auto emit = WeightsForEmit(averages, {{"a", 0}, {"b", 1}},
                             [](std::string_view hotkey) { return hotkey == "b"; });
  ASSERT_TRUE(emit.ok());
  EXPECT_TRUE(emit->uids.empty());
}

TEST(NormalizeWeightsTest, TwoHotkeysOnOneUidIsAnError) {
  auto out = NormalizeWeights({}, {{"a", 4}, {"b", 4}}, nullptr);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.error().message.find("uid 4"), std::string::npos);
}

TEST(WeightsForEmitTest, AveragesBecomeU16WeightsByUid) {
  std::vector<MinerAverage> averages = {{"a", 0, 0.07}, {"b", 1, 0.02}, {"c", 2, 0.01}};
  auto emit = WeightsForEmit(averages, {{"a", 2}, {"b", 1}, {"c", 0}}, nullptr);
  ASSERT_TRUE(emit.ok());
  EXPECT_EQ(emit->uids, (std::vector<uint16_t>{0, 1, 2}));
  EXPECT_EQ(emit->values, (std::vector<uint16_t>{9362, 18724, 65535}));
}

}  // namespace
}  // namespace orchestra::validator
