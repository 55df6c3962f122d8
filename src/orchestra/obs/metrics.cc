#include "orchestra/obs/metrics.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <variant>

namespace orchestra::obs {
namespace {

bool IsNameStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsMetricName(std::string_view name) {
  if (name.empty() || !(IsNameStart(name[0]) || name[0] == ':')) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return IsNameStart(c) || IsDigit(c) || c == ':'; });
}

bool IsLabelName(std::string_view name) {
  if (name.empty() || !IsNameStart(name[0]) || name.starts_with("__")) return false;
  return std::all_of(name.begin(), name.end(), [](char c) { return IsNameStart(c) || IsDigit(c); });
}

std::string_view TypeName(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
  }
  return "untyped";
}

// Go's ParseFloat reads all of these; integral values print without a fraction.
void AppendValue(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "NaN";
  } else if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
  } else {
    fmt::format_to(std::back_inserter(out), "{}", value);
  }
}

void AppendEscaped(std::string& out, std::string_view text, bool quote) {
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (quote && c == '"') {
      out += "\\\"";
    } else {
      out += c;
    }
  }
}

// `{a="x",b="y"}` (with `le` last when given); nothing for no labels at all.
void AppendLabels(std::string& out, const std::vector<std::string>& names,
                  const std::vector<std::string>& values, std::string_view le = {}) {
  if (names.empty() && le.empty()) return;
  out += '{';
  for (size_t i = 0; i < names.size(); ++i) {
    if (i) out += ',';
    out += names[i];
    out += "=\"";
    AppendEscaped(out, values[i], true);
    out += '"';
  }
  if (!le.empty()) {
    if (!names.empty()) out += ',';
    out += "le=\"";
    out += le;
    out += '"';
  }
  out += '}';
}

void AddDouble(std::atomic<double>& target, double amount) {
  target.fetch_add(amount, std::memory_order_relaxed);
}

}  // namespace

void Counter::Inc(double amount) {
  if (!(amount >= 0)) return;  // negative or NaN
  AddDouble(value_, amount);
}

void Gauge::Inc(double amount) { AddDouble(value_, amount); }

Histogram::Histogram(const std::vector<double>& bounds)
    : bounds_(bounds), buckets_(new std::atomic<uint64_t>[bounds.size() + 1]) {
  for (size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0, std::memory_order_relaxed);
}

void Histogram::Observe(double value) {
  if (std::isnan(value)) return;
  const size_t bucket = static_cast<size_t>(
      std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin());
  buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
  AddDouble(sum_, value);
}

std::vector<uint64_t> Histogram::BucketCounts() const {
  std::vector<uint64_t> counts(bounds_.size() + 1);
  for (size_t i = 0; i < counts.size(); ++i) {
    counts[i] = buckets_[i].load(std::memory_order_relaxed);
  }
  return counts;
}

uint64_t Histogram::Count() const {
  uint64_t total = 0;
  for (uint64_t n : BucketCounts()) total += n;
  return total;
}

namespace internal {

template <typename Series>
Series& SeriesTable<Series>::Get(const FamilySpec& spec, std::span<const std::string_view> values) {
  if (values.size() != spec.label_names.size()) {
    std::fprintf(stderr, "metric %s: %zu label values given for %zu label names\n",
                 spec.name.c_str(), values.size(), spec.label_names.size());
    std::abort();
  }
  {
    std::shared_lock lock(mu_);
    if (auto it = series_.find(values); it != series_.end()) return *it->second;
  }
  std::unique_lock lock(mu_);
  if (auto it = series_.find(values); it != series_.end()) return *it->second;
  std::unique_ptr<Series> series;
  if constexpr (std::is_same_v<Series, Histogram>) {
    series = std::make_unique<Histogram>(spec.bounds);
  } else {
    series = std::make_unique<Series>();
  }
  Series& result = *series;
  series_.emplace(std::vector<std::string>(values.begin(), values.end()), std::move(series));
  return result;
}

template class SeriesTable<Counter>;
template class SeriesTable<Gauge>;
template class SeriesTable<Histogram>;

}  // namespace internal

template <typename Series>
Series& Family<Series>::WithLabels(std::initializer_list<std::string_view> values) {
  return table_.Get(spec_, std::span<const std::string_view>(values.begin(), values.size()));
}

