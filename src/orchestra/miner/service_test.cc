#include "orchestra/miner/service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <future>
#include <optional>
#include <sstream>

#include "orchestra/experts/http_transport.h"
#include "orchestra/ledger/learner.h"
#include "orchestra/miner/miner_test_util.h"
#include "orchestra/net/http_client.h"
#include "orchestra/protocol/receipt.h"
#include "orchestra/schema/schema.h"
#include "orchestra/sim/simulator.h"

namespace orchestra::miner {
namespace {

using namespace std::chrono_literals;
using protocol::BittensorSynapse;
using testing::AddressOf;
using ::testing::HasSubstr;
using testing::KeyFromByte;
using ::testing::MatchesRegex;
using testing::SimulatedExperts;
using testing::WorkedExampleFields;

template <typename T>
T RunToEnd(boost::asio::awaitable<T> task) {
  boost::asio::io_context io;
  std::optional<T> out;
  boost::asio::co_spawn(
      io, [&]() -> boost::asio::awaitable<void> { out.emplace(co_await std::move(task)); },
      boost::asio::detached);
  io.run();
  return std::move(*out);
}

// Captures what the service logs while alive.
class LogCapture {
 public:
  LogCapture() : previous_(spdlog::default_logger()) {
    auto logger = std::make_shared<spdlog::logger>(
        "capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(out_));
    logger->set_pattern("%v");
    logger->set_level(spdlog::level::info);
    spdlog::set_default_logger(logger);
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }
  std::string text() const { return out_.str(); }

 private:
  std::ostringstream out_;
  std::shared_ptr<spdlog::logger> previous_;
};

class MinerServiceTest : public ::testing::Test {
 protected:
  MinerServiceTest()
      : ledger_(std::make_shared<const ledger::Snapshot>(*ledger::SeedSnapshot())),
        service_(ledger_, experts_.transport(), Options()) {}

  static OrchestratorOptions Options() {
    OrchestratorOptions options;
    options.miner_hotkey = AddressOf(KeyFromByte(4));
    return options;
  }

  static BittensorSynapse Request(JsonObject fields) {
    BittensorSynapse request;
    request.name = "OrchestraSynapse";
    request.dendrite.hotkey = AddressOf(KeyFromByte(2));
    request.fields = std::move(fields);
    return request;
  }

