#include "orchestra/net/http_client.h"

#include <fmt/format.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

namespace orchestra::net {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Stream = beast::tcp_stream;

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
// Room for a typical answer in one read: an empty flat_buffer grows from 512 bytes, and a
// 3 KB synapse answer then takes four or five recv calls instead of one.
constexpr size_t kReadBufferBytes = 16 << 10;

void ExpireAt(Stream& stream, Deadline deadline) {
  if (deadline.at() == Deadline::Clock::time_point::max()) {
    stream.expires_never();
  } else {
    stream.expires_at(deadline.at());
  }
}

bool IsHttpError(const beast::error_code& ec) {
  return ec.category() == make_error_code(http::error::end_of_stream).category();
}

// Whether an idle pooled connection still looks usable: nothing to read, not even an EOF.
bool LooksAlive(Stream& stream) {
  beast::error_code ec;
  tcp::socket& socket = stream.socket();
  socket.non_blocking(true, ec);
  if (ec) return false;
  char byte;
  socket.receive(asio::buffer(&byte, 1), tcp::socket::message_peek, ec);
  return ec == asio::error::would_block;
}

// Describes one exchange in messages: "POST 127.0.0.1:1234/x".
struct Exchange {
  std::string host;
  uint16_t port;
  std::string method;
  std::string target;
  std::chrono::milliseconds budget;

  std::string Name() const { return fmt::format("{} {}:{}{}", method, host, port, target); }
  Error DeadlineError() const {
    return Error(ErrorCode::kDeadline,
                 fmt::format("{}: no answer within {} ms", Name(), budget.count()));
  }
  Error Fail(ErrorCode code, std::string_view what) const {
    return Error(code, fmt::format("{}: {}", Name(), what));
  }
};

http::request<http::string_body> ToBeastRequest(HttpRequest&& in, const Exchange& exchange) {
  http::request<http::string_body> out;
  out.version(11);
  out.method_string(in.method);
  out.target(in.target);
  for (const auto& [name, value] : in.headers) {
    if (!IsSafeHeaderField(name, value) || beast::iequals(name, "content-length") ||
        beast::iequals(name, "transfer-encoding")) {
      continue;
    }
    out.insert(name, value);
  }
  if (out.find(http::field::host) == out.end()) {
    out.set(http::field::host, fmt::format("{}:{}", exchange.host, exchange.port));
  }
  out.body() = std::move(in.body);
  out.prepare_payload();
  return out;
}

HttpResponse FromBeastResponse(http::response<http::string_body>&& in) {
  HttpResponse out;
  out.status = static_cast<int>(in.result_int());
  for (const auto& field : in) {
    out.headers.Add(field.name_string(), field.value());
  }
  out.body = std::move(in.body());
  return out;
}

}  // namespace

namespace internal {

struct HttpClientPool {
  HttpClientPool(asio::any_io_executor ex, ClientOptions opts)
      : executor(std::move(ex)), options(opts) {}

  // A kept-alive connection to `key` that still looks alive, or null.
  std::unique_ptr<Stream> TakeIdle(const std::string& key) {
    auto it = idle.find(key);
    if (it == idle.end()) return nullptr;
    std::unique_ptr<Stream> found;
    while (!it->second.empty() && !found) {
      std::unique_ptr<Stream> candidate = std::move(it->second.back());
      it->second.pop_back();
      if (LooksAlive(*candidate)) found = std::move(candidate);
    }
    if (it->second.empty()) idle.erase(it);
    return found;
  }

  void GiveBack(const std::string& key, std::unique_ptr<Stream> stream) {
    auto& streams = idle[key];
    if (streams.size() >= options.max_idle_per_host) return;
    stream->expires_never();
    streams.push_back(std::move(stream));
  }

  asio::awaitable<Result<std::unique_ptr<Stream>>> Connect(const Exchange& exchange,
                                                           Deadline deadline);
  asio::awaitable<Result<HttpResponse>> Send(Exchange exchange, HttpRequest request,
                                             Deadline deadline);

