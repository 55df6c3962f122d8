#pragma once

#include <map>
#include <string>
#include <vector>

#include "orchestra/core/json.h"
#include "orchestra/core/result.h"
#include "orchestra/plan/task_dag.h"

namespace orchestra::plan {

inline constexpr int kMarketSearchResults = 20;
inline constexpr int kAnalysisSearchResults = 10;
inline constexpr int kMaxScrapedUrls = 5;

// Decomposes an objective into the seed's research DAG:
//   1 market_search (web_search) → 2 entity_scraping (web_scraping, links of 1)
//                                → 3 analysis_search (web_search, sized by 1's yield)
//   2, 3 → 4 synthesis (synthesis; fills `json_schema` from the outputs of 1–3).
// Steps 2 and 3 are independent of each other and run in parallel. `json_schema` is the
// compiled target schema (JSON Schema form); its first list of objects names the entity the
// scraper extracts fields for. Pure.
TaskDag Decompose(std::string_view objective, const Json& json_schema);

// The words of an objective that carry its topic: instruction verbs, pronouns and stop words
// removed, order kept ("Find recent AI funding rounds and summarize trends" → "recent AI
// funding rounds trends").
std::string TopicQuery(std::string_view objective);

// The two searches of the research DAG. `entity` looks for the things the target's entity list
// describes: the topic without words that name the target's other fields ("gaps" of
// "market_gaps"). `analysis` looks for material on those other fields: the topic plus their
// names, plus "analysis".
struct SearchQueries {
  std::string entity;
  std::string analysis;
};
SearchQueries ResearchQueries(std::string_view objective, const Json& json_schema);

// Property names of the items of the first array-of-objects property of `json_schema`
// (resolving "$ref" into "$defs"); empty when there is none.
std::vector<std::string> EntityFields(const Json& json_schema);

// The query actually sent for `task`, given the outputs of the steps it depends on (by step
// number). Errors with kDependencyFailed when a needed output is missing or yields nothing
// usable (no links to scrape). Pure.
Result<Json> BuildQuery(const Task& task, const std::map<int, Json>& outputs,
                        std::string_view objective);

}  // namespace orchestra::plan
