#include "orchestra/miner/daemon.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_future.hpp>
#include <csignal>
#include <map>
#include <optional>
#include <thread>
#include <vector>

#include "orchestra/miner/miner_test_util.h"
#include "orchestra/net/dendrite.h"
#include "orchestra/net/http_client.h"
#include "orchestra/net/net_test_util.h"

namespace orchestra::miner {
namespace {

using namespace std::chrono_literals;
using protocol::BittensorSynapse;
using testing::AddressOf;
using ::testing::HasSubstr;
using testing::KeyFromByte;

const crypto::Keypair kMinerKey = KeyFromByte(4);
const crypto::Keypair kValidatorKey = KeyFromByte(2);
const crypto::Keypair kStrangerKey = KeyFromByte(5);

// A miner daemon on its own thread, serving on 127.0.0.1 with experts played in-process
// (through a gate the test may hold shut).
class DaemonHarness {
 public:
  explicit DaemonHarness(std::chrono::milliseconds drain_timeout = 60s, bool handle_signals = false)
      : gated_(experts_.transport()),
        service_(std::make_shared<const ledger::Snapshot>(*ledger::SeedSnapshot()), gated_,
                 Options(&cpu_pool_)) {
    DaemonOptions options;
    options.axon.hotkey = AddressOf(kMinerKey);
    options.drain_timeout = drain_timeout;
    options.handle_signals = handle_signals;
    auto metagraph = std::make_shared<net::StaticMetagraphSource>(std::vector<net::NeuronRecord>{
        {.hotkey = AddressOf(kValidatorKey), .uid = 0, .validator_permit = true, .stake = 100}});
    daemon_.emplace(io_, options, metagraph, service_);
    auto port = daemon_->Start();
    EXPECT_TRUE(port.ok()) << port.error().ToString();
    port_ = port.ok() ? *port : 0;
    thread_ = std::thread([this] { io_.run(); });
  }
  ~DaemonHarness() {
    if (thread_.joinable()) {
      boost::asio::post(io_, [this] { daemon_->Stop(); });
      thread_.join();
    }
  }

  // Calls the daemon from a fresh dendrite on the calling thread.
  BittensorSynapse Call(const crypto::Keypair& key, const protocol::SynapseClass& cls,
                        BittensorSynapse synapse, double timeout = 20.0) {
    boost::asio::io_context io;
    net::Dendrite dendrite(io.get_executor(), key);
    const net::AxonEndpoint axon{.ip = "127.0.0.1", .port = port_, .hotkey = AddressOf(kMinerKey)};
    auto done = boost::asio::co_spawn(io, dendrite.Call(axon, cls, std::move(synapse), timeout),
                                      boost::asio::use_future);
    io.run();
    return done.get();
  }
  // A plain GET to the daemon, as Prometheus scrapes it (no synapse headers, no signature).
  Result<net::HttpResponse> Get(std::string target) {
    boost::asio::io_context io;
    net::HttpClient client(io.get_executor());
    net::HttpRequest request;
    request.method = "GET";
    request.target = std::move(target);
    return net::testing::RunUntilDone(
        io, client.Send("127.0.0.1", port_, std::move(request), Deadline::After(10s)));
  }
  BittensorSynapse Challenge(const crypto::Keypair& key) {
    BittensorSynapse synapse;
    synapse.fields = testing::WorkedExampleFields();
    return Call(key, protocol::OrchestraSynapseClass(), std::move(synapse));
  }

  void Drain() {
    boost::asio::post(io_, [this] { daemon_->Drain(); });
  }
  // Waits until the daemon's thread has nothing left to run (it stopped serving).
  void Join() { thread_.join(); }
  bool stopped() const { return daemon_->stopped(); }
  bool draining() const { return daemon_->draining(); }
  testing::GatedTransport& gate() { return gated_; }
  boost::asio::any_io_executor executor() { return io_.get_executor(); }
  const MinerService& service() const { return service_; }

 private:
  static OrchestratorOptions Options(boost::asio::thread_pool* cpu_pool) {
    OrchestratorOptions options;
    options.miner_hotkey = AddressOf(kMinerKey);
    options.cpu_pool = cpu_pool;
    return options;
  }

