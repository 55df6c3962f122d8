#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "orchestra/core/result.h"
#include "orchestra/net/http_message.h"

namespace orchestra::net {

namespace asio = boost::asio;

namespace internal {
struct HttpServerState;  // defined in http_server.cc
}  // namespace internal

// Answers one request. Runs inside the connection's coroutine, on that connection's strand (or
// the io_context's one thread with ServerOptions::single_threaded);
// several connections may call it at once (from several threads when the io_context has
// several), so it must be safe to call concurrently. An exception escaping it becomes a 500.
// When the server stops, the coroutine is cancelled (terminal cancellation): waits inside the
// handler complete with operation_aborted.
using Handler = std::function<asio::awaitable<HttpResponse>(HttpRequest)>;

struct ServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 0;  // 0: an ephemeral port, reported by Start()
  size_t max_body_bytes = 4 << 20;
  size_t max_header_bytes = 64 << 10;
  // From accepting a connection (or from the first byte of a later request) until the request
  // head is complete; past it the connection is closed.
  std::chrono::milliseconds header_timeout{10000};
  // Reading a request body, and writing a response.
  std::chrono::milliseconds body_timeout{30000};
  // Waiting for the next request on a kept-alive connection.
  std::chrono::milliseconds idle_timeout{60000};
  size_t max_connections = 1024;
  // Connections open at once from one peer address; beyond it that peer gets 503 + close while
  // others still get in. 0: no per-client limit. Every client on loopback shares 127.0.0.1, so
  // servers whose only client is a local process (the expert simulator) and load benchmarks
  // turn it off.
  size_t max_connections_per_client = 64;
  // The executor belongs to an io_context run by one thread only (as the simulator's are). Then
  // the connections skip their strands, whose locking and queueing cost about 5% of the CPU of a
  // small request (bench/sim_load.cc). Set it for an io_context run by several threads and
  // connections race.
  bool single_threaded = false;
};

// HTTP/1.1 server: one coroutine per connection, keep-alive, on the given executor (an
// io_context run by one or more threads; each connection gets its own strand unless
// ServerOptions::single_threaded).
// Answers without calling the handler, then closes: 413 when the body exceeds max_body_bytes;
// 431 when the head, a chunked body's trailer section or one of its chunk lines exceeds
// max_header_bytes, or a field name or value reaches 65,534 bytes (what Beast can hold); 400 on
// a malformed request, and on a Transfer-Encoding other than chunked (RFC 9112 section 6.1);
// 503 when max_connections are open, or max_connections_per_client from the peer's address.
// These answers are JSON, {"message": "..."}, as a Bittensor axon's errors. A connection whose
// head does not arrive in header_timeout is closed. Whatever happens while serving a
// connection (an exception included), it is closed and stops counting against the limits.
// The io_context must outlive the server. Connection state is shared with the running
// coroutines, so destroying the server while they run is safe.
class HttpServer {
 public:
  HttpServer(asio::any_io_executor executor, ServerOptions options);
  ~HttpServer();  // Stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens on options.address:options.port and starts accepting. Returns the bound
  // port; kInvalidArgument for an unparsable address or a null handler, kUnavailable when the
  // address cannot be bound, kInternal when called twice.
  Result<uint16_t> Start(Handler handler);

  // Closes the acceptor and every open connection and cancels handlers in flight. Returns at
  // once; the connection coroutines wind down on the executor. Idempotent; thread-safe.
  void Stop();

  // Closes the acceptor only: new connections are refused while open ones, and handlers in
  // flight, carry on. Idempotent; thread-safe.
  void StopAccepting();

  // Graceful shutdown: stops accepting, closes connections waiting for their next request, lets
  // requests already arriving or in a handler finish and answers them with Connection: close,
  // then calls `drained` once (on the server's executor or a connection's) when no
  // connection is left open. Stop() still cuts a drain short. Does nothing after Stop() or a
  // first Drain(). Thread-safe.
  void Drain(std::function<void()> drained);

  // The bound port; 0 before Start().
  uint16_t port() const;
  // Connections accepted since Start() (including those turned away with 503).
  uint64_t accepted_connections() const;
  // Connections currently being served.
  size_t open_connections() const;

 private:
  std::shared_ptr<internal::HttpServerState> state_;
};

}  // namespace orchestra::net