  ledger::SnapshotPtr ledger_;
  SimulatedExperts experts_;
  MinerService service_;
};

TEST_F(MinerServiceTest, AnswersTheWorkedExampleWithAValidProvenResponse) {
  LogCapture log;
  auto answer = RunToEnd(
      service_.AnswerChallenge(Request(WorkedExampleFields("0xfeed")), Deadline::After(20s)));
  ASSERT_TRUE(answer.ok()) << answer.error().ToString();

  auto response = protocol::ResponseFromJson(answer->fields);
  ASSERT_TRUE(response.ok()) << response.error().ToString();
  EXPECT_EQ(response->challenge_id, "0xfeed");
  ASSERT_GE(response->task_pipeline.size(), 3u);
  for (const auto& step : response->task_pipeline) {
    EXPECT_FALSE(step.error.has_value()) << step.step << ": " << *step.error;
    auto receipt = protocol::ReceiptFromJson(step.receipt);
    ASSERT_TRUE(receipt.ok()) << step.step;
    EXPECT_EQ(receipt->Hash(), step.hash);
  }
  auto target = schema::Schema::FromTarget(WorkedExampleFields()["target_schema"]);
  ASSERT_TRUE(target.ok());
  EXPECT_TRUE(target->Validate(response->standardized_data).valid);
  EXPECT_EQ(response->ledger_version, ledger_->version());
  EXPECT_FALSE(response->final_synthesis.empty());
  EXPECT_EQ(service_.challenges_answered(), 1u);

  EXPECT_THAT(log.text(),
              MatchesRegex("challenge id=0xfeed validator=5[1-9A-HJ-NP-Za-km-z]+ "
                           "deadline_ms=[0-9]+ outcome=ok steps=[0-9]+ failed_steps=0 "
                           "cost=0\\.[0-9]{6} latency_ms=[0-9]+ valid=true compliance=1\\.000 "
                           "completeness=1\\.000 ledger=lv-[0-9a-f]{16}\n"));
}

TEST_F(MinerServiceTest, FinishesBeforeTheAxonDeadlineWhenItIsShorterThanDeadlineMs) {
  // deadline_ms grants 20 s, the synapse timeout only 600 ms, and the experts never answer: the
  // pipeline must plan for the shorter budget and answer (partially) before the axon gives up.
  testing::GatedTransport never(experts_.transport());
  MinerService service(ledger_, never, Options());
  auto answer =
      RunToEnd(service.AnswerChallenge(Request(WorkedExampleFields()), Deadline::After(600ms)));
  ASSERT_TRUE(answer.ok()) << answer.error().ToString();
  EXPECT_LT(JsonInt(answer->fields, "total_latency_ms"), 600);
  auto response = protocol::ResponseFromJson(answer->fields);
  ASSERT_TRUE(response.ok());
  ASSERT_TRUE(response->task_pipeline.front().error.has_value());
  EXPECT_THAT(*response->task_pipeline.front().error, HasSubstr("deadline"));
}

TEST_F(MinerServiceTest, RejectsMalformedChallengesNamingTheField) {
  LogCapture log;
  JsonObject no_objective = WorkedExampleFields();
  no_objective.erase("objective");
  JsonObject bad_schema = WorkedExampleFields();
  bad_schema["target_schema"] = JsonObject{{"competitors", "lst"}};
  JsonObject bad_deadline = WorkedExampleFields();
  bad_deadline["deadline_ms"] = -5;
  const std::pair<JsonObject, std::string> cases[] = {
      {no_objective, "objective"},
      {bad_schema, "target_schema: "},
      {bad_deadline, "deadline_ms: must be a positive integer"},
  };
  for (const auto& [fields, expected] : cases) {
    auto answer = RunToEnd(service_.AnswerChallenge(Request(fields), Deadline::After(5s)));
    ASSERT_FALSE(answer.ok()) << expected;
    EXPECT_EQ(answer.error().code, ErrorCode::kInvalidArgument);
    EXPECT_THAT(answer.error().message, HasSubstr(expected));
  }
  EXPECT_THAT(log.text(), HasSubstr("outcome=rejected error=\"target_schema: "));
  EXPECT_EQ(service_.challenges_rejected(), 3u);
  EXPECT_THAT(service_.metrics().RenderText(),
              HasSubstr("orchestra_challenges_total{outcome=\"invalid\"} 3\n"));
  EXPECT_EQ(service_.challenges_answered(), 0u);
}

// A challenge id is the caller's text: a carriage return or ESC in it must not forge a log
// line or drive the terminal of whoever reads the log.
TEST_F(MinerServiceTest, EscapesControlBytesOfTheCallersTextInTheLogLine) {
  LogCapture log;
  JsonObject hostile = WorkedExampleFields("0xbad\rchallenge id=0xforged outcome=ok\x1b[2J");
  hostile["target_schema"] = JsonObject{{"competitors", "lst"}};
  auto rejected = RunToEnd(service_.AnswerChallenge(Request(hostile), Deadline::After(5s)));
  ASSERT_FALSE(rejected.ok());
  EXPECT_THAT(log.text(), HasSubstr("challenge id=\"0xbad\\rchallenge id=0xforged outcome=ok"
                                    "\\x1b[2J\" validator="));
  EXPECT_EQ(log.text().find('\r'), std::string::npos);
  EXPECT_EQ(log.text().find('\x1b'), std::string::npos);

  auto answer = RunToEnd(
      service_.AnswerChallenge(Request(WorkedExampleFields("0xfeed")), Deadline::After(20s)));
  ASSERT_TRUE(answer.ok()) << answer.error().ToString();
}

TEST_F(MinerServiceTest, RejectsAChallengeArrivingWithNoTimeLeft) {
  auto answer = RunToEnd(service_.AnswerChallenge(Request(WorkedExampleFields()),
                                                  Deadline::After(kAnswerReserve / 2)));
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.error().code, ErrorCode::kDeadline);
  EXPECT_THAT(service_.metrics().RenderText(),
              HasSubstr("orchestra_challenges_total{outcome=\"deadline\"} 1\n"));
}

// Two services of one process report into the registry they are given.
TEST_F(MinerServiceTest, ReportsIntoTheRegistryItIsGiven) {
  auto registry = std::make_shared<obs::MetricsRegistry>();
  MinerService first(ledger_, experts_.transport(), Options(), registry);
  MinerService second(ledger_, experts_.transport(), Options(), registry);
  EXPECT_EQ(&first.metrics(), registry.get());
  ASSERT_TRUE(RunToEnd(first.AnswerLedger(BittensorSynapse{}, Deadline::After(5s))).ok());
  ASSERT_TRUE(RunToEnd(second.AnswerLedger(BittensorSynapse{}, Deadline::After(5s))).ok());
  EXPECT_THAT(registry->RenderText(), HasSubstr("\norchestra_ledger_queries_total 2\n"));
}

TEST_F(MinerServiceTest, CompilesTheTargetSchemaOnTheCpuPoolWhileTheIoThreadServesOthers) {
  // The pool's only thread is held: the challenge must wait for it before it calls any expert,
  // the ledger query must not wait.
  boost::asio::thread_pool pool(1);
  std::promise<void> release;
  boost::asio::post(pool, [held = release.get_future()]() mutable { held.wait(); });
  OrchestratorOptions options = Options();
  options.cpu_pool = &pool;
  testing::GatedTransport gate(experts_.transport());
  MinerService service(ledger_, gate, options);

  boost::asio::io_context io;
  std::optional<Result<BittensorSynapse>> challenge, ledger_answer;
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        challenge.emplace(
            co_await service.AnswerChallenge(Request(WorkedExampleFields()), Deadline::After(20s)));
      },
      boost::asio::detached);
  BittensorSynapse ledger_request;
  ledger_request.name = "LedgerSynapse";
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        ledger_answer.emplace(co_await service.AnswerLedger(ledger_request, Deadline::After(1s)));
      },
      boost::asio::detached);
  io.poll();  // everything that can run without the pool
  ASSERT_TRUE(ledger_answer.has_value());
  EXPECT_TRUE(ledger_answer->ok());
  EXPECT_FALSE(gate.started()) << "the target_schema was compiled on the I/O thread";
  EXPECT_FALSE(challenge.has_value());

  release.set_value();
  gate.Open(io.get_executor());
  io.run();
  ASSERT_TRUE(challenge.has_value());
  ASSERT_TRUE(challenge->ok()) << challenge->error().ToString();
  EXPECT_EQ(service.challenges_answered(), 1u);
}