template <typename Series>
Series& Family<Series>::WithLabels(const std::vector<std::string>& values) {
  const std::vector<std::string_view> views(values.begin(), values.end());
  return table_.Get(spec_, views);
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

struct MetricsRegistry::Entry {
  std::variant<std::unique_ptr<CounterFamily>, std::unique_ptr<GaugeFamily>,
               std::unique_ptr<HistogramFamily>>
      family;

  const internal::FamilySpec& spec() const {
    return std::visit([](const auto& f) -> const internal::FamilySpec& { return f->spec(); },
                      family);
  }
};

MetricsRegistry::MetricsRegistry() = default;
MetricsRegistry::~MetricsRegistry() = default;

template <typename F>
F& MetricsRegistry::Register(internal::FamilySpec spec) {
  if (!IsMetricName(spec.name)) {
    throw std::invalid_argument(fmt::format("metric name '{}' is not valid", spec.name));
  }
  for (const std::string& label : spec.label_names) {
    if (!IsLabelName(label) || (spec.type == MetricType::kHistogram && label == "le")) {
      throw std::invalid_argument(
          fmt::format("metric {}: label name '{}' is not valid", spec.name, label));
    }
  }
  for (size_t i = 0; i < spec.bounds.size(); ++i) {
    if (!std::isfinite(spec.bounds[i]) || (i > 0 && !(spec.bounds[i] > spec.bounds[i - 1]))) {
      throw std::invalid_argument(fmt::format(
          "metric {}: bucket bounds must be finite and strictly increasing", spec.name));
    }
  }
  std::lock_guard lock(mu_);
  for (const auto& entry : families_) {
    const internal::FamilySpec& known = entry->spec();
    if (known.name != spec.name) continue;
    auto* same = std::get_if<std::unique_ptr<F>>(&entry->family);
    if (!same || known.help != spec.help || known.label_names != spec.label_names ||
        known.bounds != spec.bounds) {
      throw std::invalid_argument(
          fmt::format("metric {} is already registered with another definition", spec.name));
    }
    return **same;
  }
  auto family = std::make_unique<F>(std::move(spec));
  F& result = *family;
  if (result.spec().label_names.empty()) result.Get();  // rendered at 0 from the start
  families_.push_back(std::make_unique<Entry>(Entry{std::move(family)}));
  return result;
}

CounterFamily& MetricsRegistry::AddCounter(std::string name, std::string help,
                                           std::vector<std::string> label_names) {
  return Register<CounterFamily>(
      {std::move(name), std::move(help), MetricType::kCounter, std::move(label_names), {}});
}

GaugeFamily& MetricsRegistry::AddGauge(std::string name, std::string help,
                                       std::vector<std::string> label_names) {
  return Register<GaugeFamily>(
      {std::move(name), std::move(help), MetricType::kGauge, std::move(label_names), {}});
}

HistogramFamily& MetricsRegistry::AddHistogram(std::string name, std::string help,
                                               std::vector<double> bounds,
                                               std::vector<std::string> label_names) {
  return Register<HistogramFamily>({std::move(name), std::move(help), MetricType::kHistogram,
                                    std::move(label_names), std::move(bounds)});
}

std::string MetricsRegistry::RenderText() const {
  std::string out;
  std::lock_guard lock(mu_);
  for (const auto& entry : families_) {
    const internal::FamilySpec& spec = entry->spec();
    out += "# HELP ";
    out += spec.name;
    out += ' ';
    AppendEscaped(out, spec.help, false);
    out += "\n# TYPE ";
    out += spec.name;
    out += ' ';
    out += TypeName(spec.type);
    out += '\n';
    auto simple = [&](const std::vector<std::string>& values, const auto& series) {
      out += spec.name;
      AppendLabels(out, spec.label_names, values);
      out += ' ';
      AppendValue(out, series.Value());
      out += '\n';
    };
    auto histogram = [&](const std::vector<std::string>& values, const Histogram& series) {
      // Read the buckets once: _count is their total, so it always equals the +Inf bucket.
      const std::vector<uint64_t> counts = series.BucketCounts();
      uint64_t cumulative = 0;
      std::string le;
      for (size_t i = 0; i < counts.size(); ++i) {
        cumulative += counts[i];
        le.clear();
        if (i < spec.bounds.size()) {
          AppendValue(le, spec.bounds[i]);
        } else {
          le = "+Inf";
        }
        out += spec.name;
        out += "_bucket";
        AppendLabels(out, spec.label_names, values, le);
        fmt::format_to(std::back_inserter(out), " {}\n", cumulative);
      }
      out += spec.name;
      out += "_sum";
      AppendLabels(out, spec.label_names, values);
      out += ' ';
      AppendValue(out, series.Sum());
      out += '\n';
      out += spec.name;
      out += "_count";
      AppendLabels(out, spec.label_names, values);
      fmt::format_to(std::back_inserter(out), " {}\n", cumulative);
    };
    std::visit(
        [&](const auto& family) {
          using F = std::decay_t<decltype(*family)>;
          if constexpr (std::is_same_v<F, HistogramFamily>) {
            family->ForEachSeries(histogram);
          } else {
            family->ForEachSeries(simple);
          }
        },
        entry->family);
  }
  return out;
}

std::vector<double> LatencySecondsBuckets() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60};
}

}  // namespace orchestra::obs
