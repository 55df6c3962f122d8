// What routing pays to read the ledger, and what learning pays per call: the lookups a task's
// routing makes (the atomic load of the current snapshot, an entry by subnet id, the entries
// offering a capability, the UID order), the routing of one task, recording one call's
// outcome and publishing a snapshot of what was learned.
//   build/bench/ledger_bench
#include <benchmark/benchmark.h>

#include <atomic>
#include <memory>

#include "orchestra/ledger/learner.h"
#include "orchestra/plan/route.h"

namespace orchestra {
namespace {

ledger::SnapshotPtr Learned() {
  auto seed = std::make_shared<const ledger::Snapshot>(*ledger::SeedSnapshot());
  ledger::Learner learner(seed);
  for (int i = 0; i < 100; ++i) {
    learner.Record(ledger::CallOutcome{"SN22", i % 3, i % 7 != 0, 40.0 + i % 11, 0.002,
                                       1'800'000'000'000, false});
  }
  return learner.Publish(1'800'000'000'000);
}

void BM_LoadCurrentSnapshot(benchmark::State& state) {
  std::atomic<ledger::SnapshotPtr> current(Learned());
  for (auto _ : state) benchmark::DoNotOptimize(current.load());
}
BENCHMARK(BM_LoadCurrentSnapshot);

void BM_FindEntry(benchmark::State& state) {
  const ledger::SnapshotPtr snapshot = Learned();
  for (auto _ : state) benchmark::DoNotOptimize(snapshot->Find("SN22"));
}
BENCHMARK(BM_FindEntry);

void BM_WithCapability(benchmark::State& state) {
  const ledger::SnapshotPtr snapshot = Learned();
  for (auto _ : state) benchmark::DoNotOptimize(snapshot->WithCapability("web_search"));
}
BENCHMARK(BM_WithCapability);

void BM_UidOrder(benchmark::State& state) {
  const ledger::SnapshotPtr snapshot = Learned();
  const ledger::LedgerEntry& entry = *snapshot->Find("SN22");
  const std::vector<int> uids = {0, 1, 2};
  uint64_t spread = 0;
  for (auto _ : state) benchmark::DoNotOptimize(ledger::UidOrder(entry, uids, spread++));
}
BENCHMARK(BM_UidOrder);

void BM_RouteOneTask(benchmark::State& state) {
  const ledger::SnapshotPtr snapshot = Learned();
  plan::TaskDag dag;
  plan::Task task;
  task.step = 1;
  task.capability = "web_search";
  dag.tasks.push_back(task);
  for (auto _ : state) {
    benchmark::DoNotOptimize(plan::Route(dag, *snapshot, {}, std::chrono::milliseconds(20000)));
  }
}
BENCHMARK(BM_RouteOneTask);

void BM_RecordOutcome(benchmark::State& state) {
  ledger::Learner learner(Learned());
  const ledger::CallOutcome outcome{"SN22", 1, true, 42, 0.002, 1'800'000'000'000, false};
  for (auto _ : state) learner.Record(outcome);
}
BENCHMARK(BM_RecordOutcome);

void BM_PublishLearned(benchmark::State& state) {
  ledger::Learner learner(Learned());
  const ledger::CallOutcome outcome{"SN22", 1, true, 42, 0.002, 1'800'000'000'000, false};
  for (auto _ : state) {
    learner.Record(outcome);
    benchmark::DoNotOptimize(learner.Publish(1'800'000'000'000));
  }
}
BENCHMARK(BM_PublishLearned);

}  // namespace
}  // namespace orchestra

BENCHMARK_MAIN();
