#include "orchestra/validator/llm_judge.h"

#include <fmt/format.h>

#include <cctype>
#include <cmath>
#include <cstdlib>

#include "orchestra/core/json.h"
#include "orchestra/experts/adapters.h"

namespace orchestra::validator {
namespace {

constexpr std::string_view kSystem =
    "You grade how a miner decomposed an objective into expert calls (a task DAG). Judge only "
    "the logic: are the steps the right ones for the objective, in a sound order, without "
    "waste? Answer with a JSON object {\"score\": <number from 0 to 1>, \"rationale\": "
    "\"<one sentence>\"}.";

Result<double> Normalise(double x) {
  if (!std::isfinite(x) || x < 0.0 || x > 10.0) {
    return Error(ErrorCode::kMalformedAnswer, fmt::format("grade {} is not in [0, 1]", x));
  }
  return x > 1.0 ? x / 10.0 : x;
}

}  // namespace

Result<LlmGrade> ParseGrade(std::string_view content) {
  if (auto json = ParseJson(content, "grade"); json && json->is_object()) {
    double score = 0.0;
    const Json* s = JsonFind(*json, "score");
    if (s && JsonNumber(*s, &score)) {
      auto normalised = Normalise(score);
      if (!normalised) return normalised.error();
      return LlmGrade{*normalised, JsonString(*json, "rationale")};
    }
  }
  for (size_t i = 0; i < content.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(content[i]))) continue;
    size_t j = i;
    while (j < content.size() &&
           (std::isdigit(static_cast<unsigned char>(content[j])) || content[j] == '.')) {
      ++j;
    }
    const std::string number(content.substr(i, std::min<size_t>(j - i, 32)));
    auto normalised = Normalise(std::strtod(number.c_str(), nullptr));
    if (!normalised) return normalised.error();
    return LlmGrade{*normalised, std::string(content.substr(0, 200))};
  }
  return Error(ErrorCode::kMalformedAnswer, "the judge's answer holds no grade");
}

std::string JudgeRequestBody(const LlmJudgeOptions& options, const protocol::Challenge& challenge,
                             const protocol::Response& response) {
  std::string dag;
  for (const auto& s : response.task_pipeline) {
    std::string deps;
    for (int d : s.depends_on) deps += fmt::format("{}{}", deps.empty() ? "" : ",", d);
    dag += fmt::format("step {}: {} on {} (depends on [{}]){}\n", s.step, s.task, s.subnet, deps,
                       s.error ? " failed: " + *s.error : "");
  }
  const std::string user = fmt::format("Objective: {}\nTask DAG:\n{}", challenge.objective, dag);
  return CompactJson(
      JsonObject{{"model", options.model},
                 {"temperature", 0},
                 {"messages", JsonArray{JsonObject{{"role", "system"}, {"content", kSystem}},
                                        JsonObject{{"role", "user"}, {"content", user}}}}});
}

LlmJudge::LlmJudge(net::HttpClient& client, LlmJudgeOptions options)
    : options_(std::move(options)),
      chat_(client,
            experts::ChatClientOptions{
                experts::ChatEndpoint{options_.host, options_.port, "/v1/chat/completions",
                                      fmt::format("http://{}:{}", options_.host, options_.port)},
                options_.model, options_.api_key}) {}

boost::asio::awaitable<Result<LlmGrade>> LlmJudge::Grade(const protocol::Challenge& challenge,
                                                         const protocol::Response& response,
                                                         Deadline deadline) {
  auto body = ParseJson(JudgeRequestBody(options_, challenge, response), "judge request");
  if (!body) co_return body.error();
  auto completion = co_await chat_.Complete(std::move(*body), deadline);
  if (!completion) co_return completion.error();
  auto content = experts::ReadChatText(*completion);
  if (!content)
    co_return Error(ErrorCode::kMalformedAnswer, chat_.who() + ": " + content.error().message);
  auto grade = ParseGrade(*content);
  if (!grade) co_return Error(grade.error().code, chat_.who() + ": " + grade.error().message);
  co_return *grade;
}

}  // namespace orchestra::validator
