#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "orchestra/cli/wiring.h"

namespace orchestra::cli {

struct RunFlags {
  std::string objective;
  std::string schema;     // inline JSON or a file path
  std::string challenge;  // a challenge JSON file
  std::string example;    // a built-in example name
  std::optional<int64_t> deadline_ms;
  bool json_only = false;
  std::string data_dir;
  uint64_t seed = 42;
  double latency_scale = 1.0;
  // The embedded experts' corpus (OpenExpertCorpus, embedded_experts.h): "full" or "curated".
  std::string corpus = "full";
  LlmFlags llm;
  std::optional<double> max_spend;  // TAO the follow-ups may bring a challenge's spend to
};

// `orchestra run`: answers one challenge on the embedded expert network and prints the response
// JSON (and, unless json_only, the pipeline summary). Returns the process exit code: 0 answered
// (possibly partially), 2 bad input, 1 could not run.
int RunCommand(const RunFlags& flags);

}  // namespace orchestra::cli
