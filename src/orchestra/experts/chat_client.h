#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "orchestra/core/deadline.h"
#include "orchestra/core/json.h"
#include "orchestra/core/result.h"
#include "orchestra/net/http_client.h"

// The project's one client for an OpenAI-compatible chat-completions endpoint that the
// operator chose (a local llama.cpp server, vLLM, a gateway): the miner's optional lead
// (miner/llm_lead.h) and the validator's optional judge (validator/llm_judge.h) speak through
// it. Expert subnets reached over the same protocol go through experts::HttpTransport instead:
// they are routed, paid and proven per call; this endpoint is the operator's own.
// Not thread-safe: use from coroutines on the HttpClient's executor; the HttpClient must
// outlive the ChatClient. The API key is sent, never logged nor put in an error message.
namespace orchestra::experts {

// The environment variable the API key is read from.
inline constexpr const char* kLlmApiKeyVariable = "ORCHESTRA_LLM_API_KEY";

// Where the endpoint listens: plain HTTP only (TLS is left to a local proxy).
struct ChatEndpoint {
  std::string host;
  uint16_t port = 80;
  std::string target = "/v1/chat/completions";  // the request target
  std::string url;                              // as given, for messages
};

// Reads a base URL as OpenAI clients take it: "http://HOST[:PORT][/PREFIX]". The request goes
// to PREFIX + "/chat/completions" when PREFIX ends in "/v1" ("http://localhost:8080/v1"), else
// to PREFIX + "/v1/chat/completions". kInvalidArgument naming `flag` and the value for https
// (unsupported), another scheme, no host, a port that is not 1-65535, a query or fragment.
Result<ChatEndpoint> ParseChatBaseUrl(std::string_view url, std::string_view flag);

// The API key from ORCHESTRA_LLM_API_KEY; "" when unset.
std::string LlmApiKeyFromEnvironment();

struct ChatClientOptions {
  ChatEndpoint endpoint;
  std::string model;    // put in every request's "model"
  std::string api_key;  // "Authorization: Bearer <key>" when not empty
};

class ChatClient {
 public:
  ChatClient(net::HttpClient& client, ChatClientOptions options);

  // POSTs `request` (a chat-completions body; its "model" is set to options.model) and returns
  // the completion, before `deadline`. Errors name the endpoint ("LLM http://...: ..."):
  // the transport's (kDeadline when no answer in time, kUnavailable when unreachable), a
  // non-200 status as ExpertStatusError (with a body excerpt), kMalformedAnswer for a body
  // that is not a JSON object or has no choices[0].message.
  boost::asio::awaitable<Result<Json>> Complete(Json request, Deadline deadline);

  const std::string& model() const { return options_.model; }
  // "LLM <base url>", how messages name the endpoint.
  const std::string& who() const { return who_; }

 private:
  net::HttpClient& client_;
  ChatClientOptions options_;
  std::string who_;
};

}  // namespace orchestra::experts
