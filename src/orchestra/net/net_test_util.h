#pragma once

// Test helpers for net_test (and e2e_test's raw exchanges): running coroutines to completion,
// raw exchanges with a server, and a raw TCP server whose sessions a test scripts byte by byte.

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <functional>
#include <future>
#include <optional>
#include <string>
#include <thread>
#include <utility>

namespace orchestra::net::testing {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

inline constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

// Runs `io` until `task` has finished and returns what it returned. (co_spawn wants a
// default-constructible result, which Result<T> is not, hence the detour through optional.)
template <typename T>
T RunUntilDone(asio::io_context& io, asio::awaitable<T> task) {
  std::optional<T> result;
  auto store = [](asio::awaitable<T> task, std::optional<T>* out) -> asio::awaitable<void> {
    out->emplace(co_await std::move(task));
  };
  std::future<void> done = asio::co_spawn(io, store(std::move(task), &result), asio::use_future);
  io.restart();
  while (done.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
    if (io.run_one() == 0) break;
  }
  done.get();
  return std::move(*result);
}

// Reads one request head (requests in these tests carry no body); "" when the peer left first.
inline asio::awaitable<std::string> ReadHead(tcp::socket& socket) {
  std::string data;
  auto [ec, n] =
      co_await asio::async_read_until(socket, asio::dynamic_buffer(data), "\r\n\r\n", kNoThrow);
  if (ec) co_return std::string();
  co_return data;
}

inline asio::awaitable<void> WriteAll(tcp::socket& socket, std::string bytes) {
  co_await asio::async_write(socket, asio::buffer(bytes), kNoThrow);
}

// Connects to 127.0.0.1:`port` from the loopback address `from` (on Linux every 127.0.0.0/8
// address is this host), so that one test can play several clients of a per-address limit.
inline asio::awaitable<tcp::socket> ConnectFrom(std::string from, uint16_t port) {
  tcp::socket socket(co_await asio::this_coro::executor);
  socket.open(tcp::v4());
  socket.bind(tcp::endpoint(asio::ip::make_address(from), 0));
  co_await socket.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), kNoThrow);
  co_return socket;
}

// Waits, yielding the thread, until `condition` holds or `budget` has passed; returns whether
// it held. For state another thread settles soon after an observable event (a server forgets
// a connection just after closing it), without sleeping for a guessed time.
inline bool WaitUntil(const std::function<bool()>& condition,
                      std::chrono::milliseconds budget = std::chrono::seconds(5)) {
  const auto deadline = std::chrono::steady_clock::now() + budget;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

// Reads until the peer closes (or `limit` bytes); returns what arrived.
inline asio::awaitable<std::string> ReadToEnd(tcp::socket& socket, size_t limit = 1 << 20) {
  std::string data;
  char chunk[4096];
  while (data.size() < limit) {
    auto [ec, n] = co_await socket.async_read_some(asio::buffer(chunk), kNoThrow);
    if (ec) break;
    data.append(chunk, n);
  }
  co_return data;
}

// Sends `wire` to 127.0.0.1:`port` on a fresh connection from `from` (then, with
// `half_close`, ends the sending side) and returns all the server writes before it closes, or
// what it wrote within `budget` when it does not close.
inline std::string Exchange(uint16_t port, std::string wire, bool half_close = false,
                            std::string from = "127.0.0.1",
                            std::chrono::milliseconds budget = std::chrono::seconds(5)) {
  std::string answer;
  asio::io_context io;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        tcp::socket socket = co_await ConnectFrom(from, port);
        co_await WriteAll(socket, std::move(wire));
        if (half_close) socket.shutdown(tcp::socket::shutdown_send);
        answer = co_await ReadToEnd(socket, 64 << 20);
      },
      asio::detached);
  io.run_for(budget);
  return answer;
}

// A TCP server on 127.0.0.1:0 with its own thread; every accepted connection runs `session`
// with the connection's index (0, 1, ...).
class RawServer {
 public:
  using Session = std::function<asio::awaitable<void>(tcp::socket, int)>;

  explicit RawServer(Session session)
      : session_(std::move(session)),
        acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    port_ = acceptor_.local_endpoint().port();
    asio::co_spawn(io_, AcceptLoop(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~RawServer() {
    io_.stop();
    thread_.join();
  }

  uint16_t port() const { return port_; }
  int connections() const { return connections_.load(); }

 private:
  asio::awaitable<void> AcceptLoop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(kNoThrow);
      if (ec) co_return;
      asio::co_spawn(io_, session_(std::move(socket), connections_.fetch_add(1)), asio::detached);
    }
  }

  Session session_;
  asio::io_context io_;
  tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::atomic<int> connections_{0};
  std::thread thread_;
};

}  // namespace orchestra::net::testing
