#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "orchestra/ledger/snapshot.h"

// Learning from every call: the outcome of each expert call (and of each probe) updates the
// figures of the UID that answered and of its subnet, so that routing picks subnets and UIDs by
// what they actually do rather than by what the seed said.
namespace orchestra::ledger {

// One expert call as the executor (or a probe) saw it.
struct CallOutcome {
  std::string subnet_id;
  int uid = -1;  // the UID that was called; -1 when none was reached (the subnet had none)
  // Answered in time, passed the audit and carried a valid receipt. Anything else is a
  // failure of that UID: no answer, an error status, a malformed answer, a bad receipt.
  bool ok = false;
  double latency_ms = 0;        // of this call, answered or not
  std::optional<double> price;  // the receipt's price, when the answer carried one
  int64_t at_ms = 0;            // Unix ms when the call ended
  bool probe = false;           // a probe of the maintenance loop, not a challenge's call
};

struct LearnerOptions {
  // Weight of the newest sample in the moving averages of latency, reliability and price.
  double latency_alpha = 0.2;
  double reliability_alpha = 0.1;
  double price_alpha = 0.2;
  double quality_alpha = 0.2;
  // Good answers kept per UID and per subnet for the p95; fewer than `min_p95_samples` keep the
  // ledger's p95.
  size_t window = 64;
  size_t min_p95_samples = 10;
};

// Accumulates outcomes and publishes them as snapshots: the base snapshot's entries with each
// subnet's avg_latency_ms, p95_latency_ms, reliability, cost_per_query (from receipt prices),
// last_updated and per-UID figures (LedgerEntry::uids) replaced by what was learned. Moving
// averages start from the base entry's figures, so a handful of calls nudges them and many
// calls decide them. Outcomes for subnets the base does not have are ignored.
// Thread-safe: Record, Publish and Rebase may be called from any thread; Record holds a mutex
// for a few arithmetic operations. Routing never calls into the learner: it reads the
// published snapshot.
class Learner {
 public:
  explicit Learner(SnapshotPtr base, LearnerOptions options = {});

  void Record(const CallOutcome& outcome);
  // What the relevance audit made of an answer `uid` of `subnet_id` gave: the share of its
  // items kept (0 for an answer with none). Moves the UID's quality.
  void RecordQuality(std::string_view subnet_id, int uid, double share);

  // A new snapshot when something was recorded since the last one (nullptr otherwise). Entries'
  // compiled schemas are shared with the base. `now_ms` stamps last_updated of the entries
  // that changed (ISO 8601 UTC).
  SnapshotPtr Publish(int64_t now_ms);

  // Replaces the entries learning applies to (an import, a probe round that found drift),
  // keeping what was learned of the subnets and UIDs it still has.
  void Rebase(SnapshotPtr base);

  // Outcomes recorded since construction.
  uint64_t recorded() const;

 private:
  struct Window {
    std::vector<double> samples;  // a ring of the last `window` latencies
    size_t next = 0;
    void Add(double sample, size_t capacity);
    std::optional<double> P95(size_t min_samples) const;
  };
  struct Figures {
    double avg_latency_ms = 0;
    double reliability = 1;
    double quality = 1;
    bool quality_seen = false;
    int consecutive_failures = 0;
    int64_t calls = 0;
    int64_t last_seen_ms = 0;
    Window latencies;
  };
  struct SubnetState {
    Figures subnet;
    std::optional<double> price;
    std::map<int, Figures> uids;
  };

  void Apply(const CallOutcome& outcome, Figures& figures);
  Figures Prior(const LedgerEntry& entry) const;

  const LearnerOptions options_;
  mutable std::mutex mutex_;
  SnapshotPtr base_;
  std::map<std::string, SubnetState> state_;
  uint64_t recorded_ = 0;
  bool changed_ = false;
};

}  // namespace orchestra::ledger