TEST_F(MinerServiceTest, LedgerSynapseSendsEntriesUnlessTheValidatorIsCurrent) {
  BittensorSynapse request;
  request.name = "LedgerSynapse";
  auto full = RunToEnd(service_.AnswerLedger(request, Deadline::After(1s)));
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(JsonString(full->fields, "ledger_version"), ledger_->version());
  const Json* entries = full->fields.if_contains("entries");
  ASSERT_TRUE(entries && entries->is_object());
  EXPECT_EQ(entries->as_object().size(), ledger_->entries().size());
  auto snapshot = ledger::Snapshot::FromJson(JsonObject{{"entries", *entries}});
  ASSERT_TRUE(snapshot.ok()) << snapshot.error().ToString();
  EXPECT_EQ(snapshot->version(), ledger_->version());

  request.fields["since_version"] = ledger_->version();
  auto current = RunToEnd(service_.AnswerLedger(request, Deadline::After(1s)));
  ASSERT_TRUE(current.ok());
  EXPECT_EQ(JsonString(current->fields, "ledger_version"), ledger_->version());
  EXPECT_TRUE(current->fields.at("entries").as_object().empty());

  request.fields["since_version"] = "lv-0000000000000000";
  auto stale = RunToEnd(service_.AnswerLedger(request, Deadline::After(1s)));
  ASSERT_TRUE(stale.ok());
  EXPECT_EQ(stale->fields.at("entries").as_object().size(), ledger_->entries().size());
  EXPECT_EQ(service_.ledger_queries(), 3u);
}

