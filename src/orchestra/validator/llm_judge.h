#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "orchestra/core/deadline.h"
#include "orchestra/core/result.h"
#include "orchestra/experts/chat_client.h"
#include "orchestra/net/http_client.h"
#include "orchestra/protocol/orchestra_synapse.h"

// The optional LLM judge of seed 004's R (the logic of the task decomposition), over any
// OpenAI-compatible endpoint (POST /v1/chat/completions, through experts::ChatClient). Off by
// default: the scorer uses a grade only when the caller passes one
// (ScoringInput::llm_reasoning), and then averages it with the deterministic DAG judge. Not
// thread-safe: use from coroutines on the client's executor; the client must outlive the judge.
namespace orchestra::validator {

struct LlmJudgeOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  std::string model = "orchestra-judge";
  std::string api_key;  // sent as "Authorization: Bearer ..." when not empty
};

struct LlmGrade {
  double score = 0.0;  // in [0, 1]
  std::string rationale;
};

// The grade in a completion's content: a JSON object {"score": x, "rationale": "..."} or else
// the first number in the text; a number in (1, 10] is read as out of 10. Errors
// (kMalformedAnswer) say what the content lacked.
Result<LlmGrade> ParseGrade(std::string_view content);

// The chat-completion request body the judge sends for `response` to `challenge`: the
// objective and each step (number, subnet, task, dependencies, success), never the data.
std::string JudgeRequestBody(const LlmJudgeOptions& options, const protocol::Challenge& challenge,
                             const protocol::Response& response);

class LlmJudge {
 public:
  LlmJudge(net::HttpClient& client, LlmJudgeOptions options);

  // Errors: the client's (experts::ChatClient::Complete: kDeadline, kUnavailable, a non-200
  // status, a body that is not a chat completion), kMalformedAnswer for content without a
  // grade; each names the endpoint.
  boost::asio::awaitable<Result<LlmGrade>> Grade(const protocol::Challenge& challenge,
                                                 const protocol::Response& response,
                                                 Deadline deadline);

 private:
  LlmJudgeOptions options_;
  experts::ChatClient chat_;
};

}  // namespace orchestra::validator
