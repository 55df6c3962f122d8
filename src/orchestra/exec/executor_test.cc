#include "orchestra/exec/executor.h"

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include "orchestra/core/hash.h"
#include "orchestra/protocol/receipt.h"

namespace orchestra::exec {
namespace {

crypto::Keypair Key() { return crypto::Keypair::FromMiniSecret(crypto::MiniSecret{42}); }

ledger::LedgerEntry Entry(std::string id, std::string capability, Json output_schema) {
  ledger::LedgerEntry e;
  e.subnet_id = std::move(id);
  e.capabilities = {std::move(capability)};
  e.output_schema = std::move(output_schema);
  e.avg_latency_ms = 100;
  e.p95_latency_ms = 200;
  e.reliability = 0.95;
  e.cost_per_query = 0.002;
  return e;
}

const Json kSearchOut = *ParseJson(R"({"results": "list[dict]", "total_found": "int"})");

plan::Task MakeTask(int step, std::string name, std::string capability, std::vector<int> deps,
                    Json query) {
  plan::Task t;
  t.step = step;
  t.name = std::move(name);
  t.capability = std::move(capability);
  t.depends_on = std::move(deps);
  t.query = std::move(query);
  return t;
}

// search(1) → scrape(2) ; search(1) → analysis(3) ; 2,3 → nothing else: a small research DAG.
plan::TaskDag Dag() {
  plan::TaskDag dag;
  dag.tasks.push_back(MakeTask(1, "search", "web_search", {}, JsonObject{{"query", "q"}}));
  dag.tasks.push_back(MakeTask(2, "scrape", "web_scraping", {1},
                               JsonObject{{"urls", JsonArray{"https://akash.network"}},
                                          {"extract_fields", JsonArray{"name"}}}));
  dag.tasks.push_back(MakeTask(3, "analysis", "web_search", {1}, JsonObject{{"query", "a"}}));
  return dag;
}

struct Fixture {
  ledger::Snapshot ledger{
      {{"SN22", Entry("SN22", "web_search", kSearchOut)},
       {"SN13",
        Entry("SN13", "web_scraping", *ParseJson(R"({"data": "list[dict]", "errors": "list"})"))},
       {"SN99",
        Entry("SN99", "web_scraping", *ParseJson(R"({"data": "list[dict]", "errors": "list"})"))}}};
  ExecOptions options{2, std::chrono::milliseconds(0), 4.0};

