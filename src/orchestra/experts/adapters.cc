#include "orchestra/experts/adapters.h"

#include <fmt/format.h>

namespace orchestra::experts {

Family FamilyOf(std::string_view capability) {
  if (capability == "web_search" || capability == "news_search" || capability == "social_search") {
    return Family::kSearch;
  }
  if (capability == "web_scraping" || capability == "structured_extraction" ||
      capability == "pdf_parsing") {
    return Family::kScrape;
  }
  if (capability == "text_generation" || capability == "synthesis" || capability == "reasoning") {
    return Family::kInference;
  }
  return Family::kUnknown;
}

Family FamilyOfRequest(const Json& request) {
  if (!request.is_object()) return Family::kUnknown;
  if (JsonFind(request, "messages")) return Family::kInference;
  if (JsonFind(request, "urls")) return Family::kScrape;
  if (JsonFind(request, "query")) return Family::kSearch;
  return Family::kUnknown;
}

const char* FamilyName(Family family) {
  switch (family) {
    case Family::kSearch:
      return "search";
    case Family::kScrape:
      return "scrape";
    case Family::kInference:
      return "inference";
    case Family::kUnknown:
      break;
  }
  return "unknown";
}

Json SearchRequest(std::string_view query, int max_results, std::string_view search_type) {
  return JsonObject{{"query", query}, {"max_results", max_results}, {"search_type", search_type}};
}

Json ScrapeRequest(const std::vector<std::string>& urls, const std::vector<std::string>& fields) {
  JsonArray url_list, field_list;
  for (const auto& u : urls) url_list.emplace_back(u);
  for (const auto& f : fields) field_list.emplace_back(f);
  return JsonObject{{"urls", std::move(url_list)}, {"extract_fields", std::move(field_list)}};
}

Json ChatRequest(std::string_view model, std::string_view system, std::string_view user,
                 const Json& json_schema, int max_tokens) {
  JsonArray messages{JsonObject{{"role", "system"}, {"content", system}},
                     JsonObject{{"role", "user"}, {"content", user}}};
  JsonObject request{{"model", model},
                     {"messages", std::move(messages)},
                     {"temperature", 0.0},
                     {"max_tokens", max_tokens}};
  if (!json_schema.is_null()) {
    request["response_format"] = JsonObject{
        {"type", "json_schema"},
        {"json_schema",
         JsonObject{{"name", "target_schema"}, {"schema", json_schema}, {"strict", true}}}};
  }
  return request;
}

std::string ContextPrompt(std::string_view objective, std::string_view instructions,
                          const JsonArray& context) {
  std::string one_line(objective);
  for (char& c : one_line) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return fmt::format("Objective: {}\n\n{}\n\nContext (JSON):\n{}", one_line, instructions,
                     CompactJson(context));
}

Result<std::vector<SearchHit>> ReadSearch(const Json& output) {
  const Json* results = JsonFind(output, "results");
  if (!results || !results->is_array()) {
    return Error(ErrorCode::kMalformedAnswer, "search answer: no \"results\" list");
  }
  std::vector<SearchHit> hits;
  for (const Json& r : results->get_array()) {
    if (!r.is_object()) continue;
    SearchHit hit;
    hit.title = JsonString(r, "title");
    hit.url = JsonString(r, "link");
    if (hit.url.empty()) hit.url = JsonString(r, "url");
    if (hit.url.empty() && hit.title.empty()) continue;
    hit.snippet = JsonString(r, "snippet");
    hit.published_date = JsonString(r, "published_date");
    hits.push_back(std::move(hit));
  }
  return hits;
}

Result<std::vector<Record>> ReadScrape(const Json& output) {
  const Json* data = JsonFind(output, "data");
  if (!data || !data->is_array()) {
    return Error(ErrorCode::kMalformedAnswer, "scrape answer: no \"data\" list");
  }
  std::vector<Record> records;
  for (const Json& d : data->get_array()) {
    if (!d.is_object()) continue;
    Record record;
    for (const auto& kv : d.get_object()) {
      if (kv.key() == "url" || kv.key() == "link") {
        if (record.url.empty() && kv.value().is_string()) record.url = kv.value().get_string();
        continue;
      }
      record.fields[kv.key()] = kv.value();
    }
    records.push_back(std::move(record));
  }
  return records;
}

Result<std::string> ReadChatText(const Json& completion) {
  const Json* choices = JsonFind(completion, "choices");
  if (!choices || !choices->is_array() || choices->get_array().empty()) {
    return Error(ErrorCode::kMalformedAnswer, "chat completion has no choices");
  }
  const Json* message = JsonFind(choices->get_array().front(), "message");
  const Json* content = message ? JsonFind(*message, "content") : nullptr;
  if (!content || !content->is_string()) {
    return Error(ErrorCode::kMalformedAnswer, "chat completion choice has no text content");
  }
  return std::string(content->get_string());
}

Result<Json> ReadChatJson(const Json& completion) {
  auto text = ReadChatText(completion);
  if (!text) return text.error();
  auto json = ParseJson(*text, "chat completion content");
  if (!json) return Error(ErrorCode::kMalformedAnswer, json.error().message);
  return json;
}

}  // namespace orchestra::experts
