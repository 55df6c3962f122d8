#include "orchestra/net/http_server.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <array>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/read_size.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <exception>
#include <memory_resource>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

namespace orchestra::net {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
constexpr size_t kFirstReadBytes = 4096;
// After an error answer, unread request bytes are drained for a while before closing, so the
// peer reads the answer instead of a reset.
constexpr size_t kMaxDrainBytes = 8 << 20;
constexpr auto kMaxDrainTime = 1s;
// Beast's fields cannot hold a name or value of 65,534 bytes or more (it throws
// std::length_error); the server answers 431 instead.
constexpr size_t kMaxFieldBytes = 65533;

bool IsHttpError(const beast::error_code& ec) {
  return ec.category() == make_error_code(http::error::end_of_stream).category();
}

// The status a read error deserves, or 0 when the connection should just close (the peer
// left, went quiet, or the server is stopping).
unsigned StatusForReadError(const beast::error_code& ec) {
  if (ec == http::error::body_limit) return 413;
  if (ec == http::error::header_limit) return 431;
  if (ec == http::error::end_of_stream || ec == http::error::partial_message) return 0;
  if (IsHttpError(ec)) return 400;
  return 0;
}

// What a read error's answer says, naming the limit that was passed.
std::string ReadErrorMessage(const beast::error_code& ec, bool head_done,
                             const ServerOptions& opts) {
  if (ec == http::error::body_limit) {
    return fmt::format("request body exceeds {} bytes", opts.max_body_bytes);
  }
  if (ec == http::error::header_limit) {
    return fmt::format("request {} exceeds {} bytes (or a field exceeds {} bytes)",
                       head_done ? "chunk line or trailer section" : "head", opts.max_header_bytes,
                       kMaxFieldBytes);
  }
  if (ec == http::error::bad_transfer_encoding) {
    return "unsupported Transfer-Encoding: only chunked is accepted (RFC 9112 section 6.1)";
  }
  return fmt::format("malformed request: {}", ec.message());
}

// Request heads are parsed onto an arena that lives for one request (ServeRequests): Beast's
// fields take an allocation per header field, and a Bittensor request has about twenty.
using FieldsAllocator = std::pmr::polymorphic_allocator<char>;
using RequestParser = http::request_parser<http::string_body, FieldsAllocator>;
using BeastRequest = RequestParser::value_type;
constexpr size_t kHeadArenaBytes = 4096;

// Copies `in` out of the parser's arena, taking its body.
HttpRequest ToHttpRequest(BeastRequest& in) {
  HttpRequest out;
  out.method = std::string(in.method_string());
  out.target = std::string(in.target());
  size_t fields = 0;
  size_t bytes = 0;
  for (const auto& field : in) {
    ++fields;
    bytes += field.name_string().size() + field.value().size();
  }
  out.headers.Reserve(fields, bytes);
  for (const auto& field : in) out.headers.Add(field.name_string(), field.value());
  out.body = std::move(in.body());
  return out;
}

// Whether a response with this status carries no body (RFC 9110 §6.4.1).
bool IsBodilessStatus(int status) { return status < 200 || status == 204 || status == 304; }

// Writes the status line and header fields of `response` into `head` (cleared first, so a
// connection reuses its capacity), with Content-Length and Connection computed here: fields
// the handler set for those are dropped, as are unsafe ones. An invalid status becomes a 500
// with its own body, moved into response->body. Returns whether the connection stays open:
// `keep_alive`, unless the handler asked to close.
bool WriteHead(HttpResponse* response, unsigned version, bool keep_alive, std::string* head) {
  if (response->status < 100 || response->status > 999) {
    spdlog::error("http handler returned status {}; answering 500", response->status);
    *response = MessageResponse(500, "handler returned an invalid status");
  }
  const auto status = static_cast<unsigned>(response->status);
  head->clear();
  fmt::format_to(std::back_inserter(*head), "HTTP/{}.{} {} ", version / 10, version % 10, status);
  const beast::string_view reason = http::obsolete_reason(static_cast<http::status>(status));
  head->append(reason.data(), reason.size());
  head->append("\r\n");
  for (const auto& [name, value] : response->headers) {
    if (!IsSafeHeaderField(name, value)) {
      spdlog::warn("http handler returned unsafe header field '{}'; dropped", name);
      continue;
    }
    if (beast::iequals(name, "content-length") || beast::iequals(name, "transfer-encoding")) {
      continue;
    }
    if (beast::iequals(name, "connection")) {
      if (beast::iequals(value, "close")) keep_alive = false;
      continue;
    }
    head->append(name).append(": ").append(value).append("\r\n");
  }
  if (IsBodilessStatus(response->status)) {
    if (!response->body.empty()) {
      spdlog::warn("http handler returned a body with status {}; dropped", response->status);
      response->body.clear();
    }
  } else {
    fmt::format_to(std::back_inserter(*head), "Content-Length: {}\r\n", response->body.size());
  }
  if (!keep_alive && version >= 11) head->append("Connection: close\r\n");
  if (keep_alive && version < 11) head->append("Connection: keep-alive\r\n");
  head->append("\r\n");
  return keep_alive;
}

// Ends the sending side, drains what the peer still sends (bounded), then closes.
asio::awaitable<void> LingeringClose(beast::tcp_stream& stream) {
  beast::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  stream.expires_after(kMaxDrainTime);
  std::vector<char> scratch(16 << 10);
  for (size_t drained = 0; drained < kMaxDrainBytes;) {
    auto [read_ec, n] = co_await stream.async_read_some(asio::buffer(scratch), kNoThrow);
    if (read_ec) break;
    drained += n;
  }
  stream.close();
}

// Writes `head` at once and then `body` spread over `trickle` (HttpResponse::trickle); the
// stream's timeout covers each piece, not the pauses. Stops early when the server stops.
asio::awaitable<beast::error_code> WriteTrickled(beast::tcp_stream& stream, const std::string& head,
                                                 const std::string& body,
                                                 std::chrono::milliseconds trickle,
                                                 std::chrono::milliseconds write_timeout,
                                                 const std::atomic<bool>& stopped) {
  stream.expires_after(write_timeout);
  if (auto [ec, n] = co_await asio::async_write(stream, asio::buffer(head), kNoThrow); ec) {
    co_return ec;
  }
  const size_t pieces = HttpResponse::kTricklePieces;
  const auto start = Clock::now();
  const auto total = std::chrono::duration_cast<std::chrono::microseconds>(trickle);
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (size_t i = 0; i < pieces; ++i) {
    timer.expires_at(start + total * static_cast<int64_t>(i + 1) / static_cast<int64_t>(pieces));
    co_await timer.async_wait(kNoThrow);
    if (stopped.load()) co_return asio::error::operation_aborted;
    const size_t begin = body.size() * i / pieces;
    const size_t end = body.size() * (i + 1) / pieces;
    stream.expires_after(write_timeout);
    auto [ec, n] = co_await asio::async_write(
        stream, asio::buffer(body.data() + begin, end - begin), kNoThrow);
    if (ec) co_return ec;
  }
  co_return beast::error_code();
}

asio::awaitable<void> AnswerAndClose(beast::tcp_stream& stream, HttpResponse response,
                                     unsigned version, std::chrono::milliseconds write_timeout) {
  std::string head;
  WriteHead(&response, version, /*keep_alive=*/false, &head);
  stream.expires_after(write_timeout);
  const std::array<asio::const_buffer, 2> wire{asio::buffer(head), asio::buffer(response.body)};
  auto [ec, n] = co_await asio::async_write(stream, wire, kNoThrow);
  if (ec) {
    stream.close();
    co_return;
  }
  co_await LingeringClose(stream);
}

void CloseGracefully(beast::tcp_stream& stream) {
  beast::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  stream.close();
}

// An executor that runs one connection's (or the acceptor's) handlers one at a time: a strand
// over `executor`, or the executor itself when one thread runs it. Over the io_context's own
// executor type the strand fits any_io_executor's small-object buffer; over an
// any_io_executor it does not, and every copy (several per async operation) would allocate.
asio::any_io_executor SerialExecutor(const asio::any_io_executor& executor, bool single_threaded) {
  if (single_threaded) return executor;
  if (const auto* io = executor.target<asio::io_context::executor_type>()) {
    return asio::make_strand(*io);
  }
  return asio::make_strand(executor);
}

}  // namespace

