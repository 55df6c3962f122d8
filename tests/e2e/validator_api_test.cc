// The validator's operator-facing surface end to end, against a local subnet of real
// processes: the long-running `orchestra validator` daemon's HTTP API (GET /status,
// GET /metrics, POST /v1/orchestrate) and its drain on SIGTERM, and `orchestra ask`, which
// sends one challenge to one miner and judges the answer.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "e2e/generated_challenge.h"
#include "e2e/local_subnet.h"
#include "e2e/loopback_http.h"
#include "e2e/subprocess.h"
#include "orchestra/core/json.h"

namespace orchestra::testing {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr const char* kObjective =
    "Research cloud GPU pricing from RunPod, Vast.ai, and Lambda. Recommend a price point for "
    "our new inference API.";
constexpr const char* kSchema =
    R"({"competitors": [{"name": "str", "pricing": "dict", "strengths": "list"}],)"
    R"( "recommendation": {"price_point": "float", "rationale": "str"}})";

constexpr const char* kGeneratedChallenge = kGpuPricingGeneratedChallenge;

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string Trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

// The value of the Prometheus sample `series` (name and labels, exactly as rendered); -1 when
// the text has no such sample.
double SampleValue(const std::string& text, const std::string& series) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with(series + " ")) return std::stod(line.substr(series.size() + 1));
  }
  return -1;
}

// The API port of the validator's first stdout line, "... serving its API on 127.0.0.1:PORT ...".
int ApiPort(const std::string& line) {
  constexpr std::string_view kMarker = "serving its API on 127.0.0.1:";
  const size_t at = line.find(kMarker);
  if (at == std::string::npos) return -1;
  return std::stoi(line.substr(at + kMarker.size()));
}

Result<net::HttpResponse> Get(uint16_t port, const std::string& target) {
  net::HttpRequest request;
  request.method = "GET";
  request.target = target;
  return SendLoopback(port, std::move(request));
}

Result<net::HttpResponse> Orchestrate(uint16_t port, const std::string& authorization,
                                      const std::string& body) {
  net::HttpRequest request;
  request.method = "POST";
  request.target = "/v1/orchestrate";
  request.headers.Add("content-type", "application/json");
  if (!authorization.empty()) request.headers.Add("authorization", authorization);
  request.body = body;
  // The miners have the request's deadline_ms to answer, then every answer is judged.
  return SendLoopback(port, std::move(request), 120s);
}

class ValidatorApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto subnet = LocalSubnet::Start(
        {.modes = {"honest", "forger", "lazy"}, .corpus = "full", .perfect_experts = true});
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

  static const LocalMiner& Miner(std::string_view mode) { return subnet_->miner(mode); }

  static ProcessResult Ask(const std::string& data_dir, const LocalMiner& miner,
                           std::vector<std::string> extra) {
    std::vector<std::string> argv = {
        OrchestraBinary(), "ask",
        "--data-dir",      data_dir,
        "--axon",          "127.0.0.1:" + std::to_string(miner.axon.port),
        "--hotkey",        miner.axon.hotkey};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return RunProcess(argv);
  }

  static inline LocalSubnet* subnet_ = nullptr;
  static inline std::string miners_file_;
};

