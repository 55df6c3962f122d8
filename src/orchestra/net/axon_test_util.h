#pragma once

// Test helpers for the axon and dendrite tests (net_test only): fixed keys, a metagraph with
// a validator, a low-stake validator and a non-validator, an axon on a real loopback server
// and a dendrite on the test thread.

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <memory>
#include <string>
#include <utility>

#include "orchestra/crypto/sr25519.h"
#include "orchestra/crypto/ss58.h"
#include "orchestra/crypto/test_util.h"
#include "orchestra/net/axon.h"
#include "orchestra/net/dendrite.h"
#include "orchestra/net/http_client.h"
#include "orchestra/net/net_test_util.h"
#include "orchestra/net/server_thread.h"
#include "orchestra/protocol/bittensor_synapse.h"

namespace orchestra::net::testing {

using protocol::BittensorSynapse;

inline constexpr int64_t kEpochNs = 1'732'368'000'000'000'000;  // a fixed "now"

using crypto::testing::AddressOf;
using crypto::testing::KeyFromByte;

// An OrchestraSynapse request with its inputs set.
inline BittensorSynapse Challenge(std::string objective = "Find GPU prices") {
  BittensorSynapse s;
  s.fields["challenge_id"] = "0x4f2a";
  s.fields["objective"] = std::move(objective);
  s.fields["target_schema"] = JsonObject{{"providers", "list[str]"}};
  return s;
}

// The handler of the tests: answers "answer to <objective>" in final_synthesis.
inline asio::awaitable<Result<BittensorSynapse>> AnswerObjective(BittensorSynapse request,
                                                                 Deadline) {
  const Json objective = request.fields["objective"];
  request.fields["final_synthesis"] =
      "answer to " + std::string(objective.is_string() ? objective.get_string() : "");
  co_return request;
}

// A test clock both ends read (Unix ns).
class TestClock {
 public:
  int64_t Now() const { return now_.load(); }
  void Set(int64_t ns) { now_.store(ns); }
  void Advance(int64_t ns) { now_.fetch_add(ns); }
  std::function<int64_t()> AsFunction() {
    return [this] { return Now(); };
  }

 private:
  std::atomic<int64_t> now_{kEpochNs};
};

// Keys: the axon, a validator (permit, stake 100), a low-stake validator (permit, stake 1),
// a miner (no permit, stake 500), an unregistered key.
struct Keys {
  crypto::Keypair axon = KeyFromByte(1);
  crypto::Keypair validator = KeyFromByte(2);
  crypto::Keypair low_stake = KeyFromByte(3);
  crypto::Keypair miner = KeyFromByte(4);
  crypto::Keypair stranger = KeyFromByte(5);
};

inline std::shared_ptr<StaticMetagraphSource> TestMetagraph(const Keys& keys) {
  return std::make_shared<StaticMetagraphSource>(std::vector<NeuronRecord>{
      {.hotkey = AddressOf(keys.validator), .uid = 0, .validator_permit = true, .stake = 100},
      {.hotkey = AddressOf(keys.low_stake), .uid = 1, .validator_permit = true, .stake = 1},
      {.hotkey = AddressOf(keys.miner), .uid = 2, .validator_permit = false, .stake = 500},
  });
}

// An axon serving OrchestraSynapse with `handler` on 127.0.0.1:0 (its own thread), plus a
// client side on the test thread.
class AxonHarness {
 public:
  explicit AxonHarness(AxonOptions options = {}, SynapseHandler handler = AnswerObjective,
                       int threads = 2, FieldMemory memory = FieldMemory::kHeap) {
    options.hotkey = AddressOf(keys.axon);
    if (!options.now_ns) options.now_ns = clock.AsFunction();
    if (options.blacklist.min_stake == 0) options.blacklist.min_stake = 10;
    metagraph = TestMetagraph(keys);
    axon = std::make_unique<Axon>(options, metagraph);
    EXPECT_TRUE(axon->Attach(protocol::OrchestraSynapseClass(), std::move(handler), memory).ok());
    server = std::make_unique<ServerThread>(options.server, axon->AsHandler(), threads);
    auto bound = server->Start();
    EXPECT_TRUE(bound.ok()) << bound.error().ToString();
    port = bound.ok() ? *bound : 0;
  }

  AxonEndpoint Endpoint() const {
    return {.ip = "127.0.0.1", .port = port, .hotkey = AddressOf(keys.axon)};
  }

  std::unique_ptr<Dendrite> MakeDendrite(const crypto::Keypair& key) {
    DendriteOptions options;
    options.now_ns = clock.AsFunction();
    return std::make_unique<Dendrite>(io.get_executor(), key, options);
  }

  BittensorSynapse Call(Dendrite& dendrite, BittensorSynapse synapse, double timeout = 12.0) {
    return RunUntilDone(io, dendrite.Call(Endpoint(), protocol::OrchestraSynapseClass(),
                                          std::move(synapse), timeout));
  }

  // Sends a request as prepared (possibly tampered with) by a test, bypassing the dendrite.
  Result<HttpResponse> SendRaw(
      const BittensorSynapse& prepared, std::string body = "",
      std::string target = "/OrchestraSynapse",
      const protocol::SynapseClass& cls = protocol::OrchestraSynapseClass()) {
    HttpRequest request;
    request.target = std::move(target);
    request.body = body.empty() ? protocol::ToBody(cls, prepared) : std::move(body);
    request.headers = protocol::ToHeaders(cls, prepared);
    request.headers.Add("content-type", "application/json");
    return RunUntilDone(io, client.Send("127.0.0.1", port, std::move(request),
                                        Deadline::After(std::chrono::seconds(10))));
  }

  Keys keys;
  TestClock clock;
  std::shared_ptr<StaticMetagraphSource> metagraph;
  std::unique_ptr<Axon> axon;
  std::unique_ptr<ServerThread> server;
  uint16_t port = 0;
  asio::io_context io;
  HttpClient client{io.get_executor()};
};

// Signs `prepared` again after a test changed its dendrite fields (uuid, nonce): what a
// hostile but registered caller sends.
inline void Resign(BittensorSynapse& prepared, const crypto::Keypair& key,
                   const std::string& axon_hotkey) {
  const auto& cls = protocol::OrchestraSynapseClass();
  prepared.dendrite.signature = protocol::SignMessage(
      key,
      protocol::SignatureMessage(prepared.dendrite.nonce, prepared.dendrite.hotkey, axon_hotkey,
                                 prepared.dendrite.uuid, protocol::BodyHash(cls, prepared)));
}

// The "message" of an error body; "" when there is none.
inline std::string MessageOf(const HttpResponse& response) {
  auto json = ParseJson(response.body);
  if (!json.ok()) return "";
  return JsonString(*json, "message");
}

}  // namespace orchestra::net::testing
