#include "e2e/loopback_http.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <optional>

#include "orchestra/net/http_client.h"

namespace orchestra::testing {

Result<net::HttpResponse> SendLoopback(uint16_t port, net::HttpRequest request,
                                       std::chrono::milliseconds timeout) {
  boost::asio::io_context io;
  net::HttpClient client(io.get_executor());
  std::optional<Result<net::HttpResponse>> out;
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        out.emplace(
            co_await client.Send("127.0.0.1", port, std::move(request), Deadline::After(timeout)));
      },
      boost::asio::detached);
  io.run();
  return std::move(*out);
}

}  // namespace orchestra::testing