TEST_F(ValidatorApiTest, DaemonServesStatusMetricsAndOrganicRequestsThenDrainsOnSigterm) {
  TempDir dir;
  BackgroundProcess validator({OrchestraBinary(), "validator", "--data-dir", dir.path(), "--miners",
                               miners_file_, "--experts", subnet_->experts_address(),
                               "--experts.token", subnet_->dir() + "/sim/experts/experts.token",
                               "--interval-s", "1", "--seed", "21", "--api.port", "0"});
  const std::string first = validator.WaitForLine("serving its API on", 120s);
  ASSERT_FALSE(first.empty()) << validator.Wait().err;
  const int port_number = ApiPort(first);
  ASSERT_GT(port_number, 0) << first;
  const auto port = static_cast<uint16_t>(port_number);
  // Made on first start, before the API serves.
  const std::string api_key = Trimmed(ReadText(dir.path() + "/validator-api.key"));
  ASSERT_FALSE(api_key.empty());

  // GET /status, polled until the first round has been judged and settled.
  Json status;
  const auto deadline = std::chrono::steady_clock::now() + 5min;
  while (true) {
    auto response = Get(port, "/status");
    ASSERT_TRUE(response.ok()) << response.error().ToString();
    ASSERT_EQ(response->status, 200) << response->body;
    auto parsed = ParseJson(response->body, "/status");
    ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
    status = std::move(*parsed);
    const Json* last_round = JsonFind(status, "last_round");
    if (last_round && last_round->is_object()) break;
    ASSERT_LT(std::chrono::steady_clock::now(), deadline)
        << "no round finished: " << response->body;
    std::this_thread::sleep_for(200ms);
  }
  EXPECT_THAT(JsonString(status, "hotkey"), StartsWith("5"));
  EXPECT_GE(JsonInt(status, "rounds"), 1);
  ASSERT_TRUE(status.at("miners").is_array());
  EXPECT_FALSE(status.at("miners").as_array().empty()) << CompactJson(status);
  double honest_average = -1;
  for (const Json& miner : status.at("miners").as_array()) {
    EXPECT_NE(JsonFind(miner, "average0"), nullptr) << CompactJson(miner);
    EXPECT_NE(JsonFind(miner, "average1"), nullptr) << CompactJson(miner);
    if (JsonString(miner, "hotkey") == Miner("honest").axon.hotkey) {
      honest_average = JsonDouble(miner, "average0");
    }
  }
  EXPECT_GT(honest_average, 0) << CompactJson(status.at("miners"));
  ASSERT_TRUE(status.at("black_room").is_array());
  std::vector<std::string> black_roomed;
  for (const Json& room : status.at("black_room").as_array()) {
    black_roomed.push_back(JsonString(room, "hotkey"));
  }
  // Every miner is asked each round (the sample is larger than the subnet): the forger's forged
  // receipts put it in the black room in the first one.
  EXPECT_THAT(black_roomed, ::testing::Contains(Miner("forger").axon.hotkey))
      << CompactJson(status.at("black_room"));
  EXPECT_TRUE(status.at("weights").is_array());
  EXPECT_FALSE(status.at("weights").as_array().empty());
  EXPECT_TRUE(status.at("experts").is_object());

  // GET /metrics: the round, the answers and the valid receipts are counted.
  auto metrics = Get(port, "/metrics");
  ASSERT_TRUE(metrics.ok()) << metrics.error().ToString();
  ASSERT_EQ(metrics->status, 200);
  EXPECT_THAT(std::string(metrics->headers.Find("content-type")), HasSubstr("text/plain"));
  EXPECT_GE(SampleValue(metrics->body, R"(orchestra_validator_rounds_total{outcome="done"})"), 1)
      << metrics->body;
  EXPECT_GE(SampleValue(metrics->body, R"(orchestra_validator_answers_total{outcome="scored"})"), 1)
      << metrics->body;
  EXPECT_GT(SampleValue(metrics->body, R"(orchestra_validator_receipts_total{verdict="valid"})"), 0)
      << metrics->body;

  // POST /v1/orchestrate: the bearer key is required and must match.
  const std::string good_body =
      CompactJson(JsonObject{{"objective", kObjective},
                             {"target_schema", ParseJson(kSchema).value()},
                             {"deadline_ms", 30000}});
  auto anonymous = Orchestrate(port, "", good_body);
  ASSERT_TRUE(anonymous.ok()) << anonymous.error().ToString();
  EXPECT_EQ(anonymous->status, 401) << anonymous->body;
  auto wrong_key = Orchestrate(port, "Bearer " + api_key + "x", good_body);
  ASSERT_TRUE(wrong_key.ok()) << wrong_key.error().ToString();
  EXPECT_EQ(wrong_key->status, 401) << wrong_key->body;
  auto not_bearer = Orchestrate(port, api_key, good_body);
  ASSERT_TRUE(not_bearer.ok()) << not_bearer.error().ToString();
  EXPECT_EQ(not_bearer->status, 401) << not_bearer->body;

  // A malformed body is refused with the field it got wrong.
  const std::string bearer = "Bearer " + api_key;
  auto no_schema = Orchestrate(port, bearer, R"({"objective": "GPU prices", "deadline_ms": 1000})");
  ASSERT_TRUE(no_schema.ok()) << no_schema.error().ToString();
  EXPECT_EQ(no_schema->status, 400);
  EXPECT_THAT(no_schema->body, HasSubstr("target_schema"));
  auto bad_deadline = Orchestrate(
      port, bearer, R"({"objective": "GPU prices", "target_schema": {}, "deadline_ms": "soon"})");
  ASSERT_TRUE(bad_deadline.ok()) << bad_deadline.error().ToString();
  EXPECT_EQ(bad_deadline->status, 400);
  EXPECT_THAT(bad_deadline->body, HasSubstr("deadline_ms"));
  auto not_json = Orchestrate(port, bearer, "{\"objective\": ");
  ASSERT_TRUE(not_json.ok()) << not_json.error().ToString();
  EXPECT_EQ(not_json->status, 400) << not_json->body;

  // A good request: the best verified answer, from a miner outside the black room.
  auto organic = Orchestrate(port, bearer, good_body);
  ASSERT_TRUE(organic.ok()) << organic.error().ToString();
  ASSERT_EQ(organic->status, 200) << organic->body;
  auto answer = ParseJson(organic->body, "/v1/orchestrate");
  ASSERT_TRUE(answer.ok()) << answer.error().ToString();
  ASSERT_TRUE(answer->at("response").is_object()) << organic->body;
  EXPECT_NE(JsonFind(answer->at("response"), "standardized_data"), nullptr) << organic->body;
  const Json& miner = answer->at("miner");
  const std::string hotkey = JsonString(miner, "hotkey");
  EXPECT_NE(hotkey, Miner("forger").axon.hotkey);
  EXPECT_THAT(black_roomed, ::testing::Not(::testing::Contains(hotkey)));
  bool known = false;
  for (const LocalMiner& m : subnet_->miners()) {
    if (m.axon.hotkey == hotkey) {
      known = true;
      EXPECT_EQ(JsonInt(miner, "uid", -1), m.uid);
    }
  }
  EXPECT_TRUE(known) << CompactJson(miner);
  const Json& score = answer->at("score");
  EXPECT_TRUE(score.at("accepted").as_bool());
  EXPECT_FALSE(score.at("black_room").as_bool());
  const Json& proofs = score.at("proofs");
  EXPECT_GT(JsonInt(proofs, "valid"), 0) << CompactJson(proofs);
  EXPECT_FALSE(proofs.at("black_room").as_bool());
  for (const Json& step : proofs.at("steps").as_array()) {
    if (step.at("succeeded").as_bool()) {
      EXPECT_EQ(JsonString(step, "verdict"), "valid") << CompactJson(step);
    }
  }
  EXPECT_EQ(score.at("dimensions").at("hash_verification").at("score").to_number<double>(), 1.0);

  // Only the answered request is counted as an organic success.
  auto counted = Get(port, "/metrics");
  ASSERT_TRUE(counted.ok()) << counted.error().ToString();
  EXPECT_EQ(SampleValue(counted->body, R"(orchestra_validator_organic_total{outcome="ok"})"), 1)
      << counted->body;
  // The API's other answers: a wrong method, an unknown path.
  auto get_organic = Get(port, "/v1/orchestrate");
  ASSERT_TRUE(get_organic.ok()) << get_organic.error().ToString();
  EXPECT_EQ(get_organic->status, 405);
  auto unknown = Get(port, "/v1/nothing");
  ASSERT_TRUE(unknown.ok()) << unknown.error().ToString();
  EXPECT_EQ(unknown->status, 404);

  // A second validator cannot take the port in use: it says so and exits 1.
  TempDir other;
  const ProcessResult taken =
      RunProcess({OrchestraBinary(), "validator", "--data-dir", other.path(), "--miners",
                  miners_file_, "--experts", subnet_->experts_address(), "--rounds", "1",
                  "--api.port", std::to_string(port)});
  EXPECT_EQ(taken.exit_code, 1) << taken.err;
  EXPECT_THAT(taken.err, HasSubstr(std::to_string(port))) << taken.err;

  // SIGTERM: the round in flight and the API drain, and the process exits 0.
  validator.Signal(SIGTERM);
  const ProcessResult ended = validator.Wait();
  EXPECT_EQ(ended.exit_code, 0) << ended.err;
  EXPECT_THAT(ended.err, HasSubstr("drained"));
}

