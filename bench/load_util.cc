#include "load_util.h"

#include <fmt/format.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <chrono>
#include <cstring>
#include <ctime>
#include <fstream>
#include <new>
#include <utility>

#include "orchestra/core/ascii.h"

namespace orchestra::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

int64_t SystemNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

double ThreadCpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

double ProcessCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string one, five, fifteen;
  in >> one >> five >> fifteen;
  return in ? fmt::format("{} {} {}", one, five, fifteen) : "";
}

crypto::Keypair KeyFromByte(uint8_t byte) {
  crypto::MiniSecret seed{};
  seed.fill(byte);
  return crypto::Keypair::FromMiniSecret(seed);
}

Answer SendOnce(const std::string& host, uint16_t port, const std::string& wire) {
  asio::io_context io;
  tcp::socket socket(io);
  beast::error_code ec;
  socket.connect(tcp::endpoint(asio::ip::make_address(host, ec), port), ec);
  if (ec) return {};
  asio::write(socket, asio::buffer(wire), ec);
  if (ec) return {};
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 << 20);
  http::read(socket, buffer, parser, ec);
  if (ec) return {};
  return Answer{static_cast<int>(parser.get().result_int()), std::move(parser.get().body())};
}

namespace {

constexpr size_t kMaxHeadBytes = 64 << 10;

Error Malformed(std::string what, size_t at) {
  return Error(ErrorCode::kMalformedAnswer,
               fmt::format("HTTP response head, byte {}: {}", at, what));
}

// Whether the comma-separated `value` lists `token` (Connection: keep-alive, close).
bool HasToken(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    const size_t comma = value.find(',');
    std::string_view item = value.substr(0, comma);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (EqualsIgnoringAsciiCase(item, token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

Result<std::optional<ResponseHead>> ParseResponseHead(std::string_view bytes) {
  const size_t blank = bytes.find("\r\n\r\n");
  if (blank == std::string_view::npos) return std::optional<ResponseHead>();
  ResponseHead head;
  head.head_bytes = blank + 4;
  std::string_view rest = bytes.substr(0, blank + 2);  // every line with its CRLF

  size_t line_end = rest.find("\r\n");
  const std::string_view status_line = rest.substr(0, line_end);
  // "HTTP/1.x NNN reason"
  if (status_line.size() < 12 || !status_line.starts_with("HTTP/1.") ||
      (status_line[7] != '0' && status_line[7] != '1') || status_line[8] != ' ' ||
      (status_line.size() > 12 && status_line[12] != ' ')) {
    return Malformed(
        fmt::format("status line \"{}\" is not HTTP/1.x NNN", status_line.substr(0, 40)), 0);
  }
  const auto [end, ec] =
      std::from_chars(status_line.data() + 9, status_line.data() + 12, head.status);
  if (ec != std::errc() || end != status_line.data() + 12 || head.status < 100) {
    return Malformed(fmt::format("status code \"{}\"", status_line.substr(9, 3)), 9);
  }
  const bool http11 = status_line[7] == '1';
  bool close = false;       // a Connection field lists "close"
  bool keep_alive = false;  // a Connection field lists "keep-alive"
  const bool bodiless = head.status < 200 || head.status == 204 || head.status == 304;

  std::optional<size_t> length;
  for (size_t at = line_end + 2; at < rest.size(); at = line_end + 2) {
    line_end = rest.find("\r\n", at);
    const std::string_view line = rest.substr(at, line_end - at);
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      return Malformed(fmt::format("field line \"{}\" has no name", line.substr(0, 40)), at);
    }
    const std::string_view name = line.substr(0, colon);
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    if (EqualsIgnoringAsciiCase(name, "content-length")) {
      size_t n = 0;
      const auto [p, e] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (e != std::errc() || p != value.data() + value.size() || (length && *length != n)) {
        return Malformed(fmt::format("Content-Length \"{}\"", value.substr(0, 40)), at);
      }
      length = n;
    } else if (EqualsIgnoringAsciiCase(name, "transfer-encoding")) {
      return Malformed(fmt::format("Transfer-Encoding \"{}\" (only Content-Length is read)",
                                   value.substr(0, 40)),
                       at);
    } else if (EqualsIgnoringAsciiCase(name, "connection")) {
      close = close || HasToken(value, "close");
      keep_alive = keep_alive || HasToken(value, "keep-alive");
    }
  }
  // "close" wins over anything else listed (RFC 9112 §9.6); HTTP/1.0 closes unless asked not to.
  head.keep_alive = !close && (http11 || keep_alive);
  if (bodiless) {
    head.content_length = 0;
  } else if (!length) {
    return Malformed("no Content-Length", blank);
  } else {
    head.content_length = *length;
  }
  return std::optional<ResponseHead>(head);
}

Result<std::optional<ResponseReader::Response>> ResponseReader::Next(size_t max_body_bytes) {
  DropFront(begin_);  // what the previous call returned is consumed
  while (!head_) {
    auto parsed = ParseResponseHead(std::string_view(buffer_.data(), end_));
    if (!parsed) return parsed.error();
    if (!*parsed) {
      if (end_ >= kMaxHeadBytes) {
        return Malformed(fmt::format("no blank line in the first {} bytes", kMaxHeadBytes), end_);
      }
      return std::optional<Response>();
    }
    if ((**parsed).status < 200 && (**parsed).status != 101) {
      // An interim answer (100 Continue, 103 Early Hints): the real one follows.
      DropFront((**parsed).head_bytes);
      continue;
    }
    if ((**parsed).content_length > max_body_bytes) {
      return Error(ErrorCode::kMalformedAnswer,
                   fmt::format("HTTP response body of {} bytes, more than the {} allowed",
                               (**parsed).content_length, max_body_bytes));
    }
    head_ = **parsed;
  }
  const size_t total = head_->head_bytes + head_->content_length;
  if (end_ < total) return std::optional<Response>();
  const Response response{
      .status = head_->status,
      .keep_alive = head_->keep_alive,
      .body = std::string_view(buffer_.data() + head_->head_bytes, head_->content_length)};
  begin_ = total;
  head_.reset();
  return std::optional<Response>(response);
}

std::span<char> ResponseReader::Space() {
  DropFront(begin_);
  const size_t wanted =
      std::max(end_ + 4096, head_ ? head_->head_bytes + head_->content_length : 0);
  if (buffer_.size() < wanted) buffer_.resize(std::max(wanted, 2 * buffer_.size()));
  return std::span<char>(buffer_.data() + end_, buffer_.size() - end_);
}

asio::awaitable<Result<ResponseReader::Response>> ResponseReader::Read(tcp::socket& socket,
                                                                       size_t max_body_bytes) {
  for (;;) {
    auto next = Next(max_body_bytes);
    if (!next) co_return next.error();
    if (*next) co_return **next;
    const std::span<char> space = Space();
    auto [ec, n] = co_await socket.async_read_some(asio::buffer(space.data(), space.size()),
                                                   asio::as_tuple(asio::use_awaitable));
    if (ec) {
      co_return Error(ErrorCode::kUnavailable,
                      fmt::format("reading an HTTP response: {}", ec.message()));
    }
    Received(n);
  }
}

void ResponseReader::DropFront(size_t bytes) {
  if (bytes == 0) return;
  std::memmove(buffer_.data(), buffer_.data() + bytes, end_ - bytes);
  end_ -= bytes;
  begin_ = 0;
}

void WireArena::Append(std::string_view wire) {
  if (bytes_ + wire.size() > mapped_) {
    constexpr size_t kHugePage = 2 << 20;
    const size_t wanted = std::max(2 * mapped_, bytes_ + wire.size());
    const size_t grown = (wanted + kHugePage - 1) / kHugePage * kHugePage;
    void* base =
        base_ ? mremap(base_, mapped_, grown, MREMAP_MAYMOVE)
              : mmap(nullptr, grown, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) throw std::bad_alloc();
    base_ = static_cast<char*>(base);
    mapped_ = grown;
    (void)madvise(base_, mapped_, MADV_HUGEPAGE);  // a hint: without THP the arena still works
  }
  if (!wire.empty()) std::memcpy(base_ + bytes_, wire.data(), wire.size());
  bytes_ += wire.size();
  ends_.push_back(bytes_);
}

WireArena::WireArena(WireArena&& other) noexcept
    : base_(std::exchange(other.base_, nullptr)),
      mapped_(std::exchange(other.mapped_, 0)),
      bytes_(std::exchange(other.bytes_, 0)),
      ends_(std::exchange(other.ends_, {})) {}

WireArena::~WireArena() {
  if (base_) munmap(base_, mapped_);
}

std::string StatusesText(const std::map<int, uint64_t>& statuses) {
  if (statuses.empty()) return "0";
  std::string out;
  for (const auto& [status, count] : statuses) {
    out += fmt::format("{}{}×{}", out.empty() ? "" : " ", count, status);
  }
  return out;
}

Json StatusesJson(const std::map<int, uint64_t>& statuses) {
  JsonObject out;
  for (const auto& [status, count] : statuses) out[std::to_string(status)] = count;
  return out;
}

}  // namespace orchestra::bench
