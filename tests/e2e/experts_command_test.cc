// `orchestra experts` as an operator runs it: the real binary serving the simulated subnets.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <regex>

#include "e2e/loopback_http.h"
#include "e2e/subprocess.h"
#include "orchestra/net/http_message.h"
#include "orchestra/net/metagraph_source.h"

namespace orchestra {
namespace {

using namespace std::chrono_literals;
using testing::BackgroundProcess;
using ::testing::HasSubstr;
using testing::OrchestraBinary;
using testing::RunProcess;
using testing::TempDir;

Result<net::HttpResponse> Get(uint16_t port, std::string target) {
  // A named request: GCC 12 destroys aggregate temporaries inside co_await twice.
  net::HttpRequest request{"GET", std::move(target), {}, ""};
  return testing::SendLoopback(port, std::move(request));
}

TEST(ExpertsCommandTest, ServesEveryUidAndTheMetagraphUntilSigterm) {
  TempDir dir;
  BackgroundProcess experts({OrchestraBinary(), "experts", "--data-dir", dir.path(), "--corpus",
                             "curated", "--latency-scale", "0", "--seed", "7"});
  const std::string banner = experts.WaitForLine("control API on", 60s);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(banner, m, std::regex("127\\.0\\.0\\.1:(\\d+)")))
      << experts.Wait().err;
  const auto port = static_cast<uint16_t>(std::stoi(m[1]));
  EXPECT_FALSE(experts.WaitForLine("SN22  Desearch       uid 2", 10s).empty());

  auto metagraph = Get(port, "/metagraph/13");
  ASSERT_TRUE(metagraph.ok()) << metagraph.error().ToString();
  ASSERT_EQ(metagraph->status, 200);
  auto neurons = net::NeuronsFromJson(ParseJson(metagraph->body).value());
  ASSERT_TRUE(neurons.ok());
  EXPECT_EQ(neurons->size(), 3u);

  std::ifstream token_file(dir.path() + "/experts/experts.token");
  std::string token;
  EXPECT_TRUE(std::getline(token_file, token));
  EXPECT_EQ(token.size(), 48u);

  experts.Signal(SIGTERM);
  const auto result = experts.Wait();
  EXPECT_EQ(result.exit_code, 0) << result.err;
}

TEST(ExpertsCommandTest, ListensOnTheBasePortAndThePortsAfterIt) {
  // Below the kernel's ephemeral range, so no other test's loopback server is given these
  // ports; another program may still hold one, hence a few bases.
  for (int attempt = 0; attempt < 3; ++attempt) {
    const int base = 21'000 + static_cast<int>((getpid() * 7 + attempt * 977) % 9'000);
    TempDir dir;
    BackgroundProcess experts({OrchestraBinary(), "experts", "--data-dir", dir.path(), "--corpus",
                               "curated", "--base-port", std::to_string(base), "--threads", "1",
                               "--receipts-max", "1000"});
    const std::string banner = experts.WaitForLine("control API on", 60s);
    if (banner.empty()) {
      const auto result = experts.Wait();
      ASSERT_EQ(result.exit_code, 1) << result.err;
      ASSERT_THAT(result.err, HasSubstr("in use"));
      continue;  // a port of this range is taken: try another
    }
    EXPECT_THAT(banner, HasSubstr(fmt::format("127.0.0.1:{} ", base)));
    const std::string first_uid = experts.WaitForLine(" uid ", 10s);
    EXPECT_THAT(first_uid, HasSubstr(fmt::format("127.0.0.1:{} ", base + 1)));
    auto metagraph = Get(static_cast<uint16_t>(base), "/metagraph/22");
    ASSERT_TRUE(metagraph.ok()) << metagraph.error().ToString();
    EXPECT_EQ(metagraph->status, 200);
    experts.Signal(SIGTERM);
    EXPECT_EQ(experts.Wait().exit_code, 0);
    return;
  }
  GTEST_SKIP() << "no free range of ports found below 30000";
}

TEST(ExpertsCommandTest, ListPrintsTheManifestAsATableOrJson) {
  auto table = RunProcess({OrchestraBinary(), "experts", "--list"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_THAT(table.out, HasSubstr("Desearch"));
  EXPECT_THAT(table.out, HasSubstr("Chutes"));

  auto json = RunProcess({OrchestraBinary(), "experts", "--list", "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  auto manifest = ParseJson(json.out);
  ASSERT_TRUE(manifest.ok()) << manifest.error().ToString();
  const Json& subnets = manifest->at("subnets");
  ASSERT_GE(subnets.as_array().size(), 7u);
  for (const Json& s : subnets.as_array()) {
    EXPECT_TRUE(s.at("netuid").is_int64());
    EXPECT_FALSE(JsonString(s, "name").empty());
    EXPECT_FALSE(s.at("capabilities").as_array().empty());
    EXPECT_GE(s.at("uids").as_array().size(), 3u);
  }
}

TEST(ExpertsCommandTest, ABadManifestExitsTwoNamingThePlace) {
  TempDir dir;
  const std::string path = dir.path() + "/manifest.json";
  std::ofstream(path) << R"({"subnets": [{"netuid": 1, "name": "x", "engine": "oracle"}]})";
  auto run = RunProcess({OrchestraBinary(), "experts", "--manifest", path, "--list"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("subnets[0].engine: unknown engine"));
}

}  // namespace
}  // namespace orchestra
