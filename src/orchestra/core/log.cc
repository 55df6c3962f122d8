#include "orchestra/core/log.h"

#include <spdlog/sinks/stdout_color_sinks.h>

namespace orchestra {

void SetUpLogging(std::string_view level) {
  auto logger = spdlog::stderr_color_mt("orchestra");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  logger->set_level(spdlog::level::from_str(std::string(level)));
  spdlog::set_default_logger(logger);
}

}  // namespace orchestra
