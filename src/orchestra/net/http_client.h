#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "orchestra/core/deadline.h"
#include "orchestra/core/result.h"
#include "orchestra/net/http_message.h"

namespace orchestra::net {

namespace asio = boost::asio;

namespace internal {
struct HttpClientPool;  // defined in http_client.cc
}  // namespace internal

struct ClientOptions {
  // Idle kept-alive connections kept per host:port; more are closed after use.
  size_t max_idle_per_host = 16;
  // A response head or body larger than this is a kMalformedAnswer.
  size_t max_header_bytes = 64 << 10;
  size_t max_response_bytes = 64 << 20;
};

// HTTP/1.1 client with a keep-alive connection pool per host:port.
// Not thread-safe: call Send() from coroutines running on `executor` only, and, when that
// executor belongs to an io_context run by several threads, from one strand only. Any number
// of Send() calls may be in flight at once (each uses its own connection). Calls in flight
// keep the pool alive, so the client may be destroyed while they finish.
class HttpClient {
 public:
  explicit HttpClient(asio::any_io_executor executor, ClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends `request` to host:port (an IP literal or a name to resolve) and reads the answer,
  // all of it (resolve, connect, write, read) before `deadline`. Any HTTP status is a
  // response. Never throws, also not when the calling coroutine is cancelled. Errors:
  //   kDeadline         "POST 127.0.0.1:1234/x: no answer within 250 ms"
  //   kUnavailable      "connect 127.0.0.1:1234: Connection refused"; name resolution
  //                     failures; the connection reset or closed before an answer; cancelled
  //   kMalformedAnswer  the peer answered with bytes that are not an HTTP/1.1 response, or
  //                     with a response over the size limits
  //   kInvalidArgument  a method or target that cannot be sent
  // A pooled connection that turns out closed by the peer before any response byte is
  // retried once on a fresh connection; a fresh connection is never retried.
  asio::awaitable<Result<HttpResponse>> Send(std::string host, uint16_t port, HttpRequest request,
                                             Deadline deadline);

  // Idle pooled connections, all hosts together.
  size_t idle_connections() const;

 private:
  std::shared_ptr<internal::HttpClientPool> pool_;
};

}  // namespace orchestra::net