  Execution Run(experts::Transport& transport, const plan::TaskDag& dag, Deadline deadline) {
    auto routing = plan::Route(dag, ledger, {}, std::chrono::milliseconds(30000));
    EXPECT_TRUE(routing.ok());
    boost::asio::io_context io;
    PipelineContext context{"0xchallenge", "objective", "5Miner", Deadline::Clock::now(),
                            experts::UnixMillis()};
    auto future = boost::asio::co_spawn(
        io, Execute(dag, *routing, transport, context, deadline, options), boost::asio::use_future);
    io.run();
    return future.get();
  }
};

Json SearchAnswer() {
  return *ParseJson(R"({"results": [{"title": "Akash", "link": "https://akash.network"}],
                        "total_found": 1})");
}

TEST(ExecuteTest, RunsEveryStepWithHashesCostsAndDependencies) {
  Fixture f;
  std::vector<std::string> order;
  experts::InProcessTransport transport(
      [&](const ledger::LedgerEntry& e, const Json& q) -> Result<Json> {
        order.push_back(e.subnet_id);
        if (e.subnet_id == "SN22") return SearchAnswer();
        EXPECT_EQ(q.at("urls").as_array().front(), "https://akash.network");
        return *ParseJson(R"({"data": [{"name": "Akash"}], "errors": []})");
      },
      Key());
  Execution ex = f.Run(transport, Dag(), Deadline::After(std::chrono::seconds(5)));
  ASSERT_EQ(ex.steps.size(), 3u);
  EXPECT_EQ(order.front(), "SN22");
  for (const auto& s : ex.steps) {
    EXPECT_FALSE(s.error) << *s.error;
    EXPECT_TRUE(IsPrefixedHash256(s.hash)) << s.hash;
    EXPECT_EQ(s.attempts, 1);
    EXPECT_DOUBLE_EQ(s.cost, 0.002);
  }
  EXPECT_EQ(ex.steps[1].subnet, "SN13");
  EXPECT_EQ(ex.steps[1].depends_on, std::vector<int>{1});
  auto receipt = protocol::ReceiptFromJson(ex.steps[1].receipt);
  ASSERT_TRUE(receipt.ok()) << receipt.error().message;
  EXPECT_EQ(ex.steps[1].hash, receipt->Hash());
  EXPECT_EQ(receipt->lock,
            protocol::LockFor("0xchallenge", "5Miner", 2, CanonicalHash(ex.steps[1].query)));
  EXPECT_EQ(receipt->response_hash, CanonicalHash(ex.outputs.at(2)));
  EXPECT_NE(ex.steps[0].hash, ex.steps[2].hash);
}

TEST(ExecuteTest, RetriesThenFallsBackToTheNextSubnet) {
  Fixture f;
  int sn13_calls = 0;
  experts::InProcessTransport transport(
      [&](const ledger::LedgerEntry& e, const Json&) -> Result<Json> {
        if (e.subnet_id == "SN22") return SearchAnswer();
        if (e.subnet_id == "SN13") {
          ++sn13_calls;
          return Error(ErrorCode::kUnavailable, "SN13: HTTP 503");
        }
        return *ParseJson(R"({"data": [], "errors": []})");
      },
      Key());
  Execution ex = f.Run(transport, Dag(), Deadline::After(std::chrono::seconds(5)));
  EXPECT_EQ(sn13_calls, 3);  // first try + max_retries
  EXPECT_FALSE(ex.steps[1].error);
  EXPECT_EQ(ex.steps[1].subnet, "SN99");
  EXPECT_EQ(ex.steps[1].attempts, 4);
}

TEST(ExecuteTest, AuditRejectsAnswerViolatingTheLedgerOutputSchema) {
  Fixture f;
  int calls = 0;
  experts::InProcessTransport transport(
      [&](const ledger::LedgerEntry& e, const Json&) -> Result<Json> {
        if (e.subnet_id != "SN22") return *ParseJson(R"({"data": [], "errors": []})");
        if (++calls == 1) return *ParseJson(R"({"results": "not a list", "total_found": 1})");
        return SearchAnswer();
      },
      Key());
  Execution ex = f.Run(transport, Dag(), Deadline::After(std::chrono::seconds(5)));
  EXPECT_FALSE(ex.steps[0].error);
  EXPECT_EQ(ex.steps[0].attempts, 2);
  EXPECT_DOUBLE_EQ(ex.steps[0].cost, 0.004);  // the bad answer was paid for too
}

TEST(ExecuteTest, FailedInputSkipsDependentStepWithTheReason) {
  Fixture f;
  experts::InProcessTransport transport(
      [&](const ledger::LedgerEntry& e, const Json& q) -> Result<Json> {
        if (e.subnet_id == "SN22" && q.at("query") == "q")
          return Error(ErrorCode::kDeadline, "SN22: slow");
        if (e.subnet_id == "SN22") return SearchAnswer();
        ADD_FAILURE() << "scrape must not be called";
        return Error(ErrorCode::kInternal, "unexpected");
      },
      Key());
  plan::TaskDag dag = Dag();
  dag.tasks.push_back(MakeTask(4, "other", "web_search", {}, JsonObject{{"query", "b"}}));
  Execution ex = f.Run(transport, dag, Deadline::After(std::chrono::seconds(5)));
  ASSERT_TRUE(ex.steps[0].error);
  EXPECT_NE(ex.steps[0].error->find("deadline_exceeded"), std::string::npos);
  ASSERT_TRUE(ex.steps[1].error);
  EXPECT_NE(ex.steps[1].error->find("dependency_failed"), std::string::npos) << *ex.steps[1].error;
  EXPECT_EQ(ex.steps[1].attempts, 0);
  ASSERT_TRUE(ex.steps[2].error);  // analysis depends on the failed search too
  EXPECT_NE(ex.steps[2].error->find("dependency_failed"), std::string::npos);
  EXPECT_FALSE(ex.steps[3].error);  // the independent task still answers
}

TEST(ExecuteTest, AWaveMayDependOnStepsOfEarlierWaves) {
  Fixture f;
  int calls = 0;
  experts::InProcessTransport transport(
      [&](const ledger::LedgerEntry&, const Json&) -> Result<Json> {
        ++calls;
        return *ParseJson(R"({"data": [{"url": "https://akash.network", "name": "Akash"}],
                              "errors": []})");
      },
      Key());
  plan::TaskDag wave;
  wave.tasks.push_back(MakeTask(4, "read_4", "web_scraping", {1},
                                JsonObject{{"urls", JsonArray{"https://akash.network"}}}));
  wave.tasks.push_back(MakeTask(5, "read_5", "web_scraping", {2, 4},
                                JsonObject{{"urls", JsonArray{"https://golem.network"}}}));
  ASSERT_TRUE(wave.Validate().ok());
  Execution ex = f.Run(transport, wave, Deadline::After(std::chrono::seconds(5)));
  ASSERT_EQ(ex.steps.size(), 2u);
  EXPECT_EQ(ex.steps[0].step, 4);
  EXPECT_FALSE(ex.steps[0].error);
  EXPECT_FALSE(ex.steps[1].error);
  EXPECT_GE(ex.steps[1].started_ms, ex.steps[0].started_ms + ex.steps[0].latency_ms);
  EXPECT_EQ(calls, 2);
  EXPECT_TRUE(ex.outputs.contains(5));
}