TEST_F(ValidatorApiTest, ApiKeyFromTheEnvironmentReplacesTheKeyFile) {
  TempDir dir;
  // The child inherits the environment at fork, in BackgroundProcess's constructor.
  ASSERT_EQ(setenv("ORCHESTRA_VALIDATOR_API_KEY", "operator-secret", 1), 0);
  BackgroundProcess validator({OrchestraBinary(), "validator", "--data-dir", dir.path(), "--miners",
                               miners_file_, "--experts", subnet_->experts_address(),
                               "--interval-s", "60", "--api.port", "0"});
  unsetenv("ORCHESTRA_VALIDATOR_API_KEY");
  const std::string first = validator.WaitForLine("serving its API on", 120s);
  ASSERT_FALSE(first.empty()) << validator.Wait().err;
  const int port = ApiPort(first);
  ASSERT_GT(port, 0) << first;
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/validator-api.key"));

  // Past the key check (the body is then judged): 400, where a wrong key gets 401.
  const std::string body = R"({"objective": "GPU prices", "target_schema": "none"})";
  auto right = Orchestrate(static_cast<uint16_t>(port), "Bearer operator-secret", body);
  ASSERT_TRUE(right.ok()) << right.error().ToString();
  EXPECT_EQ(right->status, 400) << right->body;
  EXPECT_THAT(right->body, HasSubstr("target_schema"));
  auto wrong = Orchestrate(static_cast<uint16_t>(port), "Bearer operator-secre", body);
  ASSERT_TRUE(wrong.ok()) << wrong.error().ToString();
  EXPECT_EQ(wrong->status, 401) << wrong->body;

  validator.Signal(SIGTERM);
  const ProcessResult ended = validator.Wait();
  EXPECT_EQ(ended.exit_code, 0) << ended.err;
}

