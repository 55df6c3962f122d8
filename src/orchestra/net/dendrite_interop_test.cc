// The C++ dendrite against an independent JavaScript axon (tests/interop/axon_server.mjs, which
// answers as Python's bittensor axon does and verifies with @scure/sr25519). Skipped when node
// or tests/interop/node_modules is missing.

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <boost/asio/read_until.hpp>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "orchestra/crypto/hex.h"
#include "orchestra/net/axon_test_util.h"
#include "orchestra/net/dendrite.h"
#include "orchestra/net/interop_test_util.h"

extern char** environ;

namespace orchestra::net {
namespace {

using protocol::BittensorSynapse;
using testing::AddressOf;
using testing::Challenge;
using ::testing::HasSubstr;
using testing::InteropDir;
using testing::InteropUnavailable;
using testing::kNoThrow;
using testing::SeedHex;
using ::testing::StartsWith;
using testing::tcp;

int64_t SystemNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// axon_server.mjs as a child process. Its stdin is a pipe it exits on when closed (so it never
// outlives this process), its stdout the port line and then one JSON line per answer; its
// stderr is ours.
class JsAxonProcess {
 public:
  // Starts `node script args...` and waits up to 30 s for the port line.
  static Result<std::unique_ptr<JsAxonProcess>> Start(const std::filesystem::path& script,
                                                      const std::vector<std::string>& args) {
    int to_child[2];
    int from_child[2];
    if (pipe2(to_child, O_CLOEXEC) != 0) return SystemError("pipe");
    if (pipe2(from_child, O_CLOEXEC) != 0) {
      close(to_child[0]);
      close(to_child[1]);
      return SystemError("pipe");
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, to_child[0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, from_child[1], STDOUT_FILENO);
    std::vector<std::string> words = {"node", script.string()};
    words.insert(words.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& word : words) argv.push_back(word.data());
    argv.push_back(nullptr);
    pid_t pid = 0;
    const int spawned = posix_spawnp(&pid, "node", &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(to_child[0]);
    close(from_child[1]);
    if (spawned != 0) {
      close(to_child[1]);
      close(from_child[0]);
      return Error(ErrorCode::kInternal, fmt::format("cannot start node: {}", strerror(spawned)));
    }
    auto process =
        std::unique_ptr<JsAxonProcess>(new JsAxonProcess(pid, to_child[1], from_child[0]));
    auto line = process->ReadLine(std::chrono::seconds(30));
    if (!line) return Error(ErrorCode::kUnavailable, script.string() + " did not start listening");
    const int port = std::atoi(line->c_str());
    if (port <= 0 || port > 65535) {
      return Error(ErrorCode::kInternal,
                   fmt::format("{} printed '{}' instead of its port", script.string(), *line));
    }
    process->port_ = static_cast<uint16_t>(port);
    return process;
  }

  ~JsAxonProcess() {
    close(stdin_fd_);
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
    close(stdout_fd_);
  }
  JsAxonProcess(const JsAxonProcess&) = delete;
  JsAxonProcess& operator=(const JsAxonProcess&) = delete;

  uint16_t port() const { return port_; }

  // The answers the axon logged since the last call. The axon writes each line (synchronously,
  // to a pipe) before it sends the answer, so every answer a test has received is here.
  std::vector<Json> TakeAnswers() {
    std::vector<Json> answers;
    while (auto line = ReadLine(std::chrono::milliseconds(0))) {
      auto json = ParseJson(*line, "axon_server.mjs answer line");
      if (json) answers.push_back(std::move(*json));
    }
    return answers;
  }

 private:
  JsAxonProcess(pid_t pid, int stdin_fd, int stdout_fd)
      : pid_(pid), stdin_fd_(stdin_fd), stdout_fd_(stdout_fd) {}

  static Error SystemError(std::string_view what) {
    return Error(ErrorCode::kInternal, fmt::format("{}: {}", what, strerror(errno)));
  }

  // The next stdout line, waiting at most `wait` for it; nullopt on timeout or end of output.
  std::optional<std::string> ReadLine(std::chrono::milliseconds wait) {
    const auto until = std::chrono::steady_clock::now() + wait;
    for (;;) {
      if (const size_t end = pending_.find('\n'); end != std::string::npos) {
        std::string line = pending_.substr(0, end);
        pending_.erase(0, end + 1);
        return line;
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          until - std::chrono::steady_clock::now());
      pollfd ready{.fd = stdout_fd_, .events = POLLIN, .revents = 0};
      if (poll(&ready, 1, static_cast<int>(std::max<int64_t>(left.count(), 0))) <= 0) {
        return std::nullopt;
      }
      char buffer[4096];
      const ssize_t n = read(stdout_fd_, buffer, sizeof(buffer));
      if (n <= 0) return std::nullopt;
      pending_.append(buffer, static_cast<size_t>(n));
    }
  }

  pid_t pid_;
  int stdin_fd_;
  int stdout_fd_;
  uint16_t port_ = 0;
  std::string pending_;
};

// Reads one HTTP message (head and Content-Length body) off `socket`; "" when the peer left
// before a whole one arrived.
asio::awaitable<std::string> ReadMessage(tcp::socket& socket) {
  std::string data;
  auto [ec, head_end] =
      co_await asio::async_read_until(socket, asio::dynamic_buffer(data), "\r\n\r\n", kNoThrow);
  if (ec) co_return std::string();
  std::string head = data.substr(0, head_end);
  std::transform(head.begin(), head.end(), head.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  size_t length = 0;
  if (const size_t at = head.find("\r\ncontent-length:"); at != std::string::npos) {
    length = std::strtoul(head.c_str() + at + std::strlen("\r\ncontent-length:"), nullptr, 10);
  }
  while (data.size() < head_end + length) {
    char chunk[4096];
    auto [read_ec, n] = co_await socket.async_read_some(asio::buffer(chunk), kNoThrow);
    if (read_ec) co_return std::string();
    data.append(chunk, n);
  }
  co_return data;
}

// A man in the middle between a dendrite and the JavaScript axon: edits each request with
// `tamper`, sends it `times` times over one upstream connection and relays the last answer.
class TamperingProxy {
 public:
  TamperingProxy(uint16_t upstream_port, std::function<void(std::string&)> tamper, int times = 1)
      : upstream_port_(upstream_port),
        tamper_(std::move(tamper)),
        times_(times),
        server_([this](tcp::socket client, int) { return Relay(std::move(client)); }) {}

  uint16_t port() const { return server_.port(); }

  // The status line of every answer the axon gave through this proxy.
  std::vector<std::string> upstream_status_lines() const {
    std::lock_guard lock(mu_);
    return status_lines_;
  }

 private:
  asio::awaitable<void> Relay(tcp::socket client) {
    std::string request = co_await ReadMessage(client);
    if (request.empty()) co_return;
    tamper_(request);
    tcp::socket upstream(client.get_executor());
    auto [ec] = co_await upstream.async_connect(
        tcp::endpoint(asio::ip::make_address("127.0.0.1"), upstream_port_), kNoThrow);
    if (ec) co_return;
    std::string answer;
    for (int i = 0; i < times_; ++i) {
      co_await testing::WriteAll(upstream, request);
      answer = co_await ReadMessage(upstream);
      std::lock_guard lock(mu_);
      status_lines_.push_back(answer.substr(0, answer.find("\r\n")));
    }
    co_await testing::WriteAll(client, answer);
  }

  const uint16_t upstream_port_;
  const std::function<void(std::string&)> tamper_;
  const int times_;
  mutable std::mutex mu_;
  std::vector<std::string> status_lines_;  // guarded by mu_
  testing::RawServer server_;              // last: its thread runs Relay
};

// Changes the first occurrence of `from` at or after `start` in `bytes` to `to` (same length, so
// Content-Length stays right).
void Replace(std::string& bytes, std::string_view from, std::string_view to, size_t start = 0) {
  ASSERT_EQ(from.size(), to.size());
  const size_t at = bytes.find(from, start);
  ASSERT_NE(at, std::string::npos) << "no " << from << " in:\n" << bytes;
  bytes.replace(at, from.size(), to);
}

class DendriteInteropTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::filesystem::path interop = InteropDir();
    unavailable_ = InteropUnavailable("axon");
    if (!unavailable_.empty()) return;
    const testing::Keys keys;
    auto started =
        JsAxonProcess::Start(interop / "axon_server.mjs",
                             {"--seed", SeedHex(1), "--validators", AddressOf(keys.validator)});
    if (started) {
      axon_process_ = std::move(*started);
    } else {
      start_error_ = started.error().ToString();
    }
  }
  static void TearDownTestSuite() { axon_process_.reset(); }

  void SetUp() override {
    ORCHESTRA_REQUIRE_REFERENCE(unavailable_);
    ASSERT_TRUE(axon_process_) << start_error_;
    axon_process_->TakeAnswers();  // drop earlier tests' lines; the pipe must not fill up
  }

  // The JavaScript axon; its hotkey is KeyFromByte(1), keys_.axon.
  AxonEndpoint Axon(uint16_t port = 0) const {
    return {.ip = "127.0.0.1",
            .port = port ? port : axon_process_->port(),
            .hotkey = AddressOf(keys_.axon)};
  }

  std::unique_ptr<Dendrite> MakeDendrite(const crypto::Keypair& key, DendriteOptions options = {}) {
    return std::make_unique<Dendrite>(io_.get_executor(), key, std::move(options));
  }

  BittensorSynapse Call(Dendrite& dendrite, const AxonEndpoint& axon,
                        BittensorSynapse synapse = Challenge(), double timeout = 12.0,
                        const protocol::SynapseClass& cls = protocol::OrchestraSynapseClass()) {
    return testing::RunUntilDone(io_, dendrite.Call(axon, cls, std::move(synapse), timeout));
  }

  // What the axon logged about `dendrite`'s calls since the last look (the axon may still be
  // answering other tests' slow calls).
  static std::vector<Json> AnswersTo(const Dendrite& dendrite) {
    std::vector<Json> answers;
    for (Json& answer : axon_process_->TakeAnswers()) {
      if (JsonString(answer, "uuid") == dendrite.uuid()) answers.push_back(std::move(answer));
    }
    return answers;
  }

  static std::string StatusMessage(const BittensorSynapse& answer) {
    return answer.dendrite.status_message.value_or("<none>");
  }

  inline static std::string unavailable_;
  inline static std::string start_error_;
  inline static std::unique_ptr<JsAxonProcess> axon_process_;
  testing::Keys keys_;
  asio::io_context io_;
};

TEST_F(DendriteInteropTest, SignedCallIsAcceptedAndTheAnswerParsed) {
  auto dendrite = MakeDendrite(keys_.validator);
  const BittensorSynapse answer = Call(*dendrite, Axon());

  EXPECT_EQ(answer.dendrite.status_code, 200) << StatusMessage(answer);
  EXPECT_EQ(answer.dendrite.status_message, "Success");
  EXPECT_EQ(answer.axon.status_code, 200);
  EXPECT_EQ(answer.axon.status_message, "Success");
  ASSERT_TRUE(answer.axon.process_time.has_value());
  EXPECT_GE(*answer.axon.process_time, 0.0);
  EXPECT_EQ(answer.axon.hotkey, AddressOf(keys_.axon));
  EXPECT_EQ(answer.dendrite.hotkey, dendrite->hotkey());
  EXPECT_EQ(answer.dendrite.uuid, dendrite->uuid());
  EXPECT_EQ(JsonString(answer.fields, "final_synthesis"), "answer to Find GPU prices");
  EXPECT_EQ(JsonString(answer.fields, "challenge_id"), "0x4f2a");
  EXPECT_EQ(JsonInt(answer.fields, "deadline_ms"), 30000);

  const std::vector<Json> logged = AnswersTo(*dendrite);
  ASSERT_EQ(logged.size(), 1u);
  EXPECT_EQ(JsonInt(logged[0], "status"), 200);
  EXPECT_EQ(JsonString(logged[0], "hotkey"), dendrite->hotkey());
  EXPECT_EQ(JsonString(logged[0], "uuid"), dendrite->uuid());
}

TEST_F(DendriteInteropTest, SequentialCallsShareOneKeptAliveConnectionWithIncreasingNonces) {
  auto dendrite = MakeDendrite(keys_.validator);
  constexpr int kCalls = 20;
  std::vector<int64_t> nonces;
  for (int i = 0; i < kCalls; ++i) {
    const BittensorSynapse answer =
        Call(*dendrite, Axon(), Challenge(fmt::format("objective {}", i)));
    ASSERT_EQ(answer.dendrite.status_code, 200) << "call " << i << ": " << StatusMessage(answer);
    EXPECT_EQ(JsonString(answer.fields, "final_synthesis"),
              fmt::format("answer to objective {}", i));
    ASSERT_TRUE(answer.dendrite.nonce.has_value());
    nonces.push_back(*answer.dendrite.nonce);
  }
  EXPECT_TRUE(std::is_sorted(nonces.begin(), nonces.end()));
  EXPECT_EQ(std::set<int64_t>(nonces.begin(), nonces.end()).size(), nonces.size());

  const std::vector<Json> logged = AnswersTo(*dendrite);
  ASSERT_EQ(logged.size(), static_cast<size_t>(kCalls));
  std::set<int64_t> connections;
  for (size_t i = 0; i < logged.size(); ++i) {
    connections.insert(JsonInt(logged[i], "connection"));
    EXPECT_EQ(JsonString(logged[i], "nonce"), std::to_string(nonces[i]));
  }
  EXPECT_EQ(connections.size(), 1u) << "the dendrite opened a connection per call";
}

TEST_F(DendriteInteropTest, SecondDendriteWithItsOwnUuidIsAcceptedAlongsideTheFirst) {
  auto first = MakeDendrite(keys_.validator);
  auto second = MakeDendrite(keys_.validator);
  ASSERT_NE(first->uuid(), second->uuid());
  for (int round = 0; round < 3; ++round) {
    for (Dendrite* dendrite : {first.get(), second.get()}) {
      const BittensorSynapse answer = Call(*dendrite, Axon());
      EXPECT_EQ(answer.dendrite.status_code, 200)
          << "round " << round << ", uuid " << dendrite->uuid() << ": " << StatusMessage(answer);
    }
  }
  const std::vector<Json> logged = axon_process_->TakeAnswers();
  for (const Dendrite* dendrite : {first.get(), second.get()}) {
    EXPECT_EQ(std::count_if(logged.begin(), logged.end(),
                            [&](const Json& answer) {
                              return JsonString(answer, "uuid") == dendrite->uuid() &&
                                     JsonInt(answer, "status") == 200;
                            }),
              3);
  }
}

TEST_F(DendriteInteropTest, BodyTamperedInTransitIsRejectedWith422) {
  const auto& cls = protocol::OrchestraSynapseClass();
  TamperingProxy proxy(axon_process_->port(), [](std::string& request) {
    Replace(request, "Find GPU prices", "Find GPU pricez", request.find("\r\n\r\n"));
  });
  auto dendrite = MakeDendrite(keys_.validator);
  const BittensorSynapse answer = Call(*dendrite, Axon(proxy.port()));

  EXPECT_EQ(answer.dendrite.status_code, 422);
  // The JavaScript hash of the tampered body is the one ours computes for it.
  EXPECT_EQ(StatusMessage(answer),
            fmt::format("Hash mismatch between header body hash {} and parsed body hash {}",
                        protocol::BodyHash(cls, Challenge()),
                        protocol::BodyHash(cls, Challenge("Find GPU pricez"))));
  EXPECT_EQ(answer.axon.status_code, 422);
}

TEST_F(DendriteInteropTest, SignatureTamperedInTransitIsRejectedWith401) {
  TamperingProxy proxy(axon_process_->port(), [](std::string& request) {
    const std::string header = "bt_header_dendrite_signature: 0x";
    const size_t at = request.find(header);
    ASSERT_NE(at, std::string::npos) << request;
    char& digit = request[at + header.size()];
    digit = digit == 'a' ? 'b' : 'a';
  });
  auto dendrite = MakeDendrite(keys_.validator);
  const BittensorSynapse answer = Call(*dendrite, Axon(proxy.port()));

  EXPECT_EQ(answer.dendrite.status_code, 401);
  EXPECT_THAT(StatusMessage(answer),
              StartsWith("Not Verified with error: Signature mismatch with "));
}

TEST_F(DendriteInteropTest, ReplayedRequestIsRejectedWith401) {
  TamperingProxy replay(
      axon_process_->port(), [](std::string&) {}, /*times=*/2);
  auto dendrite = MakeDendrite(keys_.validator);
  const BittensorSynapse answer = Call(*dendrite, Axon(replay.port()));

  ASSERT_EQ(replay.upstream_status_lines().size(), 2u);
  EXPECT_EQ(replay.upstream_status_lines()[0], "HTTP/1.1 200 OK");
  EXPECT_EQ(answer.dendrite.status_code, 401);
  EXPECT_EQ(StatusMessage(answer),
            "Not Verified with error: Nonce is too old, a newer one was last processed");
}

TEST_F(DendriteInteropTest, CallSignedForAnotherAxonIsRejectedWith401) {
  AxonEndpoint elsewhere = Axon();
  elsewhere.hotkey = AddressOf(keys_.miner);  // we believe the axon has another hotkey
  auto dendrite = MakeDendrite(keys_.validator);
  const BittensorSynapse answer = Call(*dendrite, elsewhere);

  EXPECT_EQ(answer.dendrite.status_code, 401);
  // The axon rebuilds the signed message with its own hotkey.
  EXPECT_THAT(
      StatusMessage(answer),
      StartsWith(fmt::format("Not Verified with error: Signature mismatch with {}.{}.{}.",
                             *answer.dendrite.nonce, dendrite->hotkey(), AddressOf(keys_.axon))));
}

TEST_F(DendriteInteropTest, StaleFirstNonceIsRejectedWith401) {
  DendriteOptions options;
  options.now_ns = [] { return SystemNowNs() - 60'000'000'000; };
  auto dendrite = MakeDendrite(keys_.validator, std::move(options));
  const BittensorSynapse answer = Call(*dendrite, Axon());

  EXPECT_EQ(answer.dendrite.status_code, 401);
  EXPECT_THAT(StatusMessage(answer),
              HasSubstr("Nonce is too old: acceptable delta is 16.00 seconds but request was 60."));
}

TEST_F(DendriteInteropTest, UnknownHotkeyIsBlacklistedWith403) {
  auto dendrite = MakeDendrite(keys_.stranger);
  const BittensorSynapse answer = Call(*dendrite, Axon());

  EXPECT_EQ(answer.dendrite.status_code, 403);
  EXPECT_EQ(StatusMessage(answer), "Forbidden. Key is blacklisted: Unrecognized hotkey.");
}

TEST_F(DendriteInteropTest, UnknownSynapseClassIsRejectedWith404) {
  auto dendrite = MakeDendrite(keys_.validator);
  const BittensorSynapse answer =
      Call(*dendrite, Axon(), BittensorSynapse{}, 12.0, protocol::LedgerSynapseClass());

  EXPECT_EQ(answer.dendrite.status_code, 404);
  EXPECT_EQ(StatusMessage(answer),
            "Synapse name 'LedgerSynapse' not found. Available synapses ['Synapse', "
            "'OrchestraSynapse']");
}

TEST_F(DendriteInteropTest, AxonSlowerThanTheTimeoutGives408) {
  auto dendrite = MakeDendrite(keys_.validator);
  const auto start = std::chrono::steady_clock::now();
  const BittensorSynapse answer = Call(*dendrite, Axon(), Challenge("sleep 3000 ms"), 0.25);
  const auto waited = std::chrono::steady_clock::now() - start;

  EXPECT_EQ(answer.dendrite.status_code, 408);
  EXPECT_EQ(StatusMessage(answer), "Request timeout after 0.25 seconds");
  EXPECT_LT(waited, std::chrono::seconds(2)) << "the dendrite waited for the axon";
}

}  // namespace
}  // namespace orchestra::net
