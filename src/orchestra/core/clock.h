#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace orchestra {

// Where wall-clock time comes from, injected as Envoy injects its TimeSource: production code
// takes a `const TimeSource&` and tests hand it a ManualTime, so that windows, timestamps and
// ages are tested without sleeping. (Deadlines run on the steady clock: core/deadline.h.)
class TimeSource {
 public:
  virtual ~TimeSource() = default;
  // Milliseconds since the Unix epoch.
  virtual int64_t UnixMillis() const = 0;
};

// The system clock. Thread-safe; lives for the whole program.
const TimeSource& RealTime();

// A clock that moves only when told to. Thread-safe.
class ManualTime : public TimeSource {
 public:
  explicit ManualTime(int64_t unix_ms) : now_(unix_ms) {}
  int64_t UnixMillis() const override { return now_.load(); }
  void Set(int64_t unix_ms) { now_.store(unix_ms); }
  void Advance(std::chrono::milliseconds by) { now_.fetch_add(by.count()); }

 private:
  std::atomic<int64_t> now_;
};

// `unix_ms` as ISO 8601 UTC to the second ("2026-12-07T22:16:38Z").
std::string IsoTime(int64_t unix_ms);

}  // namespace orchestra
