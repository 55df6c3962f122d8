// The OpenAI-compatible chat client against real HTTP servers on loopback: what it sends, and
// that every failure names the endpoint and what went wrong.
#include "orchestra/experts/chat_client.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <mutex>
#include <optional>

#include "orchestra/net/server_thread.h"

namespace orchestra::experts {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using ::testing::HasSubstr;

Result<Json> CompleteOnce(const ChatClientOptions& options, Json request,
                          std::chrono::milliseconds budget = 10s) {
  asio::io_context io;
  net::HttpClient http(io.get_executor());
  ChatClient chat(http, options);
  std::optional<Result<Json>> out;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        out.emplace(co_await chat.Complete(std::move(request), Deadline::After(budget)));
      },
      asio::detached);
  io.run();
  return std::move(*out);
}

Json AskHello() {
  return JsonObject{{"messages", JsonArray{JsonObject{{"role", "user"}, {"content", "hello"}}}}};
}

ChatClientOptions At(const std::string& url, std::string model = "local-model",
                     std::string key = "") {
  return ChatClientOptions{ParseChatBaseUrl(url, "--llm.base-url").value(), std::move(model),
                           std::move(key)};
}

// A server answering every request with `status` and `body`, recording the last request.
class FixedServer {
 public:
  FixedServer(int status, std::string body)
      : server_(
            net::ServerOptions{},
            [this, status, body](net::HttpRequest request) -> asio::awaitable<net::HttpResponse> {
              {
                std::lock_guard lock(mu_);
                last_ = std::move(request);
              }
              net::HttpResponse response;
              response.status = status;
              response.body = body;
              co_return response;
            }) {
    port_ = server_.Start().value();
  }
  uint16_t port() const { return port_; }
  net::HttpRequest last() {
    std::lock_guard lock(mu_);
    return last_;
  }

 private:
  std::mutex mu_;
  net::HttpRequest last_;
  net::ServerThread server_;
  uint16_t port_ = 0;
};

TEST(ChatBaseUrlTest, AcceptsHostPortAndAPathPrefix) {
  auto plain = ParseChatBaseUrl("http://127.0.0.1:8080", "--llm.base-url");
  ASSERT_TRUE(plain.ok()) << plain.error().ToString();
  EXPECT_EQ(plain->host, "127.0.0.1");
  EXPECT_EQ(plain->port, 8080);
  EXPECT_EQ(plain->target, "/v1/chat/completions");

  auto v1 = ParseChatBaseUrl("http://localhost:8000/v1/", "--llm.base-url");
  ASSERT_TRUE(v1.ok());
  EXPECT_EQ(v1->target, "/v1/chat/completions");

  auto prefixed = ParseChatBaseUrl("http://gateway/llm", "--llm.base-url");
  ASSERT_TRUE(prefixed.ok());
  EXPECT_EQ(prefixed->port, 80);
  EXPECT_EQ(prefixed->target, "/llm/v1/chat/completions");

  auto v6 = ParseChatBaseUrl("http://[::1]:9000", "--llm.base-url");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 9000);
}

TEST(ChatBaseUrlTest, RejectsHttpsAndMalformedUrlsNamingTheFlag) {
  for (const char* url :
       {"https://api.example.com/v1", "ftp://host", "localhost:8080", "http://:80", "http://host:0",
        "http://host:99999", "http://host:8x", "http://host/v1?x=1", "http://user:pw@host"}) {
    auto parsed = ParseChatBaseUrl(url, "--llm.base-url");
    ASSERT_FALSE(parsed.ok()) << url;
    EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument) << url;
    EXPECT_THAT(parsed.error().message, HasSubstr(std::string("--llm.base-url ") + url));
  }
  EXPECT_THAT(ParseChatBaseUrl("https://x", "--llm.base-url").error().message,
              HasSubstr("https is not supported"));
}

TEST(ChatClientTest, SendsTheModelAndTheKeyAndReturnsTheCompletion) {
  FixedServer server(200, R"({"choices": [{"message": {"role": "assistant", "content": "hi"}}]})");
  auto completion = CompleteOnce(
      At(fmt::format("http://127.0.0.1:{}/v1", server.port()), "qwen", "secret-key"), AskHello());
  ASSERT_TRUE(completion.ok()) << completion.error().ToString();
  EXPECT_EQ(completion->at("choices").at(0).at("message").at("content"), "hi");
  const net::HttpRequest sent = server.last();
  EXPECT_EQ(sent.target, "/v1/chat/completions");
  EXPECT_EQ(sent.Header("authorization"), "Bearer secret-key");
  auto body = ParseJson(sent.body);
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(body->at("model"), "qwen");
}

TEST(ChatClientTest, ANon200StatusNamesTheEndpointAndTheStatusButNotTheKey) {
  FixedServer server(401, R"({"error": "bad key"})");
  auto completion = CompleteOnce(
      At(fmt::format("http://127.0.0.1:{}", server.port()), "m", "secret-key"), AskHello());
  ASSERT_FALSE(completion.ok());
  EXPECT_THAT(completion.error().message,
              HasSubstr(fmt::format("LLM http://127.0.0.1:{}: HTTP 401", server.port())));
  EXPECT_THAT(completion.error().message, ::testing::Not(HasSubstr("secret-key")));
}

TEST(ChatClientTest, ABodyThatIsNotACompletionIsAMalformedAnswer) {
  FixedServer not_json(200, "<html>gateway</html>");
  auto garbage = CompleteOnce(At(fmt::format("http://127.0.0.1:{}", not_json.port())), AskHello());
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.error().code, ErrorCode::kMalformedAnswer);
  EXPECT_THAT(garbage.error().message, HasSubstr("LLM http://127.0.0.1:"));

  FixedServer no_choices(200, R"({"object": "chat.completion"})");
  auto empty = CompleteOnce(At(fmt::format("http://127.0.0.1:{}", no_choices.port())), AskHello());
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, ErrorCode::kMalformedAnswer);
  EXPECT_THAT(empty.error().message, HasSubstr("no choices[0].message"));
}

TEST(ChatClientTest, AnUnreachableEndpointIsUnavailable) {
  uint16_t port = 0;
  {
    asio::io_context io;
    asio::ip::tcp::acceptor closed(io, {asio::ip::make_address("127.0.0.1"), 0});
    port = closed.local_endpoint().port();
  }
  auto completion = CompleteOnce(At(fmt::format("http://127.0.0.1:{}", port)), AskHello());
  ASSERT_FALSE(completion.ok());
  EXPECT_EQ(completion.error().code, ErrorCode::kUnavailable);
  EXPECT_THAT(completion.error().message, HasSubstr(fmt::format("LLM http://127.0.0.1:{}", port)));
}

TEST(ChatClientTest, AnEndpointSlowerThanTheDeadlineTimesOut) {
  net::ServerThread slow(net::ServerOptions{},
                         [](net::HttpRequest) -> asio::awaitable<net::HttpResponse> {
                           asio::steady_timer never(co_await asio::this_coro::executor, 1h);
                           co_await never.async_wait(asio::as_tuple(asio::use_awaitable));
                           co_return net::HttpResponse{};
                         });
  const uint16_t port = slow.Start().value();
  auto completion = CompleteOnce(At(fmt::format("http://127.0.0.1:{}", port)), AskHello(), 200ms);
  ASSERT_FALSE(completion.ok());
  EXPECT_EQ(completion.error().code, ErrorCode::kDeadline);
  EXPECT_THAT(completion.error().message, HasSubstr("LLM http://127.0.0.1:"));
}

}  // namespace
}  // namespace orchestra::experts
