#pragma once

#include <string_view>

#include "orchestra/net/http_server.h"
#include "orchestra/obs/metrics.h"

namespace orchestra::net {

// Where every server answers Prometheus' scrape.
inline constexpr std::string_view kMetricsPath = "/metrics";

// A handler answering 200 with `registry`'s text exposition (Content-Type
// obs::kPrometheusContentType), whatever the request; mount it on GET kMetricsPath
// (Axon::AttachGet). `registry` must outlive the handler. Safe to call concurrently.
Handler MetricsEndpoint(const obs::MetricsRegistry& registry);

}  // namespace orchestra::net
