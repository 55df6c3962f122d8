#pragma once

#include <chrono>
#include <vector>

#include "orchestra/core/result.h"
#include "orchestra/ledger/snapshot.h"
#include "orchestra/plan/task_dag.h"

namespace orchestra::plan {

struct RoutingPolicy {
  // Entries less reliable than this are used only when nothing else offers the capability.
  double min_reliability = 0.80;
  // What a second of expected latency is worth, in the ledger's cost unit (TAO).
  double latency_price_per_s = 0.002;
};

// The subnets chosen for one task, best first; the executor falls back down the list.
struct TaskRoute {
  int step = 0;
  std::vector<const ledger::LedgerEntry*> candidates;  // never empty
};

struct Routing {
  std::vector<TaskRoute> routes;  // one per task, in step order
};

// Chooses, for each task of `dag`, the subnets offering its capability, ordered by expected
// price: cost_per_query / reliability (a failed call is paid and repeated) plus
// latency_price_per_s × avg latency. Entries below min_reliability, or whose p95 latency does
// not fit `budget`, go after the others. Pure: reads `ledger` only (the entries' lifetime is
// the snapshot's). Returns kNotFound naming the first task no subnet can serve.
Result<Routing> Route(const TaskDag& dag, const ledger::Snapshot& ledger,
                      const RoutingPolicy& policy, std::chrono::milliseconds budget);

// The expected price used for ordering, exposed for tests and the plan summary.
double ExpectedPrice(const ledger::LedgerEntry& entry, const RoutingPolicy& policy);

}  // namespace orchestra::plan