TEST_F(ValidatorApiTest, AskScoresTheHonestMinerAndCatchesTheForger) {
  TempDir dir;
  const ProcessResult honest = Ask(dir.path(), Miner("honest"),
                                   {"--objective", kObjective, "--schema", kSchema, "--experts",
                                    subnet_->experts_address(), "--json"});
  ASSERT_EQ(honest.exit_code, 0) << honest.err << honest.out;
  auto reply = ParseJson(honest.out, "ask --json");
  ASSERT_TRUE(reply.ok()) << reply.error().ToString() << honest.out;
  EXPECT_EQ(JsonInt(*reply, "status"), 200);
  EXPECT_TRUE(reply->at("response").is_object());
  const Json& score = reply->at("score");
  EXPECT_TRUE(score.at("accepted").as_bool());
  EXPECT_FALSE(score.at("black_room").as_bool());
  EXPECT_EQ(score.at("dimensions").at("hash_verification").at("score").to_number<double>(), 1.0)
      << CompactJson(score);
  EXPECT_GT(JsonInt(score.at("proofs"), "valid"), 0);

  const ProcessResult forger = Ask(dir.path(), Miner("forger"),
                                   {"--objective", kObjective, "--schema", kSchema, "--experts",
                                    subnet_->experts_address(), "--json"});
  ASSERT_EQ(forger.exit_code, 1) << forger.err << forger.out;
  auto forged = ParseJson(forger.out, "ask --json");
  ASSERT_TRUE(forged.ok()) << forged.error().ToString() << forger.out;
  const Json& card = forged->at("score");
  EXPECT_TRUE(card.at("black_room").as_bool());
  EXPECT_THAT(JsonString(card, "black_room_reason"), HasSubstr("forged"));
  bool forged_step = false;
  for (const Json& step : card.at("proofs").at("steps").as_array()) {
    forged_step = forged_step || JsonString(step, "verdict") == "forged";
  }
  EXPECT_TRUE(forged_step) << CompactJson(card.at("proofs"));
}

