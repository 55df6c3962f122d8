#include "orchestra/synth/assemble.h"

#include <fmt/format.h>

#include <cctype>
#include <map>
#include <set>

#include "orchestra/core/text.h"

namespace orchestra::synth {
namespace {

// Whether `needle` is `haystack` or in it: a string (of 3 characters or more) inside a longer
// text, or a number written in a text (a chat answer carries its JSON as text).
bool Contains(const Json& haystack, const Json& needle) {
  if (haystack == needle) return true;
  if (haystack.is_string() && needle.is_string() && needle.get_string().size() >= 3) {
    return std::string_view(haystack.get_string()).find(needle.get_string()) !=
           std::string_view::npos;
  }
  if (haystack.is_string() && needle.is_number()) {
    const std::string number = CompactJson(needle);
    return number.size() >= 3 &&
           std::string_view(haystack.get_string()).find(number) != std::string_view::npos;
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
// longer text). Leaves no output holds (a value the standardizer converted) get no entry.
void Trace(const Json& value, const std::string& path, const std::map<int, Json>& outputs,
           JsonObject& provenance) {
  if (value.is_object()) {
    for (const auto& kv : value.get_object()) {
      Trace(kv.value(), path + "." + std::string(kv.key()), outputs, provenance);
    }
    return;
  }
  if (value.is_array()) {
    const auto& a = value.get_array();
    for (size_t i = 0; i < a.size(); ++i) {
      Trace(a[i], fmt::format("{}[{}]", path, i), outputs, provenance);
    }
    return;
  }
  if (value.is_null()) return;
  JsonArray steps;
  for (const auto& [step, output] : outputs) {
    if (Contains(output, value)) steps.push_back(step);
  }
  if (steps.empty() && value.is_string()) {
    // A text composed of sentences from several answers (a summary): the steps holding any
    // of its sentences, each without the full stop a joined sentence may have been given.
    std::set<int> holding;
    for (std::string_view sentence : SplitSentences(value.get_string())) {
      if (sentence.ends_with('.')) sentence.remove_suffix(1);
      const Json needle(sentence);
      for (const auto& [step, output] : outputs) {
        if (Contains(output, needle)) holding.insert(step);
      }
    }
    for (int step : holding) steps.push_back(step);
  }
  if (!steps.empty()) provenance[path] = std::move(steps);
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

// "competitors: strengths for Mosquitto and RabbitMQ; recommendation" from the draft's gaps.
std::string NotFound(const std::vector<plan::Gap>& gaps) {
  std::map<std::string, std::vector<std::string>> by_field;  // "list.field" -> item names
  std::vector<std::string> order;
  for (const plan::Gap& gap : gaps) {
    for (const std::string& field : gap.fields) {
      const std::string key =
          gap.item_name.empty() || gap.target.empty() ? field : gap.target + "." + field;
      if (!by_field.contains(key)) order.push_back(key);
      auto& names = by_field[key];
      if (!gap.item_name.empty()) names.push_back(gap.item_name);
    }
  }
  std::string out;
  for (const auto& key : order) {
    std::string part = key;
    const auto& names = by_field[key];
    if (!names.empty()) {
      part += " (for ";
      for (size_t i = 0; i < names.size(); ++i) part += (i ? ", " : "") + names[i];
      part += ")";
    }
    out += (out.empty() ? "" : "; ") + part;
  }
  return out;
}

}  // namespace

Synthesis Assemble(const schema::Schema& target, const plan::Brief& brief, const Material& material,
                   const std::map<int, Json>& outputs) {
  Draft draft = MakeDraft(brief.needs, brief.topic, material);
  schema::Standardized standardized = schema::Standardize(draft.document, target);
  Synthesis out;
  out.standardized_data = std::move(standardized.clean);
  out.missing = std::move(standardized.missing);
  out.coercions = std::move(standardized.coercions);
  JsonObject provenance;
  Trace(out.standardized_data, "$", outputs, provenance);
  out.provenance = std::move(provenance);
  out.final_synthesis = Paragraph(out.standardized_data);
  if (out.final_synthesis.empty()) {
    out.final_synthesis = fmt::format(
        "No expert source on \"{}\" was found; nothing is reported rather than material on "
        "another topic.",
        brief.topic.query());
  }
  if (const std::string gaps = NotFound(draft.gaps); !gaps.empty()) {
    out.final_synthesis += " Not found: " + gaps + ".";
  }
  out.gaps = std::move(draft.gaps);
  return out;
}

}  // namespace orchestra::synth
