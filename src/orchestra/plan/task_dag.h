#pragma once

#include <string>
#include <vector>

#include "orchestra/core/json.h"
#include "orchestra/core/result.h"

namespace orchestra::plan {

// How a task's query is completed from the outputs of the tasks it depends on.
enum class QueryKind {
  kFixed,          // `query` is sent as is
  kSizedSearch,    // a search whose max_results is widened when the market search found little
  kScrapeResults,  // scrape the links found by the dependency search
  kSynthesize,     // an OpenAI chat request whose context is every dependency's output
};

// One node of the plan: an expert call, identified by its 1-based step number.
struct Task {
  int step = 0;
  std::string name;        // e.g. "market_search": shows in task_pipeline
  std::string capability;  // ledger capability the expert must offer, e.g. "web_search"
  std::vector<int> depends_on;
  QueryKind kind = QueryKind::kFixed;
  Json query;  // the fixed part of the query; completed by BuildQuery for other kinds
};

// A plan: tasks in step order; a task depends only on earlier steps, so step order is a
// topological order.
struct TaskDag {
  std::vector<Task> tasks;

  const Task* Find(int step) const;
  // Steps numbered 1..n in order, dependencies on earlier existing steps only, names unique.
  Status Validate() const;
};

}  // namespace orchestra::plan
