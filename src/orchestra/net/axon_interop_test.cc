// The C++ axon against an independent JavaScript dendrite (tests/interop/axon_client.mjs,
// signing with @scure/sr25519). Skipped when node or tests/interop/node_modules is missing.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <unistd.h>

#include <boost/asio/read_until.hpp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <string>

#include "orchestra/crypto/hex.h"
#include "orchestra/net/axon.h"
#include "orchestra/net/axon_test_util.h"
#include "orchestra/net/dendrite.h"
#include "orchestra/net/interop_test_util.h"

namespace orchestra::net {
namespace {

using testing::AddressOf;
using testing::AxonHarness;
using ::testing::HasSubstr;
using testing::InteropDir;
using testing::InteropUnavailable;
using testing::SeedHex;
using ::testing::StartsWith;

// Runs `command`, returning its stdout; nullopt when it could not run or exited non-zero.
std::optional<std::string> RunCommand(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return std::nullopt;
  std::string out;
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof(buffer), pipe)) out.append(buffer, n);
  if (pclose(pipe) != 0) return std::nullopt;
  return out;
}

TEST(AxonInteropTest, JavaScriptDendriteIsAcceptedOnlyWhenCorrect) {
  const std::filesystem::path interop = InteropDir();
  ORCHESTRA_REQUIRE_REFERENCE(InteropUnavailable("client"));

  AxonOptions options;
  options.now_ns = [] {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
  AxonHarness h(options);  // KeyFromByte(2) is a registered validator, 5 is unknown
  const std::string command =
      fmt::format("node {} --port {} --axon-hotkey {} --seed {} --stranger-seed {}",
                  (interop / "axon_client.mjs").string(), h.port, AddressOf(h.keys.axon),
                  SeedHex(2), SeedHex(5));
  const std::optional<std::string> output = RunCommand(command);
  ASSERT_TRUE(output.has_value()) << "failed: " << command;
  auto parsed = ParseJson(*output, "axon_client.mjs output");
  ASSERT_TRUE(parsed.ok()) << parsed.error().ToString() << "\n" << *output;
  ASSERT_TRUE(parsed->is_array()) << *output;

  std::map<std::string, Json> cases;
  for (const Json& result : parsed->get_array()) cases[JsonString(result, "case")] = result;
  auto status = [&](const std::string& name) { return JsonInt(cases[name], "status", -1); };
  auto message = [&](const std::string& name) { return JsonString(cases[name], "message"); };

  EXPECT_EQ(status("valid"), 200) << message("valid");
  EXPECT_EQ(JsonString(cases["valid"], "final_synthesis"), "answer to Find GPU prices");
  EXPECT_EQ(JsonInt(cases["valid"], "axon_status_code"), 200);
  EXPECT_EQ(status("bytes-wrapped-signature"), 200) << message("bytes-wrapped-signature");

  EXPECT_EQ(status("replayed-nonce"), 401);
  EXPECT_EQ(message("replayed-nonce"),
            "Not Verified with error: Nonce is too old, a newer one was last processed");
  EXPECT_EQ(status("bad-signature"), 401);
  EXPECT_THAT(message("bad-signature"), StartsWith("Not Verified with error: "));
  EXPECT_EQ(status("stale-first-nonce"), 401);
  EXPECT_THAT(message("stale-first-nonce"), HasSubstr("Nonce is too old: acceptable delta"));
  EXPECT_EQ(status("missing-signature"), 401);
  EXPECT_EQ(message("missing-signature"), "Not Verified with error: Missing Signature");
  EXPECT_EQ(status("blacklisted"), 403);
  EXPECT_EQ(message("blacklisted"), "Forbidden. Key is blacklisted: Unrecognized hotkey.");
  EXPECT_EQ(status("tampered-body"), 422);
  EXPECT_THAT(message("tampered-body"), StartsWith("Hash mismatch"));
}

}  // namespace
}  // namespace orchestra::net

namespace orchestra::net {
namespace {

// Reads one request (head and Content-Length body) off `socket`; "" when the peer left first.
asio::awaitable<std::string> ReadRequest(testing::tcp::socket& socket) {
  std::string data;
  auto [ec, head_end] = co_await asio::async_read_until(socket, asio::dynamic_buffer(data),
                                                        "\r\n\r\n", testing::kNoThrow);
  if (ec) co_return std::string();
  size_t length = 0;
  for (const char* name : {"Content-Length: ", "content-length: "}) {
    if (const size_t at = data.find(name); at != std::string::npos) {
      length = std::stoul(data.substr(at + std::strlen(name)));
    }
  }
  while (data.size() < head_end + length) {
    char chunk[4096];
    auto [read_ec, n] = co_await socket.async_read_some(asio::buffer(chunk), testing::kNoThrow);
    if (read_ec) break;
    data.append(chunk, n);
  }
  co_return data;
}

TEST(AxonInteropTest, CppDendriteRequestVerifiesInJavaScript) {
  const std::filesystem::path interop = InteropDir();
  ORCHESTRA_REQUIRE_REFERENCE(InteropUnavailable("client"));

  // A stand-in axon that keeps the request bytes exactly as they arrived.
  std::promise<std::string> captured;
  testing::RawServer capture(
      [&captured](testing::tcp::socket socket, int index) -> asio::awaitable<void> {
        std::string request = co_await ReadRequest(socket);
        if (index == 0) captured.set_value(request);
        co_await testing::WriteAll(
            socket,
            "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      });
  testing::Keys keys;
  asio::io_context io;
  Dendrite dendrite(io.get_executor(), keys.validator);
  const AxonEndpoint axon{
      .ip = "127.0.0.1", .port = capture.port(), .hotkey = AddressOf(keys.axon)};
  (void)testing::RunUntilDone(
      io, dendrite.Call(axon, protocol::OrchestraSynapseClass(), testing::Challenge(), 12.0));
  auto future = captured.get_future();
  ASSERT_EQ(future.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  const std::string raw = future.get();

  const std::filesystem::path file =
      std::filesystem::temp_directory_path() / fmt::format("dendrite_request_{}.http", getpid());
  {
    std::ofstream out(file, std::ios::binary);
    out << raw;
  }
  const std::string command =
      fmt::format("node {} --verify-request {} --axon-hotkey {}",
                  (interop / "axon_client.mjs").string(), file.string(), AddressOf(keys.axon));
  const std::optional<std::string> output = RunCommand(command);
  std::filesystem::remove(file);
  ASSERT_TRUE(output.has_value()) << "failed: " << command;
  auto verdict = ParseJson(*output, "axon_client.mjs --verify-request output");
  ASSERT_TRUE(verdict.ok()) << *output;
  const Json* ok = JsonFind(*verdict, "ok");
  ASSERT_NE(ok, nullptr) << *output;
  EXPECT_TRUE(ok->is_bool() && ok->get_bool()) << *output << "\nrequest:\n" << raw;
}

}  // namespace
}  // namespace orchestra::net