TEST_F(ValidatorApiTest, AskTakesAGeneratedChallengeFile) {
  TempDir dir;
  const std::string path = dir.path() + "/challenge.json";
  std::ofstream(path) << kGeneratedChallenge;
  const ProcessResult run =
      Ask(dir.path(), Miner("honest"),
          {"--challenge", path, "--experts", subnet_->experts_address(), "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.err << run.out;
  auto reply = ParseJson(run.out, "ask --json");
  ASSERT_TRUE(reply.ok()) << reply.error().ToString() << run.out;
  EXPECT_EQ(JsonInt(*reply, "status"), 200);
  const Json& score = reply->at("score");
  // The challenge's own id, and judged against its answer key.
  EXPECT_EQ(JsonString(score, "challenge_id"),
            "0x2b7c9e1d3f5a8c0e2d4f6b8a1c3e5d7f9b0a2c4e6d8f1b3a5c7e9d0f2b4a6c8e");
  EXPECT_EQ(score.at("dimensions").at("hash_verification").at("score").to_number<double>(), 1.0);
  EXPECT_TRUE(score.at("dimensions").at("completeness").at("checked").as_bool())
      << CompactJson(score.at("dimensions"));

  // A challenge file without its answer key, and a bare challenge, are asked as they are.
  const Json generated = ParseJson(kGeneratedChallenge).value();
  const std::string keyless = dir.path() + "/keyless.json";
  std::ofstream(keyless) << CompactJson(JsonObject{{"challenge", generated.at("challenge")}});
  const std::string bare = dir.path() + "/bare.json";
  std::ofstream(bare) << CompactJson(generated.at("challenge"));
  for (const std::string& file : {keyless, bare}) {
    SCOPED_TRACE(file);
    const ProcessResult asked =
        Ask(dir.path(), Miner("honest"),
            {"--challenge", file, "--experts", subnet_->experts_address(), "--json"});
    ASSERT_EQ(asked.exit_code, 0) << asked.err << asked.out;
    auto answer = ParseJson(asked.out, "ask --json");
    ASSERT_TRUE(answer.ok()) << answer.error().ToString() << asked.out;
    EXPECT_EQ(JsonInt(*answer, "status"), 200);
    EXPECT_EQ(answer->at("score")
                  .at("dimensions")
                  .at("hash_verification")
                  .at("score")
                  .to_number<double>(),
              1.0);
  }
}

TEST_F(ValidatorApiTest, AskRefusesBadInputWithExit2AndSaysWhy) {
  TempDir dir;
  const std::string path = dir.path() + "/challenge.json";
  std::ofstream(path) << kGeneratedChallenge;
  const ProcessResult both =
      Ask(dir.path(), Miner("honest"),
          {"--challenge", path, "--objective", kObjective, "--schema", kSchema});
  EXPECT_EQ(both.exit_code, 2) << both.err;
  EXPECT_THAT(both.err, HasSubstr("either --challenge or --objective"));

  const ProcessResult neither = Ask(dir.path(), Miner("honest"), {"--objective", kObjective});
  EXPECT_EQ(neither.exit_code, 2) << neither.err;
  EXPECT_THAT(neither.err, HasSubstr("--schema"));

  const ProcessResult bad_hotkey =
      RunProcess({OrchestraBinary(), "ask", "--data-dir", dir.path(), "--axon",
                  "127.0.0.1:" + std::to_string(Miner("honest").axon.port), "--hotkey",
                  "not-an-address", "--objective", kObjective, "--schema", kSchema});
  EXPECT_EQ(bad_hotkey.exit_code, 2) << bad_hotkey.err;
  EXPECT_THAT(bad_hotkey.err, HasSubstr("--hotkey not-an-address: not an SS58 address"));

  const ProcessResult bad_axon = RunProcess(
      {OrchestraBinary(), "ask", "--data-dir", dir.path(), "--axon", "localhost", "--hotkey",
       Miner("honest").axon.hotkey, "--objective", kObjective, "--schema", kSchema});
  EXPECT_EQ(bad_axon.exit_code, 2) << bad_axon.err;
  EXPECT_THAT(bad_axon.err, HasSubstr("--axon"));
}

TEST_F(ValidatorApiTest, ValidatorRefusesBadFlagsWithExit2AndSaysWhy) {
  TempDir dir;
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--drain-timeout", "-1"}, "--drain-timeout"},
      {{"--drain-timeout", "nan"}, "--drain-timeout"},
      {{"--interval-s", "0"}, "--interval-s"},
      {{"--api.port", "70000"}, "--api.port"},
  };
  for (const auto& [flags, named] : cases) {
    SCOPED_TRACE(flags[0] + " " + flags[1]);
    std::vector<std::string> argv = {OrchestraBinary(), "validator",  "--data-dir", dir.path(),
                                     "--miners",        miners_file_, "--rounds",   "1"};
    argv.insert(argv.end(), flags.begin(), flags.end());
    const ProcessResult run = RunProcess(argv);
    EXPECT_EQ(run.exit_code, 2) << run.err;
    EXPECT_THAT(run.err, HasSubstr(named));
  }
}

}  // namespace
}  // namespace orchestra::testing