TEST(ExecuteTest, ExpiredDeadlineFailsEveryStepWithoutCalling) {
  Fixture f;
  int calls = 0;
  experts::InProcessTransport transport(
      [&](const ledger::LedgerEntry&, const Json&) -> Result<Json> {
        ++calls;
        return SearchAnswer();
      },
      Key());
  Execution ex = f.Run(transport, Dag(), Deadline(Deadline::Clock::now()));
  EXPECT_EQ(calls, 0);
  for (const auto& s : ex.steps) ASSERT_TRUE(s.error);
  EXPECT_NE(ex.steps[0].error->find("deadline"), std::string::npos);
}

// Passes calls to an honest in-process expert but spoils the receipt of the first `spoiled`
// answers (here: claims another price), as a cheating or broken expert would.
class SpoilingTransport : public experts::Transport {
 public:
  SpoilingTransport(experts::Transport& inner, int spoiled) : inner_(inner), spoiled_(spoiled) {}
  boost::asio::awaitable<Result<experts::ExpertReply>> Call(experts::ExpertCall call,
                                                            Deadline deadline) override {
    auto reply = co_await inner_.Call(std::move(call), deadline);
    if (reply && spoiled_-- > 0) reply->receipt.as_object()["price"] = 0.0;
    co_return reply;
  }

 private:
  experts::Transport& inner_;
  int spoiled_;
};

TEST(ExecuteTest, AnswerWithAnInvalidReceiptIsReRouted) {
  Fixture f;
  experts::InProcessTransport honest(
      [&](const ledger::LedgerEntry& e, const Json&) -> Result<Json> {
        if (e.subnet_id == "SN22") return SearchAnswer();
        return *ParseJson(R"({"data": [], "errors": []})");
      },
      Key());
  SpoilingTransport transport(honest, 1);
  Execution ex = f.Run(transport, Dag(), Deadline::After(std::chrono::seconds(5)));
  EXPECT_FALSE(ex.steps[0].error);
  EXPECT_EQ(ex.steps[0].attempts, 2);
  EXPECT_TRUE(protocol::ReceiptFromJson(ex.steps[0].receipt).ok());
}

// An expert that never answers; its first call asks the test's signal to cancel the pipeline.
class CancelOnFirstCall : public experts::Transport {
 public:
  explicit CancelOnFirstCall(boost::asio::cancellation_signal& signal) : signal_(signal) {}
  boost::asio::awaitable<Result<experts::ExpertReply>> Call(experts::ExpertCall,
                                                            Deadline deadline) override {
    auto executor = co_await boost::asio::this_coro::executor;
    ++calls;
    boost::asio::post(executor, [this] { signal_.emit(boost::asio::cancellation_type::terminal); });
    boost::asio::steady_timer never(executor, deadline.at());
    auto [ec] = co_await never.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    co_return Error(ec ? ErrorCode::kUnavailable : ErrorCode::kDeadline, "no answer");
  }
  int calls = 0;

 private:
  boost::asio::cancellation_signal& signal_;
};

