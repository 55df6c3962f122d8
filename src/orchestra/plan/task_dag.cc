#include "orchestra/plan/task_dag.h"

#include <fmt/format.h>

#include <set>

namespace orchestra::plan {

const Task* TaskDag::Find(int step) const {
  if (step < 1 || step > static_cast<int>(tasks.size())) return nullptr;
  return &tasks[static_cast<size_t>(step - 1)];
}

Status TaskDag::Validate() const {
  std::set<std::string> names;
  for (size_t i = 0; i < tasks.size(); ++i) {
    const Task& t = tasks[i];
    if (t.step != static_cast<int>(i) + 1) {
      return Error(ErrorCode::kInternal, fmt::format("task {} has step {}", i + 1, t.step));
    }
    if (!names.insert(t.name).second) {
      return Error(ErrorCode::kInternal, fmt::format("task name {} is used twice", t.name));
    }
    for (int d : t.depends_on) {
      if (d < 1 || d >= t.step) {
        return Error(
            ErrorCode::kInternal,
            fmt::format("step {} depends on step {}, which does not precede it", t.step, d));
      }
    }
  }
  return {};
}

}  // namespace orchestra::plan
