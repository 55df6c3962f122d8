#include "orchestra/ledger/fetch.h"

#include <fmt/format.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/url/parse.hpp>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

namespace orchestra::ledger {
namespace {

Error BadUrl(std::string_view url, std::string_view what) {
  return Error(ErrorCode::kInvalidArgument, fmt::format("{}: {}", url, what));
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Error(ErrorCode::kIo,
                 fmt::format("cannot read ledger file \"{}\": {}", path, std::strerror(errno)));
  }
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (in.bad()) {
    return Error(ErrorCode::kIo, fmt::format("cannot read ledger file \"{}\"", path));
  }
  return bytes.str();
}

}  // namespace

bool LooksLikeUrl(std::string_view text) {
  const size_t colon = text.find("://");
  if (colon == std::string_view::npos || colon == 0) return false;
  for (char c : text.substr(0, colon)) {
    const bool scheme_char = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                             (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
    if (!scheme_char) return false;
  }
  return true;
}

Result<HttpUrl> ParseHttpUrl(std::string_view url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return BadUrl(url, "not a URL (expected http://HOST[:PORT]/PATH)");
  const boost::urls::url_view& u = *parsed;
  if (u.scheme() == "https") {
    return BadUrl(url,
                  "https is not supported (the HTTP client speaks plain HTTP): download the file "
                  "and import it, or give a plain http:// address (a TLS-terminating proxy on "
                  "loopback for a remote one)");
  }
  if (u.scheme() != "http") {
    return BadUrl(url, fmt::format("scheme \"{}\" is not supported (expected http://)",
                                   std::string_view(u.scheme())));
  }
  if (u.has_userinfo()) return BadUrl(url, "credentials in the URL are not supported");
  HttpUrl out;
  out.host = u.host_address();
  if (out.host.empty()) return BadUrl(url, "no host");
  if (u.has_port()) {
    const std::string_view port = u.port();
    int number = 0;
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), number);
    if (ec != std::errc() || ptr != port.data() + port.size() || number < 1 || number > 65535) {
      return BadUrl(url, fmt::format("port \"{}\" is not in 1..65535", port));
    }
    out.port = static_cast<uint16_t>(number);
  }
  out.target = u.encoded_target();
  if (out.target.empty() || out.target.front() != '/') out.target.insert(0, "/");
  return out;
}

boost::asio::awaitable<Result<std::string>> FetchLedgerUrl(net::HttpClient& client, std::string url,
                                                           Deadline deadline) {
  auto where = ParseHttpUrl(url);
  if (!where) co_return where.error();
  net::HttpRequest request{"GET", where->target, {}, ""};
  request.headers.Add("Accept", "application/json");
  auto response = co_await client.Send(where->host, where->port, std::move(request), deadline);
  if (!response) {
    co_return Error(response.error().code,
                    fmt::format("GET {}: {}", url, response.error().message));
  }
  if (response->status != 200) {
    const std::string_view location = response->Header("Location");
    co_return Error(
        ErrorCode::kUnavailable,
        fmt::format("GET {}: HTTP {}{}", url, response->status,
                    location.empty()
                        ? ""
                        : fmt::format(" (redirects to {}, which is not followed)", location)));
  }
  co_return std::move(response->body);
}

Result<std::string> ReadLedgerSource(std::string_view file_or_url, Deadline deadline) {
  if (!LooksLikeUrl(file_or_url)) return ReadFile(std::string(file_or_url));
  boost::asio::io_context io;
  net::HttpClient client(io.get_executor());
  std::optional<Result<std::string>> result;
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        result.emplace(co_await FetchLedgerUrl(client, std::string(file_or_url), deadline));
      },
      boost::asio::detached);
  io.run();
  if (!result) return Error(ErrorCode::kInternal, fmt::format("GET {}: no result", file_or_url));
  return std::move(*result);
}

}  // namespace orchestra::ledger
