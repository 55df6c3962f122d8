// The axon under concurrent callers: a nonce is spent once however many copies of a signed
// request race for it, and distinct callers in parallel are all served.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "orchestra/net/axon.h"
#include "orchestra/net/axon_test_util.h"

namespace orchestra::net {
namespace {

using protocol::BittensorSynapse;
using testing::AxonHarness;
using testing::Challenge;
using testing::MessageOf;

constexpr int kCopies = 64;

// Sends every request of `requests` at once, each on its own connection, on the harness's
// io_context; the statuses in order (0 for a transport failure).
std::vector<unsigned> SendAtOnce(AxonHarness& h, const std::vector<BittensorSynapse>& requests,
                                 std::vector<std::string>* messages) {
  std::vector<std::optional<Result<HttpResponse>>> answers(requests.size());
  std::vector<std::unique_ptr<HttpClient>> clients;  // one each: no connection is shared
  const auto& cls = protocol::OrchestraSynapseClass();
  for (size_t i = 0; i < requests.size(); ++i) {
    HttpRequest request;
    request.target = "/OrchestraSynapse";
    request.body = protocol::ToBody(cls, requests[i]);
    request.headers = protocol::ToHeaders(cls, requests[i]);
    request.headers.Add("content-type", "application/json");
    clients.push_back(std::make_unique<HttpClient>(h.io.get_executor()));
    auto send = [](HttpClient& client, uint16_t port, HttpRequest request,
                   std::optional<Result<HttpResponse>>* out) -> asio::awaitable<void> {
      out->emplace(co_await client.Send("127.0.0.1", port, std::move(request),
                                        Deadline::After(std::chrono::seconds(20))));
    };
    asio::co_spawn(h.io, send(*clients.back(), h.port, std::move(request), &answers[i]),
                   asio::detached);
  }
  h.io.restart();
  h.io.run();
  std::vector<unsigned> statuses;
  for (const auto& answer : answers) {
    const bool ok = answer.has_value() && answer->ok();
    statuses.push_back(ok ? (*answer)->status : 0);
    if (messages) messages->push_back(ok ? MessageOf(**answer) : "");
  }
  return statuses;
}

TEST(AxonConcurrencyTest, ReplayedCopiesRacingForOneNonceAreServedOnce) {
  AxonHarness h;  // two server threads: the copies are verified in parallel
  auto dendrite = h.MakeDendrite(h.keys.validator);
  const BittensorSynapse prepared =
      dendrite->Prepare(h.Endpoint(), protocol::OrchestraSynapseClass(), Challenge(), 12.0);
  std::vector<std::string> messages;
  const std::vector<unsigned> statuses =
      SendAtOnce(h, std::vector<BittensorSynapse>(kCopies, prepared), &messages);

  int served = 0, refused = 0;
  for (size_t i = 0; i < statuses.size(); ++i) {
    if (statuses[i] == 200) ++served;
    if (statuses[i] == 401) {
      ++refused;
      EXPECT_EQ(messages[i],
                "Not Verified with error: Nonce is too old, a newer one was last processed");
    }
  }
  EXPECT_EQ(served, 1);
  EXPECT_EQ(refused, kCopies - 1);
  EXPECT_EQ(h.axon->answered(200), 1u);
  EXPECT_EQ(h.axon->answered(401), static_cast<uint64_t>(kCopies - 1));
}

// Nonces are kept per dendrite (hotkey and uuid, as Python's endpoint key): 64 dendrites of one
// validator calling at once are all served, none refused or answered twice.
TEST(AxonConcurrencyTest, DistinctDendritesAtOnceAreAllServed) {
  AxonHarness h;
  std::vector<std::unique_ptr<Dendrite>> dendrites;
  std::vector<BittensorSynapse> requests;
  for (int i = 0; i < kCopies; ++i) {
    dendrites.push_back(h.MakeDendrite(h.keys.validator));
    requests.push_back(dendrites.back()->Prepare(h.Endpoint(), protocol::OrchestraSynapseClass(),
                                                 Challenge("objective " + std::to_string(i)),
                                                 12.0));
  }
  const std::vector<unsigned> statuses = SendAtOnce(h, requests, nullptr);
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 200u), kCopies);
  EXPECT_EQ(h.axon->answered(200), static_cast<uint64_t>(kCopies));
}

}  // namespace
}  // namespace orchestra::net
