// `orchestra validator` against a whole local subnet: the honest miner and the adversaries of
// issue 17 (forger, replayer, lazy, stale-ledger, copier, off-topic), real processes on
// loopback, judged by the validator's own challenges, traps, proofs and scores.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "e2e/local_subnet.h"
#include "e2e/subprocess.h"
#include "orchestra/validator/store.h"

namespace orchestra::testing {
namespace {

using ::testing::HasSubstr;

// One `validator_score` log line: its key=value pairs (values without spaces).
using ScoreLine = std::map<std::string, std::string>;

std::vector<ScoreLine> ScoreLines(const std::string& log) {
  std::vector<ScoreLine> out;
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    const size_t at = line.find("validator_score ");
    if (at == std::string::npos) continue;
    ScoreLine fields;
    std::istringstream words(line.substr(at));
    for (std::string word; words >> word;) {
      const size_t eq = word.find('=');
      if (eq != std::string::npos) fields[word.substr(0, eq)] = word.substr(eq + 1);
    }
    out.push_back(std::move(fields));
  }
  return out;
}

class ValidatorCommandTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto subnet = LocalSubnet::Start(
        {.modes = {"honest", "forger", "replayer", "lazy", "stale-ledger", "copier", "off-topic"},
         .corpus = "full",
         // Fault-free experts: the copier's relayed answer is then the honest miner's own
         // answer to the same challenge, whatever faults would have drawn.
         .perfect_experts = true});
    ASSERT_TRUE(subnet.ok()) << subnet.error().ToString();
    subnet_ = std::move(*subnet).release();
    miners_file_ = subnet_->WriteMetagraph(subnet_->dir() + "/miners.json");
  }
  static void TearDownTestSuite() {
    if (subnet_) {
      EXPECT_TRUE(subnet_->Stop().ok());
    }
    delete subnet_;
    subnet_ = nullptr;
  }

  static ProcessResult RunValidator(const std::string& data_dir, int rounds, uint64_t seed) {
    return RunProcess({OrchestraBinary(),
                       "validator",
                       "--data-dir",
                       data_dir,
                       "--miners",
                       miners_file_,
                       "--experts",
                       subnet_->experts_address(),
                       "--experts.token",
                       subnet_->dir() + "/sim/experts/experts.token",
                       "--rounds",
                       std::to_string(rounds),
                       "--interval-s",
                       "0.01",
                       "--seed",
                       std::to_string(seed),
                       "--api.port",
                       "0",
                       "--schema-trap-rate",
                       "1",
                       "--logic-trap-rate",
                       "1"});
  }

  static const LocalMiner& Miner(std::string_view mode) { return subnet_->miner(mode); }

  static inline LocalSubnet* subnet_ = nullptr;
  static inline std::string miners_file_;
};

// The mean of `key` over the score lines of `uid` (NaN when it has none).
double MeanOf(const std::vector<ScoreLine>& lines, int uid, const std::string& key) {
  double sum = 0;
  int n = 0;
  for (const ScoreLine& line : lines) {
    if (line.count("uid") == 0 || std::stoi(line.at("uid")) != uid || line.count(key) == 0) {
      continue;
    }
    sum += std::stod(line.at(key));
    ++n;
  }
  return n == 0 ? std::nan("") : sum / n;
}

