#include "orchestra/validator/miner_client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "orchestra/crypto/test_util.h"
#include "orchestra/miner/miner_test_util.h"
#include "orchestra/validator/local_miner_test_util.h"

namespace orchestra::validator {
namespace {

using crypto::testing::KeyFromByte;
using ::testing::HasSubstr;
using testing::LocalMiner;

template <typename T>
T RunOn(boost::asio::io_context& io, boost::asio::awaitable<T> task) {
  auto done = boost::asio::co_spawn(io, std::move(task), boost::asio::use_future);
  io.run();
  return done.get();
}

protocol::Challenge WorkedExample() {
  auto challenge = protocol::ChallengeFromJson(miner::testing::WorkedExampleFields("0xabc"));
  EXPECT_TRUE(challenge.ok());
  return *challenge;
}

TEST(MinerClientTest, CollectsAnswersAndLedgersAndReportsUnreachableMiners) {
  LocalMiner miner;
  MinerTarget gone = miner.Target();
  gone.uid = 2;
  gone.axon.port = 1;  // nothing listens there
  boost::asio::io_context io;
  net::Dendrite dendrite(io.get_executor(), KeyFromByte(2));

  const auto replies = RunOn(io, AskChallenge(dendrite, {miner.Target(), gone}, WorkedExample()));
  ASSERT_EQ(replies.size(), 2u);
  ASSERT_EQ(replies[0].status_code, 200) << replies[0].status_message;
  EXPECT_EQ(replies[0].miner.uid, 1);
  EXPECT_GT(replies[0].seconds, 0.0);
  auto response = protocol::ResponseFromJson(replies[0].fields);
  ASSERT_TRUE(response.ok()) << response.error().ToString();
  EXPECT_EQ(response->challenge_id, "0xabc");
  EXPECT_FALSE(response->task_pipeline.empty());
  EXPECT_EQ(replies[1].status_code, 503);
  EXPECT_TRUE(replies[1].fields.is_null());

  io.restart();
  const auto ledgers = RunOn(io, AskLedger(dendrite, {miner.Target()}, std::nullopt, 5.0));
  ASSERT_EQ(ledgers[0].status_code, 200) << ledgers[0].status_message;
  EXPECT_THAT(JsonString(ledgers[0].fields, "ledger_version"), HasSubstr("lv-"));
  const Json* entries = JsonFind(ledgers[0].fields, "entries");
  ASSERT_TRUE(entries && entries->is_object());
  EXPECT_TRUE(entries->as_object().contains("SN22"));
}

TEST(MinerClientTest, AMinerThatDoesNotAnswerInTimeIsA408) {
  LocalMiner miner;
  boost::asio::io_context io;
  net::Dendrite dendrite(io.get_executor(), KeyFromByte(2));
  protocol::Challenge challenge = WorkedExample();
  challenge.deadline_ms = 1;  // the miner works until its own deadline; our timeout is shorter
  const auto replies = RunOn(io, AskChallenge(dendrite, {miner.Target()}, challenge,
                                              /*slack_seconds=*/0.0));
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].status_code, 408) << replies[0].status_message;
}

}  // namespace
}  // namespace orchestra::validator
