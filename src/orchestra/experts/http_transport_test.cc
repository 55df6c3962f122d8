#include "orchestra/experts/http_transport.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <optional>

#include "orchestra/net/server_thread.h"

namespace orchestra::experts {
namespace {
namespace asio = boost::asio;

TEST(InterpretAnswerTest, MapsStatusesToTheErrorModel) {
  EXPECT_TRUE(InterpretAnswer(200, R"({"results": []})", "SN22 uid 0").ok());
  EXPECT_EQ(InterpretAnswer(408, "", "x").error().code, ErrorCode::kDeadline);
  EXPECT_EQ(InterpretAnswer(429, "", "x").error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(InterpretAnswer(503, "", "x").error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(InterpretAnswer(422, "", "x").error().code, ErrorCode::kMalformedAnswer);
  EXPECT_EQ(InterpretAnswer(200, "{oops", "x").error().code, ErrorCode::kMalformedAnswer);
  EXPECT_EQ(InterpretAnswer(200, "[1]", "x").error().code, ErrorCode::kMalformedAnswer);
}

ledger::LedgerEntry SearchEntry() {
  ledger::LedgerEntry e;
  e.subnet_id = "SN22";
  e.synapse = "DesearchSynapse";
  e.cost_per_query = 0.002;
  return e;
}

Result<ExpertReply> CallOnce(const Directory& directory, ExpertCall call) {
  asio::io_context io;
  net::HttpClient client(io.get_executor());
  HttpTransport transport(client, directory);
  std::optional<Result<ExpertReply>> out;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        out.emplace(
            co_await transport.Call(std::move(call), Deadline::After(std::chrono::seconds(5))));
      },
      [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
      });
  io.run();
  return std::move(*out);
}

TEST(HttpTransportTest, PostsToTheSynapsePathWithTheLockAndReturnsTheOutput) {
  std::string seen_target, seen_lock, seen_body;
  net::ServerThread server({}, [&](net::HttpRequest r) -> asio::awaitable<net::HttpResponse> {
    seen_target = r.target;
    seen_lock = std::string(r.Header("orchestra-lock"));
    seen_body = r.body;
    co_return net::HttpResponse{200, {}, R"({"results": [], "total_found": 0})"};
  });
  auto port = server.Start();
  ASSERT_TRUE(port.ok());
  Directory directory;
  directory.Add("SN22", Endpoint{7, "127.0.0.1", *port, "hotkey-7"});
  const ledger::LedgerEntry entry = SearchEntry();
  auto reply =
      CallOnce(directory, ExpertCall{&entry, JsonObject{{"query", "q"}}, "0xlock", "0xrequest", 0});
  ASSERT_TRUE(reply.ok()) << reply.error().ToString();
  EXPECT_EQ(seen_target, "/DesearchSynapse");
  EXPECT_EQ(seen_lock, "0xlock");
  EXPECT_EQ(seen_body, R"({"query":"q"})");
  EXPECT_EQ(reply->uid, 7);
  EXPECT_EQ(reply->hotkey, "hotkey-7");
  EXPECT_DOUBLE_EQ(reply->cost, 0.002);
}

TEST(HttpTransportTest, SubnetWithoutUidsIsNotFound) {
  const ledger::LedgerEntry entry = SearchEntry();
  auto reply = CallOnce(Directory{}, ExpertCall{&entry, JsonObject{}, "", "", 0});
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace orchestra::experts
