#include "orchestra/miner/ledger_keeper.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <optional>

#include "orchestra/core/temp_dir.h"
#include "orchestra/experts/http_transport.h"
#include "orchestra/ledger/sqlite_store.h"
#include "orchestra/miner/miner_test_util.h"
#include "orchestra/net/http_client.h"
#include "orchestra/sim/simulator.h"

// The maintenance loop against the simulator's experts over HTTP, with faults off so that what
// the test plants through the admin API is all that goes wrong.
namespace orchestra::miner {
namespace {

using namespace std::chrono_literals;
using testing::AddressOf;
using testing::KeyFromByte;

class LedgerKeeperTest : public ::testing::Test {
 protected:
  LedgerKeeperTest() {
    testing::FaultFreeNetwork network = testing::StartFaultFreeNetwork();
    seed_ = network.ledger;
    sim_ = std::move(network.sim);
    store_ = std::move(ledger::SqliteStore::Open(dir_.path() / "ledger.db").value());
    EXPECT_TRUE(store_->ReplaceAll(*seed_).ok());
    learner_ = std::make_unique<ledger::Learner>(seed_);
    transport_ = std::make_unique<experts::HttpTransport>(client_, sim_->directory(),
                                                          KeyFromByte(4), io_.get_executor());
    OrchestratorOptions orchestrator;
    orchestrator.miner_hotkey = AddressOf(KeyFromByte(4));
    orchestrator.exec.learner = learner_.get();
    orchestrator.exec.backoff_base = 0ms;
    service_ = std::make_unique<MinerService>(seed_, *transport_, orchestrator);
    KeeperOptions keeper;
    keeper.miner_hotkey = AddressOf(KeyFromByte(4));
    keeper_ = std::make_unique<LedgerKeeper>(*service_, *transport_, learner_.get(), store_.get(),
                                             keeper);
  }

  template <typename T>
  T Run(boost::asio::awaitable<T> task) {
    std::optional<T> out;
    boost::asio::co_spawn(
        io_, [&]() -> boost::asio::awaitable<void> { out.emplace(co_await std::move(task)); },
        boost::asio::detached);
    io_.restart();
    io_.run();
    return std::move(*out);
  }

  // An operator's call to the simulator's admin API.
  void Admin(std::string target, std::string body) {
    net::HttpRequest request;
    request.method = "POST";
    request.target = std::move(target);
    request.headers = {{"authorization", "Bearer " + sim_->admin_token()},
                       {"content-type", "application/json"}};
    request.body = std::move(body);
    auto answer = Run(
        client_.Send("127.0.0.1", sim_->control_port(), std::move(request), Deadline::After(10s)));
    ASSERT_TRUE(answer.ok()) << answer.error().ToString();
    ASSERT_EQ(answer->status, 200) << answer->body;
  }

  protocol::Response Challenge(const std::string& id) {
    protocol::BittensorSynapse request;
    request.name = "OrchestraSynapse";
    request.dendrite.hotkey = AddressOf(KeyFromByte(2));
    request.fields = testing::WorkedExampleFields(id);
    auto answered = Run(service_->AnswerChallenge(std::move(request), Deadline::After(30s)));
    EXPECT_TRUE(answered.ok()) << answered.error().ToString();
    auto response = protocol::ResponseFromJson(answered->fields);
    EXPECT_TRUE(response.ok());
    return response.ok() ? *response : protocol::Response{};
  }

  std::vector<ledger::StoredEvent> Events(std::string_view kind) {
    auto events = store_->Events(0, 1000);
    EXPECT_TRUE(events.ok());
    std::vector<ledger::StoredEvent> out;
    if (!events.ok()) return out;
    for (ledger::StoredEvent& e : *events) {
      if (e.kind == kind) out.push_back(std::move(e));
    }
    return out;
  }

