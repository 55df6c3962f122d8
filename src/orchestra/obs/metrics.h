#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace orchestra::obs {

// A small metrics registry rendered in the Prometheus text exposition format 0.0.4, the body of
// `GET /metrics` on every server (net/metrics_endpoint.h serves it).
//
// Shape: a MetricsRegistry owns families (one metric name, help text, type, label names);
// a family owns one series per set of label values. Registration happens once, at start-up;
// the data plane only looks series up and updates them.
//
// Threading: everything is safe to call from any thread. Updating a series (Inc, Set, Observe)
// is lock-free (relaxed atomics). Looking a series up by label values (WithLabels) takes a
// shared lock, and an exclusive one only the first time a label set is seen; hot paths with
// fixed labels keep the returned reference (series live as long as the registry, never move).
//
// Errors: registering an invalid name or label name, or the same name again with another type,
// help, label names or buckets, is a configuration error and throws std::invalid_argument
// (start-up only). WithLabels with the wrong number of values is a bug: it aborts, naming the
// metric. Label values are any UTF-8 text (escaped on output); they must come from bounded sets
// (outcomes, subnet ids), never from request contents, or the series grow without bound.
//
// Values are doubles, as in Prometheus; counters summed from integer increments stay exact up
// to 2^53.

// The Content-Type of RenderText()'s output.
inline constexpr std::string_view kPrometheusContentType =
    "text/plain; version=0.0.4; charset=utf-8";

// A monotonically increasing value.
class Counter {
 public:
  // Adds `amount`; negative or NaN amounts are ignored (a counter never goes down).
  void Inc(double amount = 1.0);
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

// A value that goes up and down.
class Gauge {
 public:
  void Set(double value) { value_.store(value, std::memory_order_relaxed); }
  void Inc(double amount = 1.0);
  void Dec(double amount = 1.0) { Inc(-amount); }
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

// Observations counted into fixed buckets (upper bounds, inclusive, as Prometheus' `le`), plus
// their sum and count. Rendered cumulatively with a final +Inf bucket equal to _count.
class Histogram {
 public:
  // `bounds`: strictly increasing, finite (checked by the registry).
  explicit Histogram(const std::vector<double>& bounds);

  // NaN observations are ignored.
  void Observe(double value);

  // Per-bucket counts, not cumulative; one more than bounds (the last is above every bound).
  std::vector<uint64_t> BucketCounts() const;
  uint64_t Count() const;
  double Sum() const { return sum_.load(std::memory_order_relaxed); }
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  const std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // bounds_.size() + 1
  std::atomic<double> sum_{0.0};
};

enum class MetricType { kCounter, kGauge, kHistogram };

namespace internal {

// The part of a family that does not depend on its series type.
struct FamilySpec {
  std::string name;
  std::string help;
  MetricType type;
  std::vector<std::string> label_names;
  std::vector<double> bounds;  // histograms only
};

// Orders label-value lists lexicographically; compares stored keys with probes of string_views
// so that a lookup allocates nothing.
struct LabelValuesLess {
  using is_transparent = void;
  template <typename A, typename B>
  bool operator()(const A& a, const B& b) const {
    return std::lexicographical_compare(
        a.begin(), a.end(), b.begin(), b.end(),
        [](const auto& x, const auto& y) { return std::string_view(x) < std::string_view(y); });
  }
};

// A family's series, by label values (sorted, which is the output order).
template <typename Series>
class SeriesTable {
 public:
  Series& Get(const FamilySpec& spec, std::span<const std::string_view> values);
  // Calls `fn(label_values, series)` for every series, in label-value order.
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    std::shared_lock lock(mu_);
    for (const auto& [values, series] : series_) fn(values, *series);
  }

 private:
  mutable std::shared_mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<Series>, LabelValuesLess> series_;
};

}  // namespace internal

// One metric: its name, help, label names, and a series per label-value set.
template <typename Series>
class Family {
 public:
  explicit Family(internal::FamilySpec spec) : spec_(std::move(spec)) {}
  Family(const Family&) = delete;
  Family& operator=(const Family&) = delete;

  // The series for these label values, in the order of the family's label names (created on
  // first use). The reference stays valid as long as the registry.
  Series& WithLabels(std::initializer_list<std::string_view> values);
  Series& WithLabels(const std::vector<std::string>& values);
  // The series of a family without labels.
  Series& Get() { return WithLabels({}); }

  const internal::FamilySpec& spec() const { return spec_; }
  template <typename Fn>
  void ForEachSeries(Fn&& fn) const {
    table_.ForEach(std::forward<Fn>(fn));
  }

 private:
  const internal::FamilySpec spec_;
  internal::SeriesTable<Series> table_;
};

using CounterFamily = Family<Counter>;
using GaugeFamily = Family<Gauge>;
using HistogramFamily = Family<Histogram>;

class MetricsRegistry {
 public:
  MetricsRegistry();
  ~MetricsRegistry();
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  // Registers a family, or returns the one already registered under `name` when type, help,
  // label names (and buckets) are the same. Names match [a-zA-Z_:][a-zA-Z0-9_:]*, label names
  // [a-zA-Z_][a-zA-Z0-9_]* and do not start with "__"; a histogram may not use the label "le".
  // A family without labels renders its one series (at 0) from the start.
  CounterFamily& AddCounter(std::string name, std::string help,
                            std::vector<std::string> label_names = {});
  GaugeFamily& AddGauge(std::string name, std::string help,
                        std::vector<std::string> label_names = {});
  // `bounds`: the buckets' upper bounds, finite and strictly increasing (+Inf is implied).
  HistogramFamily& AddHistogram(std::string name, std::string help, std::vector<double> bounds,
                                std::vector<std::string> label_names = {});

  // Every family in registration order, each as "# HELP", "# TYPE", then its series in
  // label-value order; histograms as <name>_bucket{...,le="..."} (cumulative, then +Inf),
  // <name>_sum and <name>_count. Label values and help escaped as the format requires
  // (backslash, double quote in label values, newline). Safe while other threads update.
  std::string RenderText() const;

 private:
  struct Entry;
  template <typename F>
  F& Register(internal::FamilySpec spec);

  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Entry>> families_;  // registration order; guarded by mu_
};

// Buckets for request latencies in seconds: 5 ms to 60 s.
std::vector<double> LatencySecondsBuckets();

}  // namespace orchestra::obs
