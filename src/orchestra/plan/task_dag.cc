#include "orchestra/plan/task_dag.h"

#include <fmt/format.h>

#include <set>

namespace orchestra::plan {

const Task* TaskDag::Find(int step) const {
  if (tasks.empty()) return nullptr;
  const int index = step - tasks.front().step;
  if (index < 0 || index >= static_cast<int>(tasks.size())) return nullptr;
  return &tasks[static_cast<size_t>(index)];
}

Status TaskDag::Validate() const {
  std::set<std::string> names;
  const int first = tasks.empty() ? 1 : tasks.front().step;
  if (first < 1) return Error(ErrorCode::kInternal, fmt::format("first step is {}", first));
  for (size_t i = 0; i < tasks.size(); ++i) {
    const Task& t = tasks[i];
    if (t.step != first + static_cast<int>(i)) {
      return Error(ErrorCode::kInternal, fmt::format("task {} has step {}, expected {}", i + 1,
                                                     t.step, first + static_cast<int>(i)));
    }
    if (!names.insert(t.name).second) {
      return Error(ErrorCode::kInternal, fmt::format("task name {} is used twice", t.name));
    }
    if (t.capability.empty()) {
      return Error(ErrorCode::kInternal, fmt::format("step {} names no capability", t.step));
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
