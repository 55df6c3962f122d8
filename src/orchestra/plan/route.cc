#include "orchestra/plan/route.h"

#include <fmt/format.h>

#include <algorithm>

namespace orchestra::plan {

double ExpectedPrice(const ledger::LedgerEntry& entry, const RoutingPolicy& policy) {
  const double reliability = std::max(entry.reliability, 0.01);
  return entry.cost_per_query / reliability +
         policy.latency_price_per_s * entry.avg_latency_ms / 1000.0;
}

Result<Routing> Route(const TaskDag& dag, const ledger::Snapshot& ledger,
                      const RoutingPolicy& policy, std::chrono::milliseconds budget) {
  Routing routing;
  for (const Task& task : dag.tasks) {
    auto candidates = ledger.WithCapability(task.capability);
    if (candidates.empty()) {
      return Error(ErrorCode::kNotFound,
                   fmt::format("step {} ({}): no subnet in ledger {} offers {}", task.step,
                               task.name, ledger.version(), task.capability));
    }
    auto adequate = [&](const ledger::LedgerEntry* e) {
      return e->reliability >= policy.min_reliability &&
             e->p95_latency_ms <= static_cast<double>(budget.count());
    };
    std::stable_sort(candidates.begin(), candidates.end(),
                     [&](const ledger::LedgerEntry* a, const ledger::LedgerEntry* b) {
                       if (adequate(a) != adequate(b)) return adequate(a);
                       return ExpectedPrice(*a, policy) < ExpectedPrice(*b, policy);
                     });
    routing.routes.push_back(TaskRoute{task.step, std::move(candidates)});
  }
  return routing;
}

}  // namespace orchestra::plan
