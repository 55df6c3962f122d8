#include "orchestra/core/clock.h"

#include <ctime>

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

std::string IsoTime(int64_t unix_ms) {
  const auto seconds = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

const TimeSource& RealTime() {
  static const SystemTime kSystem;
  return kSystem;
}

}  // namespace orchestra