namespace internal {

struct HttpServerConnection {
  HttpServerConnection(tcp::socket socket, asio::ip::address peer)
      : stream(std::move(socket)), client(std::move(peer)) {}
  beast::tcp_stream stream;
  const asio::ip::address client;  // the peer's address, for max_connections_per_client
  // Emitted (on the connection's executor: its strand, or the single thread) by Stop() to
  // cancel a handler in flight.
  asio::cancellation_signal cancel;
  // A request has begun arriving and its answer is not written yet. On the connection's
  // executor only.
  bool busy = false;
};

struct HttpServerState {
  HttpServerState(asio::any_io_executor ex, ServerOptions opts)
      : executor(std::move(ex)),
        options(std::move(opts)),
        acceptor(SerialExecutor(executor, options.single_threaded)) {}

  const asio::any_io_executor executor;
  const ServerOptions options;
  Handler handler;         // set once by Start(), read-only afterwards
  tcp::acceptor acceptor;  // used on its own strand (or the single thread) only
  std::atomic<uint16_t> port{0};
  std::atomic<uint64_t> accepted{0};
  std::atomic<bool> stopped{false};
  std::atomic<bool> draining{false};
  mutable std::mutex mu;
  std::unordered_map<HttpServerConnection*, std::shared_ptr<HttpServerConnection>>
      open;                                                  // guarded by mu
  std::unordered_map<asio::ip::address, size_t> per_client;  // open ones by peer; guarded by mu
  std::function<void()> drained;  // guarded by mu; called once, when draining and none is open
};

}  // namespace internal

