#pragma once

#include <spdlog/spdlog.h>

#include <string_view>

namespace orchestra {

// Configures the process-wide logger: stderr, one line per event, level from `level`
// ("trace", "debug", "info", "warn", "error", "off"). Call once at start-up.
void SetUpLogging(std::string_view level);

}  // namespace orchestra
