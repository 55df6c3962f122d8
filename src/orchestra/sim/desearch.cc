#include "orchestra/sim/desearch.h"

#include <fmt/format.h>

#include <cmath>

#include "orchestra/sim/text.h"

namespace orchestra::sim {
namespace {

constexpr int64_t kDefaultMaxResults = 10;
constexpr int64_t kMaxMaxResults = 100;

Error Invalid(std::string message) {
  return Error(ErrorCode::kInvalidArgument, std::move(message));
}

}  // namespace

Result<Json> Search(const Corpus& corpus, const Json& input) {
  if (!input.is_object()) return Invalid("search input: expected a JSON object");
  const JsonObject& request = input.get_object();

  const Json* query = request.if_contains("query");
  if (query == nullptr || query->is_null()) return Invalid("query: required");
  if (!query->is_string()) return Invalid("query: expected a string");
  if (Trim(query->get_string()).empty()) return Invalid("query: must not be empty");

  int64_t max_results = kDefaultMaxResults;
  if (const Json* value = request.if_contains("max_results"); value && !value->is_null()) {
    double number;
    if (!JsonNumber(*value, &number) || number != std::floor(number)) {
      return Invalid("max_results: expected an integer");
    }
    if (number < 1 || number > kMaxMaxResults) {
      return Invalid(
          fmt::format("max_results: {} is outside 1..{}", FormatDouble(number), kMaxMaxResults));
    }
    max_results = static_cast<int64_t>(number);
  }

  std::string search_type = "web";
  if (const Json* value = request.if_contains("search_type"); value && !value->is_null()) {
    if (!value->is_string()) return Invalid("search_type: expected a string");
    search_type = std::string(value->get_string());
  }

  JsonArray results;
  for (const Document* doc :
       corpus.Search(query->get_string(), static_cast<int>(max_results), search_type)) {
    results.push_back(JsonObject{{"title", doc->title},
                                 {"link", doc->url},
                                 {"snippet", doc->snippet},
                                 {"published_date", doc->published_date}});
  }
  const auto total = static_cast<int64_t>(results.size());
  return Json(JsonObject{{"results", std::move(results)}, {"total_found", total}});
}

}  // namespace orchestra::sim
