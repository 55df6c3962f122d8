#pragma once

#include "orchestra/experts/directory.h"
#include "orchestra/experts/transport.h"
#include "orchestra/net/http_client.h"

namespace orchestra::experts {

// Calls expert UIDs over HTTP: a synapse subnet at POST /<synapse>, an OpenAI-compatible one at
// POST /v1/chat/completions; the hash lock travels in the `orchestra-lock` header and the
// expert's signed receipt comes back in the `orchestra-receipt` header (JSON). The UID is
// chosen round-robin by attempt, so a retry goes to another UID when the subnet has several.
// Not thread-safe: use from one event-loop thread (as the executor does).
class HttpTransport : public Transport {
 public:
  HttpTransport(net::HttpClient& client, const Directory& directory)
      : client_(client), directory_(directory) {}
  boost::asio::awaitable<Result<ExpertReply>> Call(ExpertCall call, Deadline deadline) override;

 private:
  net::HttpClient& client_;
  const Directory& directory_;
};

// Maps an expert's HTTP answer to our error model (exposed for tests): 200 with a JSON object
// body → the output; 408/504 → kDeadline; 429/5xx → kUnavailable; anything else or a body that
// is not a JSON object → kMalformedAnswer. `who` names the expert in messages.
Result<Json> InterpretAnswer(int status, std::string_view body, std::string_view who);

}  // namespace orchestra::experts
