#include "orchestra/core/clock.h"

namespace orchestra {
namespace {

class SystemTime : public TimeSource {
 public:
  int64_t UnixMillis() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

}  // namespace

const TimeSource& RealTime() {
  static const SystemTime kSystem;
  return kSystem;
}

}  // namespace orchestra
