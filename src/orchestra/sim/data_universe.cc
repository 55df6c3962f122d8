#include "orchestra/sim/data_universe.h"

#include <fmt/format.h>

#include <optional>

#include "orchestra/sim/text.h"

namespace orchestra::sim {
namespace {

constexpr size_t kMaxUrls = 20;

Error Invalid(std::string message) {
  return Error(ErrorCode::kInvalidArgument, std::move(message));
}

// The requested field `wanted_name` of `doc`: the best key match among its structured fields
// and its page attributes; on equal match quality, structured fields first, in document order.
std::optional<Json> ExtractField(const Document& doc, std::string_view wanted_name) {
  const std::string wanted = NormalizeKey(wanted_name);
  const Json* best = nullptr;
  int best_rank = 3;
  const auto consider = [&](std::string_view key, const Json& value) {
    const int rank = KeyMatchRank(wanted, key);
    if (rank >= 0 && rank < best_rank && !value.is_null()) {
      best = &value;
      best_rank = rank;
    }
  };
  for (const auto& member : doc.fields) consider(NormalizeKey(member.key()), member.value());
  const Json attributes[] = {Json(doc.title), Json(doc.text), Json(doc.snippet),
                             Json(doc.published_date), Json(doc.kind)};
  const std::string_view attribute_names[] = {"title", "text", "snippet", "publisheddate", "kind"};
  for (size_t i = 0; i < std::size(attributes); ++i) {
    if (!attributes[i].get_string().empty()) consider(attribute_names[i], attributes[i]);
  }
  if (best == nullptr) return std::nullopt;
  return *best;
}

}  // namespace

Result<Json> Scrape(const Corpus& corpus, const Json& input) {
  if (!input.is_object()) return Invalid("scrape input: expected a JSON object");
  const JsonObject& request = input.get_object();

  const Json* urls = request.if_contains("urls");
  if (urls == nullptr || urls->is_null()) return Invalid("urls: required");
  if (!urls->is_array()) return Invalid("urls: expected a list of strings");
  const JsonArray& url_list = urls->get_array();
  if (url_list.empty() || url_list.size() > kMaxUrls) {
    return Invalid(fmt::format("urls: {} given, expected 1..{}", url_list.size(), kMaxUrls));
  }
  for (size_t i = 0; i < url_list.size(); ++i) {
    if (!url_list[i].is_string() || Trim(url_list[i].get_string()).empty()) {
      return Invalid(fmt::format("urls[{}]: expected a non-empty string", i));
    }
  }

  std::vector<std::string> fields;
  if (const Json* value = request.if_contains("extract_fields"); value && !value->is_null()) {
    if (!value->is_array()) return Invalid("extract_fields: expected a list of strings");
    const JsonArray& list = value->get_array();
    for (size_t i = 0; i < list.size(); ++i) {
      if (!list[i].is_string()) {
        return Invalid(fmt::format("extract_fields[{}]: expected a string", i));
      }
      fields.emplace_back(list[i].get_string());
    }
  }

  JsonArray data;
  JsonArray errors;
  for (const Json& url : url_list) {
    const Document* doc = corpus.FindByUrl(url.get_string());
    if (doc == nullptr) {
      errors.push_back(JsonObject{{"url", url}, {"error", "not found"}});
      continue;
    }
    JsonObject record{{"url", url}, {"title", doc->title}};
    if (fields.empty()) {
      for (const auto& member : doc->fields) record[member.key()] = member.value();
      record["snippet"] = doc->snippet;
      record["published_date"] = doc->published_date;
    }
    for (const std::string& field : fields) {
      if (NormalizeKey(field) == "url") continue;
      if (auto value = ExtractField(*doc, field)) record[field] = std::move(*value);
    }
    data.push_back(std::move(record));
  }
  return Json(JsonObject{{"data", std::move(data)}, {"errors", std::move(errors)}});
}

}  // namespace orchestra::sim
