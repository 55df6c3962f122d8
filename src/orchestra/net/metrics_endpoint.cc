#include "orchestra/net/metrics_endpoint.h"

namespace orchestra::net {

Handler MetricsEndpoint(const obs::MetricsRegistry& registry) {
  return [&registry](HttpRequest) -> asio::awaitable<HttpResponse> {
    HttpResponse response;
    response.status = 200;
    response.headers.Add("Content-Type", obs::kPrometheusContentType);
    response.body = registry.RenderText();
    co_return response;
  };
}

}  // namespace orchestra::net
