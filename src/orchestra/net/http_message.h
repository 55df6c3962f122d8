#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "orchestra/core/header_fields.h"
#include "orchestra/core/json.h"

namespace orchestra::net {

// Header fields in wire order; names keep the case they were sent with.
using HttpHeaders = HeaderFields;

// Whether `name` is a non-empty HTTP token and `value` holds no CR, LF or NUL, i.e. the field
// can be written without forging other fields. Server and client drop unsafe fields on send.
bool IsSafeHeaderField(std::string_view name, std::string_view value);

// Whether `text` is a non-empty HTTP token (the grammar of methods and field names).
bool IsHttpToken(std::string_view text);

// One HTTP/1.1 request as handlers see it and as HttpClient sends it. Content-Length and
// Transfer-Encoding are computed from `body` on send; a Host field is added when absent.
struct HttpRequest {
  std::string method = "POST";
  std::string target = "/";
  HttpHeaders headers;
  std::string body;

  // Case-insensitive lookup; "" when absent.
  std::string_view Header(std::string_view name) const { return headers.Find(name); }
};

// One HTTP/1.1 response. A handler returning "Connection: close" ends the connection after it.
struct HttpResponse {
  int status = 200;
  HttpHeaders headers;
  std::string body;
  // When positive, HttpServer sends the status line and header fields at once and then the body
  // in kTricklePieces pieces spread evenly over this time: a slow upstream, as the expert
  // simulator's "slow trickle" fault plays it. Clients ignore it.
  std::chrono::milliseconds trickle{0};
  static constexpr int kTricklePieces = 16;

  // Case-insensitive lookup; "" when absent.
  std::string_view Header(std::string_view name) const { return headers.Find(name); }
};

// A JSON answer: `headers`, then Content-Type application/json; `body` as compact JSON.
HttpResponse JsonResponse(int status, const Json& body, HttpHeaders headers = {});

// {"message": "..."}: the error body Bittensor's axon writes and a Python dendrite parses (one
// that is not JSON it reports as 422 "failed to parse").
HttpResponse MessageResponse(int status, std::string_view message, HttpHeaders headers = {});

// Whether `request` carries `Authorization: Bearer <token>`. Compared in time independent of
// where a wrong token differs, so the token cannot be guessed byte by byte. An empty `token`
// never matches.
bool HasBearerToken(const HttpRequest& request, std::string_view token);

}  // namespace orchestra::net
