#include "orchestra/validator/miners.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "orchestra/crypto/ss58.h"
#include "orchestra/crypto/test_util.h"

namespace orchestra::validator {
namespace {

using ::testing::HasSubstr;

std::string Hotkey(uint8_t byte) {
  return crypto::testing::AddressOf(crypto::testing::KeyFromByte(byte));
}

Json Neuron(int uid, uint8_t key, Json axon) {
  JsonObject n{{"uid", uid}, {"hotkey", Hotkey(key)}, {"stake", 10.0 * uid}};
  if (!axon.is_null()) n["axon"] = std::move(axon);
  return n;
}

Json Metagraph(JsonArray neurons) {
  return JsonObject{{"netuid", 1}, {"neurons", std::move(neurons)}};
}

TEST(MinerTargetsTest, ReadsAxonsAndMarksNeuronsThatDoNotServe) {
  auto targets = MinerTargetsFromJson(Metagraph(JsonArray{
      Neuron(0, 1, JsonObject{{"ip", "127.0.0.1"}, {"port", 8091}}),
      Neuron(1, 2, JsonObject{{"ip", "0.0.0.0"}, {"port", 0}}),
      Neuron(2, 3, nullptr),
      Neuron(3, 4, JsonObject{{"ip", "10.0.0.7"}, {"port", 0}}),
  }));
  ASSERT_TRUE(targets.ok()) << targets.error().ToString();
  ASSERT_EQ(targets->size(), 4u);
  EXPECT_TRUE((*targets)[0].serving);
  EXPECT_EQ((*targets)[0].axon.ip, "127.0.0.1");
  EXPECT_EQ((*targets)[0].axon.port, 8091);
  EXPECT_EQ((*targets)[0].axon.hotkey, Hotkey(1));
  EXPECT_FALSE((*targets)[1].serving);
  EXPECT_FALSE((*targets)[2].serving);
  EXPECT_FALSE((*targets)[3].serving);
  EXPECT_EQ((*targets)[3].stake, 30.0);
}

TEST(MinerTargetsTest, ErrorsNameTheNeuronAndField) {
  auto bad_port = MinerTargetsFromJson(
      Metagraph(JsonArray{Neuron(0, 1, JsonObject{{"ip", "127.0.0.1"}, {"port", 70000}})}));
  ASSERT_FALSE(bad_port.ok());
  EXPECT_THAT(bad_port.error().message, HasSubstr("neurons[0].axon.port"));
  auto bad_ip =
      MinerTargetsFromJson(Metagraph(JsonArray{Neuron(0, 1, JsonObject{{"ip", 7}, {"port", 1}})}));
  ASSERT_FALSE(bad_ip.ok());
  EXPECT_THAT(bad_ip.error().message, HasSubstr("neurons[0].axon.ip"));
  auto bad_hotkey = MinerTargetsFromJson(
      Metagraph(JsonArray{JsonObject{{"uid", 0}, {"hotkey", "not-an-address"}}}));
  ASSERT_FALSE(bad_hotkey.ok());
  EXPECT_THAT(bad_hotkey.error().message, HasSubstr("neurons[0].hotkey"));
  EXPECT_FALSE(MinerTargetsFromJson(Json("x")).ok());
}

std::vector<MinerTarget> Serving(int n) {
  std::vector<MinerTarget> out;
  for (int i = 0; i < n; ++i) {
    MinerTarget m;
    m.uid = i;
    m.axon = {"127.0.0.1", static_cast<uint16_t>(9000 + i), Hotkey(static_cast<uint8_t>(i + 1))};
    m.serving = true;
    out.push_back(m);
  }
  return out;
}

TEST(SampleMinersTest, SkipsSelfBlackRoomAndNonServingWithoutRepeats) {
  std::vector<MinerTarget> miners = Serving(10);
  miners[3].serving = false;
  Rng rng(7);
  const auto sample = SampleMiners(miners, 100, rng, Hotkey(1), {Hotkey(5)});
  ASSERT_EQ(sample.size(), 7u);  // 10 less self (uid 0), non-serving (uid 3), black room (uid 4)
  for (size_t i = 0; i < sample.size(); ++i) {
    EXPECT_NE(sample[i].uid, 0);
    EXPECT_NE(sample[i].uid, 3);
    EXPECT_NE(sample[i].uid, 4);
    if (i > 0) {
      EXPECT_LT(sample[i - 1].uid, sample[i].uid);
    }
  }
}

TEST(SampleMinersTest, SameSeedSameSampleAndEveryMinerGetsPicked) {
  const std::vector<MinerTarget> miners = Serving(20);
  std::vector<int> picked(20, 0);
  Rng a(3), b(3);
  for (int round = 0; round < 200; ++round) {
    const auto x = SampleMiners(miners, 5, a, "", {});
    const auto y = SampleMiners(miners, 5, b, "", {});
    ASSERT_EQ(x.size(), 5u);
    for (size_t i = 0; i < x.size(); ++i) {
      EXPECT_EQ(x[i].uid, y[i].uid);
      ++picked[x[i].uid];
    }
  }
  // 1,000 picks over 20 miners: 50 each on average; a uniform sampler never starves one.
  for (int count : picked) EXPECT_GT(count, 20);
}

}  // namespace
}  // namespace orchestra::validator
