#include "orchestra/experts/chat_client.h"

#include <fmt/format.h>

#include <charconv>
#include <cstdlib>

#include "orchestra/experts/http_transport.h"

namespace orchestra::experts {
namespace {

Error BadUrl(std::string_view flag, std::string_view url, std::string_view why) {
  return Error(ErrorCode::kInvalidArgument, fmt::format("{} {}: {}", flag, url, why));
}

}  // namespace

Result<ChatEndpoint> ParseChatBaseUrl(std::string_view url, std::string_view flag) {
  constexpr std::string_view kHttp = "http://";
  if (url.starts_with("https://")) {
    return BadUrl(flag, url,
                  "https is not supported; give the endpoint's plain http:// address (put a "
                  "TLS-terminating proxy on loopback for a remote one)");
  }
  if (!url.starts_with(kHttp)) {
    return BadUrl(flag, url, "expected http://HOST[:PORT][/PATH]");
  }
  if (url.find_first_of("?#") != std::string_view::npos) {
    return BadUrl(flag, url, "a base URL takes no query or fragment");
  }
  std::string_view rest = url.substr(kHttp.size());
  const size_t slash = rest.find('/');
  const std::string_view authority = rest.substr(0, slash);
  std::string path(slash == std::string_view::npos ? "" : rest.substr(slash));
  if (authority.find('@') != std::string_view::npos) {
    return BadUrl(
        flag, url,
        "credentials in the URL are not supported; set " + std::string(kLlmApiKeyVariable));
  }
  ChatEndpoint endpoint;
  endpoint.url = std::string(url);
  std::string_view port_text;
  if (authority.starts_with('[')) {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return BadUrl(flag, url, "unclosed '[' in the host");
    endpoint.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return BadUrl(flag, url, "expected ':PORT' after the host");
      port_text = after.substr(1);
      if (port_text.empty()) return BadUrl(flag, url, "empty port");
    }
  } else {
    const size_t colon = authority.find(':');
    endpoint.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return BadUrl(flag, url, "empty port");
    }
  }
  if (endpoint.host.empty()) return BadUrl(flag, url, "no host");
  if (!port_text.empty()) {
    int port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port < 1 ||
        port > 65535) {
      return BadUrl(flag, url, fmt::format("port '{}' is not 1-65535", port_text));
    }
    endpoint.port = static_cast<uint16_t>(port);
  }
  while (!path.empty() && path.back() == '/') path.pop_back();
  endpoint.target =
      path.ends_with("/v1") ? path + "/chat/completions" : path + "/v1/chat/completions";
  return endpoint;
}

std::string LlmApiKeyFromEnvironment() {
  const char* key = std::getenv(kLlmApiKeyVariable);
  return key ? std::string(key) : std::string();
}

ChatClient::ChatClient(net::HttpClient& client, ChatClientOptions options)
    : client_(client),
      options_(std::move(options)),
      who_("LLM " +
           (options_.endpoint.url.empty()
                ? fmt::format("http://{}:{}", options_.endpoint.host, options_.endpoint.port)
                : options_.endpoint.url)) {}

boost::asio::awaitable<Result<Json>> ChatClient::Complete(Json request, Deadline deadline) {
  if (!request.is_object()) {
    co_return Error(ErrorCode::kInvalidArgument, who_ + ": the request is not a JSON object");
  }
  request.as_object()["model"] = options_.model;
  net::HttpRequest http;
  http.method = "POST";
  http.target = options_.endpoint.target;
  http.headers.Add("content-type", "application/json");
  if (!options_.api_key.empty()) http.headers.Add("authorization", "Bearer " + options_.api_key);
  http.body = CompactJson(request);
  auto answer = co_await client_.Send(options_.endpoint.host, options_.endpoint.port,
                                      std::move(http), deadline);
  if (!answer) co_return Error(answer.error().code, who_ + ": " + answer.error().message);
  auto completion = InterpretAnswer(answer->status, answer->body, who_);
  if (!completion) co_return completion.error();
  const Json* choices = JsonFind(*completion, "choices");
  if (!choices || !choices->is_array() || choices->as_array().empty() ||
      !JsonFind(choices->as_array()[0], "message")) {
    co_return Error(ErrorCode::kMalformedAnswer, who_ + ": no choices[0].message in the answer");
  }
  co_return std::move(*completion);
}

}  // namespace orchestra::experts
