#include "load_util.h"

#include <fmt/format.h>
#include <sys/resource.h>

#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <ctime>
#include <fstream>

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
