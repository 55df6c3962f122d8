#include "orchestra/validator/reference.h"

#include <fmt/format.h>

namespace orchestra::validator {
namespace {

// Reads the members of one JSON object, remembering the path for error messages.
class Reader {
 public:
  Reader(const Json& json, std::string path) : json_(json), path_(std::move(path)) {}

  Status Object() const {
    if (!json_.is_object()) return Fail(path_, "must be a JSON object");
    return {};
  }
  Status String(std::string_view key, std::string* out, bool required = false) const {
    const Json* v = JsonFind(json_, key);
    if (!v || v->is_null()) return required ? Fail(Path(key), "is required") : Status();
    if (!v->is_string()) return Fail(Path(key), "must be a string");
    *out = std::string(v->get_string());
    return {};
  }
  Status Number(std::string_view key, double* out) const {
    const Json* v = JsonFind(json_, key);
    if (!v || v->is_null()) return {};
    if (!JsonNumber(*v, out)) return Fail(Path(key), "must be a number");
    return {};
  }
  Status Int(std::string_view key, int* out) const {
    const Json* v = JsonFind(json_, key);
    int64_t value = 0;
    if (!v || v->is_null()) return {};
    if (!JsonInteger(*v, &value) || value < 0 || value > 65535)
      return Fail(Path(key), "must be an integer from 0 to 65535");
    *out = static_cast<int>(value);
    return {};
  }
  Status Strings(std::string_view key, std::vector<std::string>* out) const {
    const Json* v = JsonFind(json_, key);
    if (!v || v->is_null()) return {};
    if (!v->is_array()) return Fail(Path(key), "must be an array of strings");
    for (size_t i = 0; i < v->get_array().size(); ++i) {
      const Json& item = v->get_array()[i];
      if (!item.is_string()) return Fail(fmt::format("{}[{}]", Path(key), i), "must be a string");
      out->emplace_back(item.get_string());
    }
    return {};
  }
  // The member as it is (null when absent).
  Json Raw(std::string_view key) const {
    const Json* v = JsonFind(json_, key);
    return v ? *v : Json();
  }
  const Json* Find(std::string_view key) const { return JsonFind(json_, key); }
  std::string Path(std::string_view key) const { return fmt::format("{}.{}", path_, key); }

  static Error Fail(std::string_view path, std::string_view what) {
    return Error(ErrorCode::kInvalidArgument, fmt::format("{}: {}", path, what));
  }