TEST(ExecuteTest, CancellationStopsEveryStepAndReturnsWithoutWaitingForTheDeadline) {
  // The server stopping cancels the handler; the executor must pass that on to its steps and
  // return (its steps reference its frame), not run on until the deadline or leave them behind.
  Fixture f;
  boost::asio::cancellation_signal signal;
  CancelOnFirstCall transport(signal);
  auto routing = plan::Route(Dag(), f.ledger, {}, std::chrono::milliseconds(30000));
  ASSERT_TRUE(routing.ok());
  boost::asio::io_context io;
  const PipelineContext context{"0xchallenge", "objective", "5Miner", Deadline::Clock::now(),
                                experts::UnixMillis()};
  const plan::TaskDag dag = Dag();
  auto future = boost::asio::co_spawn(
      io,
      Execute(dag, *routing, transport, context, Deadline::After(std::chrono::hours(1)), f.options),
      boost::asio::bind_cancellation_slot(signal.slot(), boost::asio::use_future));
  io.run();
  Execution ex = future.get();

  ASSERT_EQ(ex.steps.size(), 3u);
  EXPECT_EQ(transport.calls, 1);
  for (const auto& step : ex.steps) ASSERT_TRUE(step.error.has_value()) << step.step;
  EXPECT_EQ(*ex.steps[1].error, "cancelled: the pipeline was stopped");
  EXPECT_EQ(*ex.steps[2].error, "cancelled: the pipeline was stopped");
}

// A subnet of three UIDs played in-process: it records which UID each try went to, and UID 0
// fails every call.
class ThreeUids : public experts::Transport {
 public:
  ThreeUids()
      : inner_(
            [](const ledger::LedgerEntry&, const Json&) -> Result<Json> { return SearchAnswer(); },
            Key()) {}
  boost::asio::awaitable<Result<experts::ExpertReply>> Call(experts::ExpertCall call,
                                                            Deadline deadline) override {
    const int uid = call.uid;
    tried.push_back(uid);
    if (uid == 0) co_return Error(ErrorCode::kUnavailable, "SN22 uid 0: HTTP 503");
    auto reply = co_await inner_.Call(std::move(call), deadline);
    if (reply) reply->uid = uid;
    co_return reply;
  }
  std::vector<int> Uids(const ledger::LedgerEntry&) const override { return {0, 1, 2}; }

  std::vector<int> tried;

 private:
  experts::InProcessTransport inner_;
};

plan::TaskDag Searches(int n) {
  plan::TaskDag dag;
  for (int i = 1; i <= n; ++i) {
    dag.tasks.push_back(MakeTask(i, "search", "web_search", {}, JsonObject{{"query", "q"}}));
  }
  return dag;
}

TEST(ExecuteTest, EveryTryTeachesTheLearnerAboutTheUidThatTookIt) {
  Fixture f;
  auto base = std::make_shared<const ledger::Snapshot>(f.ledger);
  ledger::Learner learner(base);
  f.options.learner = &learner;
  ThreeUids transport;
  Execution ex = f.Run(transport, Searches(6), Deadline::After(std::chrono::seconds(5)));
  // Equally unknown UIDs share the wave's six calls; those that met UID 0 went on to the next.
  int first_tries_on_zero = 0;
  for (const auto& step : ex.steps) {
    EXPECT_FALSE(step.error) << *step.error;
    EXPECT_NE(step.uid, 0);
    first_tries_on_zero += step.attempts - 1;
  }
  EXPECT_EQ(first_tries_on_zero, 2);  // 6 calls over 3 UIDs in turn
  EXPECT_EQ(learner.recorded(), transport.tried.size());
  const ledger::SnapshotPtr learned = learner.Publish(0);
  ASSERT_NE(learned, nullptr);
  const auto& uids = learned->Find("SN22")->uids;
  ASSERT_EQ(uids.size(), 3u);
  EXPECT_EQ(uids[0].calls, 2);
  EXPECT_EQ(uids[0].consecutive_failures, 2);
  EXPECT_EQ(uids[1].consecutive_failures, 0);
  EXPECT_GT(uids[1].reliability, uids[0].reliability);
}

TEST(ExecuteTest, FirstTriesGoToTheUidTheLedgerLearnedIsBest) {
  Fixture f;
  std::map<std::string, ledger::LedgerEntry> entries = f.ledger.entries();
  // UID 2 answers fastest; UID 0 keeps failing.
  entries["SN22"].uids = {ledger::UidFigures{0, 100, 200, 0.2, 1.0, 3, 10, 0},
                          ledger::UidFigures{1, 100, 200, 1.0, 1.0, 0, 10, 0},
                          ledger::UidFigures{2, 20, 40, 1.0, 1.0, 0, 10, 0}};
  f.ledger = ledger::Snapshot(std::move(entries));
  ThreeUids transport;
  Execution ex = f.Run(transport, Searches(4), Deadline::After(std::chrono::seconds(5)));
  EXPECT_EQ(transport.tried, (std::vector<int>{2, 2, 2, 2}));
  for (const auto& step : ex.steps) EXPECT_EQ(step.uid, 2);
}

}  // namespace
}  // namespace orchestra::exec