namespace {

using State = internal::HttpServerState;
using Connection = internal::HttpServerConnection;

asio::awaitable<HttpResponse> CallHandler(const Handler& handler, HttpRequest request) {
  try {
    co_return co_await handler(std::move(request));
  } catch (const std::exception& e) {
    spdlog::error("http handler failed: {}", e.what());
  } catch (...) {
    spdlog::error("http handler failed with a non-standard exception");
  }
  co_return MessageResponse(500, "internal error");
}

// Whether the head frames its body with anything but one Transfer-Encoding field saying
// "chunked" (Beast would read a body framed by another coding until the peer closes).
bool HasUnsupportedTransferCoding(const BeastRequest& request) {
  const auto [first, last] = request.equal_range(http::field::transfer_encoding);
  if (first == last) return false;
  return std::next(first) != last || !beast::iequals(first->value(), "chunked");
}

// Reads one request into `parser`. Bytes already in `buffer` are parsed in place, and the
// socket is read only when they do not hold the whole request: a request that arrived in one
// piece costs no asynchronous operation beyond the read that brought it. The head must be
// complete by `head_deadline`, the body within opts.body_timeout after it. A head that asks
// for 100-continue gets the interim answer before the body is read. Errors as Beast's
// async_read: end_of_stream when the peer left before a byte of it; header_limit also for a
// field Beast cannot hold (kMaxFieldBytes) and for a trailer section, or a chunk line, longer
// than opts.max_header_bytes; bad_transfer_encoding for a transfer coding other than chunked.
// Marks the connection busy from the request's first byte.
asio::awaitable<beast::error_code> ReadRequest(Connection& connection, beast::flat_buffer& buffer,
                                               RequestParser& parser, const ServerOptions& opts,
                                               Clock::time_point head_deadline) {
  beast::tcp_stream& stream = connection.stream;
  Clock::time_point deadline = head_deadline;
  bool head_done = false;
  for (;;) {
    while (buffer.size() > 0 && !parser.is_done()) {
      beast::error_code ec;
      size_t used = 0;
      try {
        used = parser.put(buffer.data(), ec);
      } catch (const std::length_error&) {
        // A field name or value of kMaxFieldBytes or more, in the head (when max_header_bytes
        // allows one) or in the trailer section.
        co_return http::error::header_limit;
      }
      buffer.consume(used);
      if (ec == http::error::need_more) break;
      if (ec) co_return ec;
      if (used == 0) break;
    }
    if (buffer.size() > 0 || parser.got_some()) connection.busy = true;  // arriving
    if (parser.is_header_done() && !head_done) {
      head_done = true;
      if (HasUnsupportedTransferCoding(parser.get())) {
        // RFC 9112 section 6.1: a body whose length cannot be determined is refused, not read
        // until the peer closes.
        co_return http::error::bad_transfer_encoding;
      }
      deadline = Clock::now() + opts.body_timeout;
      if (!parser.is_done() && beast::iequals(parser.get()[http::field::expect], "100-continue")) {
        // Expect is HTTP/1.1's, so is the interim answer.
        static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
        stream.expires_at(deadline);
        if (auto [ec, n] = co_await asio::async_write(stream, asio::buffer(kContinue), kNoThrow);
            ec) {
          co_return ec;
        }
      }
    }
    if (parser.is_done()) co_return beast::error_code();
    // Past the head, only a chunk line or the trailer section waits unparsed in the buffer
    // (Beast keeps neither within max_header_bytes): bound them as the head is bounded.
    if (head_done && buffer.size() > opts.max_header_bytes) co_return http::error::header_limit;
    stream.expires_at(deadline);
    auto [ec, n] =
        co_await stream.async_read_some(buffer.prepare(beast::read_size(buffer, 65536)), kNoThrow);
    buffer.commit(n);
    if (ec == asio::error::eof) {
      if (!parser.got_some()) co_return http::error::end_of_stream;
      beast::error_code eof_ec;
      parser.put_eof(eof_ec);
      co_return eof_ec ? eof_ec : beast::error_code(http::error::partial_message);
    }
    if (ec) co_return ec;
  }
}

// Writes `wire` whole: at once when the socket takes it (an answer that fits the socket buffer,
// the usual case, then costs no asynchronous operation), the rest asynchronously within
// `timeout`. The socket must be in non-blocking mode.
asio::awaitable<beast::error_code> WriteAnswer(beast::tcp_stream& stream,
                                               std::array<asio::const_buffer, 2> wire,
                                               std::chrono::milliseconds timeout) {
  beast::error_code ec;
  size_t written = stream.socket().write_some(wire, ec);
  if (ec == asio::error::would_block || ec == asio::error::try_again) {
    ec = {};
    written = 0;
  }
  if (ec) co_return ec;
  for (asio::const_buffer& piece : wire) {
    const size_t taken = std::min(written, piece.size());
    piece += taken;
    written -= taken;
  }
  if (wire[0].size() + wire[1].size() == 0) co_return ec;
  stream.expires_after(timeout);
  auto [write_ec, n] = co_await asio::async_write(stream, wire, kNoThrow);
  co_return write_ec;
}

// Serves requests on the connection until the peer leaves, a timeout, an error answer, Stop(),
// or Drain() (which closes it between requests).
asio::awaitable<void> ServeRequests(const State& state, Connection& connection) {
  const ServerOptions& opts = state.options;
  beast::tcp_stream& stream = connection.stream;
  beast::flat_buffer buffer;
  std::string head;  // the response's status line and header fields, reused
  Clock::time_point head_deadline = Clock::now() + opts.header_timeout;
  for (bool first = true;; first = false) {
    if (!first) {
      if (buffer.size() == 0) {
        stream.expires_after(opts.idle_timeout);
        auto [ec, n] = co_await stream.async_read_some(buffer.prepare(kFirstReadBytes), kNoThrow);
        if (ec) co_return;
        buffer.commit(n);
      }
      head_deadline = Clock::now() + opts.header_timeout;
    }

    std::array<std::byte, kHeadArenaBytes> arena_bytes;
    std::pmr::monotonic_buffer_resource arena(arena_bytes.data(), arena_bytes.size());
    RequestParser parser(std::piecewise_construct, std::make_tuple(),
                         std::make_tuple(FieldsAllocator(&arena)));
    parser.header_limit(static_cast<uint32_t>(std::min<size_t>(opts.max_header_bytes, UINT32_MAX)));
    parser.body_limit(opts.max_body_bytes);
    if (auto ec = co_await ReadRequest(connection, buffer, parser, opts, head_deadline); ec) {
      if (unsigned status = StatusForReadError(ec)) {
        const bool head_done = parser.is_header_done();
        co_await AnswerAndClose(stream,
                                MessageResponse(status, ReadErrorMessage(ec, head_done, opts)),
                                head_done ? parser.get().version() : 11, opts.body_timeout);
      }
      co_return;
    }

    BeastRequest& request = parser.get();
    const unsigned version = request.version();
    bool keep_alive = request.keep_alive();
    stream.expires_never();
    HttpResponse answer = co_await CallHandler(state.handler, ToHttpRequest(request));

    keep_alive = WriteHead(&answer, version,
                           keep_alive && !state.stopped.load() && !state.draining.load(), &head);
    if (answer.trickle.count() > 0) {
      if (co_await WriteTrickled(stream, head, answer.body, answer.trickle, opts.body_timeout,
                                 state.stopped)) {
        co_return;
      }
    } else if (co_await WriteAnswer(stream, {asio::buffer(head), asio::buffer(answer.body)},
                                    opts.body_timeout)) {
      co_return;
    }
    connection.busy = false;
    if (!keep_alive || state.draining.load()) {
      CloseGracefully(stream);
      co_return;
    }
  }
}

asio::awaitable<void> ServeConnection(std::shared_ptr<State> state,
                                      std::shared_ptr<Connection> connection) {
  // Stop() cancels this coroutine; the cleanup below must still run, so cancellation shows
  // up as operation errors, never as exceptions, and anything else thrown while serving (Beast
  // throws on what it cannot hold; allocations may fail) ends only this connection.
  co_await asio::this_coro::throw_if_cancelled(false);
  try {
    co_await ServeRequests(*state, *connection);
  } catch (const std::exception& e) {
    spdlog::error("http connection on port {} failed: {}; closed", state->port.load(), e.what());
  } catch (...) {
    spdlog::error("http connection on port {} failed with a non-standard exception; closed",
                  state->port.load());
  }
  connection->stream.close();
  std::function<void()> drained;
  {
    std::lock_guard lock(state->mu);
    state->open.erase(connection.get());
    if (auto it = state->per_client.find(connection->client);
        it != state->per_client.end() && --it->second == 0) {
      state->per_client.erase(it);
    }
    if (state->open.empty()) drained = std::move(state->drained);
  }
  if (drained) drained();
}

asio::awaitable<void> TurnAwayBusy(std::shared_ptr<State> state, tcp::socket socket,
                                   std::string why) {
  beast::tcp_stream stream(std::move(socket));
  co_await AnswerAndClose(stream, MessageResponse(503, why), 11, state->options.header_timeout);
}

asio::awaitable<void> AcceptLoop(std::shared_ptr<State> state) {
  for (;;) {
    auto [ec, socket] = co_await state->acceptor.async_accept(
        SerialExecutor(state->executor, state->options.single_threaded), kNoThrow);
    if (state->stopped.load() || !state->acceptor.is_open()) co_return;
    if (ec) {
      if (ec == asio::error::operation_aborted) co_return;
      spdlog::warn("http accept on port {}: {}", state->port.load(), ec.message());
      if (ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space ||
          ec == asio::error::no_memory) {
        // Out of descriptors: give closing connections a moment instead of spinning.
        asio::steady_timer pause(state->acceptor.get_executor(), 50ms);
        co_await pause.async_wait(kNoThrow);
      }
      continue;
    }
    state->accepted.fetch_add(1);
    beast::error_code option_ec;
    socket.set_option(tcp::no_delay(true), option_ec);
    // For WriteAnswer's first, synchronous attempt: without it that write could block the
    // thread (and, single-threaded, every connection on it).
    if (beast::error_code nb_ec; socket.non_blocking(true, nb_ec), nb_ec) {
      spdlog::warn("http accept on port {}: non-blocking mode: {}; connection closed",
                   state->port.load(), nb_ec.message());
      socket.close(option_ec);
      continue;
    }

    beast::error_code peer_ec;
    const asio::ip::address client = socket.remote_endpoint(peer_ec).address();
    if (peer_ec) {  // gone already: it would otherwise count against 0.0.0.0
      socket.close(option_ec);
      continue;
    }
    const size_t per_client_limit = state->options.max_connections_per_client;

    std::unique_lock lock(state->mu);
    if (state->stopped.load()) {
      socket.close(option_ec);
      co_return;
    }
    std::string busy;
    if (state->open.size() >= state->options.max_connections) {
      busy = "too many connections";
    } else if (const auto it = state->per_client.find(client); per_client_limit > 0 &&
                                                               it != state->per_client.end() &&
                                                               it->second >= per_client_limit) {
      busy = fmt::format("too many connections from {} (at most {} per client)", client.to_string(),
                         per_client_limit);
    }
    if (!busy.empty()) {
      lock.unlock();
      auto executor = socket.get_executor();
      asio::co_spawn(executor, TurnAwayBusy(state, std::move(socket), std::move(busy)),
                     asio::detached);
      continue;
    }
    auto connection = std::make_shared<Connection>(std::move(socket), client);
    state->open.emplace(connection.get(), connection);
    ++state->per_client[client];
    lock.unlock();
    auto executor = connection->stream.get_executor();
    auto slot = connection->cancel.slot();
    asio::co_spawn(executor, ServeConnection(state, std::move(connection)),
                   asio::bind_cancellation_slot(slot, asio::detached));
  }
}

}  // namespace

