#include "orchestra/synth/assemble.h"

#include <fmt/format.h>

#include <cctype>
#include <set>

namespace orchestra::synth {
namespace {

// Every scraped or extracted record of the non-synthesis steps.
JsonArray Records(const exec::Execution& execution, int synthesis_step) {
  JsonArray records;
  for (const auto& [step, output] : execution.outputs) {
    if (step == synthesis_step) continue;
    if (const Json* data = JsonFind(output, "data"); data && data->is_array()) {
      for (const Json& r : data->get_array()) records.push_back(r);
    }
  }
  return records;
}

// When the synthesis expert gave nothing usable, the entity records go to the first list
// property of the target; standardization does the key matching.
Json FallbackDocument(const schema::Schema& target, const exec::Execution& execution,
                      int synthesis_step) {
  JsonObject doc;
  const Json& js = target.json_schema();
  const Json* props = JsonFind(js, "properties");
  if (!props || !props->is_object()) return doc;
  for (const auto& kv : props->get_object()) {
    if (JsonString(kv.value(), "type") == "array") {
      doc[kv.key()] = Records(execution, synthesis_step);
      break;
    }
  }
  return doc;
}

bool Contains(const Json& haystack, const Json& needle) {
  if (haystack == needle) return true;
  if (haystack.is_string() && needle.is_string() && needle.get_string().size() >= 3) {
    return std::string_view(haystack.get_string()).find(needle.get_string()) !=
           std::string_view::npos;
  }
  if (haystack.is_array()) {
    for (const Json& v : haystack.get_array()) {
      if (Contains(v, needle)) return true;
    }
  }
  if (haystack.is_object()) {
    for (const auto& kv : haystack.get_object()) {
      if (Contains(kv.value(), needle)) return true;
    }
  }
  return false;
}

// For every leaf of `value`, the steps whose output holds it (verbatim or as a substring of a
// longer text), followed by the synthesis step that placed it.
void Trace(const Json& value, const std::string& path, const exec::Execution& execution,
           int synthesis_step, JsonObject& provenance) {
  if (value.is_object()) {
    for (const auto& kv : value.get_object()) {
      Trace(kv.value(), path + "." + std::string(kv.key()), execution, synthesis_step, provenance);
    }
    return;
  }
  if (value.is_array()) {
    const auto& a = value.get_array();
    for (size_t i = 0; i < a.size(); ++i) {
      Trace(a[i], fmt::format("{}[{}]", path, i), execution, synthesis_step, provenance);
    }
    return;
  }
  if (value.is_null()) return;
  JsonArray steps;
  for (const auto& [step, output] : execution.outputs) {
    if (step != synthesis_step && Contains(output, value)) steps.push_back(step);
  }
  if (synthesis_step > 0 && execution.outputs.contains(synthesis_step))
    steps.push_back(synthesis_step);
  provenance[path] = std::move(steps);
}

std::string Humanize(std::string_view key) {
  std::string out;
  for (char c : key) out += (c == '_') ? ' ' : c;
  if (!out.empty()) out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
  return out;
}

std::string Scalar(const Json& v) {
  if (v.is_string()) return std::string(v.get_string());
  if (v.is_array()) {
    std::string out;
    for (const Json& x : v.get_array()) {
      if (!out.empty()) out += ", ";
      out += Scalar(x);
    }
    return out;
  }
  if (v.is_object()) {
    std::string out;
    for (const auto& kv : v.get_object()) {
      if (!out.empty()) out += ", ";
      out += Humanize(kv.key()) + " " + Scalar(kv.value());
    }
    return out;
  }
  return CompactJson(v);
}

std::string Sentence(std::string text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  if (!text.empty() && text.back() != '.' && text.back() != '!' && text.back() != '?') text += '.';
  return text;
}

// One sentence per top-level field: lists of records name each record by its first field and
// describe it by its second; scalars and objects are written out.
std::string Paragraph(const Json& doc) {
  std::vector<std::string> sentences;
  if (!doc.is_object()) return "";
  for (const auto& kv : doc.get_object()) {
    const Json& v = kv.value();
    if (v.is_array() && !v.get_array().empty() && v.get_array().front().is_object()) {
      std::vector<std::string> items;
      for (const Json& item : v.get_array()) {
        const auto& o = item.get_object();
        auto it = o.begin();
        if (it == o.end()) continue;
        std::string s = Scalar(it->value());
        if (++it != o.end() && !Scalar(it->value()).empty()) s += " (" + Scalar(it->value()) + ")";
        items.push_back(s);
      }
      std::string joined;
      for (size_t i = 0; i < items.size(); ++i) joined += (i ? "; " : "") + items[i];
      sentences.push_back(
          Sentence(fmt::format("{} ({}): {}", Humanize(kv.key()), items.size(), joined)));
    } else if (!v.is_null()) {
      const std::string text = Scalar(v);
      if (!text.empty()) sentences.push_back(Sentence(Humanize(kv.key()) + ": " + text));
    }
  }
  std::string out;
  for (const auto& s : sentences) out += (out.empty() ? "" : " ") + s;
  return out;
}

}  // namespace

Result<Json> ChatContentJson(const Json& completion) {
  const Json* choices = JsonFind(completion, "choices");
  if (!choices || !choices->is_array() || choices->get_array().empty()) {
    return Error(ErrorCode::kMalformedAnswer, "chat completion has no choices");
  }
  const Json* message = JsonFind(choices->get_array().front(), "message");
  const Json* content = message ? JsonFind(*message, "content") : nullptr;
  if (!content || !content->is_string()) {
    return Error(ErrorCode::kMalformedAnswer, "chat completion choice has no text content");
  }
  auto json = ParseJson(content->get_string(), "chat completion content");
  if (!json) return Error(ErrorCode::kMalformedAnswer, json.error().message);
  return json;
}

Synthesis Assemble(const schema::Schema& target, const exec::Execution& execution,
                   int synthesis_step) {
  Json dirty;
  auto synthesized = execution.outputs.find(synthesis_step);
  if (synthesized != execution.outputs.end()) {
    if (auto content = ChatContentJson(synthesized->second)) dirty = std::move(*content);
  }
  if (dirty.is_null()) dirty = FallbackDocument(target, execution, synthesis_step);

  schema::Standardized standardized = schema::Standardize(dirty, target);
  Synthesis out;
  out.standardized_data = std::move(standardized.clean);
  out.missing = std::move(standardized.missing);
  out.coercions = std::move(standardized.coercions);
  JsonObject provenance;
  Trace(out.standardized_data, "$", execution, synthesis_step, provenance);
  out.provenance = std::move(provenance);
  out.final_synthesis = Paragraph(out.standardized_data);
  if (!out.missing.empty()) {
    std::string missing;
    for (const auto& m : out.missing) missing += (missing.empty() ? "" : ", ") + m;
    out.final_synthesis += (out.final_synthesis.empty() ? "" : " ") +
                           fmt::format("Not found by any expert: {}.", missing);
  }
  return out;
}

}  // namespace orchestra::synth
