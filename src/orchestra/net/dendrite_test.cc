#include "orchestra/net/dendrite.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>

#include "orchestra/net/axon_test_util.h"

namespace orchestra::net {
namespace {

using protocol::BittensorSynapse;
using testing::AddressOf;
using testing::AxonHarness;
using testing::Challenge;
using ::testing::HasSubstr;
using testing::RawServer;
using testing::RunUntilDone;
using ::testing::StartsWith;
using tcp = asio::ip::tcp;

const protocol::SynapseClass& Orchestra() { return protocol::OrchestraSynapseClass(); }

// A loopback port nobody listens on.
uint16_t ClosedPort() {
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const uint16_t port = acceptor.local_endpoint().port();
  acceptor.close();
  return port;
}

TEST(DendriteTest, PreparesTheRequestAsPythonDoes) {
  testing::Keys keys;
  testing::TestClock clock;
  asio::io_context io;
  DendriteOptions options;
  options.now_ns = clock.AsFunction();
  Dendrite dendrite(io.get_executor(), keys.validator, options);
  const AxonEndpoint axon{.ip = "10.1.2.3", .port = 8091, .hotkey = AddressOf(keys.axon)};
  const BittensorSynapse s = dendrite.Prepare(axon, Orchestra(), Challenge(), 30.0);
  EXPECT_DOUBLE_EQ(s.timeout, 30.0);
  EXPECT_EQ(s.dendrite.nonce, testing::kEpochNs);
  EXPECT_EQ(s.dendrite.version, 10002000);  // bittensor 10.2.0
  EXPECT_EQ(s.dendrite.uuid, dendrite.uuid());
  EXPECT_EQ(s.dendrite.hotkey, AddressOf(keys.validator));
  EXPECT_EQ(s.axon.ip, "10.1.2.3");
  EXPECT_EQ(s.axon.port, 8091);
  EXPECT_EQ(s.axon.hotkey, AddressOf(keys.axon));
  const std::string message =
      protocol::SignatureMessage(s.dendrite.nonce, s.dendrite.hotkey, AddressOf(keys.axon),
                                 s.dendrite.uuid, protocol::BodyHash(Orchestra(), s));
  EXPECT_TRUE(
      protocol::VerifyMessageSignature(AddressOf(keys.validator), message, *s.dendrite.signature)
          .ok());
}

TEST(DendriteTest, NoncesStrictlyIncreaseEvenWithAFrozenClock) {
  testing::Keys keys;
  testing::TestClock clock;
  asio::io_context io;
  DendriteOptions options;
  options.now_ns = clock.AsFunction();
  Dendrite dendrite(io.get_executor(), keys.validator, options);
  const AxonEndpoint axon{.ip = "127.0.0.1", .port = 1, .hotkey = AddressOf(keys.axon)};
  int64_t previous = 0;
  for (int i = 0; i < 5; ++i) {
    const int64_t nonce = *dendrite.Prepare(axon, Orchestra(), Challenge(), 12.0).dendrite.nonce;
    EXPECT_GT(nonce, previous);
    previous = nonce;
  }
}

TEST(DendriteTest, OneUuidPerInstance) {
  testing::Keys keys;
  asio::io_context io;
  Dendrite a(io.get_executor(), keys.validator), b(io.get_executor(), keys.validator);
  EXPECT_NE(a.uuid(), b.uuid());
  EXPECT_EQ(a.uuid().size(), 36u);
}

TEST(DendriteTest, ConnectFailureIs503) {
  testing::Keys keys;
  asio::io_context io;
  Dendrite dendrite(io.get_executor(), keys.validator);
  const uint16_t port = ClosedPort();
  const AxonEndpoint axon{.ip = "127.0.0.1", .port = port, .hotkey = AddressOf(keys.axon)};
  BittensorSynapse answer = RunUntilDone(io, dendrite.Call(axon, Orchestra(), Challenge(), 5.0));
  EXPECT_EQ(answer.dendrite.status_code, 503);
  EXPECT_EQ(answer.dendrite.status_message,
            fmt::format("Service unavailable at 127.0.0.1:{}/OrchestraSynapse", port));
}

TEST(DendriteTest, NoAnswerInTimeIs408) {
  RawServer silent([](tcp::socket socket, int) -> asio::awaitable<void> {
    co_await testing::ReadToEnd(socket);  // reads, never answers, until the client leaves
  });
  testing::Keys keys;
  asio::io_context io;
  Dendrite dendrite(io.get_executor(), keys.validator);
  const AxonEndpoint axon{.ip = "127.0.0.1", .port = silent.port(), .hotkey = AddressOf(keys.axon)};
  BittensorSynapse answer = RunUntilDone(io, dendrite.Call(axon, Orchestra(), Challenge(), 0.1));
  EXPECT_EQ(answer.dendrite.status_code, 408);
  EXPECT_EQ(answer.dendrite.status_message, "Request timeout after 0.1 seconds");
}

TEST(DendriteTest, UnparsableAnswerIs422) {
  RawServer garbled([](tcp::socket socket, int) -> asio::awaitable<void> {
    co_await testing::ReadHead(socket);
    co_await testing::WriteAll(
        socket, "HTTP/1.1 200 OK\r\nContent-Length: 8\r\nConnection: close\r\n\r\nnot json");
  });
  testing::Keys keys;
  asio::io_context io;
  Dendrite dendrite(io.get_executor(), keys.validator);
  const AxonEndpoint axon{
      .ip = "127.0.0.1", .port = garbled.port(), .hotkey = AddressOf(keys.axon)};
  BittensorSynapse answer = RunUntilDone(io, dendrite.Call(axon, Orchestra(), Challenge(), 5.0));
  EXPECT_EQ(answer.dendrite.status_code, 422);
  EXPECT_THAT(answer.dendrite.status_message.value_or(""),
              StartsWith("Failed to parse response: "));
}

TEST(DendriteTest, ErrorStatusCarriesTheAxonMessage) {
  AxonHarness h;
  auto dendrite = h.MakeDendrite(h.keys.stranger);
  BittensorSynapse answer = h.Call(*dendrite, Challenge());
  EXPECT_EQ(answer.axon.status_code, 403);
  EXPECT_EQ(answer.dendrite.status_code, 403);
  EXPECT_EQ(answer.dendrite.status_message, "Forbidden. Key is blacklisted: Unrecognized hotkey.");
  EXPECT_FALSE(answer.fields.contains("final_synthesis"));
}

TEST(DendriteTest, ReusesKeptAliveConnections) {
  AxonHarness h;
  auto dendrite = h.MakeDendrite(h.keys.validator);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(h.Call(*dendrite, Challenge()).dendrite.status_code, 200);
  }
  EXPECT_EQ(h.server->server().accepted_connections(), 1u);
}

TEST(DendriteTest, FansOutToThreeAxonsWithOneDown) {
  AxonHarness first, second;
  testing::Keys& keys = first.keys;
  asio::io_context io;
  Dendrite dendrite(io.get_executor(), keys.validator);
  const uint16_t down = ClosedPort();
  std::vector<AxonEndpoint> axons = {
      first.Endpoint(),
      {.ip = "127.0.0.1", .port = down, .hotkey = AddressOf(keys.axon)},
      second.Endpoint(),
  };
  const std::vector<BittensorSynapse> answers =
      RunUntilDone(io, dendrite.Forward(axons, Orchestra(), Challenge("fan out"), 5.0));
  ASSERT_EQ(answers.size(), 3u);
  EXPECT_EQ(answers[0].dendrite.status_code, 200);
  EXPECT_EQ(answers[0].fields.at("final_synthesis"), "answer to fan out");
  EXPECT_EQ(answers[1].dendrite.status_code, 503);
  EXPECT_THAT(answers[1].dendrite.status_message.value_or(""), HasSubstr(std::to_string(down)));
  EXPECT_EQ(answers[2].dendrite.status_code, 200);
  EXPECT_EQ(answers[2].axon.port, second.port);
  // Each axon saw its own signed request with its own nonce.
  EXPECT_NE(answers[0].dendrite.nonce, answers[2].dendrite.nonce);
}

}  // namespace
}  // namespace orchestra::net
