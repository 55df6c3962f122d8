#pragma once

#include <chrono>
#include <cstdint>

#include "orchestra/core/result.h"
#include "orchestra/net/http_message.h"

namespace orchestra::testing {

// Sends `request` to 127.0.0.1:`port` on an io_context of its own and waits for the answer
// (at most `timeout`).
Result<net::HttpResponse> SendLoopback(
    uint16_t port, net::HttpRequest request,
    std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace orchestra::testing
