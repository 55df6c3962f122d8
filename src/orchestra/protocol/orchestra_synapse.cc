#include "orchestra/protocol/orchestra_synapse.h"

#include <fmt/format.h>
#include <sodium.h>

#include <chrono>

#include "orchestra/core/hash.h"

namespace orchestra::protocol {
namespace {

Error FieldError(std::string_view field, std::string_view what) {
  return Error(ErrorCode::kInvalidArgument, fmt::format("{}: {}", field, what));
}

// Reads an optional string member; `*out` untouched when absent. Errors when of another type.
Status ReadString(const Json& obj, std::string_view field, std::string* out, bool required) {
  const Json* v = JsonFind(obj, field);
  if (!v || v->is_null()) {
    if (required) return FieldError(field, "is required");
    return {};
  }
  if (!v->is_string()) return FieldError(field, "must be a string");
  *out = std::string(v->get_string());
  return {};
}

Status ReadInt(const Json& obj, std::string_view field, int64_t* out, bool required) {
  const Json* v = JsonFind(obj, field);
  if (!v || v->is_null()) {
    if (required) return FieldError(field, "is required");
    return {};
  }
  if (!JsonInteger(*v, out)) return FieldError(field, "must be an integer");
  return {};
}

Status ReadDouble(const Json& obj, std::string_view field, double* out) {
  const Json* v = JsonFind(obj, field);
  if (!v || v->is_null()) return {};
  if (!JsonNumber(*v, out)) return FieldError(field, "must be a number");
  return {};
}

}  // namespace

Result<Challenge> ChallengeFromJson(const Json& json) {
  if (!json.is_object())
    return Error(ErrorCode::kInvalidArgument, "challenge: must be a JSON object");
  Challenge c;
  if (auto s = ReadString(json, "challenge_id", &c.challenge_id, false); !s) return s.error();
  if (auto s = ReadString(json, "objective", &c.objective, true); !s) return s.error();
  if (c.objective.empty()) return FieldError("objective", "must not be empty");
  const Json* schema = JsonFind(json, "target_schema");
  if (!schema || schema->is_null()) return FieldError("target_schema", "is required");
  if (!schema->is_object()) return FieldError("target_schema", "must be a JSON object");
  c.target_schema = *schema;
  if (auto s = ReadInt(json, "deadline_ms", &c.deadline_ms, false); !s) return s.error();
  if (c.deadline_ms <= 0) return FieldError("deadline_ms", "must be a positive integer");
  if (const Json* hints = JsonFind(json, "hints"); hints && !hints->is_null()) {
    if (!hints->is_object()) return FieldError("hints", "must be a JSON object or null");
    c.hints = *hints;
  }
  return c;
}

Json ToJson(const Challenge& c) {
  return JsonObject{{"challenge_id", c.challenge_id},
                    {"objective", c.objective},
                    {"target_schema", c.target_schema},
                    {"deadline_ms", c.deadline_ms},
                    {"hints", c.hints}};
}

Json ToJson(const TaskStep& s) {
  JsonArray deps;
  for (int d : s.depends_on) deps.push_back(d);
  JsonObject o{{"step", s.step},
               {"subnet", s.subnet},
               {"task", s.task},
               {"query", s.query},
               {"hash", s.hash},
               {"latency_ms", s.latency_ms},
               {"cost", s.cost},
               {"error", s.error ? Json(*s.error) : Json(nullptr)},
               {"depends_on", std::move(deps)},
               {"uid", s.uid},
               {"expert_hotkey", s.expert_hotkey},
               {"attempts", s.attempts},
               {"started_ms", s.started_ms},
               {"receipt", s.receipt}};
  return o;
}

Result<TaskStep> TaskStepFromJson(const Json& json) {
  if (!json.is_object()) return Error(ErrorCode::kInvalidArgument, "task step: must be an object");
  TaskStep s;
  int64_t step = 0, uid = -1, attempts = 0;
  if (auto r = ReadInt(json, "step", &step, true); !r) return r.error();
  s.step = static_cast<int>(step);
  if (auto r = ReadString(json, "subnet", &s.subnet, true); !r) return r.error();
  if (auto r = ReadString(json, "task", &s.task, true); !r) return r.error();
  if (const Json* q = JsonFind(json, "query")) s.query = *q;
  if (auto r = ReadString(json, "hash", &s.hash, false); !r) return r.error();
  if (auto r = ReadInt(json, "latency_ms", &s.latency_ms, false); !r) return r.error();
  if (auto r = ReadDouble(json, "cost", &s.cost); !r) return r.error();
  std::string error;
  if (auto r = ReadString(json, "error", &error, false); !r) return r.error();
  if (const Json* e = JsonFind(json, "error"); e && e->is_string()) s.error = error;
  if (const Json* deps = JsonFind(json, "depends_on"); deps && !deps->is_null()) {
    if (!deps->is_array()) return FieldError("depends_on", "must be a list of step numbers");
    for (const Json& d : deps->get_array()) {
      if (!d.is_int64()) return FieldError("depends_on", "must be a list of step numbers");
      s.depends_on.push_back(static_cast<int>(d.get_int64()));
    }
  }
  if (auto r = ReadInt(json, "uid", &uid, false); !r) return r.error();
  s.uid = static_cast<int>(uid);
  if (auto r = ReadString(json, "expert_hotkey", &s.expert_hotkey, false); !r) return r.error();
  if (auto r = ReadInt(json, "attempts", &attempts, false); !r) return r.error();
  s.attempts = static_cast<int>(attempts);
  if (auto r = ReadInt(json, "started_ms", &s.started_ms, false); !r) return r.error();
  if (const Json* rc = JsonFind(json, "receipt")) s.receipt = *rc;
  return s;
}

Json ToJson(const Response& r) {
  JsonArray steps;
  for (const auto& s : r.task_pipeline) steps.push_back(ToJson(s));
  return JsonObject{{"challenge_id", r.challenge_id},
                    {"task_pipeline", std::move(steps)},
                    {"standardized_data", r.standardized_data},
                    {"final_synthesis", r.final_synthesis},
                    {"total_cost", r.total_cost},
                    {"total_latency_ms", r.total_latency_ms},
                    {"ledger_version", r.ledger_version},
                    {"provenance", r.provenance}};
}

Result<Response> ResponseFromJson(const Json& json) {
  if (!json.is_object()) return Error(ErrorCode::kInvalidArgument, "response: must be an object");
  Response r;
  if (auto s = ReadString(json, "challenge_id", &r.challenge_id, true); !s) return s.error();
  const Json* steps = JsonFind(json, "task_pipeline");
  if (!steps || !steps->is_array()) return FieldError("task_pipeline", "must be a list");
  for (size_t i = 0; i < steps->get_array().size(); ++i) {
    auto step = TaskStepFromJson(steps->get_array()[i]);
    if (!step) {
      return Error(step.error().code, fmt::format("task_pipeline[{}].{}", i, step.error().message));
    }
    r.task_pipeline.push_back(std::move(*step));
  }
  if (const Json* d = JsonFind(json, "standardized_data")) r.standardized_data = *d;
  if (auto s = ReadString(json, "final_synthesis", &r.final_synthesis, false); !s) return s.error();
  if (auto s = ReadDouble(json, "total_cost", &r.total_cost); !s) return s.error();
  if (auto s = ReadInt(json, "total_latency_ms", &r.total_latency_ms, false); !s) return s.error();
  if (auto s = ReadString(json, "ledger_version", &r.ledger_version, false); !s) return s.error();
  if (const Json* p = JsonFind(json, "provenance")) r.provenance = *p;
  return r;
}

std::string NewChallengeId(std::string_view objective) {
  uint8_t nonce[16];
  randombytes_buf(nonce, sizeof(nonce));
  const auto now = std::chrono::system_clock::now().time_since_epoch().count();
  return PrefixedHex(
      Blake2b256(fmt::format("{}|{}|{}", objective, now, Hex(nonce, sizeof(nonce)))));
}

}  // namespace orchestra::protocol
