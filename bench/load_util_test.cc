#include "load_util.h"

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <span>
#include <string>
#include <vector>

namespace orchestra::bench {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

ResponseHead Head(std::string_view bytes) {
  auto parsed = ParseResponseHead(bytes);
  EXPECT_TRUE(parsed) << parsed.error().message;
  EXPECT_TRUE(parsed && *parsed) << "head incomplete";
  return parsed && *parsed ? **parsed : ResponseHead{};
}

std::string HeadError(std::string_view bytes) {
  auto parsed = ParseResponseHead(bytes);
  EXPECT_FALSE(parsed) << "accepted: " << bytes;
  return parsed ? "" : parsed.error().message;
}

TEST(ParseResponseHead, ReadsStatusLengthAndKeepAlive) {
  const std::string head =
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
      "content-length: 12\r\n\r\n";
  const ResponseHead h = Head(head + "{\"a\":\"b\"}...");
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(h.head_bytes, head.size());
  EXPECT_EQ(h.content_length, 12u);
  EXPECT_TRUE(h.keep_alive);
}

TEST(ParseResponseHead, WaitsForTheBlankLine) {
  auto parsed = ParseResponseHead("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_FALSE(*parsed);
  parsed = ParseResponseHead("");
  ASSERT_TRUE(parsed);
  EXPECT_FALSE(*parsed);
}

TEST(ParseResponseHead, ConnectionFieldAndVersionDecideKeepAlive) {
  EXPECT_FALSE(Head("HTTP/1.1 503 Busy\r\nConnection: keep-alive, Close\r\n"
                    "Content-Length: 0\r\n\r\n")
                   .keep_alive);
  EXPECT_FALSE(Head("HTTP/1.1 200 OK\r\nConnection: close\r\nConnection: keep-alive\r\n"
                    "Content-Length: 0\r\n\r\n")
                   .keep_alive);
  EXPECT_FALSE(Head("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n").keep_alive);
  EXPECT_TRUE(
      Head("HTTP/1.0 200 OK\r\nconnection:keep-alive\r\nContent-Length: 0\r\n\r\n").keep_alive);
}

TEST(ParseResponseHead, AnswersWithoutBodyNeedNoLength) {
  EXPECT_EQ(Head("HTTP/1.1 204 No Content\r\n\r\n").content_length, 0u);
  EXPECT_EQ(Head("HTTP/1.1 304 Not Modified\r\nContent-Length: 40\r\n\r\n").content_length, 0u);
  EXPECT_EQ(Head("HTTP/1.1 100 Continue\r\n\r\n").status, 100);
}

TEST(ParseResponseHead, RefusesWhatItCannotFrameAndSaysWhere) {
  EXPECT_NE(HeadError("HTTP/1.1 200 OK\r\nServer: x\r\n\r\n").find("byte 26: no Content-Length"),
            std::string::npos);
  // One past SIZE_MAX.
  EXPECT_NE(HeadError("HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551616\r\n\r\n")
                .find("Content-Length \"18446744073709551616\""),
            std::string::npos);
  EXPECT_NE(HeadError("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
                .find("byte 17: Transfer-Encoding \"chunked\""),
            std::string::npos);
  EXPECT_NE(
      HeadError("HTTP/1.1 200 OK\r\nContent-Length: 12x\r\n\r\n").find("Content-Length \"12x\""),
      std::string::npos);
  EXPECT_NE(HeadError("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n")
                .find("Content-Length \"2\""),
            std::string::npos);
  EXPECT_NE(HeadError("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n").find("Content-Length"),
            std::string::npos);
  EXPECT_NE(HeadError("HTTP/2 200\r\n\r\n").find("is not HTTP/1.x NNN"), std::string::npos);
  EXPECT_NE(HeadError("HTTP/1.1 2x0 OK\r\n\r\n").find("status code \"2x0\""), std::string::npos);
  EXPECT_NE(HeadError("HTTP/1.1 200OK\r\n\r\n").find("is not HTTP/1.x NNN"), std::string::npos);
  EXPECT_NE(HeadError("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n")
                .find("byte 17: field line \"no colon here\" has no name"),
            std::string::npos);
}

// A server on loopback that writes `script` in the given pieces, then closes.
class ScriptedServer {
 public:
  explicit ScriptedServer(std::vector<std::string> pieces)
      : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
        pieces_(std::move(pieces)) {
    asio::co_spawn(io_, Serve(), asio::detached);
  }
  asio::io_context& io() { return io_; }
  uint16_t port() const { return acceptor_.local_endpoint().port(); }

 private:
  asio::awaitable<void> Serve() {
    auto [ec, socket] = co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    for (const std::string& piece : pieces_) {
      auto [write_ec, n] = co_await asio::async_write(socket, asio::buffer(piece),
                                                      asio::as_tuple(asio::use_awaitable));
      if (write_ec) co_return;
    }
  }

  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::vector<std::string> pieces_;
};

// Reads responses from a ScriptedServer until one fails; returns "status:body" per response and
// the error that ended it.
std::vector<std::string> ReadAll(ScriptedServer& server, size_t max_body) {
  std::vector<std::string> out;
  tcp::socket socket(server.io());
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server.port()));
  asio::co_spawn(
      server.io(),
      [&]() -> asio::awaitable<void> {
        ResponseReader reader;
        for (;;) {
          auto response = co_await reader.Read(socket, max_body);
          if (!response) {
            out.push_back("error: " + response.error().message);
            co_return;
          }
          out.push_back(std::to_string(response->status) + ":" + std::string(response->body));
        }
      },
      asio::detached);
  server.io().run();
  return out;
}

TEST(ResponseReader, ReadsBackToBackResponsesSplitAnywhere) {
  const std::string two =
      "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
      "HTTP/1.1 404 Not Found\r\nContent-Length: 7\r\n\r\nmissing";
  // Split inside the first head, between the two, and inside the second body.
  ScriptedServer server(
      {two.substr(0, 10), two.substr(10, 35), two.substr(45, 40), two.substr(85)});
  EXPECT_EQ(ReadAll(server, 1 << 20),
            (std::vector<std::string>{"200:hello", "404:missing",
                                      "error: reading an HTTP response: End of file"}));
}

TEST(ResponseReader, GrowsForALargeBody) {
  const std::string body(200 << 10, 'x');
  ScriptedServer server(
      {"HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body});
  const auto out = ReadAll(server, 1 << 20);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0], "200:" + body);
}

TEST(ResponseReader, RefusesABodyOverTheLimitAndAHeadWithoutEnd) {
  ScriptedServer big({"HTTP/1.1 200 OK\r\nContent-Length: 2000\r\n\r\n"});
  EXPECT_EQ(ReadAll(big, 1000),
            (std::vector<std::string>{"error: HTTP response body of 2000 bytes, more than the 1000 "
                                      "allowed"}));
  ScriptedServer endless({"HTTP/1.1 200 OK\r\n" + std::string(70 << 10, 'a')});
  const auto out = ReadAll(endless, 1 << 20);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_NE(out[0].find("no blank line in the first 65536 bytes"), std::string::npos) << out[0];
}

TEST(ResponseReader, ReportsAMalformedHead) {
  ScriptedServer server({"HTTP/1.1 200 OK\r\n\r\n"});
  EXPECT_EQ(ReadAll(server, 1 << 20),
            (std::vector<std::string>{"error: HTTP response head, byte 15: no Content-Length"}));
}

TEST(ResponseReader, SkipsInterimAnswers) {
  ScriptedServer server(
      {"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: x\r\n\r\n"
       "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok"});
  EXPECT_EQ(ReadAll(server, 1 << 20),
            (std::vector<std::string>{"201:ok", "error: reading an HTTP response: End of file"}));
}

// What an event loop sees: bytes arriving one at a time through Space()/Received().
TEST(ResponseReader, FramesBytesFedOneAtATime) {
  const std::string wire =
      "HTTP/1.1 100 Continue\r\n\r\n"
      "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
      "HTTP/1.0 503 Busy\r\nContent-Length: 0\r\n\r\n";
  ResponseReader reader;
  std::vector<std::string> out;
  for (const char byte : wire) {
    const std::span<char> space = reader.Space();
    ASSERT_GE(space.size(), 4096u);
    space[0] = byte;
    reader.Received(1);
    auto next = reader.Next(1 << 20);
    ASSERT_TRUE(next) << next.error().message;
    if (*next) {
      out.push_back(std::to_string((*next)->status) + ":" + std::string((*next)->body) +
                    ((*next)->keep_alive ? "" : " close"));
    }
  }
  EXPECT_EQ(out, (std::vector<std::string>{"200:hello", "503: close"}));
  auto none = reader.Next(1 << 20);
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
}

TEST(WireArena, KeepsEveryWireAcrossGrowth) {
  WireArena arena;
  std::vector<std::string> wires;
  for (int i = 0; i < 3000; ++i)
    wires.push_back(std::string(1000 + i % 7, static_cast<char>('a' + i % 26)));
  for (const std::string& wire : wires) arena.Append(wire);  // grows past 2 MiB
  ASSERT_EQ(arena.size(), wires.size());
  size_t bytes = 0;
  for (size_t i = 0; i < wires.size(); ++i) {
    EXPECT_EQ(arena[i], wires[i]) << i;
    bytes += wires[i].size();
  }
  EXPECT_EQ(arena.bytes(), bytes);
  arena.Append("");
  EXPECT_EQ(arena[wires.size()], "");
  WireArena moved(std::move(arena));
  EXPECT_EQ(moved[2999], wires[2999]);
  EXPECT_EQ(arena.size(), 0u);  // NOLINT(bugprone-use-after-move): moved-from is empty
  WireArena empty;
  empty.Append("");  // no mapping yet, nothing to copy
  EXPECT_EQ(empty[0], "");
}

}  // namespace
}  // namespace orchestra::bench
