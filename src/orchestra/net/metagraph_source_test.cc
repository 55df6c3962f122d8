#include "orchestra/net/metagraph_source.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace orchestra::net {
namespace {

using ::testing::HasSubstr;

constexpr const char* kAlice = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
constexpr const char* kBob = "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty";

TEST(NeuronsFromJsonTest, ReadsNeuronsWithDefaults) {
  auto json = ParseJson(fmt::format(
      R"({{"netuid": 1, "neurons": [
        {{"uid": 0, "hotkey": "{}", "coldkey": "x", "stake": 1000.5, "validator_permit": true,
          "axon": {{"ip": "127.0.0.1", "port": 8091}}}},
        {{"uid": 7, "hotkey": "{}"}}]}})",
      kAlice, kBob));
  ASSERT_TRUE(json.ok());
  auto neurons = NeuronsFromJson(*json);
  ASSERT_TRUE(neurons.ok()) << neurons.error().ToString();
  ASSERT_EQ(neurons->size(), 2u);
  EXPECT_EQ((*neurons)[0].hotkey, kAlice);
  EXPECT_EQ((*neurons)[0].uid, 0);
  EXPECT_TRUE((*neurons)[0].validator_permit);
  EXPECT_DOUBLE_EQ((*neurons)[0].stake, 1000.5);
  EXPECT_EQ((*neurons)[1].uid, 7);
  EXPECT_FALSE((*neurons)[1].validator_permit);
  EXPECT_EQ((*neurons)[1].stake, 0.0);
}

TEST(NeuronsFromJsonTest, NamesTheNeuronAndFieldThatIsWrong) {
  const std::pair<std::string, std::string> cases[] = {
      {R"([])", "a \"neurons\" list"},
      {R"({"neurons": {}})", "a \"neurons\" list"},
      {R"({"neurons": [7]})", "neurons[0]: must be an object"},
      {R"({"neurons": [{"hotkey": "ALICE"}]})", "neurons[0].uid: must be an integer"},
      {R"({"neurons": [{"uid": -1, "hotkey": "ALICE"}]})", "neurons[0].uid"},
      {R"({"neurons": [{"uid": 1.5, "hotkey": "ALICE"}]})", "neurons[0].uid"},
      {R"({"neurons": [{"uid": 0}]})", "neurons[0].hotkey: must be a string"},
      {R"({"neurons": [{"uid": 0, "hotkey": "5Grw"}]})", "neurons[0].hotkey: not an SS58"},
      {R"({"neurons": [{"uid": 0, "hotkey": "ALICE"}, {"uid": 0, "hotkey": "BOB"}]})",
       "neurons[1].uid: 0 appears twice"},
      {R"({"neurons": [{"uid": 0, "hotkey": "ALICE"}, {"uid": 1, "hotkey": "ALICE"}]})",
       "neurons[1].hotkey: appears twice"},
      {R"({"neurons": [{"uid": 0, "hotkey": "ALICE", "stake": "10"}]})",
       "neurons[0].stake: must be a number"},
      {R"({"neurons": [{"uid": 0, "hotkey": "ALICE", "stake": -1}]})", "must not be negative"},
      {R"({"neurons": [{"uid": 0, "hotkey": "ALICE", "validator_permit": 1}]})",
       "neurons[0].validator_permit: must be true or false"},
  };
  for (auto [text, expected] : cases) {
    for (auto [name, address] : {std::pair{"ALICE", kAlice}, std::pair{"BOB", kBob}}) {
      for (size_t at; (at = text.find(name)) != std::string::npos;) {
        text.replace(at, std::string_view(name).size(), address);
      }
    }
    auto json = ParseJson(text);
    ASSERT_TRUE(json.ok()) << text;
    auto neurons = NeuronsFromJson(*json);
    ASSERT_FALSE(neurons.ok()) << text;
    EXPECT_EQ(neurons.error().code, ErrorCode::kInvalidArgument);
    EXPECT_THAT(neurons.error().message, HasSubstr(expected)) << text;
  }
}

}  // namespace
}  // namespace orchestra::net