TEST_F(ValidatorCommandTest, JudgesEveryAdversaryByTheSubnetsRulesAndRemembersAcrossRestarts) {
  TempDir dir;
  const ProcessResult run = RunValidator(dir.path(), 4, 11);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::vector<ScoreLine> lines = ScoreLines(run.err);
  ASSERT_FALSE(lines.empty()) << run.err;

  auto store = validator::ValidatorStore::OpenInDataDir(dir.path());
  ASSERT_TRUE(store.ok()) << store.error().ToString();
  std::map<std::string, double> average[2];
  for (int mechanism = 0; mechanism < 2; ++mechanism) {
    auto averages = (*store)->Averages(mechanism);
    ASSERT_TRUE(averages.ok()) << averages.error().ToString();
    for (const validator::MinerAverage& a : *averages) average[mechanism][a.hotkey] = a.average;
  }
  auto reward = [&](const LocalMiner& m) {
    return 0.7 * average[0][m.axon.hotkey] + 0.3 * average[1][m.axon.hotkey];
  };
  const LocalMiner& honest = Miner("honest");

  // The honest miner leads: on the reward, strictly on mechanism 1, and on mechanism 0 against
  // everyone whose procurement or ledger differs (the lazy and off-topic miners run the honest
  // pipeline, so their mechanism 0 is the honest one's, give or take the run).
  for (const LocalMiner& m : subnet_->miners()) {
    if (m.mode == "honest") continue;
    SCOPED_TRACE(m.mode);
    EXPECT_GT(reward(honest), reward(m));
    EXPECT_GT(average[1][honest.axon.hotkey], average[1][m.axon.hotkey]);
    if (m.mode == "lazy" || m.mode == "off-topic") {
      EXPECT_GT(average[0][honest.axon.hotkey], average[0][m.axon.hotkey] - 0.05);
    } else {
      EXPECT_GT(average[0][honest.axon.hotkey], average[0][m.axon.hotkey]);
    }
  }

  // The forger and the replayer earn exactly 0 and are in the black room, each for its offence.
  auto rooms = (*store)->BlackRoomed();
  ASSERT_TRUE(rooms.ok()) << rooms.error().ToString();
  std::map<std::string, std::string> reason;
  for (const validator::BlackRoomEntry& e : *rooms) reason[e.hotkey] = e.reason;
  EXPECT_EQ(reason.size(), 2u);
  EXPECT_THAT(reason[Miner("forger").axon.hotkey], HasSubstr("forged"));
  EXPECT_THAT(reason[Miner("replayer").axon.hotkey], HasSubstr("replayed"));
  // Every answer of theirs that was judged an offence earned 0, and neither gets weight.
  for (const ScoreLine& line : lines) {
    const int uid = std::stoi(line.at("uid"));
    if (uid == Miner("forger").uid || line.at("black_room") == "true") {
      EXPECT_EQ(line.at("reward"), "0.000") << "uid " << uid;
    }
  }
  for (int mechanism = 0; mechanism < 2; ++mechanism) {
    auto weights = (*store)->LastWeights(mechanism);
    ASSERT_TRUE(weights.ok() && weights->has_value());
    for (uint16_t uid : (*weights)->uids) {
      EXPECT_NE(uid, Miner("forger").uid);
      EXPECT_NE(uid, Miner("replayer").uid);
    }
    EXPECT_FALSE((*weights)->uids.empty());
  }

  // The lazy miner loses mechanism 1: its raw expert output is not the requested shape.
  EXPECT_LT(average[1][Miner("lazy").axon.hotkey], 0.5 * average[1][honest.axon.hotkey]);
  // The copier is flagged (as copying whichever identical answer came first: under a slow
  // build another miner running the honest pipeline may beat the honest one), and the honest
  // miner, who does its own work, never is.
  const int copier_uid = Miner("copier").uid;
  int copies = 0;
  for (const ScoreLine& line : lines) {
    const int uid = std::stoi(line.at("uid"));
    if (uid == copier_uid && !line.at("copy_of").empty()) ++copies;
    if (uid == honest.uid) {
      EXPECT_EQ(line.at("copy_of"), "") << run.err;
    }
  }
  EXPECT_GE(copies, 1) << run.err;
  // The off-topic miner loses relevance.
  EXPECT_LT(MeanOf(lines, Miner("off-topic").uid, "relevance"),
            MeanOf(lines, honest.uid, "relevance"));
  // The stale-ledger miner fails the schema traps the honest miner gets through.
  EXPECT_LT(MeanOf(lines, Miner("stale-ledger").uid, "trap"), MeanOf(lines, honest.uid, "trap"));

  // After a restart the black room still holds both, and they are no longer asked.
  const ProcessResult again = RunValidator(dir.path(), 1, 12);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  const std::vector<ScoreLine> after = ScoreLines(again.err);
  ASSERT_FALSE(after.empty()) << again.err;
  for (const ScoreLine& line : after) {
    EXPECT_NE(std::stoi(line.at("uid")), Miner("forger").uid);
    EXPECT_NE(std::stoi(line.at("uid")), Miner("replayer").uid);
  }
  EXPECT_TRUE((*store)->IsBlackRoomed(Miner("forger").axon.hotkey));
}

}  // namespace
}  // namespace orchestra::testing
