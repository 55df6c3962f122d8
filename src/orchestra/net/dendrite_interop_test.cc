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
#include <regex>
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

TEST_F(DendriteInteropTest, BodyTamperedInTransitIsRejectedWith500AsPythonDoes) {
  const auto& cls = protocol::OrchestraSynapseClass();
  TamperingProxy proxy(axon_process_->port(), [](std::string& request) {
    Replace(request, "Find GPU prices", "Find GPU pricez", request.find("\r\n\r\n"));
  });
  auto dendrite = MakeDendrite(keys_.validator);
  const BittensorSynapse answer = Call(*dendrite, Axon(proxy.port()));

  // Python's verify_body_integrity raises; its middleware hides why behind an error id.
  EXPECT_EQ(answer.dendrite.status_code, 500);
  EXPECT_THAT(StatusMessage(answer), StartsWith("Internal Server Error #"));
  EXPECT_EQ(answer.axon.status_code, 500);
  // What it logs: the JavaScript hash of the tampered body is the one ours computes for it.
  const std::vector<Json> logged = AnswersTo(*dendrite);
  ASSERT_EQ(logged.size(), 1u);
  EXPECT_EQ(JsonString(logged[0], "detail"),
            fmt::format("Hash mismatch between header body hash {} and parsed body hash {}",
                        protocol::BodyHash(cls, Challenge()),
                        protocol::BodyHash(cls, Challenge("Find GPU pricez"))));
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

// Validators ping with Python's base Synapse; Python's axon serves it to anyone who signs.
TEST_F(DendriteInteropTest, PingWithTheBaseSynapseIsAnsweredEvenForAnUnknownHotkey) {
  for (const crypto::Keypair* key : {&keys_.validator, &keys_.stranger}) {
    auto dendrite = MakeDendrite(*key);
    const BittensorSynapse answer =
        Call(*dendrite, Axon(), BittensorSynapse{}, 5.0, protocol::BaseSynapseClass());
    EXPECT_EQ(answer.dendrite.status_code, 200) << StatusMessage(answer);
    EXPECT_EQ(answer.axon.status_code, 200);
    EXPECT_EQ(answer.name, "Synapse");
    EXPECT_EQ(answer.axon.hotkey, AddressOf(keys_.axon));
  }
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

// --- Our axon held against Python's ------------------------------------------------------------
//
// The same request bytes go to the JavaScript axon (which answers as Python's bittensor 10.2
// axon does) and to our C++ axon, both with hotkey KeyFromByte(1) and the same blacklist (only
// keys_.validator is known). Every scenario must get the same status and message from both,
// except the ones in kKnownDifferences below: there each side must give exactly the answer
// listed, so a difference is a decision written down here (and in net/axon.h), never an
// accident, and a difference that disappears fails the test too.

struct AxonAnswer {
  int status = 0;
  std::string message;
};

// Messages with their variable parts masked: Python's error ids and request ages.
std::string NormalizedMessage(std::string message) {
  static const std::regex kErrorId("Internal Server Error #[0-9a-f-]+");
  static const std::regex kAge("request was [0-9.]+ seconds old");
  message = std::regex_replace(message, kErrorId, "Internal Server Error #<id>");
  return std::regex_replace(message, kAge, "request was <age> seconds old");
}

struct KnownDifference {
  std::string_view scenario;
  int python_status;
  std::string_view python_message;  // normalized
  int our_status;
  std::string_view our_message;  // normalized; a prefix when it ends with "..."
  std::string_view why;
};

// Where our axon deliberately answers otherwise than Python's bittensor 10.2 axon.
constexpr KnownDifference kKnownDifferences[] = {
    {"unsigned", 200, "Success", 401, "Not Verified with error: Missing Signature",
     "Python checks a signature only when one is present, so anyone can call in any hotkey's "
     "name; we require one (bittensor 10.5 does too)."},
    {"stale-first-nonce-version-7.1.9", 200, "Success", 401,
     "Not Verified with error: Nonce is too old: acceptable delta is 16.00 seconds but request "
     "was <age> seconds old",
     "Python skips the first-nonce window for dendrite versions below 7.2.0; the version header "
     "is not signed, so lowering it would let a captured request be replayed after an axon "
     "restart. No dendrite that old still runs: we apply the window to every version."},
    {"stale-first-nonce-no-version", 200, "Success", 401,
     "Not Verified with error: Nonce is too old: acceptable delta is 16.00 seconds but request "
     "was <age> seconds old",
     "As above: Python also skips the window when the version header is absent."},
    {"stale-nonce-timeout-1000", 200, "Success", 401,
     "Not Verified with error: Nonce is too old: acceptable delta is 304.00 seconds but request "
     "was <age> seconds old",
     "Python widens the first-nonce window by whatever timeout the caller states; we clamp the "
     "timeout to max_timeout_seconds (300 s) first, so a caller cannot widen the replay window "
     "at will."},
    {"tampered-body", 500, "Internal Server Error #<id>", 422,
     "Hash mismatch between header body hash ...",
     "Python's verify_body_integrity raises and its middleware answers 500 with an error id, "
     "hiding the reason; a body that does not match its signed hash is the caller's fault, so "
     "we answer 422 and say why."},
    {"body-not-json", 500, "Internal Server Error #<id>", 422,
     "Body does not match OrchestraSynapse: ...", "As above, for a body that is not the class."},
    {"signature-too-short", 401, "Not Verified with error: Invalid signature", 401,
     "Not Verified with error: signature: must be 64 bytes, got 31",
     "Same status; our message says what is wrong with it."},
    {"signature-without-0x", 401,
     "Not Verified with error: Invalid signature format. Expected hex string.", 200, "Success",
     "btwallet's Keypair.verify refuses a signature string without \"0x\"; we accept the 128 "
     "hex digits with or without it (our dendrite always sends \"0x\")."},
    {"timeout-header-not-a-number", 400,
     "Improperly formatted request. Could not parse headers Headers(...", 400,
     "Improperly formatted request. Could not parse headers into synapse of type "
     "OrchestraSynapse: ...",
     "Same status; Python quotes every request header, we name the field that failed."},
};

bool MessageMatches(std::string_view expected, const std::string& actual) {
  if (expected.ends_with("...")) {
    return std::string_view(actual).starts_with(expected.substr(0, expected.size() - 3));
  }
  return actual == expected;
}

class PythonAxonParityTest : public DendriteInteropTest {
 protected:
  static AxonOptions RealClockOptions() {
    AxonOptions options;
    options.now_ns = SystemNowNs;
    return options;
  }

  // The request `synapse` (prepared by a dendrite, then edited) as it goes on the wire: signed
  // again by `signer` when one is given (else with the signature it carries), with `body`
  // instead of its own when one is given.
  static HttpRequest Wire(BittensorSynapse synapse, const crypto::Keypair* signer,
                          std::string body = "",
                          const protocol::SynapseClass& cls = protocol::OrchestraSynapseClass()) {
    if (signer) {
      synapse.dendrite.signature = protocol::SignMessage(
          *signer, protocol::SignatureMessage(synapse.dendrite.nonce, synapse.dendrite.hotkey,
                                              *synapse.axon.hotkey, synapse.dendrite.uuid,
                                              protocol::BodyHash(cls, synapse)));
    }
    HttpRequest request;
    request.method = "POST";
    request.target = "/" + cls.name;
    request.body = body.empty() ? protocol::ToBody(cls, synapse) : std::move(body);
    request.headers = protocol::ToHeaders(cls, synapse);
    request.headers.Add("content-type", "application/json");
    return request;
  }

  // `request` with the value of header `name` replaced.
  static HttpRequest WithHeader(HttpRequest request, std::string_view name,
                                std::string_view value) {
    protocol::WireHeaders headers;
    for (const auto& [key, old] : request.headers) headers.Add(key, key == name ? value : old);
    request.headers = std::move(headers);
    return request;
  }

  AxonAnswer Send(testing::AxonHarness& ours, uint16_t port, const HttpRequest& request) {
    auto response = testing::RunUntilDone(
        ours.io,
        ours.client.Send("127.0.0.1", port, request, Deadline::After(std::chrono::seconds(10))));
    if (!response) return {0, response.error().ToString()};
    auto body = ParseJson(response->body);
    std::string message = response->status == 200 ? "Success" : "<no message>";
    if (response->status != 200 && body.ok()) message = JsonString(*body, "message");
    return {response->status, NormalizedMessage(message)};
  }
};

TEST_F(PythonAxonParityTest, SameAnswersAsPythonExceptTheDocumentedDifferences) {
  testing::AxonHarness ours(RealClockOptions());
  ASSERT_NE(ours.port, 0);
  const auto& cls = protocol::OrchestraSynapseClass();
  // A request from a dendrite of its own (its own uuid), so that no scenario's nonce follows
  // another's.
  std::vector<std::unique_ptr<Dendrite>> dendrites;
  auto prepared = [&](const crypto::Keypair& key, double timeout = 12.0) {
    dendrites.push_back(MakeDendrite(key));
    return dendrites.back()->Prepare(Axon(), cls, Challenge(), timeout);
  };
  const crypto::Keypair& validator = keys_.validator;
  const crypto::Keypair& stranger = keys_.stranger;
  const int64_t minute_ago = SystemNowNs() - 60'000'000'000;

  struct Scenario {
    std::string name;
    HttpRequest request;
    int sends = 1;  // the answer compared is the last one's
  };
  std::vector<Scenario> scenarios;
  scenarios.push_back({"valid", Wire(prepared(validator), nullptr)});
  scenarios.push_back({"replayed", Wire(prepared(validator), nullptr), 2});
  {
    BittensorSynapse s = prepared(validator);
    s.dendrite.nonce = minute_ago;
    scenarios.push_back({"stale-first-nonce", Wire(s, &keys_.validator)});
  }
  {
    BittensorSynapse s = prepared(validator);
    s.dendrite.nonce = minute_ago;
    s.dendrite.version = protocol::VersionAsInt(7, 1, 9);
    scenarios.push_back({"stale-first-nonce-version-7.1.9", Wire(s, &keys_.validator)});
  }
  {
    BittensorSynapse s = prepared(validator);
    s.dendrite.nonce = minute_ago;
    s.dendrite.version.reset();
    scenarios.push_back({"stale-first-nonce-no-version", Wire(s, &keys_.validator)});
  }
  {
    BittensorSynapse s = prepared(validator, 1000.0);
    s.dendrite.nonce = SystemNowNs() - 500'000'000'000;
    scenarios.push_back({"stale-nonce-timeout-1000", Wire(s, &keys_.validator)});
  }
  {
    BittensorSynapse s = prepared(validator);
    s.dendrite.signature.reset();
    scenarios.push_back({"unsigned", Wire(s, nullptr)});
  }
  scenarios.push_back({"signed-by-another-key", Wire(prepared(validator), &keys_.miner)});
  {
    BittensorSynapse s = prepared(validator);
    s.dendrite.nonce.reset();
    scenarios.push_back({"missing-nonce", Wire(s, &keys_.validator)});
  }
  {
    BittensorSynapse s = prepared(validator);
    s.dendrite.signature = "0x" + std::string(62, 'a');
    scenarios.push_back({"signature-too-short", Wire(s, nullptr)});
  }
  {
    const HttpRequest signed_request = Wire(prepared(validator), nullptr);
    const std::string signature(signed_request.headers.Find("bt_header_dendrite_signature"));
    scenarios.push_back(
        {"signature-without-0x",
         WithHeader(signed_request, "bt_header_dendrite_signature", signature.substr(2))});
  }
  {
    HttpRequest request = Wire(prepared(validator), nullptr);
    request.body = protocol::ToBody(cls, Challenge("Find GPU pricez"));
    scenarios.push_back({"tampered-body", request});
  }
  scenarios.push_back({"body-not-json", Wire(prepared(validator), nullptr, "not json")});
  scenarios.push_back({"timeout-header-not-a-number",
                       WithHeader(Wire(prepared(validator), nullptr), "timeout", "soon")});
  scenarios.push_back({"unknown-hotkey", Wire(prepared(stranger), nullptr)});
  // Blacklist comes before verify: a stranger's bad signature is still a 403.
  scenarios.push_back({"unknown-hotkey-bad-signature", Wire(prepared(stranger), &keys_.miner)});
  {
    BittensorSynapse s = prepared(validator);
    s.dendrite.hotkey.reset();
    scenarios.push_back({"missing-hotkey", Wire(s, nullptr)});
  }

  // The base Synapse (Python's ping): no blacklist, so a stranger's signed ping is served;
  // verify and nonces as for any class.
  const auto& base = protocol::BaseSynapseClass();
  auto ping = [&](const crypto::Keypair& key) {
    dendrites.push_back(MakeDendrite(key));
    return dendrites.back()->Prepare(Axon(), base, BittensorSynapse{}, 12.0);
  };
  scenarios.push_back({"ping", Wire(ping(validator), nullptr, "", base)});
  scenarios.push_back({"ping-from-unknown-hotkey", Wire(ping(stranger), nullptr, "", base)});
  scenarios.push_back({"ping-from-non-validator", Wire(ping(keys_.miner), nullptr, "", base)});
  scenarios.push_back({"ping-signed-by-another-key", Wire(ping(stranger), &keys_.miner, "", base)});
  scenarios.push_back({"ping-replayed", Wire(ping(stranger), nullptr, "", base), 2});
  {
    BittensorSynapse s = ping(stranger);
    s.dendrite.nonce = minute_ago;
    scenarios.push_back({"ping-stale-first-nonce", Wire(s, &keys_.stranger, "", base)});
  }
  {
    HttpRequest request = Wire(prepared(validator), nullptr);
    request.target = "/LedgerSynapse";
    scenarios.push_back({"unknown-synapse", request});
  }

  std::set<std::string_view> differences_seen;
  for (const Scenario& scenario : scenarios) {
    AxonAnswer python;
    AxonAnswer cpp;
    for (int i = 0; i < scenario.sends; ++i) {
      python = Send(ours, axon_process_->port(), scenario.request);
      cpp = Send(ours, ours.port, scenario.request);
    }
    const auto known =
        std::find_if(std::begin(kKnownDifferences), std::end(kKnownDifferences),
                     [&](const KnownDifference& d) { return d.scenario == scenario.name; });
    if (known == std::end(kKnownDifferences)) {
      EXPECT_EQ(cpp.status, python.status)
          << scenario.name << ": ours said " << cpp.message << ", Python's said " << python.message;
      EXPECT_EQ(cpp.message, python.message) << scenario.name;
      continue;
    }
    differences_seen.insert(known->scenario);
    EXPECT_EQ(python.status, known->python_status) << scenario.name << ": " << python.message;
    EXPECT_TRUE(MessageMatches(known->python_message, python.message))
        << scenario.name << ": Python's axon said " << python.message;
    EXPECT_EQ(cpp.status, known->our_status) << scenario.name << ": " << cpp.message;
    EXPECT_TRUE(MessageMatches(known->our_message, cpp.message))
        << scenario.name << ": ours said " << cpp.message;
  }
  for (const KnownDifference& d : kKnownDifferences) {
    EXPECT_TRUE(differences_seen.contains(d.scenario)) << "no scenario for " << d.scenario;
  }
}

// The order of Python's checks, spelled out: blacklist, then verify, then the body.
TEST_F(PythonAxonParityTest, PythonOrderIsBlacklistThenVerifyThenBody) {
  testing::AxonHarness ours(RealClockOptions());
  const auto& cls = protocol::OrchestraSynapseClass();
  auto stranger = MakeDendrite(keys_.stranger);
  // A stranger's request with a bad signature and a tampered body: the blacklist answers.
  BittensorSynapse s = stranger->Prepare(Axon(), cls, Challenge(), 12.0);
  HttpRequest request = Wire(s, &keys_.miner, protocol::ToBody(cls, Challenge("other")));
  for (uint16_t port : {axon_process_->port(), ours.port}) {
    const AxonAnswer answer = Send(ours, port, request);
    EXPECT_EQ(answer.status, 403) << port;
    EXPECT_EQ(answer.message, "Forbidden. Key is blacklisted: Unrecognized hotkey.") << port;
  }
  // The validator's request with a bad signature and a tampered body: verify answers.
  auto validator = MakeDendrite(keys_.validator);
  s = validator->Prepare(Axon(), cls, Challenge(), 12.0);
  request = Wire(s, &keys_.miner, protocol::ToBody(cls, Challenge("other")));
  for (uint16_t port : {axon_process_->port(), ours.port}) {
    const AxonAnswer answer = Send(ours, port, request);
    EXPECT_EQ(answer.status, 401) << port;
    EXPECT_THAT(answer.message, StartsWith("Not Verified with error: Signature mismatch with "))
        << port;
  }
}

}  // namespace
}  // namespace orchestra::net
