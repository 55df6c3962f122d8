#include "orchestra/net/http_message.h"

#include <sodium.h>

#include <algorithm>
#include <array>

namespace orchestra::net {
namespace {

// RFC 9110 tchar, as a table: every response's header names pass through here (the
// simulator's carry a dozen bt_header_* fields), and a search per '_' showed up in profiles.
constexpr std::array<bool, 256> kTokenChars = [] {
  std::array<bool, 256> table{};
  for (int c = 'a'; c <= 'z'; ++c) table[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) table[c] = true;
  for (int c = '0'; c <= '9'; ++c) table[c] = true;
  for (char c : std::string_view("!#$%&'*+-.^_`|~")) table[static_cast<unsigned char>(c)] = true;
  return table;
}();

bool IsTokenChar(char c) { return kTokenChars[static_cast<unsigned char>(c)]; }

}  // namespace

bool IsHttpToken(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), IsTokenChar);
}

bool IsSafeHeaderField(std::string_view name, std::string_view value) {
  // One pass; find_first_of would search the three-byte set once per character.
  return IsHttpToken(name) && std::none_of(value.begin(), value.end(), [](char c) {
           return c == '\r' || c == '\n' || c == '\0';
         });
}

HttpResponse JsonResponse(int status, const Json& body, HttpHeaders headers) {
  HttpResponse response{.status = status, .headers = std::move(headers), .body = {}};
  response.headers.Add("Content-Type", "application/json");
  response.body = CompactJson(body);
  return response;
}

HttpResponse MessageResponse(int status, std::string_view message, HttpHeaders headers) {
  return JsonResponse(status, JsonObject{{"message", message}}, std::move(headers));
}

bool HasBearerToken(const HttpRequest& request, std::string_view token) {
  constexpr std::string_view kBearer = "Bearer ";
  const std::string_view given = request.Header("authorization");
  if (token.empty() || !given.starts_with(kBearer)) return false;
  const std::string_view presented = given.substr(kBearer.size());
  return presented.size() == token.size() &&
         sodium_memcmp(presented.data(), token.data(), token.size()) == 0;
}

}  // namespace orchestra::net
