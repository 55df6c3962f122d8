// `orchestra score` end to end: a response produced by a real `orchestra run` (embedded
// experts, real signed receipts) scored offline, and the same response tampered with.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <csignal>
#include <fstream>
#include <regex>

#include "e2e/generated_challenge.h"
#include "e2e/subprocess.h"
#include "orchestra/core/json.h"
#include "orchestra/crypto/sr25519.h"
#include "orchestra/net/dendrite.h"
#include "orchestra/protocol/orchestra_synapse.h"

namespace orchestra {
namespace {

using namespace std::chrono_literals;
using testing::BackgroundProcess;
using testing::OrchestraBinary;
using testing::RunProcess;
using testing::TempDir;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string WriteFile(const TempDir& dir, const std::string& name, const std::string& text) {
  const std::string path = dir.path() + "/" + name;
  std::ofstream(path) << text;
  return path;
}

constexpr const char* kChallenge = testing::kGpuPricingGeneratedChallenge;

class ScoreCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    challenge_ = WriteFile(dir_, "challenge.json", kChallenge);
    const Json parsed = ParseJson(kChallenge).value();
    const std::string challenge_only =
        WriteFile(dir_, "challenge_only.json", CompactJson(parsed.at("challenge")));
    start_ = NowMs();
    auto run = RunProcess({OrchestraBinary(), "run", "--challenge", challenge_only, "--json",
                           "--data-dir", dir_.path() + "/data", "--latency-scale", "0"});
    end_ = NowMs();
    ASSERT_EQ(run.exit_code, 0) << run.err;
    response_text_ = run.out;
    response_ = WriteFile(dir_, "response.json", run.out);
  }

  testing::ProcessResult Score(const std::string& response, std::vector<std::string> extra = {}) {
    std::vector<std::string> argv = {
        OrchestraBinary(),      "score",           response,
        "--challenge",          challenge_,        "--window-start-ms",
        std::to_string(start_), "--window-end-ms", std::to_string(end_)};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return RunProcess(argv);
  }

  static Json Card(const testing::ProcessResult& run) {
    auto json = ParseJson(run.out, "stdout");
    EXPECT_TRUE(json.ok()) << run.out << run.err;
    return json.ok() ? *json : Json(JsonObject{});
  }

  static double Dim(const Json& card, const char* name) {
    return card.at("dimensions").at(name).at("score").to_number<double>();
  }

  TempDir dir_;
  std::string challenge_, response_, response_text_;
  int64_t start_ = 0, end_ = 0;
};

TEST_F(ScoreCommandTest, RealRunScoresHighAndExplainsEveryField) {
  auto run = Score(response_, {"--json"});
  ASSERT_EQ(run.exit_code, 0) << run.err << run.out;
  const Json card = Card(run);
  EXPECT_TRUE(card.at("accepted").as_bool());
  EXPECT_FALSE(card.at("black_room").as_bool());
  EXPECT_EQ(Dim(card, "hash_verification"), 1.0);
  EXPECT_EQ(Dim(card, "schema_compliance"), 1.0);
  EXPECT_GE(Dim(card, "completeness"), 0.8);
  EXPECT_GE(Dim(card, "relevance"), 0.6);
  EXPECT_EQ(Dim(card, "provenance_fidelity"), 1.0);
  EXPECT_EQ(Dim(card, "reasoning"), 1.0);
  EXPECT_GE(card.at("mechanism1").to_number<double>(), 0.9);
  for (const Json& step : card.at("proofs").at("steps").as_array()) {
    EXPECT_EQ(JsonString(step, "verdict"), "unchecked") << JsonString(step, "reason");
  }
  // Offline: the ledger, the registered hotkeys and the logs are said to be not checked.
  const std::string not_checked = CompactJson(card.at("not_checked"));
  EXPECT_NE(not_checked.find("ledger"), std::string::npos);
  EXPECT_NE(not_checked.find("registered hotkey"), std::string::npos);
  EXPECT_NE(not_checked.find("expert receipt logs"), std::string::npos);

  auto text = Score(response_);
  EXPECT_EQ(text.exit_code, 0);
  for (const char* field : {"hash_verification", "schema_compliance", "completeness", "relevance",
                            "routing_efficiency", "ledger_freshness", "ledger_coverage",
                            "trap_performance", "provenance_fidelity", "reward", "OES"}) {
    EXPECT_NE(text.out.find(field), std::string::npos) << field << "\n" << text.out;
  }
}

