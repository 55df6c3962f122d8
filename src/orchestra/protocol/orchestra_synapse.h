#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "orchestra/core/json.h"
#include "orchestra/core/result.h"

namespace orchestra::protocol {

inline constexpr int64_t kDefaultDeadlineMs = 30000;

// What a validator (or an organic user) asks of a miner: the input half of OrchestraSynapse.
struct Challenge {
  std::string challenge_id;
  std::string objective;
  Json target_schema;  // seed shorthand or JSON Schema; compiled by the schema module
  int64_t deadline_ms = kDefaultDeadlineMs;
  Json hints;  // null when absent
};

// One hired expert call (or a local step) in the answer's task_pipeline. The seed's fields
// plus what a DAG and an audit need (PROTOCOL.md §3).
struct TaskStep {
  int step = 0;  // 1-based position in the plan
  std::string subnet;
  std::string task;
  Json query;        // the payload sent to the expert
  std::string hash;  // proof of the call: the receipt's hash, "0x" + 64 hex ("" when no answer)
  int64_t latency_ms = 0;
  double cost = 0.0;
  std::optional<std::string> error;  // set when the step failed or was skipped
  std::vector<int> depends_on;
  int uid = -1;
  std::string expert_hotkey;
  int attempts = 0;
  int64_t started_ms = 0;  // offset from challenge receipt
  Json receipt;            // the expert's signed protocol::Receipt; null when no answer
};

// The miner's answer: the output half of OrchestraSynapse.
struct Response {
  std::string challenge_id;
  std::vector<TaskStep> task_pipeline;
  Json standardized_data;
  std::string final_synthesis;
  double total_cost = 0.0;
  int64_t total_latency_ms = 0;
  std::string ledger_version;
  Json provenance;  // output JSON path -> list of step numbers the value came from
};

// Reads a challenge. Errors name the field and what is wrong with it ("deadline_ms: must be
// a positive integer"). `challenge_id` may be absent: the caller then assigns one.
Result<Challenge> ChallengeFromJson(const Json& json);
Json ToJson(const Challenge& challenge);

Json ToJson(const TaskStep& step);
Result<TaskStep> TaskStepFromJson(const Json& json);

Json ToJson(const Response& response);
Result<Response> ResponseFromJson(const Json& json);

// A fresh challenge id: "0x" + 64 hex of blake2b over the objective, the time and randomness.
std::string NewChallengeId(std::string_view objective);

}  // namespace orchestra::protocol