HttpServer::HttpServer(asio::any_io_executor executor, ServerOptions options)
    : state_(std::make_shared<internal::HttpServerState>(std::move(executor), std::move(options))) {
}

HttpServer::~HttpServer() { Stop(); }

Result<uint16_t> HttpServer::Start(Handler handler) {
  if (!handler) return Error(ErrorCode::kInvalidArgument, "http server: null handler");
  internal::HttpServerState& state = *state_;
  if (state.handler || state.stopped.load()) {
    return Error(ErrorCode::kInternal, "http server: Start() called twice");
  }
  const std::string where = fmt::format("listen {}:{}", state.options.address, state.options.port);
  beast::error_code ec;
  const auto address = asio::ip::make_address(state.options.address, ec);
  if (ec) return Error(ErrorCode::kInvalidArgument, fmt::format("{}: {}", where, ec.message()));
  const tcp::endpoint endpoint(address, state.options.port);
  state.acceptor.open(endpoint.protocol(), ec);
  if (!ec) state.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) state.acceptor.bind(endpoint, ec);
  if (!ec) state.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  uint16_t bound = 0;
  if (!ec) bound = state.acceptor.local_endpoint(ec).port();
  if (ec) {
    beast::error_code ignored;
    state.acceptor.close(ignored);
    return Error(ErrorCode::kUnavailable, fmt::format("{}: {}", where, ec.message()));
  }
  state.port.store(bound);
  state.handler = std::move(handler);
  asio::co_spawn(state.acceptor.get_executor(), AcceptLoop(state_), asio::detached);
  return bound;
}