TEST_F(ScoreCommandTest, StrictFailsOnNotCheckedAndALedgerJudgementCountsWhenGiven) {
  auto strict = Score(response_, {"--strict"});
  EXPECT_EQ(strict.exit_code, 3) << strict.err;
  EXPECT_NE(strict.err.find("not checked"), std::string::npos) << strict.err;

  const auto ledger =
      WriteFile(dir_, "ledger.json", R"({"checked": true, "freshness": 0.8, "coverage": 0.5})");
  const Json card = Card(Score(response_, {"--json", "--ledger", ledger}));
  EXPECT_DOUBLE_EQ(Dim(card, "ledger_freshness"), 0.8);
  EXPECT_DOUBLE_EQ(Dim(card, "ledger_coverage"), 0.5);
}

TEST_F(ScoreCommandTest, TamperedResponseIsForgedAndEarnsNothing) {
  Json response = ParseJson(response_text_).value();
  auto& step = response.at("task_pipeline").as_array()[1].as_object();
  std::string hash(step.at("hash").as_string());
  hash[10] = hash[10] == 'a' ? 'b' : 'a';
  step["hash"] = hash;
  const auto tampered = WriteFile(dir_, "tampered.json", CompactJson(response));
  auto run = Score(tampered, {"--json"});
  EXPECT_EQ(run.exit_code, 1) << run.err;
  const Json card = Card(run);
  EXPECT_TRUE(card.at("black_room").as_bool());
  EXPECT_EQ(JsonString(card.at("proofs").at("steps").as_array()[1], "verdict"), "forged");
  EXPECT_EQ(card.at("mechanism0").to_number<double>(), 0.0);
  EXPECT_EQ(card.at("mechanism1").to_number<double>(), 0.0);

  // Scored against a window that closed before the run: every receipt is out of window.
  auto late =
      RunProcess({OrchestraBinary(), "score", response_, "--challenge", challenge_, "--json",
                  "--window-start-ms", "0", "--window-end-ms", std::to_string(start_ - 1)});
  EXPECT_EQ(late.exit_code, 1);
  EXPECT_EQ(JsonString(Card(late).at("proofs").at("steps").as_array()[0], "verdict"),
            "out_of_window");

  // Another miner's hotkey: the locks do not bind it.
  auto other = Score(
      response_, {"--json", "--miner-hotkey", "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty"});
  EXPECT_EQ(other.exit_code, 1);
  EXPECT_EQ(JsonString(Card(other).at("proofs").at("steps").as_array()[0], "verdict"), "forged");
}

