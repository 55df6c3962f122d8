// A whole synthetic round (Validator::RunRound, the simulator's experts, a real store) whose
// every miner is hostile: the round completes, every miner is scored 0 with its reason, and
// what the store kept reads back after a reopen.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "orchestra/crypto/test_util.h"
#include "orchestra/net/net_test_util.h"
#include "orchestra/net/server_thread.h"
#include "orchestra/validator/sim_world_test_util.h"
#include "orchestra/validator/store.h"
#include "orchestra/validator/validator.h"

namespace orchestra::validator {
namespace {

namespace asio = boost::asio;
using crypto::testing::AddressOf;
using crypto::testing::KeyFromByte;
using ::testing::HasSubstr;
using tcp = asio::ip::tcp;

MinerTarget At(uint16_t port, int uid) {
  return MinerTarget{
      .uid = uid,
      .axon = {"127.0.0.1", port, AddressOf(KeyFromByte(static_cast<uint8_t>(40 + uid)))},
      .serving = true};
}

net::Handler Answers(std::string body, int status = 200) {
  return [body = std::move(body), status](net::HttpRequest) -> asio::awaitable<net::HttpResponse> {
    net::HttpResponse response;
    response.status = status;
    response.headers.Add("content-type", "application/json");
    response.headers.Add("bt_header_axon_status_code", std::to_string(status));
    response.body = body;
    co_return response;
  };
}

// The request's synapse back, untouched: a 200 that answers nothing.
asio::awaitable<net::HttpResponse> EchoesTheChallenge(net::HttpRequest request) {
  net::HttpResponse response;
  response.headers.Add("content-type", "application/json");
  response.headers.Add("bt_header_axon_status_code", "200");
  response.body = std::move(request.body);
  co_return response;
}

asio::awaitable<net::HttpResponse> NeverAnswers(net::HttpRequest) {
  asio::steady_timer never(co_await asio::this_coro::executor,
                           asio::steady_timer::time_point::max());
  co_await never.async_wait(asio::as_tuple(asio::use_awaitable));
  co_return net::MessageResponse(503, "stopped");
}

TEST(HostileRoundTest, ARoundOfHostileMinersCompletesScoresThemZeroAndKeepsTheStoreReadable) {
  const std::filesystem::path dir =
      std::filesystem::path(::testing::TempDir()) / fmt::format("hostile_round_{}", getpid());
  std::filesystem::remove_all(dir);

  std::vector<std::unique_ptr<net::ServerThread>> servers;
  std::vector<MinerTarget> miners;
  auto serve = [&](int uid, net::Handler handler) {
    servers.push_back(
        std::make_unique<net::ServerThread>(net::ServerOptions{}, std::move(handler)));
    auto port = servers.back()->Start();
    ASSERT_TRUE(port.ok()) << port.error().ToString();
    miners.push_back(At(*port, uid));
  };
  serve(1, Answers("<html>busy</html>"));
  serve(2, Answers(R"([1, 2, 3])"));
  serve(3, Answers(std::string(300, '[') + std::string(300, ']')));
  serve(4, Answers(R"({"challenge_id": "x", "final_synthesis": "caf\ud800"})"));
  serve(5, Answers(std::string(2 << 20, ' ')));
  serve(6, EchoesTheChallenge);
  serve(7, NeverAnswers);
  serve(8, Answers("\x01 panic \xff", 500));
  serve(10, [](net::HttpRequest) -> asio::awaitable<net::HttpResponse> {
    // An error whose message (the header; the body has none) is not text.
    net::HttpResponse error = net::JsonResponse(500, JsonObject{});
    error.headers.Add("bt_header_axon_status_code", "500");
    error.headers.Add("bt_header_axon_status_message", "caf\xe9 \xff\xfe");
    co_return error;
  });
  serve(11, Answers(CompactJson(JsonObject{{"message", std::string(1 << 19, 'x')}}), 500));
  net::testing::RawServer closer([](tcp::socket socket, int) -> asio::awaitable<void> {
    co_await net::testing::ReadToEnd(socket, 1);  // the first bytes, then hang up
  });
  miners.push_back(At(closer.port(), 9));

  testing::SimWorld world;
  {
    auto store = ValidatorStore::Open(dir / "validator.db");
    ASSERT_TRUE(store.ok()) << store.error().ToString();
    asio::thread_pool blocking(1);
    net::DendriteOptions dendrite_options;
    dendrite_options.client.max_response_bytes = 1 << 20;
    net::Dendrite dendrite(world.io().get_executor(), testing::ValidatorKey(), dendrite_options);
    ValidatorOptions options;
    options.hotkey = testing::ValidatorAddress();
    options.generator.min_deadline = options.generator.max_deadline = std::chrono::seconds(1);
    ValidatorDeps deps{.directory = &world.sim().directory(),
                       .transport = &world.transport(),
                       .client = &world.client(),
                       .dendrite = &dendrite,
                       .store = store->get(),
                       .blocking = &blocking};
    Validator validator(deps, options, world.ledger());
    validator.SetMiners(miners);

    Result<RoundReport> report = world.Run(validator.RunRound());
    ASSERT_TRUE(report.ok()) << report.error().ToString();
    ASSERT_EQ(report->miners.size(), miners.size());
    std::map<int, int> status_of;
    for (const MinerResult& r : report->miners) {
      SCOPED_TRACE(fmt::format("uid {}: {} {}", r.miner.uid, r.status_code, r.status_message));
      status_of[r.miner.uid] = r.status_code;
      EXPECT_FALSE(r.card.accepted);
      EXPECT_FALSE(r.card.reject_reason.empty());
      EXPECT_EQ(r.mechanism0, 0.0);
      EXPECT_EQ(r.mechanism1, 0.0);
      EXPECT_EQ(r.average0, 0.0);
      EXPECT_EQ(r.average1, 0.0);
      EXPECT_FALSE(r.black_roomed_now);
    }
    EXPECT_EQ(status_of, (std::map<int, int>{{1, 422},
                                             {2, 422},
                                             {3, 422},
                                             {4, 422},
                                             {5, 422},
                                             {6, 200},
                                             {7, 408},
                                             {8, 422},
                                             {9, 503},
                                             {10, 422},
                                             {11, 500}}));
  }

  auto reopened = ValidatorStore::Open(dir / "validator.db");
  ASSERT_TRUE(reopened.ok()) << reopened.error().ToString();
  auto rows = (*reopened)->RecentScores(100);
  ASSERT_TRUE(rows.ok()) << rows.error().ToString();
  EXPECT_EQ(rows->size(), miners.size());
  for (const ScoreLogRow& row : *rows) {
    EXPECT_EQ(row.total, 0.0);
    // The miner's half-megabyte error message is not copied into every row.
    EXPECT_LT(row.score_card_json.size(), 64u << 10);
    auto card = ParseJson(row.score_card_json, "stored score card");
    ASSERT_TRUE(card.ok()) << card.error().ToString();
    EXPECT_THAT(JsonString(*card, "reject_reason"), ::testing::Not(::testing::IsEmpty()));
  }
  for (int mechanism : {0, 1}) {
    auto averages = (*reopened)->Averages(mechanism);
    ASSERT_TRUE(averages.ok()) << averages.error().ToString();
    EXPECT_EQ(averages->size(), miners.size());
    for (const MinerAverage& a : *averages) EXPECT_EQ(a.average, 0.0);
  }
  auto rooms = (*reopened)->BlackRoomed();
  ASSERT_TRUE(rooms.ok());
  EXPECT_TRUE(rooms->empty());
  reopened->reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace orchestra::validator