void HttpServer::Stop() {
  std::vector<std::shared_ptr<Connection>> to_close;
  {
    std::lock_guard lock(state_->mu);
    if (state_->stopped.exchange(true)) return;
    to_close.reserve(state_->open.size());
    for (const auto& [key, connection] : state_->open) to_close.push_back(connection);
  }
  StopAccepting();
  for (auto& connection : to_close) {
    auto executor = connection->stream.get_executor();
    asio::dispatch(executor, [connection = std::move(connection)] {
      connection->cancel.emit(asio::cancellation_type::terminal);
      connection->stream.close();
    });
  }
}

void HttpServer::StopAccepting() {
  asio::dispatch(state_->acceptor.get_executor(), [state = state_] {
    beast::error_code ignored;
    state->acceptor.close(ignored);
  });
}

void HttpServer::Drain(std::function<void()> drained) {
  std::vector<std::shared_ptr<Connection>> open;
  {
    std::lock_guard lock(state_->mu);
    if (state_->stopped.load() || state_->draining.exchange(true)) return;
    if (state_->open.empty()) {
      asio::post(state_->executor, std::move(drained));
    } else {
      state_->drained = std::move(drained);
      for (const auto& [key, connection] : state_->open) open.push_back(connection);
    }
  }
  StopAccepting();
  for (auto& connection : open) {
    auto executor = connection->stream.get_executor();
    asio::dispatch(executor, [connection = std::move(connection)] {
      if (!connection->busy) connection->stream.close();
    });
  }
}

uint16_t HttpServer::port() const { return state_->port.load(); }

uint64_t HttpServer::accepted_connections() const { return state_->accepted.load(); }

size_t HttpServer::open_connections() const {
  std::lock_guard lock(state_->mu);
  return state_->open.size();
}

}  // namespace orchestra::net