TEST_F(ScoreCommandTest, MalformedResponseIsRejectedWithTheReasonAndBadFilesAreBadInput) {
  const auto garbage = WriteFile(dir_, "garbage.json", R"({"challenge_id": 7})");
  auto run = Score(garbage, {"--json"});
  EXPECT_EQ(run.exit_code, 1);
  const Json card = Card(run);
  EXPECT_FALSE(card.at("accepted").as_bool());
  EXPECT_NE(JsonString(card, "reject_reason").find("challenge_id"), std::string::npos);

  auto missing = RunProcess(
      {OrchestraBinary(), "score", response_, "--challenge", dir_.path() + "/nope.json"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("nope.json"), std::string::npos);
}

// Online: a real `orchestra miner` answering through a separate `orchestra experts` process;
// with --experts every receipt's hotkey is checked against the experts' metagraphs and found
// in its expert's log, so --strict (given a ledger judgement) passes.
TEST(ScoreCommandOnlineTest, LiveExpertsCheckHotkeysAndLogsAndStrictPasses) {
  TempDir dir;
  BackgroundProcess experts({OrchestraBinary(), "experts", "--data-dir", dir.path() + "/sim",
                             "--corpus", "curated", "--latency-scale", "0"});
  std::smatch m;
  const std::string experts_banner = experts.WaitForLine("control API on", 60s);
  ASSERT_TRUE(std::regex_search(experts_banner, m, std::regex("127\\.0\\.0\\.1:(\\d+)")))
      << experts.Wait().err;
  const std::string experts_address = "127.0.0.1:" + std::string(m[1]);
  BackgroundProcess miner({OrchestraBinary(), "miner", "--axon.ip", "127.0.0.1", "--axon.port", "0",
                           "--data-dir", dir.path(), "--experts", experts_address});
  const std::string banner = miner.WaitForLine("serving", 60s);
  ASSERT_TRUE(std::regex_search(banner, m,
                                std::regex("hotkey (\\w+) serving .* on 127\\.0\\.0\\.1:(\\d+)")))
      << banner << miner.Wait().err;
  const std::string miner_hotkey = m[1];
  const auto miner_port = static_cast<uint16_t>(std::stoi(m[2]));

  Json generated = ParseJson(kChallenge).value();
  generated.at("challenge").as_object()["challenge_id"] = "0xe2e5c0";
  const std::string challenge = WriteFile(dir, "challenge.json", CompactJson(generated));
  crypto::MiniSecret seed{};
  seed.fill(2);
  const crypto::Keypair validator = crypto::Keypair::FromMiniSecret(seed);
  const int64_t start = NowMs();
  boost::asio::io_context io;
  net::Dendrite dendrite(io.get_executor(), validator);
  protocol::BittensorSynapse synapse;
  synapse.fields = generated.at("challenge").as_object();
  auto done = boost::asio::co_spawn(
      io,
      dendrite.Call({.ip = "127.0.0.1", .port = miner_port, .hotkey = miner_hotkey},
                    protocol::OrchestraSynapseClass(), std::move(synapse), 30.0),
      boost::asio::use_future);
  io.run();
  const protocol::BittensorSynapse answer = done.get();
  const int64_t end = NowMs();
  ASSERT_EQ(answer.dendrite.status_code, 200) << answer.dendrite.status_message.value_or("");
  const std::string response = WriteFile(dir, "response.json", CompactJson(answer.fields));
  const std::string ledger =
      WriteFile(dir, "ledger.json", R"({"checked": true, "freshness": 1, "coverage": 1})");

  auto run = RunProcess({OrchestraBinary(), "score", response, "--challenge", challenge, "--json",
                         "--strict", "--experts", experts_address, "--miner-hotkey", miner_hotkey,
                         "--ledger", ledger, "--window-start-ms", std::to_string(start),
                         "--window-end-ms", std::to_string(end)});
  EXPECT_EQ(run.exit_code, 0) << run.err << run.out;
  auto card = ParseJson(run.out, "stdout");
  ASSERT_TRUE(card.ok()) << run.out << run.err;
  const auto& steps = card->at("proofs").at("steps").as_array();
  ASSERT_FALSE(steps.empty());
  for (const Json& step : steps) {
    EXPECT_EQ(JsonString(step, "verdict"), "valid") << JsonString(step, "reason");
    EXPECT_NE(JsonString(step, "reason").find("present in the expert's log"), std::string::npos);
  }
  EXPECT_TRUE(card->at("not_checked").as_array().empty()) << CompactJson(card->at("not_checked"));

  // Offline, the same answer cannot pass --strict.
  auto offline =
      RunProcess({OrchestraBinary(), "score", response, "--challenge", challenge, "--strict",
                  "--miner-hotkey", miner_hotkey, "--ledger", ledger, "--window-start-ms",
                  std::to_string(start), "--window-end-ms", std::to_string(end)});
  EXPECT_EQ(offline.exit_code, 3) << offline.err;

  miner.Signal(SIGTERM);
  EXPECT_EQ(miner.Wait().exit_code, 0);
  experts.Signal(SIGTERM);
  EXPECT_EQ(experts.Wait().exit_code, 0);
}

}  // namespace
}  // namespace orchestra
