// `orchestra run` end to end: the real binary, the embedded expert network on loopback HTTP,
// a real SQLite ledger in a temporary data directory.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>

#include "e2e/subprocess.h"
#include "orchestra/core/hash.h"
#include "orchestra/core/json.h"
#include "orchestra/crypto/derive.h"
#include "orchestra/crypto/ss58.h"
#include "orchestra/protocol/orchestra_synapse.h"
#include "orchestra/protocol/receipt.h"
#include "orchestra/schema/schema.h"

namespace orchestra {
namespace {

using testing::OrchestraBinary;
using testing::RunProcess;
using testing::TempDir;

Json ExampleFile(const std::string& name) {
  const char* root = std::getenv("ORCHESTRA_SOURCE_DIR");
  std::ifstream in(std::string(root ? root : ".") + "/data/examples/" + name + ".json");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto json = ParseJson(text);
  EXPECT_TRUE(json.ok()) << name;
  return json.ok() ? *json : Json();
}

class RunExampleTest : public ::testing::TestWithParam<std::string> {};

TEST_P(RunExampleTest, AnswersWithAValidSchemaRespectingTheDagAndProvingEveryCall) {
  TempDir data;
  // latency-scale 0.25 keeps the ledger's latency shape while keeping the test short.
  auto run = RunProcess({OrchestraBinary(), "run", "--example", GetParam(), "--json", "--data-dir",
                         data.path(), "--latency-scale", "0.25"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto json = ParseJson(run.out, "stdout");
  ASSERT_TRUE(json.ok()) << json.error().message;
  auto response = protocol::ResponseFromJson(*json);
  ASSERT_TRUE(response.ok()) << response.error().message;

  const Json example = ExampleFile(GetParam());
  EXPECT_EQ(response->challenge_id, JsonString(example, "challenge_id"));

  // standardized_data satisfies the target schema, fully populated.
  auto target = schema::Schema::FromTarget(example.at("target_schema"));
  ASSERT_TRUE(target.ok());
  auto report = target->Validate(response->standardized_data);
  EXPECT_TRUE(report.valid) << PrettyJson(response->standardized_data);
  EXPECT_DOUBLE_EQ(report.completeness, 1.0) << PrettyJson(response->standardized_data);
  EXPECT_FALSE(response->final_synthesis.empty());

  const auto& steps = response->task_pipeline;
  ASSERT_GE(steps.size(), 3u);  // discovery, reads of what it found, and more as needed
  std::set<std::string> hashes;
  double cost = 0;
  for (const auto& s : steps) {
    EXPECT_FALSE(s.error) << "step " << s.step << ": " << *s.error;
    EXPECT_TRUE(IsPrefixedHash256(s.hash)) << s.hash;
    hashes.insert(s.hash);
    cost += s.cost;
    // DAG order: a step starts only after each of its inputs finished (ms are truncated).
    for (int d : s.depends_on) {
      const auto& dep = steps[static_cast<size_t>(d - 1)];
      EXPECT_GE(s.started_ms + 1, dep.started_ms + dep.latency_ms)
          << "step " << s.step << " started before step " << d << " finished";
    }
  }
  EXPECT_EQ(hashes.size(), steps.size()) << "hashes must be unique";

  // Every step's hash is a receipt the standalone verifier accepts: signed by the expert that
  // answered, locked to this challenge, this (development) miner, this step and this query.
  const std::string miner =
      crypto::Ss58Encode(crypto::KeypairFromUri("//Orchestra")->public_key().bytes());
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  for (const auto& s : steps) {
    auto receipt = protocol::ReceiptFromJson(s.receipt);
    ASSERT_TRUE(receipt.ok()) << receipt.error().message;
    EXPECT_EQ(receipt->Hash(), s.hash);
    const protocol::ReceiptExpectation expected{
        response->challenge_id, miner,          s.step, s.query, Json(),
        s.expert_hotkey,        now_ms - 60000, now_ms};
    auto verified = protocol::VerifyReceipt(*receipt, expected);
    EXPECT_TRUE(verified.ok()) << "step " << s.step << ": " << verified.error().message;
  }
  EXPECT_NEAR(response->total_cost, cost, 1e-9);
  EXPECT_GT(response->total_cost, 0.0);

  // The per-item reads of one wave ran in parallel: the first two overlapped in time.
  std::vector<const protocol::TaskStep*> reads;
  for (const auto& s : steps) {
    if (s.task.starts_with("read_")) reads.push_back(&s);
  }
  ASSERT_GE(reads.size(), 2u);
  EXPECT_LT(std::max(reads[0]->started_ms, reads[1]->started_ms),
            std::min(reads[0]->started_ms + reads[0]->latency_ms,
                     reads[1]->started_ms + reads[1]->latency_ms));
  for (const auto& s : steps) {
    EXPECT_GE(response->total_latency_ms, s.started_ms + s.latency_ms - 1);
  }
}

INSTANTIATE_TEST_SUITE_P(BuiltInExamples, RunExampleTest,
                         ::testing::Values("competitive_landscape", "ai_funding", "gpu_pricing"));

TEST(RunTest, WithoutArgumentsRunsTheSeedWorkedExampleAndPrintsTheSummary) {
  TempDir data;
  auto run =
      RunProcess({OrchestraBinary(), "run", "--data-dir", data.path(), "--latency-scale", "0"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("\"challenge_id\": \"0x4f2a"), std::string::npos);
  EXPECT_NE(run.out.find("Timeline"), std::string::npos);
  EXPECT_NE(run.out.find("discover_competitors"), std::string::npos);
  std::smatch ok;
  ASSERT_TRUE(std::regex_search(run.out, ok, std::regex("([0-9]+)/([0-9]+) steps ok"))) << run.out;
  EXPECT_EQ(ok[1].str(), ok[2].str()) << run.out;
}

// The first run on a machine builds the full corpus index and says so on stderr; later runs
// reuse it without a word. ($ORCHESTRA_CORPUS_DIR is pointed at a directory of this test's own:
// the suite's shared index may already exist.)
TEST(RunTest, BuildsTheFullCorpusOnceSayingSoThenReusesItSilently) {
  TempDir data;
  const std::string corpus_dir = data.path() + "/corpus";
  const char* shared = std::getenv("ORCHESTRA_CORPUS_DIR");
  const std::string saved = shared != nullptr ? shared : "";
  ::setenv("ORCHESTRA_CORPUS_DIR", corpus_dir.c_str(), 1);
  const std::vector<std::string> argv = {
      OrchestraBinary(), "run", "--json", "--data-dir", data.path(), "--latency-scale", "0"};
  auto first = RunProcess(argv);
  auto second = RunProcess(argv);
  if (shared != nullptr) {
    ::setenv("ORCHESTRA_CORPUS_DIR", saved.c_str(), 1);
  } else {
    ::unsetenv("ORCHESTRA_CORPUS_DIR");
  }
  ASSERT_EQ(first.exit_code, 0) << first.err;
  // "(curated + 29,777 Debian packages)", or "(curated pages only: apt-cache not found)".
  EXPECT_EQ(first.err.rfind("orchestra: building the expert corpus (curated ", 0), 0u) << first.err;
  EXPECT_NE(first.err.find(" into " + corpus_dir +
                           "/corpus.db, once ...\norchestra: expert "
                           "corpus built in "),
            std::string::npos)
      << first.err;
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(second.err.find("corpus"), std::string::npos) << second.err;
  EXPECT_TRUE(ParseJson(second.out, "stdout").ok());
}

TEST(RunTest, ChallengeFileIdIsEchoed) {
  TempDir data;
  const std::string path = data.path() + "/challenge.json";
  std::ofstream(path) << R"({"challenge_id": "0xfeed", "objective": "Find recent AI funding rounds",
                             "target_schema": {"rounds": [{"company": "str", "amount": "float"}]},
                             "deadline_ms": 20000})";
  auto run = RunProcess({OrchestraBinary(), "run", "--challenge", path, "--json", "--data-dir",
                         data.path(), "--latency-scale", "0"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto json = ParseJson(run.out);
  ASSERT_TRUE(json.ok());
  EXPECT_EQ(JsonString(*json, "challenge_id"), "0xfeed");
}

TEST(RunTest, MalformedSchemaJsonExitsTwoWithLineAndColumn) {
  TempDir data;
  auto run = RunProcess({OrchestraBinary(), "run", "--objective", "x", "--schema",
                         "{\"a\": \"str\",\n \"b\": }", "--data-dir", data.path()});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("--schema"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("line 2, column"), std::string::npos) << run.err;
}

TEST(RunTest, UnknownShorthandTypeNamesPathAndType) {
  TempDir data;
  auto run = RunProcess({OrchestraBinary(), "run", "--objective", "x", "--schema",
                         R"({"competitors": [{"name": "str", "strengths": "lst"}]})", "--data-dir",
                         data.path()});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("competitors[0].strengths"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("\"lst\""), std::string::npos) << run.err;
}

TEST(RunTest, UnreadableChallengeFileExitsTwo) {
  TempDir data;
  auto run = RunProcess({OrchestraBinary(), "run", "--challenge", data.path() + "/missing.json",
                         "--data-dir", data.path()});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("missing.json"), std::string::npos) << run.err;
}

TEST(RunTest, AnLlmBaseUrlItCannotUseExitsTwoNamingTheFlag) {
  TempDir data;
  auto https = RunProcess({OrchestraBinary(), "run", "--llm.base-url", "https://llm.example/v1",
                           "--llm.model", "m", "--data-dir", data.path()});
  EXPECT_EQ(https.exit_code, 2);
  EXPECT_NE(https.err.find("--llm.base-url https://llm.example/v1: https is not supported"),
            std::string::npos)
      << https.err;
  auto no_model = RunProcess({OrchestraBinary(), "run", "--llm.base-url", "http://127.0.0.1:8080",
                              "--data-dir", data.path()});
  EXPECT_EQ(no_model.exit_code, 2);
  EXPECT_NE(no_model.err.find("--llm.base-url needs --llm.model"), std::string::npos)
      << no_model.err;
}

TEST(RunTest, TooShortDeadlineGivesAPartialResponseSayingWhy) {
  TempDir data;
  auto run = RunProcess(
      {OrchestraBinary(), "run", "--json", "--deadline-ms", "400", "--data-dir", data.path()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto json = ParseJson(run.out);
  ASSERT_TRUE(json.ok()) << run.out;
  auto response = protocol::ResponseFromJson(*json);
  ASSERT_TRUE(response.ok());
  int failed = 0;
  for (const auto& s : response->task_pipeline) {
    if (!s.error) continue;
    ++failed;
    EXPECT_TRUE(s.error->find("deadline") != std::string::npos ||
                s.error->find("dependency_failed") != std::string::npos)
        << *s.error;
  }
  EXPECT_GT(failed, 0);
  EXPECT_LT(response->total_latency_ms, 400 + 250);
}

}  // namespace
}  // namespace orchestra
