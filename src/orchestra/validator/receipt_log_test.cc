// The sampled log check against a real simulated expert: a receipt the expert issued is found
// in its log, one it never issued is not.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <optional>

#include "orchestra/core/hash.h"
#include "orchestra/crypto/derive.h"
#include "orchestra/crypto/ss58.h"
#include "orchestra/experts/http_transport.h"
#include "orchestra/protocol/receipt.h"
#include "orchestra/sim/corpus.h"
#include "orchestra/sim/simulator.h"
#include "orchestra/validator/proofs.h"

namespace orchestra::validator {
namespace {

using namespace std::chrono_literals;

class ReceiptLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto corpus = sim::Corpus::LoadEmbedded();
    ASSERT_TRUE(corpus.ok()) << corpus.error().ToString();
    sim::SimulatorOptions options;
    options.seed = 42;
    options.latency_scale = 0;
    auto started =
        sim::Simulator::Start(sim::Manifest::Default().value(),
                              std::make_shared<const sim::Corpus>(std::move(*corpus)), options);
    ASSERT_TRUE(started.ok()) << started.error().ToString();
    sim_ = std::move(*started);
  }

  // One real call to SN22 through the miner's transport, as step 1 of kChallenge.
  protocol::TaskStep CallSearch() {
    const ledger::LedgerEntry& entry = sim_->manifest().Find(22)->entry;
    protocol::TaskStep step;
    step.step = 1;
    step.subnet = "SN22";
    step.query =
        JsonObject{{"query", "message broker"}, {"max_results", 3}, {"search_type", "web"}};
    const std::string request_hash = CanonicalHash(step.query);
    boost::asio::io_context io;
    net::HttpClient client(io.get_executor());
    experts::HttpTransport transport(client, sim_->directory(), miner_, io.get_executor());
    experts::ExpertCall call{&entry, step.query,
                             protocol::LockFor(kChallenge, MinerAddress(), 1, request_hash),
                             request_hash, 0};
    std::optional<Result<experts::ExpertReply>> reply;
    boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<void> {
          reply.emplace(co_await transport.Call(std::move(call), Deadline::After(10s)));
        },
        boost::asio::detached);
    io.run();
    EXPECT_TRUE(reply.has_value());
    if (!reply) return step;
    EXPECT_TRUE(reply->ok()) << reply->error().ToString();
    if (!*reply) return step;
    step.uid = (*reply)->uid;
    step.receipt = (*reply)->receipt;
    step.hash = protocol::ReceiptFromJson((*reply)->receipt).value().Hash();
    return step;
  }

  std::string MinerAddress() const { return crypto::Ss58Encode(miner_.public_key().bytes()); }

  void Check(const protocol::Response& response, ProofReport* report, double rate = 1.0) {
    boost::asio::io_context io;
    net::HttpClient client(io.get_executor());
    ReceiptLogChecker checker(client, sim_->directory(), rate, 7);
    auto done = boost::asio::co_spawn(io, checker.Check(response, report, Deadline::After(10s)),
                                      boost::asio::use_future);
    io.run();
    done.get();
  }

  const std::string kChallenge = "0x" + std::string(64, 'a');
  crypto::Keypair miner_ = crypto::KeypairFromUri("//Miner").value();
  std::unique_ptr<sim::Simulator> sim_;
};

TEST_F(ReceiptLogTest, IssuedReceiptIsInTheLogAndAnUnknownOneIsNot) {
  protocol::Response response;
  response.challenge_id = kChallenge;
  response.task_pipeline.push_back(CallSearch());
  ASSERT_FALSE(response.task_pipeline[0].hash.empty());
  const ExpertRegistry registry = RegistryFromDirectory(sim_->directory());
  ProofContext context;
  context.challenge_id = kChallenge;
  context.miner_hotkey = MinerAddress();
  context.window_start_ms = experts::UnixMillis() - 60'000;
  context.window_end_ms = experts::UnixMillis() + 60'000;
  context.registry = &registry;
  ProofReport report = VerifyProofs(response, context);
  ASSERT_EQ(report.steps[0].kind, ProofKind::kValid) << report.steps[0].reason;
  Check(response, &report);
  EXPECT_EQ(report.steps[0].kind, ProofKind::kValid) << report.steps[0].reason;
  EXPECT_NE(report.steps[0].reason.find("present in the expert's log"), std::string::npos);

  // A receipt this UID never issued (signed by another key, judged valid by a lax caller).
  protocol::Response fake = response;
  const crypto::Keypair other = crypto::KeypairFromUri("//Other").value();
  const auto receipt = protocol::IssueReceipt(
      other, crypto::Ss58Encode(other.public_key().bytes()), std::string(66, 'b'),
      CanonicalHash(fake.task_pipeline[0].query), JsonObject{}, 0.001, experts::UnixMillis());
  fake.task_pipeline[0].receipt = protocol::ToJson(receipt);
  fake.task_pipeline[0].hash = receipt.Hash();
  ProofReport lax = report;
  lax.steps[0].hash = receipt.Hash();
  lax.steps[0].kind = ProofKind::kValid;
  Check(fake, &lax);
  EXPECT_EQ(lax.steps[0].kind, ProofKind::kNotInLog) << lax.steps[0].reason;
  EXPECT_EQ(lax.valid, 0);

  // Sampling at 0 checks nothing.
  ProofReport unsampled = lax;
  unsampled.steps[0].kind = ProofKind::kValid;
  Check(fake, &unsampled, 0.0);
  EXPECT_EQ(unsampled.steps[0].kind, ProofKind::kValid);
}

}  // namespace
}  // namespace orchestra::validator
