#pragma once

#include <string>
#include <vector>

#include "orchestra/core/json.h"
#include "orchestra/core/result.h"

namespace orchestra::plan {

// Why a task is in the plan; the managerial loop reads its answer accordingly.
enum class Purpose {
  kDiscover,    // a search for the things a list target (or the subject) is made of
  kDetail,      // a read of one item's page (or of URLs the objective names)
  kFollowUp,    // a search or read for what an earlier wave left missing or off topic
  kSynthesize,  // reasoning over the audited material (an inference subnet)
};

// One node of the plan: an expert call, identified by its step number (1-based over the whole
// pipeline, in the order the calls were planned).
struct Task {
  int step = 0;
  std::string name;        // e.g. "discover_competitors": shows in task_pipeline
  std::string capability;  // ledger capability the expert must offer, e.g. "web_search"
  std::vector<int> depends_on;
  Json query;  // the request sent, built by the experts adapters
  Purpose purpose = Purpose::kDiscover;
  std::string target;  // the list field the task serves ("" for the root object)
  std::string item;    // for kDetail and kFollowUp: the URL or name of the item it is about
  // A subnet whose answer to the same request was bad: routed last (re-routing).
  std::string avoid_subnet;
};

// A wave of the plan: tasks in step order, numbered consecutively. A task depends only on
// earlier steps, of this wave or of earlier waves (already done), so step order is a
// topological order.
struct TaskDag {
  std::vector<Task> tasks;

  const Task* Find(int step) const;
  // Steps consecutive from the first task's (at least 1), dependencies on earlier steps only,
  // names unique, a capability on every task.
  Status Validate() const;
};

}  // namespace orchestra::plan
