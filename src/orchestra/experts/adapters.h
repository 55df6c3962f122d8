#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "orchestra/core/json.h"
#include "orchestra/core/result.h"

// The wire formats of the expert subnets, keyed by capability: a request built from what a
// task needs, an answer read into typed records. Planning speaks only of capabilities and
// these types; nothing else in the miner knows an expert's field names. Pure; thread-safe.
namespace orchestra::experts {

// What a capability does, which decides its request and answer formats (the ledger's
// input_schema/output_schema for the subnets offering it).
enum class Family {
  kSearch,     // web_search, news_search, social_search: {query, max_results, search_type}
  kScrape,     // web_scraping, structured_extraction, pdf_parsing: {urls, extract_fields}
  kInference,  // text_generation, synthesis, reasoning: OpenAI chat completions
  kUnknown,
};
Family FamilyOf(std::string_view capability);
// The family a request belongs to, by its shape (a chat's "messages", a scrape's "urls", a
// search's "query"): for judging a pipeline from its calls alone. kUnknown for anything else.
Family FamilyOfRequest(const Json& request);
const char* FamilyName(Family family);

// One search result.
struct SearchHit {
  std::string title;
  std::string url;
  std::string snippet;
  std::string published_date;  // as the expert wrote it; "" when absent
};

// One record a scraper extracted from a page: the page's URL and the fields it found (keys as
// the expert spelled them; values as it sent them).
struct Record {
  std::string url;
  JsonObject fields;
};

// Search request: {"query", "max_results", "search_type"}; search_type is "web", "news" or
// "social".
Json SearchRequest(std::string_view query, int max_results, std::string_view search_type);

// Scrape request: {"urls", "extract_fields"}.
Json ScrapeRequest(const std::vector<std::string>& urls, const std::vector<std::string>& fields);

// OpenAI chat-completions request: a system and a user message; with `json_schema` (not
// null) the answer is asked for as JSON matching it (response_format json_schema, strict).
Json ChatRequest(std::string_view model, std::string_view system, std::string_view user,
                 const Json& json_schema, int max_tokens);

// The user message of a chat request that works from gathered material:
//   Objective: <objective on one line>\n\n<instructions>\n\nContext (JSON):\n<context>
// `context` is a JSON array of {"step": int, "kind": "search_result" | "record", "data": {}}.
std::string ContextPrompt(std::string_view objective, std::string_view instructions,
                          const JsonArray& context);

// The hits of a search answer ({"results": [{"title", "link" | "url", "snippet",
// "published_date"}], ...}), in order; items that are not objects or have neither a URL nor a
// title are skipped. An answer without a "results" list gives kMalformedAnswer.
Result<std::vector<SearchHit>> ReadSearch(const Json& output);

// The records of a scrape answer ({"data": [{...}], "errors": [...]}): each object of "data"
// with its "url" (or "link") moved out of the fields. An answer without a "data" list gives
// kMalformedAnswer.
Result<std::vector<Record>> ReadScrape(const Json& output);

// The text of a chat completion's first choice; kMalformedAnswer when there is none.
Result<std::string> ReadChatText(const Json& completion);

// The JSON document carried in a chat completion's first choice; kMalformedAnswer saying why
// not (no choice, no text, text that is not JSON).
Result<Json> ReadChatJson(const Json& completion);

}  // namespace orchestra::experts