  testing::SimulatedExperts experts_;
  testing::GatedTransport gated_;
  MinerService service_;
  boost::asio::io_context io_;
  // As `orchestra miner` runs it; joined before io_ goes (a finished job posts to io_).
  boost::asio::thread_pool cpu_pool_{2};
  std::optional<MinerDaemon> daemon_;
  uint16_t port_ = 0;
  std::thread thread_;
};

TEST(MinerDaemonTest, AnswersChallengesAndLedgerQueriesFromARegisteredValidator) {
  DaemonHarness miner;
  miner.gate().Open(miner.executor());

  const BittensorSynapse answer = miner.Challenge(kValidatorKey);
  ASSERT_EQ(answer.dendrite.status_code, 200) << answer.dendrite.status_message.value_or("");
  auto response = protocol::ResponseFromJson(answer.fields);
  ASSERT_TRUE(response.ok()) << response.error().ToString();
  EXPECT_EQ(response->challenge_id, "0xfeed");
  ASSERT_GE(response->task_pipeline.size(), 3u);
  for (const auto& step : response->task_pipeline) EXPECT_FALSE(step.error.has_value());

  const BittensorSynapse ledger =
      miner.Call(kValidatorKey, protocol::LedgerSynapseClass(), BittensorSynapse{});
  ASSERT_EQ(ledger.dendrite.status_code, 200) << ledger.dendrite.status_message.value_or("");
  EXPECT_EQ(JsonString(ledger.fields, "ledger_version"), response->ledger_version);
  EXPECT_FALSE(ledger.fields.at("entries").as_object().empty());
}

// What an operator's Prometheus scrapes: the counters move with the work done.
TEST(MinerDaemonTest, MetricsCountChallengesExpertCallsAndLedgerQueries) {
  DaemonHarness miner;
  miner.gate().Open(miner.executor());
  auto before = miner.Get("/metrics");
  ASSERT_TRUE(before.ok()) << before.error().ToString();
  EXPECT_EQ(before->status, 200);
  EXPECT_THAT(std::string(before->Header("content-type")),
              ::testing::StartsWith("text/plain; version=0.0.4"));
  EXPECT_THAT(before->body, HasSubstr("\norchestra_ledger_queries_total 0\n"));
  EXPECT_THAT(before->body, HasSubstr("# TYPE orchestra_challenges_total counter\n"));
  EXPECT_THAT(before->body, HasSubstr("orchestra_challenge_latency_seconds_count 0\n"));

  const BittensorSynapse answer = miner.Challenge(kValidatorKey);
  ASSERT_EQ(answer.dendrite.status_code, 200) << answer.dendrite.status_message.value_or("");
  auto response = protocol::ResponseFromJson(answer.fields);
  ASSERT_TRUE(response.ok()) << response.error().ToString();
  BittensorSynapse bad;
  bad.fields = testing::WorkedExampleFields();
  bad.fields["target_schema"] = JsonObject{{"competitors", "lst"}};
  EXPECT_EQ(miner.Call(kValidatorKey, protocol::OrchestraSynapseClass(), bad).dendrite.status_code,
            422);
  ASSERT_EQ(miner.Call(kValidatorKey, protocol::LedgerSynapseClass(), BittensorSynapse{})
                .dendrite.status_code,
            200);

  auto after = miner.Get("/metrics");
  ASSERT_TRUE(after.ok()) << after.error().ToString();
  ASSERT_EQ(after->status, 200);
  const std::string& text = after->body;
  EXPECT_THAT(text, HasSubstr("orchestra_challenges_total{outcome=\"ok\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("orchestra_challenges_total{outcome=\"invalid\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("\norchestra_ledger_queries_total 1\n"));
  EXPECT_THAT(text, HasSubstr("orchestra_challenge_latency_seconds_count 1\n"));
  EXPECT_THAT(text, HasSubstr("orchestra_challenge_latency_seconds_bucket{le=\"+Inf\"} 1\n"));
  // One ok call per step, under the subnet that served it.
  std::map<std::string, int> steps_by_subnet;
  for (const auto& step : response->task_pipeline) ++steps_by_subnet[step.subnet];
  ASSERT_FALSE(steps_by_subnet.empty());
  for (const auto& [subnet, count] : steps_by_subnet) {
    EXPECT_THAT(text, HasSubstr(fmt::format(
                          "orchestra_expert_calls_total{{subnet=\"{}\",outcome=\"ok\"}} {}\n",
                          subnet, count)))
        << text;
  }
}

// Issue 16's hostile challenge: 100,000 properties, all required (1.6 MB).
Json HugeTargetSchema() {
  JsonObject properties;
  JsonArray required;
  for (int i = 0; i < 100'000; ++i) {
    const std::string name = "f" + std::to_string(i);
    properties[name] = JsonObject{{"type", "string"}};
    required.emplace_back(name);
  }
  return JsonObject{
      {"type", "object"}, {"properties", std::move(properties)}, {"required", std::move(required)}};
}

TEST(MinerDaemonTest, AHugeTargetSchemaIsRejectedWhileAnOrdinaryChallengeIsAnswered) {
  DaemonHarness miner;
  // The ordinary challenge is in flight (its experts held at the gate) when the hostile one
  // arrives; it is let through once the hostile one has been answered, and must still finish
  // within its own 20 s timeout.
  std::optional<BittensorSynapse> ordinary;
  std::thread validator([&] { ordinary = miner.Challenge(kValidatorKey); });
  miner.gate().WaitUntilStarted();

  BittensorSynapse synapse;
  synapse.fields = testing::WorkedExampleFields("0xbad");
  synapse.fields["target_schema"] = HugeTargetSchema();
  const BittensorSynapse huge =
      miner.Call(kValidatorKey, protocol::OrchestraSynapseClass(), std::move(synapse));
  miner.gate().Open(miner.executor());
  validator.join();

  EXPECT_EQ(huge.dendrite.status_code, 422);
  EXPECT_THAT(huge.dendrite.status_message.value_or(""),
              HasSubstr("target_schema: schema at #/properties/f49999: the schema has more than "
                        "50000 subschemas, the limit"));
  ASSERT_TRUE(ordinary.has_value());
  ASSERT_EQ(ordinary->dendrite.status_code, 200) << ordinary->dendrite.status_message.value_or("");
  auto response = protocol::ResponseFromJson(ordinary->fields);
  ASSERT_TRUE(response.ok()) << response.error().ToString();
  EXPECT_EQ(response->challenge_id, "0xfeed");
  for (const auto& step : response->task_pipeline) EXPECT_FALSE(step.error.has_value());
  EXPECT_EQ(miner.service().challenges_answered(), 1u);
  EXPECT_EQ(miner.service().challenges_rejected(), 1u);
}

TEST(MinerDaemonTest, RefusesCallersThatAreNotRegistered) {
  DaemonHarness miner;
  const BittensorSynapse answer = miner.Challenge(kStrangerKey);
  EXPECT_EQ(answer.dendrite.status_code, 403);
  EXPECT_THAT(answer.dendrite.status_message.value_or(""), HasSubstr("blacklisted"));
  EXPECT_EQ(miner.service().challenges_answered(), 0u);
}

TEST(MinerDaemonTest, DrainAnswersTheChallengeInFlightRefusesNewOnesThenStops) {
  DaemonHarness miner;
  std::optional<BittensorSynapse> in_flight;
  std::thread validator([&] { in_flight = miner.Challenge(kValidatorKey); });
  miner.gate().WaitUntilStarted();

  miner.Drain();
  const BittensorSynapse late = miner.Challenge(kValidatorKey);
  miner.gate().Open(miner.executor());
  validator.join();
  miner.Join();

  EXPECT_EQ(late.dendrite.status_code, 503) << late.dendrite.status_message.value_or("");
  ASSERT_TRUE(in_flight.has_value());
  ASSERT_EQ(in_flight->dendrite.status_code, 200)
      << in_flight->dendrite.status_message.value_or("");
  auto response = protocol::ResponseFromJson(in_flight->fields);
  ASSERT_TRUE(response.ok());
  for (const auto& step : response->task_pipeline) EXPECT_FALSE(step.error.has_value());
  EXPECT_TRUE(miner.stopped());
  EXPECT_EQ(miner.service().challenges_answered(), 1u);
}

TEST(MinerDaemonTest, DrainTimeoutCutsOffWorkThatDoesNotFinish) {
  DaemonHarness miner(/*drain_timeout=*/50ms);
  std::optional<BittensorSynapse> in_flight;
  std::thread validator([&] { in_flight = miner.Challenge(kValidatorKey); });
  miner.gate().WaitUntilStarted();

  miner.Drain();  // the gate stays shut: only the drain timeout can end this
  miner.Join();
  validator.join();

  EXPECT_TRUE(miner.stopped());
  ASSERT_TRUE(in_flight.has_value());
  EXPECT_NE(in_flight->dendrite.status_code, 200);
}

// Many challenges in flight when the drain begins: every one finishes and is answered, a
// challenge arriving during the drain is refused, then the daemon stops.
TEST(MinerDaemonTest, DrainAnswersEveryChallengeInFlight) {
  constexpr size_t kInFlight = 16;
  DaemonHarness miner;
  std::vector<std::optional<BittensorSynapse>> answers(kInFlight);
  std::vector<std::thread> validators;
  for (size_t i = 0; i < kInFlight; ++i) {
    validators.emplace_back([&, i] { answers[i] = miner.Challenge(kValidatorKey); });
  }
  // Each challenge's first wave (the worked example's two discovery searches) is at the gate.
  const bool all_in_flight = miner.gate().WaitUntilArrived(2 * kInFlight);

  miner.Drain();
  const BittensorSynapse late = miner.Challenge(kValidatorKey);
  miner.gate().Open(miner.executor());
  for (auto& validator : validators) validator.join();
  miner.Join();

  ASSERT_TRUE(all_in_flight);
  EXPECT_EQ(late.dendrite.status_code, 503) << late.dendrite.status_message.value_or("");
  for (size_t i = 0; i < kInFlight; ++i) {
    ASSERT_TRUE(answers[i].has_value()) << i;
    ASSERT_EQ(answers[i]->dendrite.status_code, 200)
        << i << ": " << answers[i]->dendrite.status_message.value_or("");
    auto response = protocol::ResponseFromJson(answers[i]->fields);
    ASSERT_TRUE(response.ok()) << i;
    for (const auto& step : response->task_pipeline) EXPECT_FALSE(step.error.has_value()) << i;
  }
  EXPECT_TRUE(miner.stopped());
  EXPECT_EQ(miner.service().challenges_answered(), kInFlight);
}

// The README's promise: SIGTERM drains, a second SIGTERM stops at once, cutting off the work in
// flight instead of waiting for it (here it could wait 60 s for the drain timeout, or until
// the gated calls' deadline).
TEST(MinerDaemonTest, SecondSignalCutsTheDrainShort) {
  DaemonHarness miner(/*drain_timeout=*/60s, /*handle_signals=*/true);
  std::optional<BittensorSynapse> in_flight;
  std::thread validator([&] { in_flight = miner.Challenge(kValidatorKey); });
  miner.gate().WaitUntilStarted();

  ASSERT_EQ(std::raise(SIGTERM), 0);
  const auto give_up = std::chrono::steady_clock::now() + 30s;
  while (!miner.draining() && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::yield();
  }
  ASSERT_TRUE(miner.draining());
  EXPECT_FALSE(miner.stopped());
  ASSERT_EQ(std::raise(SIGTERM), 0);
  miner.Join();  // the gate stays shut: only the second signal can end this soon
  validator.join();

  // Cut off, not answered: a drain left to run would have answered 200 once the gated calls
  // gave up at the challenge's deadline.
  EXPECT_TRUE(miner.stopped());
  ASSERT_TRUE(in_flight.has_value());
  EXPECT_NE(in_flight->dendrite.status_code, 200);
}

}  // namespace
}  // namespace orchestra::miner
