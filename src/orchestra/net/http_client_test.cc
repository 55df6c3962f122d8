#include "orchestra/net/http_client.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

#include "orchestra/net/net_test_util.h"
#include "orchestra/net/server_thread.h"

namespace orchestra::net {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using testing::kNoThrow;
using testing::RawServer;
using testing::ReadHead;
using testing::RunUntilDone;
using testing::WriteAll;
using tcp = asio::ip::tcp;

constexpr auto kBudget = 5s;
constexpr char kOk[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

HttpRequest Get(std::string target) {
  HttpRequest request;
  request.method = "GET";
  request.target = std::move(target);
  return request;
}

class HttpClientTest : public ::testing::Test {
 protected:
  Result<HttpResponse> Send(uint16_t port, HttpRequest request,
                            Deadline deadline = Deadline::After(kBudget)) {
    return RunUntilDone(io_, client_.Send("127.0.0.1", port, std::move(request), deadline));
  }

  asio::io_context io_;
  HttpClient client_{io_.get_executor()};
};

TEST_F(HttpClientTest, ReturnsKDeadlineWithinTheDeadlineWhenTheHandlerIsSlower) {
  ServerThread server({}, [](HttpRequest) -> asio::awaitable<HttpResponse> {
    asio::steady_timer wait(co_await asio::this_coro::executor, 1h);
    co_await wait.async_wait(kNoThrow);
    co_return HttpResponse{};
  });
  auto port = server.Start();
  ASSERT_TRUE(port.ok());

  const auto started = std::chrono::steady_clock::now();
  auto response = Send(*port, Get("/x"), Deadline::After(250ms));
  const auto elapsed = std::chrono::steady_clock::now() - started;

  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().code, ErrorCode::kDeadline);
  EXPECT_THAT(response.error().message,
              HasSubstr(fmt::format("GET 127.0.0.1:{}/x: no answer within", *port)));
  EXPECT_GE(elapsed, 240ms);
  EXPECT_LT(elapsed, 250ms + 300ms);
}

TEST_F(HttpClientTest, ReturnsKDeadlineAtOnceForAnExpiredDeadline) {
  auto response = Send(1, Get("/"), Deadline::After(0ms));
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().code, ErrorCode::kDeadline);
}

TEST_F(HttpClientTest, ReturnsKUnavailableForAClosedPort) {
  uint16_t closed_port = 0;
  {
    tcp::acceptor probe(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    closed_port = probe.local_endpoint().port();
  }

  auto response = Send(closed_port, Get("/"));

  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(response.error().message,
            fmt::format("connect 127.0.0.1:{}: Connection refused", closed_port));
}

TEST_F(HttpClientTest, ReconnectsWhenTheServerClosedThePooledConnection) {
  RawServer server([](tcp::socket socket, int) -> asio::awaitable<void> {
    if ((co_await ReadHead(socket)).empty()) co_return;
    co_await WriteAll(socket, kOk);  // claims keep-alive, then closes anyway
  });

  for (int i = 0; i < 3; ++i) {
    auto response = Send(server.port(), Get("/"));
    ASSERT_TRUE(response.ok()) << i << ": " << response.error().ToString();
    EXPECT_EQ(response->body, "ok");
  }
  EXPECT_EQ(server.connections(), 3);
}

TEST_F(HttpClientTest, RetriesOnceWhenAReusedConnectionClosesBeforeAnswering) {
  // Connection 0 answers one request, then reads the next and closes without answering:
  // the race of a server's idle close with a new request. Later connections answer.
  RawServer server([](tcp::socket socket, int index) -> asio::awaitable<void> {
    if ((co_await ReadHead(socket)).empty()) co_return;
    co_await WriteAll(socket, kOk);
    if (index != 0) co_return;
    co_await ReadHead(socket);
  });

  auto first = Send(server.port(), Get("/1"));
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  ASSERT_EQ(client_.idle_connections(), 1u);
  auto second = Send(server.port(), Get("/2"));

  ASSERT_TRUE(second.ok()) << second.error().ToString();
  EXPECT_EQ(second->body, "ok");
  EXPECT_EQ(server.connections(), 2);
}

TEST_F(HttpClientTest, DoesNotRetryAFreshConnectionClosedBeforeAnswering) {
  RawServer server(
      [](tcp::socket socket, int) -> asio::awaitable<void> { co_await ReadHead(socket); });

  auto response = Send(server.port(), Get("/"));

  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(server.connections(), 1);
}

TEST_F(HttpClientTest, ReturnsKMalformedAnswerForBytesThatAreNotHttp) {
  RawServer server([](tcp::socket socket, int) -> asio::awaitable<void> {
    co_await ReadHead(socket);
    co_await WriteAll(socket, "SSH-2.0-OpenSSH_9.2\r\n\r\n");
  });

  auto response = Send(server.port(), Get("/"));

  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().code, ErrorCode::kMalformedAnswer);
}

TEST_F(HttpClientTest, ReturnsErrorStatusesAsResponses) {
  RawServer server([](tcp::socket socket, int) -> asio::awaitable<void> {
    co_await ReadHead(socket);
    co_await WriteAll(socket, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 4\r\n\r\nnope");
  });

  auto response = Send(server.port(), Get("/"));

  ASSERT_TRUE(response.ok()) << response.error().ToString();
  EXPECT_EQ(response->status, 502);
  EXPECT_EQ(response->body, "nope");
}

TEST_F(HttpClientTest, ResolvesHostNames) {
  ServerThread server({}, [](HttpRequest request) -> asio::awaitable<HttpResponse> {
    co_return HttpResponse{
        .status = 200, .headers = {}, .body = std::string(request.Header("host"))};
  });
  auto port = server.Start();
  ASSERT_TRUE(port.ok());

  auto response =
      RunUntilDone(io_, client_.Send("localhost", *port, Get("/"), Deadline::After(kBudget)));

  ASSERT_TRUE(response.ok()) << response.error().ToString();
  EXPECT_EQ(response->body, fmt::format("localhost:{}", *port));
}

TEST_F(HttpClientTest, RejectsAMethodThatIsNotAToken) {
  HttpRequest request = Get("/");
  request.method = "GET /evil HTTP/1.1\r\n";

  auto response = Send(1, std::move(request));

  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace orchestra::net