 private:
  const Json& json_;
  std::string path_;
};

Json ToJson(const std::vector<std::string>& strings) {
  JsonArray out;
  for (const std::string& s : strings) out.emplace_back(s);
  return out;
}

Result<Route> RouteFromJson(const Json& json, const std::string& path) {
  Route route;
  if (json.is_null()) return route;
  Reader r(json, path);
  if (auto s = r.Object(); !s) return s.error();
  if (auto s = r.Number("cost", &route.cost); !s) return s.error();
  if (auto s = r.Number("critical_path_ms", &route.critical_path_ms); !s) return s.error();
  const Json* steps = r.Find("steps");
  if (steps && !steps->is_null()) {
    if (!steps->is_array()) return Reader::Fail(r.Path("steps"), "must be an array");
    for (size_t i = 0; i < steps->get_array().size(); ++i) {
      Reader step(steps->get_array()[i], fmt::format("{}.steps[{}]", path, i));
      RouteStep out;
      if (auto s = step.Object(); !s) return s.error();
      if (auto s = step.String("capability", &out.capability, true); !s) return s.error();
      if (auto s = step.String("subnet_id", &out.subnet_id, true); !s) return s.error();
      if (auto s = step.Number("cost", &out.cost); !s) return s.error();
      if (auto s = step.Number("latency_ms", &out.latency_ms); !s) return s.error();
      const Json* deps = JsonFind(steps->get_array()[i], "depends_on");
      if (deps && !deps->is_null()) {
        if (!deps->is_array()) return Reader::Fail(step.Path("depends_on"), "must be an array");
        for (const Json& d : deps->get_array()) {
          int64_t index = 0;
          if (!JsonInteger(d, &index) || index < 0 || index >= static_cast<int64_t>(i))
            return Reader::Fail(step.Path("depends_on"), "must list indices of earlier steps");
          out.depends_on.push_back(static_cast<int>(index));
        }
      }
      route.steps.push_back(std::move(out));
    }
  }
  return route;
}

}  // namespace

Json ToJson(const ChallengeReference& reference) {
  JsonObject out;
  out["template"] = reference.template_name;
  out["topic"] = reference.topic;
  out["capabilities"] = ToJson(reference.capabilities);
  out["key"] = JsonObject{{"entities", ToJson(reference.key.entities)},
                          {"facts", ToJson(reference.key.facts)},
                          {"topic_terms", ToJson(reference.key.topic_terms)},
                          {"source_urls", ToJson(reference.key.source_urls)},
                          {"off_topic_terms", ToJson(reference.key.off_topic_terms)}};
  JsonArray steps;
  for (const RouteStep& step : reference.route.steps) {
    JsonArray deps;
    for (int d : step.depends_on) deps.emplace_back(d);
    steps.emplace_back(JsonObject{{"capability", step.capability},
                                  {"subnet_id", step.subnet_id},
                                  {"cost", step.cost},
                                  {"latency_ms", step.latency_ms},
                                  {"depends_on", std::move(deps)}});
  }
  out["route"] = JsonObject{{"steps", std::move(steps)},
                            {"cost", reference.route.cost},
                            {"critical_path_ms", reference.route.critical_path_ms}};
  if (reference.schema_trap) {
    const SchemaTrap& t = *reference.schema_trap;
    out["schema_trap"] =
        JsonObject{{"subnet_id", t.subnet_id}, {"netuid", t.netuid}, {"drift", t.drift}};
  }
  if (reference.logic_trap) {
    const LogicTrap& t = *reference.logic_trap;
    out["logic_trap"] = JsonObject{{"stale_subnet_id", t.stale_subnet_id},
                                   {"stale_netuid", t.stale_netuid},
                                   {"match", t.match},
                                   {"match_contains", t.match_contains},
                                   {"stale_answer", t.stale_answer},
                                   {"truth", t.truth},
                                   {"stale_value", t.stale_value}};
  }
  return out;
}

Result<ChallengeReference> ReferenceFromJson(const Json& json) {
  ChallengeReference ref;
  Reader r(json, "reference");
  if (auto s = r.Object(); !s) return s.error();
  if (auto s = r.String("template", &ref.template_name); !s) return s.error();
  if (auto s = r.String("topic", &ref.topic); !s) return s.error();
  if (auto s = r.Strings("capabilities", &ref.capabilities); !s) return s.error();
  if (const Json* key = r.Find("key"); key && !key->is_null()) {
    Reader k(*key, "reference.key");
    if (auto s = k.Object(); !s) return s.error();
    if (auto s = k.Strings("entities", &ref.key.entities); !s) return s.error();
    if (auto s = k.Strings("facts", &ref.key.facts); !s) return s.error();
    if (auto s = k.Strings("topic_terms", &ref.key.topic_terms); !s) return s.error();
    if (auto s = k.Strings("source_urls", &ref.key.source_urls); !s) return s.error();
    if (auto s = k.Strings("off_topic_terms", &ref.key.off_topic_terms); !s) return s.error();
  }
  auto route = RouteFromJson(r.Raw("route"), "reference.route");
  if (!route) return route.error();
  ref.route = std::move(*route);
  if (const Json* trap = r.Find("schema_trap"); trap && !trap->is_null()) {
    Reader t(*trap, "reference.schema_trap");
    SchemaTrap out;
    if (auto s = t.Object(); !s) return s.error();
    if (auto s = t.String("subnet_id", &out.subnet_id, true); !s) return s.error();
    if (auto s = t.Int("netuid", &out.netuid); !s) return s.error();
    out.drift = t.Raw("drift");
    if (!out.drift.is_object()) return Reader::Fail(t.Path("drift"), "must be a JSON object");
    ref.schema_trap = std::move(out);
  }
  if (const Json* trap = r.Find("logic_trap"); trap && !trap->is_null()) {
    Reader t(*trap, "reference.logic_trap");
    LogicTrap out;
    if (auto s = t.Object(); !s) return s.error();
    if (auto s = t.String("stale_subnet_id", &out.stale_subnet_id, true); !s) return s.error();
    if (auto s = t.Int("stale_netuid", &out.stale_netuid); !s) return s.error();
    if (auto s = t.String("truth", &out.truth, true); !s) return s.error();
    if (auto s = t.String("stale_value", &out.stale_value); !s) return s.error();
    out.match = t.Raw("match");
    out.stale_answer = t.Raw("stale_answer");
    out.match_contains = t.Raw("match_contains");
    if (!out.match_contains.is_null() && !out.match_contains.is_object())
      return Reader::Fail(t.Path("match_contains"), "must be a JSON object");
    if (!out.match.is_object()) return Reader::Fail(t.Path("match"), "must be a JSON object");
    ref.logic_trap = std::move(out);
  }
  return ref;
}

Json ToJson(const GeneratedChallenge& generated) {
  return JsonObject{{"challenge", protocol::ToJson(generated.challenge)},
                    {"reference", ToJson(generated.reference)}};
}

Result<GeneratedChallenge> GeneratedChallengeFromJson(const Json& json) {
  if (!json.is_object())
    return Error(ErrorCode::kInvalidArgument, "challenge file: must be a JSON object");
  const Json* challenge = JsonFind(json, "challenge");
  if (!challenge)
    return Error(ErrorCode::kInvalidArgument, "challenge file: \"challenge\" is required");
  GeneratedChallenge out;
  auto parsed = protocol::ChallengeFromJson(*challenge);
  if (!parsed) return Error(parsed.error().code, "challenge." + parsed.error().message);
  out.challenge = std::move(*parsed);
  if (const Json* reference = JsonFind(json, "reference"); reference && !reference->is_null()) {
    auto ref = ReferenceFromJson(*reference);
    if (!ref) return ref.error();
    out.reference = std::move(*ref);
  }
  return out;
}

}  // namespace orchestra::validator
