// What sim::ReceiptStore costs the simulator: Add() per receipt on the caller's thread (alone,
// from two threads, and paced at the 20,000 expert calls/s the simulator must sustain, with the
// writer committing on the other core), Find() of a committed receipt, and how many receipts
// per second reach the file.
//
//   build/bench/receipt_store_bench [--benchmark_filter=Add]
#include <benchmark/benchmark.h>
#include <stdlib.h>
#include <sys/resource.h>

#include <cstdio>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <thread>
#include <vector>

#include "orchestra/core/hash.h"
#include "orchestra/crypto/sr25519.h"
#include "orchestra/crypto/ss58.h"
#include "orchestra/protocol/receipt.h"
#include "orchestra/sim/receipt_store.h"

namespace orchestra::sim {
namespace {

using Clock = std::chrono::steady_clock;

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/orchestra-receipt-bench-XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A receipt signed as a simulated expert signs one; callers vary issued_at_ms to vary its hash
// (the store does not verify signatures).
protocol::Receipt SignedReceipt() {
  crypto::MiniSecret mini;
  mini.fill(7);
  const crypto::Keypair expert = crypto::Keypair::FromMiniSecret(mini);
  const Json query = JsonObject{{"query", "bittensor subnets"}, {"limit", 10}};
  const std::string request_hash = CanonicalHash(query);
  return protocol::IssueReceipt(expert, crypto::Ss58Encode(expert.public_key().bytes()),
                                protocol::LockFor("challenge-1", "5FminerHotkey", 1, request_hash),
                                request_hash, JsonObject{{"results", JsonArray{"a", "b", "c"}}},
                                0.002, 1'700'000'000'000);
}

ReceiptStoreOptions WithMaxPending(size_t max_pending) {
  ReceiptStoreOptions options;
  options.max_pending = max_pending;
  return options;
}

std::unique_ptr<ReceiptStore> OpenStore(const TempDir& dir, ReceiptStoreOptions options) {
  auto store = ReceiptStore::Open(dir.path() / "receipts.db", options);
  if (!store) {
    fprintf(stderr, "%s\n", store.error().ToString().c_str());
    abort();
  }
  return std::move(*store);
}

void ReportStats(benchmark::State& state, const ReceiptStore& store) {
  const ReceiptStoreStats stats = store.stats();
  state.counters["dropped"] = static_cast<double>(stats.dropped);
  state.counters["batches"] = static_cast<double>(stats.batches);
}

// The part of Add() that is not the store's own: hashing the receipt.
void BM_ReceiptHash(benchmark::State& state) {
  protocol::Receipt receipt = SignedReceipt();
  for (auto _ : state) {
    ++receipt.issued_at_ms;
    benchmark::DoNotOptimize(receipt.Hash());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ReceiptHash);

// Add() as fast as the calling threads go, the writer committing meanwhile.
TempDir* add_dir = nullptr;
ReceiptStore* add_store = nullptr;

void BM_ReceiptStoreAdd(benchmark::State& state) {
  if (state.thread_index() == 0) {
    add_dir = new TempDir();
    add_store = OpenStore(*add_dir, WithMaxPending(2'000'000)).release();
  }
  protocol::Receipt receipt = SignedReceipt();
  receipt.issued_at_ms += int64_t{state.thread_index()} << 40;
  for (auto _ : state) {
    ++receipt.issued_at_ms;
    add_store->Add(22, state.thread_index(), receipt);
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) {
    ReportStats(state, *add_store);
    delete add_store;
    delete add_dir;
  }
}
BENCHMARK(BM_ReceiptStoreAdd)->Threads(1)->Threads(2)->UseRealTime();

// Process CPU time (every thread), in seconds.
double ProcessCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec * 1e-6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// Add() paced at 20,000 receipts/s from one thread for 10 s (200,000 receipts), the writer
// committing every `state.range(0)` ms: the latency one expert answer pays, whether the writer
// keeps up (dropped), and the CPU the store costs the process per receipt (caller and writer).
void BM_ReceiptStoreAddAt20kPerSecond(benchmark::State& state) {
  TempDir dir;
  ReceiptStoreOptions options;
  options.flush_interval = std::chrono::milliseconds(state.range(0));
  options.batch_size = 1'000'000;  // commit by time only
  auto store = OpenStore(dir, options);
  protocol::Receipt receipt = SignedReceipt();
  constexpr auto kInterval = std::chrono::microseconds(50);
  std::vector<double> latencies_ns;
  latencies_ns.reserve(state.max_iterations);
  const double cpu_start = ProcessCpuSeconds();
  auto next = Clock::now();
  for (auto _ : state) {
    next += kInterval;
    std::this_thread::sleep_until(next);  // idle between calls, as the simulator is
    ++receipt.issued_at_ms;
    const auto start = Clock::now();
    store->Add(22, 0, receipt);
    const std::chrono::duration<double> elapsed = Clock::now() - start;
    state.SetIterationTime(elapsed.count());
    latencies_ns.push_back(elapsed.count() * 1e9);
  }
  if (auto flushed = store->Flush(); !flushed) state.SkipWithError(flushed.error().message.c_str());
  state.counters["cpu_us_per_receipt"] =
      (ProcessCpuSeconds() - cpu_start) * 1e6 / static_cast<double>(state.iterations());
  state.SetItemsProcessed(state.iterations());
  std::sort(latencies_ns.begin(), latencies_ns.end());
  auto percentile = [&](double p) {
    return latencies_ns[static_cast<size_t>(p * static_cast<double>(latencies_ns.size() - 1))];
  };
  state.counters["p50_ns"] = percentile(0.50);
  state.counters["p99_ns"] = percentile(0.99);
  state.counters["p999_ns"] = percentile(0.999);
  state.counters["max_ns"] = latencies_ns.back();
  ReportStats(state, *store);
}
BENCHMARK(BM_ReceiptStoreAddAt20kPerSecond)
    ->Arg(20)
    ->Arg(100)
    ->Arg(250)
    ->Iterations(200'000)
    ->UseManualTime();

// Find() of a committed receipt among `state.range(0)`: one indexed read on the reader connection.
void BM_ReceiptStoreFindCommitted(benchmark::State& state) {
  TempDir dir;
  auto store = OpenStore(dir, WithMaxPending(static_cast<size_t>(state.range(0))));
  protocol::Receipt receipt = SignedReceipt();
  std::vector<std::string> hashes;
  for (int64_t i = 0; i < state.range(0); ++i) {
    ++receipt.issued_at_ms;
    store->Add(22, 0, receipt);
    if (i % 97 == 0) hashes.push_back(receipt.Hash());
  }
  if (auto flushed = store->Flush(); !flushed) state.SkipWithError(flushed.error().message.c_str());
  size_t next = 0;
  for (auto _ : state) {
    if (!store->Find(hashes[next++ % hashes.size()])) state.SkipWithError("receipt not found");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ReceiptStoreFindCommitted)->Arg(100'000);

// Find() of a hash never added, among `state.range(0)` committed: what a forged or mistyped
// hash costs (one index probe per bucket of 32,768 receipts).
void BM_ReceiptStoreFindAbsent(benchmark::State& state) {
  TempDir dir;
  auto store = OpenStore(dir, WithMaxPending(static_cast<size_t>(state.range(0))));
  protocol::Receipt receipt = SignedReceipt();
  for (int64_t i = 0; i < state.range(0); ++i) {
    ++receipt.issued_at_ms;
    store->Add(22, 0, receipt);
  }
  if (auto flushed = store->Flush(); !flushed) state.SkipWithError(flushed.error().message.c_str());
  receipt.issued_at_ms = 0;
  const std::string absent = receipt.Hash();
  for (auto _ : state) {
    if (store->Find(absent)) state.SkipWithError("an absent receipt was found");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ReceiptStoreFindAbsent)->Arg(100'000)->Arg(1'000'000);

// Receipts per second that reach the file: `state.range(0)` added as fast as one thread goes,
// then Flush(); the writer drains on the other core meanwhile.
void BM_ReceiptStoreSustained(benchmark::State& state) {
  const int64_t count = state.range(0);
  protocol::Receipt receipt = SignedReceipt();
  ReceiptStoreStats stats;
  for (auto _ : state) {
    state.PauseTiming();
    auto dir = std::make_unique<TempDir>();
    auto store = OpenStore(*dir, WithMaxPending(static_cast<size_t>(count)));
    state.ResumeTiming();
    for (int64_t i = 0; i < count; ++i) {
      ++receipt.issued_at_ms;
      store->Add(22, 0, receipt);
    }
    if (auto flushed = store->Flush(); !flushed)
      state.SkipWithError(flushed.error().message.c_str());
    state.PauseTiming();
    stats = store->stats();
    store.reset();
    dir.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * count);
  state.counters["dropped"] = static_cast<double>(stats.dropped);
  state.counters["batches"] = static_cast<double>(stats.batches);
}
BENCHMARK(BM_ReceiptStoreSustained)->Arg(200'000)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace orchestra::sim

BENCHMARK_MAIN();