  ::orchestra::testing::TempDir dir_;
  ledger::SnapshotPtr seed_;
  std::unique_ptr<sim::Simulator> sim_;
  std::unique_ptr<ledger::Store> store_;
  std::unique_ptr<ledger::Learner> learner_;
  boost::asio::io_context io_;
  net::HttpClient client_{io_.get_executor()};
  std::unique_ptr<experts::HttpTransport> transport_;
  std::unique_ptr<MinerService> service_;
  std::unique_ptr<LedgerKeeper> keeper_;
};

TEST_F(LedgerKeeperTest, AHealthyNetworkChangesNothingButTheProbeHistory) {
  const KeeperRound round = Run(keeper_->RunRound());
  EXPECT_GT(round.probes, 0);
  EXPECT_EQ(round.answered, round.probes);
  EXPECT_TRUE(round.drifts.empty());
  EXPECT_TRUE(round.status_changes.empty());
  EXPECT_TRUE(round.store_errors.empty());
  const ledger::LedgerEntry& sn22 = *service_->ledger()->Find("SN22");
  EXPECT_EQ(sn22.output_schema, seed_->Find("SN22")->output_schema);
  ASSERT_EQ(sn22.probe_history.size(), 1u);
  EXPECT_TRUE(sn22.probe_history[0].ok);
  EXPECT_FALSE(sn22.uids.empty());  // the probes taught the learner about each UID
}

TEST_F(LedgerKeeperTest, DriftPlantedThroughTheAdminApiIsDetectedAndTheNextChallengeUsesIt) {
  // Both search subnets rename their results and retype their count.
  for (const char* netuid : {"22", "42"}) {
    Admin(fmt::format("/admin/subnets/{}/drift", netuid),
          R"({"output": {"rename": {"results": "items"}, "retype": {"total_found": "str"}}})");
  }
  const KeeperRound round = Run(keeper_->RunRound());
  ASSERT_EQ(round.drifts.size(), 2u);
  EXPECT_EQ(round.drifts[0].subnet_id, "SN22");
  EXPECT_EQ(round.drifts[0].changes.size(), 3u);  // results gone, items new, total_found a str

  // The ledger the miner routes with, serves and keeps holds the new shape.
  const ledger::LedgerEntry& sn22 = *service_->ledger()->Find("SN22");
  EXPECT_EQ(CompactJson(sn22.output_schema), R"({"items":"list[dict]","total_found":"str"})");
  EXPECT_EQ(sn22.output_renames.at("results"), "items");
  auto served = Run(service_->AnswerLedger(protocol::BittensorSynapse{}, Deadline::After(5s)));
  ASSERT_TRUE(served.ok());
  EXPECT_EQ(CompactJson(served->fields.at("entries").at("SN22").at("output_schema")),
            R"({"items":"list[dict]","total_found":"str"})");
  const ledger::Snapshot kept = store_->Load().value();
  EXPECT_EQ(kept.Find("SN22")->output_schema, sn22.output_schema);
  EXPECT_EQ(Events("drift").size(), 2u);
  const auto proposals = Events("proposal");
  ASSERT_EQ(proposals.size(), 2u);
  EXPECT_EQ(proposals[0].body.at("kind"), "schema_update");
  EXPECT_FALSE(proposals[0].body.at("evidence").at("receipts").as_array().empty());

  // The next challenge's searches are proven and read under the new names.
  const protocol::Response response = Challenge("0xd1");
  int searches = 0;
  for (const auto& step : response.task_pipeline) {
    if (step.subnet != "SN22" && step.subnet != "SN42") continue;
    ++searches;
    EXPECT_FALSE(step.error) << step.task << ": " << *step.error;
  }
  EXPECT_GT(searches, 0);
  EXPECT_FALSE(response.standardized_data.at("competitors").as_array().empty());
}

TEST_F(LedgerKeeperTest, ASubnetThatStopsAnsweringIsDegradedThenDeprecated) {
  Admin("/admin/subnets/13/offline", "{}");
  KeeperRound round = Run(keeper_->RunRound());
  ASSERT_EQ(round.status_changes.size(), 1u);
  EXPECT_EQ(std::get<0>(round.status_changes[0]), "SN13");
  EXPECT_EQ(std::get<2>(round.status_changes[0]), ledger::EntryStatus::kDegraded);
  for (size_t i = 1; i < ledger::LedgerEntry::kProbeWindow; ++i) round = Run(keeper_->RunRound());
  EXPECT_EQ(service_->ledger()->Find("SN13")->status, ledger::EntryStatus::kDeprecated);
  const auto proposals = Events("proposal");
  ASSERT_EQ(proposals.size(), 1u);
  EXPECT_EQ(proposals[0].body.at("kind"), "deprecation");
  EXPECT_EQ(proposals[0].subnet_id, "SN13");
  // The others stayed healthy.
  EXPECT_EQ(service_->ledger()->Find("SN22")->status, ledger::EntryStatus::kHealthy);
}

}  // namespace
}  // namespace orchestra::miner
