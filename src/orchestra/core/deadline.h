#pragma once

#include <algorithm>
#include <chrono>

namespace orchestra {

// A point in (steady) time by which work must be finished. Cheap to copy; passed into every
// call that may wait, so that the time left shrinks as work proceeds down the stack.
class Deadline {
 public:
  using Clock = std::chrono::steady_clock;

  explicit Deadline(Clock::time_point at) : at_(at) {}
  static Deadline After(std::chrono::milliseconds budget) {
    return Deadline(Clock::now() + budget);
  }
  static Deadline Never() { return Deadline(Clock::time_point::max()); }

  Clock::time_point at() const { return at_; }
  bool Expired() const { return Clock::now() >= at_; }
  // Time left, never negative.
  std::chrono::milliseconds Remaining() const {
    if (at_ == Clock::time_point::max()) return std::chrono::hours(24 * 365);
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(at_ - Clock::now());
    return std::max(left, std::chrono::milliseconds::zero());
  }
  // The earlier of this deadline and `budget` from now.
  Deadline Within(std::chrono::milliseconds budget) const {
    return Deadline(std::min(at_, Clock::now() + budget));
  }

 private:
  Clock::time_point at_;
};

}  // namespace orchestra
