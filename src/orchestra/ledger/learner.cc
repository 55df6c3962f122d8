#include "orchestra/ledger/learner.h"

#include <algorithm>

#include "orchestra/core/clock.h"
#include "orchestra/core/stats.h"

namespace orchestra::ledger {

void Learner::Window::Add(double sample, size_t capacity) {
  if (samples.size() < capacity) {
    samples.push_back(sample);
  } else {
    samples[next] = sample;
    next = (next + 1) % capacity;
  }
}

std::optional<double> Learner::Window::P95(size_t min_samples) const {
  if (samples.size() < std::max<size_t>(min_samples, 1)) return std::nullopt;
  return Percentile(samples, 0.95);
}

Learner::Learner(SnapshotPtr base, LearnerOptions options)
    : options_(options), base_(std::move(base)) {}

Learner::Figures Learner::Prior(const LedgerEntry& entry) const {
  Figures f;
  f.avg_latency_ms = entry.avg_latency_ms;
  f.reliability = entry.reliability;
  return f;
}

void Learner::Apply(const CallOutcome& outcome, Figures& f) {
  ++f.calls;
  f.reliability += options_.reliability_alpha * ((outcome.ok ? 1.0 : 0.0) - f.reliability);
  if (!outcome.ok) {
    ++f.consecutive_failures;
    return;
  }
  f.consecutive_failures = 0;
  f.last_seen_ms = std::max(f.last_seen_ms, outcome.at_ms);
  f.avg_latency_ms += options_.latency_alpha * (outcome.latency_ms - f.avg_latency_ms);
  f.latencies.Add(outcome.latency_ms, options_.window);
}

void Learner::Record(const CallOutcome& outcome) {
  std::lock_guard lock(mutex_);
  const LedgerEntry* entry = base_ ? base_->Find(outcome.subnet_id) : nullptr;
  if (entry == nullptr) return;
  auto [it, fresh] = state_.try_emplace(outcome.subnet_id);
  SubnetState& state = it->second;
  if (fresh) state.subnet = Prior(*entry);
  Apply(outcome, state.subnet);
  if (outcome.uid >= 0) {
    auto [uid, new_uid] = state.uids.try_emplace(outcome.uid);
    if (new_uid) uid->second = Prior(*entry);
    Apply(outcome, uid->second);
  }
  if (outcome.ok && outcome.price) {
    state.price = state.price
                      ? *state.price + options_.price_alpha * (*outcome.price - *state.price)
                      : *outcome.price;
  }
  ++recorded_;
  changed_ = true;
}

void Learner::RecordQuality(std::string_view subnet_id, int uid, double share) {
  std::lock_guard lock(mutex_);
  const LedgerEntry* entry = base_ ? base_->Find(subnet_id) : nullptr;
  if (entry == nullptr || uid < 0) return;
  auto [it, fresh] = state_.try_emplace(std::string(subnet_id));
  if (fresh) it->second.subnet = Prior(*entry);
  auto [u, new_uid] = it->second.uids.try_emplace(uid);
  if (new_uid) u->second = Prior(*entry);
  Figures& f = u->second;
  share = std::clamp(share, 0.0, 1.0);
  // The first verdict is the quality; later ones move it.
  f.quality = f.quality_seen ? f.quality + options_.quality_alpha * (share - f.quality) : share;
  f.quality_seen = true;
  changed_ = true;
}

SnapshotPtr Learner::Publish(int64_t now_ms) {
  std::lock_guard lock(mutex_);
  if (!changed_ || !base_) return nullptr;
  changed_ = false;
  std::map<std::string, LedgerEntry> entries = base_->entries();
  const std::string stamp = IsoTime(now_ms);
  for (const auto& [id, state] : state_) {
    auto found = entries.find(id);
    if (found == entries.end()) continue;
    LedgerEntry& e = found->second;
    const Figures& s = state.subnet;
    e.avg_latency_ms = std::max(s.avg_latency_ms, 1.0);
    e.p95_latency_ms = std::max(
        s.latencies.P95(options_.min_p95_samples).value_or(e.p95_latency_ms), e.avg_latency_ms);
    e.reliability = std::clamp(s.reliability, 0.0, 1.0);
    if (state.price) e.cost_per_query = *state.price;
    e.last_updated = stamp;
    e.uids.clear();
    for (const auto& [uid, f] : state.uids) {
      UidFigures out;
      out.uid = uid;
      out.avg_latency_ms = f.avg_latency_ms;
      out.p95_latency_ms = std::max(
          f.latencies.P95(options_.min_p95_samples).value_or(e.p95_latency_ms), f.avg_latency_ms);
      out.reliability = std::clamp(f.reliability, 0.0, 1.0);
      out.quality = f.quality;
      out.consecutive_failures = f.consecutive_failures;
      out.calls = f.calls;
      out.last_seen_ms = f.last_seen_ms;
      e.uids.push_back(out);
    }
  }
  return std::make_shared<const Snapshot>(std::move(entries));
}

void Learner::Rebase(SnapshotPtr base) {
  std::lock_guard lock(mutex_);
  base_ = std::move(base);
  std::erase_if(state_, [&](const auto& kv) { return !base_ || !base_->Find(kv.first); });
  changed_ = true;
}

uint64_t Learner::recorded() const {
  std::lock_guard lock(mutex_);
  return recorded_;
}

}  // namespace orchestra::ledger