// The simulator's experts over HTTP, every UID answering well, and a miner service that learns
// from its calls: a UID made to fail every call through the admin API stops getting first tries
// once the service has seen it fail.
TEST(MinerServiceLearningTest, AUidMadeUnreliableStopsGettingFirstTries) {
  testing::FaultFreeNetwork network = testing::StartFaultFreeNetwork();
  const ledger::SnapshotPtr ledger = network.ledger;
  sim::Simulator* sim = network.sim.get();
  boost::asio::io_context io;
  net::HttpClient client(io.get_executor());
  auto run = [&io](auto task) {
    std::optional<decltype(RunToEnd(std::move(task)))> out;
    boost::asio::co_spawn(
        io, [&]() -> boost::asio::awaitable<void> { out.emplace(co_await std::move(task)); },
        boost::asio::detached);
    io.restart();
    io.run();
    return std::move(*out);
  };
  // SN22 (web search) UID 0 now fails every call, as an operator would set it.
  net::HttpRequest patch;
  patch.method = "POST";
  patch.target = "/admin/subnets/22/uids/0";
  patch.headers = {{"authorization", "Bearer " + sim->admin_token()},
                   {"content-type", "application/json"}};
  patch.body = R"({"reliability": 0, "faults": {"http_503": 1}})";
  auto patched =
      run(client.Send("127.0.0.1", sim->control_port(), std::move(patch), Deadline::After(10s)));
  ASSERT_TRUE(patched.ok()) << patched.error().ToString();
  ASSERT_EQ(patched->status, 200) << patched->body;

  experts::HttpTransport transport(client, sim->directory(), KeyFromByte(4), io.get_executor());
  ledger::Learner learner(ledger);
  OrchestratorOptions options;
  options.miner_hotkey = AddressOf(KeyFromByte(4));
  options.exec.learner = &learner;
  options.exec.backoff_base = 0ms;
  MinerService service(ledger, transport, options);
  auto answer = [&](int i) {
    BittensorSynapse request;
    request.name = "OrchestraSynapse";
    request.dendrite.hotkey = AddressOf(KeyFromByte(2));
    request.fields = WorkedExampleFields("0x" + std::to_string(1000 + i));
    auto answered = run(service.AnswerChallenge(std::move(request), Deadline::After(30s)));
    ASSERT_TRUE(answered.ok()) << answered.error().ToString();
  };
  auto calls_to_uid0 = [&] { return sim->Counters(22, 0).calls; };

  for (int i = 0; i < 3; ++i) answer(i);
  const uint64_t while_learning = calls_to_uid0();
  // Equally unknown UIDs take calls in turn, so UID 0 got some and failed them: it is now the
  // last UID to try.
  EXPECT_GE(while_learning, 1u);
  const ledger::LedgerEntry* sn22 = service.ledger()->Find("SN22");
  ASSERT_NE(sn22, nullptr);
  ASSERT_EQ(sn22->uids.size(), 3u);
  for (uint64_t spread = 0; spread < 3; ++spread) {
    EXPECT_EQ(ledger::UidOrder(*sn22, transport.Uids(*sn22), spread).back(), 0);
  }
  EXPECT_EQ(sn22->uids.front().last_seen_ms, 0);  // never answered
  EXPECT_LT(sn22->reliability, ledger->Find("SN22")->reliability);
  EXPECT_NE(service.ledger()->version(), ledger->version());

  for (int i = 3; i < 6; ++i) answer(i);
  EXPECT_EQ(calls_to_uid0(), while_learning);  // the healthy UIDs answered everything since
}

}  // namespace
}  // namespace orchestra::miner