  const asio::any_io_executor executor;
  const ClientOptions options;
  // Most recently used last: reusing the newest connection makes an idle close less likely.
  std::unordered_map<std::string, std::vector<std::unique_ptr<Stream>>> idle;
};

asio::awaitable<Result<std::unique_ptr<Stream>>> HttpClientPool::Connect(const Exchange& exchange,
                                                                         Deadline deadline) {
  const std::string where = fmt::format("connect {}:{}", exchange.host, exchange.port);
  auto stream = std::make_unique<Stream>(executor);
  ExpireAt(*stream, deadline);
  beast::error_code ec;
  const auto address = asio::ip::make_address(exchange.host, ec);
  if (!ec) {
    std::tie(ec) = co_await stream->async_connect(tcp::endpoint(address, exchange.port), kNoThrow);
  } else {
    using namespace asio::experimental::awaitable_operators;
    tcp::resolver resolver(executor);
    asio::steady_timer timer(executor, deadline.Remaining());
    auto outcome =
        co_await (resolver.async_resolve(exchange.host, std::to_string(exchange.port), kNoThrow) ||
                  timer.async_wait(kNoThrow));
    if (outcome.index() == 1) co_return exchange.DeadlineError();
    auto [resolve_ec, endpoints] = std::get<0>(std::move(outcome));
    if (resolve_ec) {
      co_return Error(ErrorCode::kUnavailable, fmt::format("{}: {}", where, resolve_ec.message()));
    }
    tcp::endpoint connected;
    std::tie(ec, connected) = co_await stream->async_connect(endpoints, kNoThrow);
  }
  if (ec == beast::error::timeout) co_return exchange.DeadlineError();
  if (ec) co_return Error(ErrorCode::kUnavailable, fmt::format("{}: {}", where, ec.message()));
  beast::error_code ignored;
  stream->socket().set_option(tcp::no_delay(true), ignored);
  co_return std::move(stream);
}

asio::awaitable<Result<HttpResponse>> HttpClientPool::Send(Exchange exchange, HttpRequest request,
                                                           Deadline deadline) {
  if (!IsHttpToken(request.method)) {
    co_return Error(ErrorCode::kInvalidArgument,
                    fmt::format("http method '{}' is not a token", request.method));
  }
  if (request.target.empty() ||
      request.target.find_first_of(std::string_view(" \t\r\n\0", 5)) != std::string::npos) {
    co_return Error(ErrorCode::kInvalidArgument,
                    fmt::format("http target '{}' cannot be sent", request.target));
  }
  if (deadline.Expired()) co_return exchange.DeadlineError();

  const std::string key = fmt::format("{}:{}", exchange.host, exchange.port);
  const bool is_head = request.method == "HEAD";
  const bool close_requested = beast::iequals(request.Header("connection"), "close");
  http::request<http::string_body> wire = ToBeastRequest(std::move(request), exchange);

  for (bool may_retry = true;; may_retry = false) {
    std::unique_ptr<Stream> stream = may_retry ? TakeIdle(key) : nullptr;
    const bool reused = stream != nullptr;
    if (!reused) {
      auto connected = co_await Connect(exchange, deadline);
      if (!connected.ok()) co_return connected.error();
      stream = std::move(connected).value();
    }
    ExpireAt(*stream, deadline);

    if (auto [ec, n] = co_await http::async_write(*stream, wire, kNoThrow); ec) {
      if (ec == beast::error::timeout) co_return exchange.DeadlineError();
      if (ec == asio::error::operation_aborted) {
        co_return exchange.Fail(ErrorCode::kUnavailable, "cancelled");
      }
      if (reused && may_retry) continue;
      co_return exchange.Fail(ErrorCode::kUnavailable, "send: " + ec.message());
    }

    beast::flat_buffer buffer;
    buffer.reserve(kReadBufferBytes);
    http::response_parser<http::string_body> parser;
    parser.header_limit(
        static_cast<uint32_t>(std::min<size_t>(options.max_header_bytes, UINT32_MAX)));
    parser.body_limit(options.max_response_bytes);
    if (is_head) parser.skip(true);
    if (auto [ec, n] = co_await http::async_read(*stream, buffer, parser, kNoThrow); ec) {
      if (ec == beast::error::timeout) co_return exchange.DeadlineError();
      if (ec == asio::error::operation_aborted) {
        co_return exchange.Fail(ErrorCode::kUnavailable, "cancelled");
      }
      const bool nothing_read = !parser.got_some() && buffer.size() == 0;
      if (reused && may_retry && nothing_read) continue;
      if (ec == http::error::end_of_stream && nothing_read) {
        co_return exchange.Fail(ErrorCode::kUnavailable, "connection closed before any answer");
      }
      if (ec == http::error::body_limit) {
        co_return exchange.Fail(
            ErrorCode::kMalformedAnswer,
            fmt::format("answer body larger than {} bytes", options.max_response_bytes));
      }
      if (IsHttpError(ec)) {
        co_return exchange.Fail(ErrorCode::kMalformedAnswer, "malformed answer: " + ec.message());
      }
      co_return exchange.Fail(ErrorCode::kUnavailable, "receive: " + ec.message());
    }

    const bool reusable =
        !close_requested && parser.get().keep_alive() && !parser.need_eof() && buffer.size() == 0;
    HttpResponse response = FromBeastResponse(parser.release());
    if (reusable) GiveBack(key, std::move(stream));
    co_return response;
  }
}

}  // namespace internal

HttpClient::HttpClient(asio::any_io_executor executor, ClientOptions options)
    : pool_(std::make_shared<internal::HttpClientPool>(std::move(executor), options)) {}

HttpClient::~HttpClient() = default;

asio::awaitable<Result<HttpResponse>> HttpClient::Send(std::string host, uint16_t port,
                                                       HttpRequest request, Deadline deadline) {
  std::shared_ptr<internal::HttpClientPool> pool = pool_;
  // A cancelled caller would otherwise see an exception from our next co_await; report the
  // cancellation as an error instead, and hand the caller its setting back.
  const bool throw_if_cancelled = co_await asio::this_coro::throw_if_cancelled();
  co_await asio::this_coro::throw_if_cancelled(false);
  Exchange exchange{.host = std::move(host),
                    .port = port,
                    .method = request.method,
                    .target = request.target,
                    .budget = deadline.Remaining()};
  Result<HttpResponse> result =
      co_await pool->Send(std::move(exchange), std::move(request), deadline);
  co_await asio::this_coro::throw_if_cancelled(throw_if_cancelled);
  co_return result;
}

size_t HttpClient::idle_connections() const {
  size_t count = 0;
  for (const auto& [key, streams] : pool_->idle) count += streams.size();
  return count;
}

}  // namespace orchestra::net
