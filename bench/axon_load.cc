// Axon throughput on loopback with signed requests: verified requests/s and latency at N
// concurrent keep-alive connections, next to a baseline that serves the same load with a
// plain echo handler on the same HttpServer (no Bittensor verification), in one invocation.
//
//   build-net/bench/axon_load --connections 64 --seconds 10 --server-threads 1 [--json]
//   bench/axon_load.sh [build dir]   (1 and 2 server threads)
//
// The axon is the real one (blacklist, sr25519 verify, nonce check, priority queue, handler);
// the load generator runs in this process on its own thread(s). Every connection is its own
// dendrite (own uuid, hotkey drawn from a small registered pool) and sends pre-serialized
// HTTP/1.1 requests signed before the run with strictly increasing nonces, so no signing happens
// while measuring and every request the axon sees is fresh and valid. Requests are pre-built
// rather than signed by a producer thread during the run: on a 2-core machine such a thread
// would take CPU from the axon under test. The pool holds --max-rate × (warm-up + seconds)
// requests; a connection that runs out stops and the run is reported invalid.
//
// Nonces are drawn from the wall clock when pre-signing starts, and pre-signing can outlast the
// axon's first-nonce window (4 s + synapse timeout) on a busy machine. So the axon runs on an
// injected clock (AxonOptions::now_ns): the wall clock moved back, just before the run, by the
// time pre-signing took; to the axon the requests look signed the moment the run starts. The
// checks themselves are unchanged: each endpoint's first nonce must lie inside the window, later
// ones must strictly increase.
//
// Honesty checks (the exit status is 1 when one fails): before the run, a replayed request, a
// bad signature and an unregistered hotkey must be refused (401, 401, 403); during the run only
// 200 answers that echo the request's own text count as verified; afterwards the axon's
// answered(200) must equal the client's count of 200s and no other status may have been sent.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "load_util.h"
#include "orchestra/core/json.h"
#include "orchestra/crypto/sr25519.h"
#include "orchestra/crypto/ss58.h"
#include "orchestra/net/axon.h"
#include "orchestra/net/server_thread.h"
#include "orchestra/protocol/bittensor_synapse.h"

namespace orchestra::bench {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;
using protocol::BittensorSynapse;

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
constexpr int64_t kAllowedNonceDeltaNs = 4'000'000'000;  // Bittensor's ALLOWED_DELTA
constexpr double kMinStake = 10;

struct Options {
  int connections = 64;
  double seconds = 10;
  double warmup = 2;
  int server_threads = 1;
  int client_threads = 1;
  int hotkeys = 8;
  double max_rate = 40000;
  int signers = 0;  // 0: one per core
  double synapse_timeout = protocol::kDefaultSynapseTimeout;
  double verify_probe_seconds = 1;
  bool json = false;
};

// The axon's clock: the wall clock minus an offset set once, before the run.
class ShiftedClock {
 public:
  int64_t Now() const { return SystemNowNs() - offset_ns_.load(std::memory_order_relaxed); }
  // From now on, `then` (a past wall-clock time) reads as the present.
  void MakeNow(int64_t then) { offset_ns_.store(SystemNowNs() - then); }
  std::function<int64_t()> AsFunction() {
    return [this] { return Now(); };
  }

 private:
  std::atomic<int64_t> offset_ns_{0};
};

// The synapse under test: one required string that the body hash covers, echoed by the
// handler into `echo`.
const protocol::SynapseClass& EchoSynapseClass() {
  static const protocol::SynapseClass kClass = [] {
    protocol::SynapseClass c;
    c.name = "EchoSynapse";
    c.fields.push_back({.name = "text",
                        .type = protocol::FieldType::kString,
                        .required = true,
                        .nullable = false,
                        .default_value = nullptr});
    c.fields.push_back({.name = "echo",
                        .type = protocol::FieldType::kString,
                        .required = false,
                        .nullable = true,
                        .default_value = nullptr});
    c.required_hash_fields = {"text"};
    return c;
  }();
  return kClass;
}

asio::awaitable<Result<BittensorSynapse>> EchoText(BittensorSynapse request, Deadline) {
  request.fields["echo"] = request.fields["text"];
  co_return request;
}

// The baseline: the same HttpServer, no Bittensor processing at all.
asio::awaitable<net::HttpResponse> PlainEcho(std::atomic<uint64_t>* calls,
                                             net::HttpRequest request) {
  calls->fetch_add(1, std::memory_order_relaxed);
  net::HttpResponse response;
  response.headers.Add("Content-Type", "application/json");
  response.body = std::move(request.body);
  co_return response;
}

struct Caller {
  crypto::Keypair key;
  std::string hotkey;  // SS58
};

Caller MakeCaller(uint8_t byte) {
  crypto::Keypair key = KeyFromByte(byte);
  std::string hotkey = crypto::Ss58Encode(key.public_key().bytes());
  return Caller{std::move(key), std::move(hotkey)};
}

// A version-4 UUID, as a dendrite draws one per instance.
std::string RandomUuid() {
  std::array<uint8_t, 16> bytes{};
  std::random_device random;
  for (auto& b : bytes) b = static_cast<uint8_t>(random());
  bytes[6] = static_cast<uint8_t>((bytes[6] & 0x0f) | 0x40);
  bytes[8] = static_cast<uint8_t>((bytes[8] & 0x3f) | 0x80);
  std::string out;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += fmt::format("{:02x}", bytes[i]);
  }
  return out;
}

// Where requests go and who the axon is.
struct Target {
  uint16_t port = 0;
  std::string axon_hotkey;
};

// One request as it goes on the wire, and the text the answer must echo.
struct Prepared {
  std::string wire;
  std::string text;
};

// What a dendrite's Prepare() + Call() put on the wire, signed by `signer` while claiming to be
// `claimed_hotkey` (the two differ only in the pre-flight forgery check).
Prepared BuildRequest(const Target& target, const crypto::Keypair& signer,
                      const std::string& claimed_hotkey, const std::string& uuid, int64_t nonce,
                      std::string text, double timeout) {
  const protocol::SynapseClass& cls = EchoSynapseClass();
  BittensorSynapse s;
  s.name = cls.name;
  s.timeout = timeout;
  s.dendrite.ip = "127.0.0.1";
  s.dendrite.version = protocol::kBittensorVersion;
  s.dendrite.nonce = nonce;
  s.dendrite.uuid = uuid;
  s.dendrite.hotkey = claimed_hotkey;
  s.axon.ip = "127.0.0.1";
  s.axon.port = target.port;
  s.axon.hotkey = target.axon_hotkey;
  s.fields["text"] = text;
  const std::string message =
      protocol::SignatureMessage(s.dendrite.nonce, s.dendrite.hotkey, target.axon_hotkey,
                                 s.dendrite.uuid, protocol::BodyHash(cls, s));
  s.dendrite.signature = protocol::SignMessage(signer, message);

  const std::string body = protocol::ToBody(cls, s);
  s.total_size = static_cast<int64_t>(body.size());
  std::string wire =
      fmt::format("POST /{} HTTP/1.1\r\nhost: 127.0.0.1:{}\r\n", cls.name, target.port);
  for (const auto& [name, value] : protocol::ToHeaders(cls, s)) {
    wire += fmt::format("{}: {}\r\n", name, value);
  }
  wire += fmt::format("content-type: application/json\r\ncontent-length: {}\r\n\r\n", body.size());
  wire += body;
  return Prepared{std::move(wire), std::move(text)};
}

// One connection's pre-signed requests: their wires back to back, and the text each answer
// must echo.
struct Pool {
  WireArena wires;
  std::vector<std::string> texts;
  size_t size() const { return texts.size(); }
};

// The requests of every connection, signed on `signers` threads. Connection c signs as
// callers[c % size] with its own uuid and nonces first_nonce, first_nonce + 1, ...
std::vector<Pool> PreSign(const Target& target, const std::vector<Caller>& callers, int connections,
                          size_t per_connection, int64_t first_nonce, double timeout, int signers) {
  std::vector<Pool> pools(static_cast<size_t>(connections));
  std::atomic<int> next{0};
  auto work = [&] {
    for (int c; (c = next.fetch_add(1)) < connections;) {
      const Caller& caller = callers[static_cast<size_t>(c) % callers.size()];
      const std::string uuid = RandomUuid();
      auto& pool = pools[static_cast<size_t>(c)];
      pool.texts.reserve(per_connection);
      for (size_t i = 0; i < per_connection; ++i) {
        Prepared p = BuildRequest(target, caller.key, caller.hotkey, uuid,
                                  first_nonce + static_cast<int64_t>(i),
                                  fmt::format("c{}-r{}", c, i), timeout);
        pool.wires.Append(p.wire);
        pool.texts.push_back(std::move(p.text));
      }
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < signers; ++t) threads.emplace_back(work);
  for (auto& thread : threads) thread.join();
  return pools;
}

// --- Pre-flight: verification is really on --------------------------------------------------

// Before the run: one valid request must be answered (200, echoed), and its replay, a forged
// signature and an unregistered hotkey refused, so that a run cannot look fast because
// verification is off. Uses its own endpoints (uuids), never those of the load.
std::vector<Check> PreFlight(const Target& target, const Caller& caller, const Caller& other,
                             const Caller& stranger, double timeout) {
  std::vector<Check> checks;
  const std::string uuid = RandomUuid();
  const int64_t nonce = SystemNowNs();
  const Prepared valid =
      BuildRequest(target, caller.key, caller.hotkey, uuid, nonce, "pre-flight", timeout);
  auto expect = [&](std::string what, const std::string& wire, int status,
                    std::string_view must_contain) {
    const Answer answer = SendOnce("127.0.0.1", target.port, wire);
    const bool passed =
        answer.status == status && answer.body.find(must_contain) != std::string::npos;
    checks.push_back({std::move(what), passed,
                      fmt::format("HTTP {} {}", answer.status, answer.body.substr(0, 120))});
  };
  expect("valid signed request", valid.wire, 200, "\"echo\":\"pre-flight\"");
  expect("replayed request", valid.wire, 401, "Nonce is too old");
  expect("forged signature",
         BuildRequest(target, other.key, caller.hotkey, uuid, nonce + 1, "forged", timeout).wire,
         401, "Signature mismatch");
  expect(
      "unregistered hotkey",
      BuildRequest(target, stranger.key, stranger.hotkey, RandomUuid(), nonce, "stranger", timeout)
          .wire,
      403, "Unrecognized hotkey");
  return checks;
}

// --- Load ------------------------------------------------------------------------------------

struct Schedule {
  SteadyClock::time_point window_start;
  SteadyClock::time_point end;
};

// Counted by one connection, merged after the run (no sharing while it runs).
struct ConnectionStats {
  std::vector<int64_t> latencies_ns;  // verified answers completed inside the window
  uint64_t verified_total = 0;        // 200 with the right echo, whole run
  uint64_t mismatched = 0;            // 200 without it
  std::map<int, uint64_t> other_statuses;
  uint64_t io_errors = 0;
  bool exhausted = false;
  double cpu_seconds = 0;
};

// The field of the answer that proves it answers this very request: the axon's handler writes
// the text into `echo`; the plain echo returns the request body as it came.
enum class Expect { kAxonEcho, kBodyEcho };

asio::awaitable<void> DriveConnection(tcp::socket& socket, const Pool& pool, bool wrap,
                                      Expect expect, Schedule schedule, ConnectionStats& stats) {
  ResponseReader reader;
  std::string needle;
  for (size_t i = 0;; ++i) {
    const auto sent = SteadyClock::now();
    if (sent >= schedule.end) break;
    if (i >= pool.size() && !wrap) {
      stats.exhausted = true;
      break;
    }
    const size_t which = i % pool.size();
    if (auto [ec, n] =
            co_await asio::async_write(socket, asio::buffer(pool.wires[which]), kNoThrow);
        ec) {
      ++stats.io_errors;
      break;
    }
    auto response = co_await reader.Read(socket, 1 << 20);
    if (!response) {
      ++stats.io_errors;
      break;
    }
    const auto done = SteadyClock::now();
    if (response->status != 200) {
      ++stats.other_statuses[response->status];
    } else {
      needle.assign(expect == Expect::kAxonEcho ? "\"echo\":\"" : "\"text\":\"");
      needle += pool.texts[which];
      needle += '"';
      if (response->body.find(needle) == std::string_view::npos) {
        ++stats.mismatched;
      } else {
        ++stats.verified_total;
        if (done >= schedule.window_start && done < schedule.end)
          stats.latencies_ns.push_back((done - sent).count());
      }
    }
    if (!response->keep_alive) {
      ++stats.io_errors;
      break;
    }
  }
}

struct LoadResult {
  double window_seconds = 0;
  uint64_t verified = 0;  // inside the window
  std::vector<int64_t> latencies_ns;
  uint64_t verified_total = 0;
  uint64_t mismatched = 0;
  std::map<int, uint64_t> other_statuses;
  uint64_t io_errors = 0;
  int exhausted_connections = 0;
  double client_cpu_seconds = 0;
  double process_cpu_seconds = 0;

  double RequestsPerSecond() const { return static_cast<double>(verified) / window_seconds; }
  uint64_t AnswersTotal() const {
    uint64_t n = verified_total + mismatched;
    for (const auto& [status, count] : other_statuses) n += count;
    return n;
  }
  // CPU the server threads spent per answer (process CPU minus the generator's).
  double ServerCpuMicrosPerAnswer() const {
    const uint64_t answers = AnswersTotal();
    return answers ? (process_cpu_seconds - client_cpu_seconds) * 1e6 / answers : 0;
  }
  double ClientCpuMicrosPerAnswer() const {
    const uint64_t answers = AnswersTotal();
    return answers ? client_cpu_seconds * 1e6 / answers : 0;
  }
  double Percentile(double p) const {
    if (latencies_ns.empty()) return 0;
    const auto rank = static_cast<size_t>(std::ceil(p * static_cast<double>(latencies_ns.size())));
    return static_cast<double>(latencies_ns[std::clamp<size_t>(rank, 1, latencies_ns.size()) - 1]);
  }
};

// Closed loop: every connection sends its next request as soon as the previous answer is read,
// for warm-up + seconds; answers completed after the warm-up and before the end are measured.
// Requests in flight at the end are completed but not measured.
LoadResult RunLoad(uint16_t port, const std::vector<Pool>& pools, bool wrap, Expect expect,
                   const Options& opts) {
  asio::io_context io(opts.client_threads);
  const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
  std::vector<std::unique_ptr<tcp::socket>> sockets;
  for (size_t c = 0; c < pools.size(); ++c) {
    auto socket = std::make_unique<tcp::socket>(asio::make_strand(io));
    socket->connect(endpoint);
    socket->set_option(tcp::no_delay(true));
    sockets.push_back(std::move(socket));
  }
  std::vector<ConnectionStats> stats(pools.size());
  const auto start = SteadyClock::now();
  const auto to_duration = [](double seconds) {
    return std::chrono::duration_cast<SteadyClock::duration>(
        std::chrono::duration<double>(seconds));
  };
  const Schedule schedule{.window_start = start + to_duration(opts.warmup),
                          .end = start + to_duration(opts.warmup + opts.seconds)};
  for (size_t c = 0; c < pools.size(); ++c) {
    stats[c].latencies_ns.reserve(std::min<size_t>(pools[c].size(), 1 << 20));
    asio::co_spawn(sockets[c]->get_executor(),
                   DriveConnection(*sockets[c], pools[c], wrap, expect, schedule, stats[c]),
                   asio::detached);
  }
  const double cpu_before = ProcessCpuSeconds();
  std::vector<double> thread_cpu(static_cast<size_t>(opts.client_threads), 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < opts.client_threads; ++t) {
    threads.emplace_back([&io, cpu = &thread_cpu[static_cast<size_t>(t)]] {
      const double before = ThreadCpuSeconds();
      io.run();
      *cpu = ThreadCpuSeconds() - before;
    });
  }
  for (auto& thread : threads) thread.join();

  LoadResult result;
  result.process_cpu_seconds = ProcessCpuSeconds() - cpu_before;
  for (double cpu : thread_cpu) result.client_cpu_seconds += cpu;
  result.window_seconds = opts.seconds;
  for (ConnectionStats& s : stats) {
    result.latencies_ns.insert(result.latencies_ns.end(), s.latencies_ns.begin(),
                               s.latencies_ns.end());
    result.verified_total += s.verified_total;
    result.mismatched += s.mismatched;
    for (const auto& [status, count] : s.other_statuses) result.other_statuses[status] += count;
    result.io_errors += s.io_errors;
    result.exhausted_connections += s.exhausted ? 1 : 0;
  }
  result.verified = result.latencies_ns.size();
  std::sort(result.latencies_ns.begin(), result.latencies_ns.end());
  return result;
}

// CPU µs per VerifyMessageSignature (what the axon calls: SS58 and key decoding, then sr25519
// verify) of one request's message, on this thread; CPU time, so other load on the machine
// does not inflate it.
double VerifyMicros(const Target& target, const Caller& caller, double seconds) {
  const std::string message = protocol::SignatureMessage(
      SystemNowNs(), caller.hotkey, target.axon_hotkey, RandomUuid(), protocol::kEmptyBodyHash);
  const std::string signature = protocol::SignMessage(caller.key, message);
  const double start = ThreadCpuSeconds();
  uint64_t n = 0;
  for (; ThreadCpuSeconds() - start < seconds; ++n) {
    if (!protocol::VerifyMessageSignature(caller.hotkey, message, signature).ok()) return -1;
  }
  return (ThreadCpuSeconds() - start) * 1e6 / static_cast<double>(n);
}

Json ResultJson(const LoadResult& r) {
  return JsonObject{
      {"requests_per_second", r.RequestsPerSecond()},
      {"verified_in_window", r.verified},
      {"latency_ms",
       JsonObject{{"p50", r.Percentile(0.50) / 1e6},
                  {"p90", r.Percentile(0.90) / 1e6},
                  {"p99", r.Percentile(0.99) / 1e6},
                  {"max", r.latencies_ns.empty() ? 0.0 : r.latencies_ns.back() / 1e6}}},
      {"non_200", StatusesJson(r.other_statuses)},
      {"mismatched_200", r.mismatched},
      {"io_errors", r.io_errors},
      {"exhausted_connections", r.exhausted_connections},
      {"server_cpu_us_per_request", r.ServerCpuMicrosPerAnswer()},
      {"client_cpu_us_per_request", r.ClientCpuMicrosPerAnswer()},
  };
}

std::string ResultRow(std::string_view label, const LoadResult& r) {
  return fmt::format(
      "{:<18} {:>9.0f} {:>8.2f} {:>8.2f} {:>8.2f} {:>8.2f} {:>10} {:>10.1f} {:>10.1f}", label,
      r.RequestsPerSecond(), r.Percentile(0.50) / 1e6, r.Percentile(0.90) / 1e6,
      r.Percentile(0.99) / 1e6, r.latencies_ns.empty() ? 0.0 : r.latencies_ns.back() / 1e6,
      StatusesText(r.other_statuses), r.ServerCpuMicrosPerAnswer(), r.ClientCpuMicrosPerAnswer());
}

// The run's own validity: everything answered, every answer verified, counters agree.
void CheckRun(std::string_view label, const LoadResult& r, uint64_t server_count,
              std::string_view server_counter, std::vector<Check>& checks) {
  checks.push_back({fmt::format("{}: only verified 200 answers", label),
                    r.other_statuses.empty() && r.mismatched == 0 && r.io_errors == 0,
                    fmt::format("non-200 {}, 200 without the echo {}, I/O errors {}",
                                StatusesText(r.other_statuses), r.mismatched, r.io_errors)});
  checks.push_back(
      {fmt::format("{}: pre-built requests lasted", label), r.exhausted_connections == 0,
       fmt::format("{} connection(s) ran out; raise --max-rate", r.exhausted_connections)});
  checks.push_back({fmt::format("{}: {} = client's 200s", label, server_counter),
                    server_count == r.verified_total + r.mismatched,
                    fmt::format("{} vs {}", server_count, r.verified_total + r.mismatched)});
}

int Main(int argc, char** argv) {
  Options opts;
  CLI::App app{"Axon throughput on loopback with signed requests, next to a plain-echo baseline"};
  app.add_option("--connections", opts.connections, "concurrent keep-alive connections")
      ->check(CLI::Range(1, 4096));
  app.add_option("--seconds", opts.seconds, "measured seconds per run")
      ->check(CLI::Range(0.1, 3600.0));
  app.add_option("--warmup", opts.warmup, "warm-up seconds before measuring")
      ->check(CLI::Range(0.0, 600.0));
  app.add_option("--server-threads", opts.server_threads, "threads of the server's io_context")
      ->check(CLI::Range(1, 64));
  app.add_option("--client-threads", opts.client_threads, "threads of the load generator")
      ->check(CLI::Range(1, 64));
  app.add_option("--hotkeys", opts.hotkeys, "registered validator hotkeys the connections use")
      ->check(CLI::Range(1, 200));
  app.add_option("--max-rate", opts.max_rate,
                 "requests/s the pre-signed pool must sustain for warm-up + seconds")
      ->check(CLI::Range(1.0, 1e6));
  app.add_option("--signers", opts.signers, "threads signing before the run (0: one per core)")
      ->check(CLI::Range(0, 64));
  app.add_option("--verify-probe", opts.verify_probe_seconds,
                 "seconds spent timing one sr25519 verify before the run (0: skip)")
      ->check(CLI::Range(0.0, 60.0));
  app.add_flag("--json", opts.json, "print the figures as JSON instead of a table");
  CLI11_PARSE(app, argc, argv);
  if (opts.signers == 0)
    opts.signers = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));

  // Keys: the axon, the callers (registered validators with stake), an unregistered stranger.
  const crypto::Keypair axon_key = KeyFromByte(1);
  std::vector<Caller> callers;
  std::vector<net::NeuronRecord> neurons;
  for (int i = 0; i < opts.hotkeys; ++i) {
    callers.push_back(MakeCaller(static_cast<uint8_t>(10 + i)));
    neurons.push_back(
        {.hotkey = callers.back().hotkey, .uid = i, .validator_permit = true, .stake = 100.0 + i});
  }
  const Caller stranger = MakeCaller(250);
  const Caller forger = MakeCaller(251);

  ShiftedClock axon_clock;
  net::AxonOptions axon_options;
  axon_options.now_ns = axon_clock.AsFunction();
  axon_options.hotkey = crypto::Ss58Encode(axon_key.public_key().bytes());
  axon_options.blacklist.min_stake = kMinStake;
  // Every connection comes from this one load generator on 127.0.0.1.
  axon_options.server.max_connections_per_client = 0;
  net::Axon axon(axon_options, std::make_shared<net::StaticMetagraphSource>(neurons));
  if (auto attached = axon.Attach(EchoSynapseClass(), EchoText); !attached) {
    fmt::print(stderr, "axon_load: {}\n", attached.error().ToString());
    return 1;
  }
  net::ServerThread axon_server(axon_options.server, axon.AsHandler(), opts.server_threads);
  std::atomic<uint64_t> echo_calls{0};
  net::ServerThread echo_server(
      net::ServerOptions{.max_connections_per_client = 0},
      [calls = &echo_calls](net::HttpRequest request) {
        return PlainEcho(calls, std::move(request));
      },
      opts.server_threads);
  const Result<uint16_t> axon_port = axon_server.Start();
  const Result<uint16_t> echo_port = echo_server.Start();
  if (!axon_port || !echo_port) {
    fmt::print(stderr, "axon_load: cannot listen: {}\n",
               (!axon_port ? axon_port.error() : echo_port.error()).ToString());
    return 1;
  }
  const Target target{.port = *axon_port, .axon_hotkey = axon_options.hotkey};
  const std::string load_before = LoadAverage();

  const double verify_us = opts.verify_probe_seconds > 0
                               ? VerifyMicros(target, callers[0], opts.verify_probe_seconds)
                               : 0;

  // Pre-sign; nonces start at the wall clock now.
  const auto per_connection = static_cast<size_t>(
      std::ceil(opts.max_rate * (opts.warmup + opts.seconds) / opts.connections));
  const int64_t first_nonce = SystemNowNs();
  const auto sign_start = SteadyClock::now();
  const auto pools = PreSign(target, callers, opts.connections, per_connection, first_nonce,
                             opts.synapse_timeout, opts.signers);
  const double sign_seconds =
      std::chrono::duration<double>(SteadyClock::now() - sign_start).count();
  size_t pool_bytes = 0;
  for (const Pool& pool : pools) pool_bytes += pool.wires.bytes();

  std::vector<Check> checks = PreFlight(target, callers[0], forger, stranger, opts.synapse_timeout);
  const uint64_t preflight_200 = axon.answered(200);

  // To the axon, the pre-signed requests were signed just now (see the comment at the top).
  axon_clock.MakeNow(first_nonce);
  const int64_t window_ns =
      kAllowedNonceDeltaNs + static_cast<int64_t>(std::llround(opts.synapse_timeout * 1e9));
  const int64_t first_nonce_age_ns = axon_clock.Now() - first_nonce;
  checks.push_back({"first nonces inside the axon's window", first_nonce_age_ns < window_ns,
                    fmt::format("{:.1f} s old to the axon at the start, window {:.1f} s",
                                first_nonce_age_ns / 1e9, window_ns / 1e9)});
  std::map<int, uint64_t> axon_before;
  for (int status = 100; status < 600; ++status) {
    if (uint64_t n = axon.answered(status)) axon_before[status] = n;
  }

  const LoadResult axon_run = RunLoad(target.port, pools, /*wrap=*/false, Expect::kAxonEcho, opts);
  const LoadResult echo_run = RunLoad(*echo_port, pools, /*wrap=*/true, Expect::kBodyEcho, opts);

  CheckRun("axon", axon_run, axon.answered(200) - preflight_200, "axon answered(200)", checks);
  std::map<int, uint64_t> axon_errors;
  for (int status = 100; status < 600; ++status) {
    const uint64_t before = axon_before.count(status) ? axon_before[status] : 0;
    if (status != 200 && axon.answered(status) != before) {
      axon_errors[status] = axon.answered(status) - before;
    }
  }
  checks.push_back({"axon: answered nothing but 200 during the run", axon_errors.empty(),
                    StatusesText(axon_errors)});
  CheckRun("baseline", echo_run, echo_calls.load(), "echo handler calls", checks);

  const double ratio = echo_run.RequestsPerSecond() / std::max(axon_run.RequestsPerSecond(), 1e-9);
  // What sr25519 verify alone allows: one verify per request on every core the server threads
  // can use (the generator needs some of them too, so this is not reachable).
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  const double bound =
      verify_us > 0 ? std::min<double>(opts.server_threads, cores) * 1e6 / verify_us : 0;
  const std::string load_after = LoadAverage();
  bool all_passed = true;
  for (const Check& check : checks) all_passed = all_passed && check.passed;

  if (opts.json) {
    JsonArray check_json;
    for (const Check& check : checks) {
      check_json.push_back(
          JsonObject{{"check", check.what}, {"passed", check.passed}, {"detail", check.detail}});
    }
    fmt::print(
        "{}\n",
        PrettyJson(JsonObject{
            {"connections", opts.connections},
            {"server_threads", opts.server_threads},
            {"client_threads", opts.client_threads},
            {"seconds", opts.seconds},
            {"warmup_seconds", opts.warmup},
            {"hotkeys", opts.hotkeys},
            {"cores", cores},
            {"loadavg_before", load_before},
            {"loadavg_after", load_after},
            {"presigned_requests", per_connection * pools.size()},
            {"presign_seconds", sign_seconds},
            {"verify_us", verify_us},
            {"verify_bound_requests_per_second", bound},
            {"axon_share_of_verify_bound", bound > 0 ? axon_run.RequestsPerSecond() / bound : 0.0},
            {"axon", ResultJson(axon_run)},
            {"baseline", ResultJson(echo_run)},
            {"baseline_over_axon", ratio},
            {"checks", std::move(check_json)},
            {"valid", all_passed},
        }));
    return all_passed ? 0 : 1;
  }

  fmt::print(
      "Axon throughput: {} connections, {} server thread(s), {} client thread(s), {} s "
      "(+{} s warm-up), {} cores, load average {} (before) / {} (after)\n",
      opts.connections, opts.server_threads, opts.client_threads, opts.seconds, opts.warmup, cores,
      load_before, load_after);
  fmt::print("pre-signed {} requests ({:.0f} MiB) on {} thread(s) in {:.1f} s; {} hotkeys\n\n",
             per_connection * pools.size(), static_cast<double>(pool_bytes) / (1 << 20),
             opts.signers, sign_seconds, opts.hotkeys);
  fmt::print("{:<18} {:>9} {:>8} {:>8} {:>8} {:>8} {:>10} {:>10} {:>10}\n", "", "req/s", "p50 ms",
             "p90 ms", "p99 ms", "max ms", "non-200", "srv µs/req", "gen µs/req");
  fmt::print("{}\n", ResultRow("axon (verified)", axon_run));
  fmt::print("{}\n", ResultRow("baseline (echo)", echo_run));
  fmt::print("baseline / axon: {:.2f}×\n", ratio);
  if (verify_us > 0) {
    fmt::print(
        "sr25519 verify (VerifyMessageSignature): {:.1f} µs CPU → at most {:.0f} verified req/s "
        "on {} core(s); the axon reached {:.0f}% of that. Verify is {:.0f}% of the axon's "
        "{:.1f} µs CPU per request.\n",
        verify_us, bound, std::min<unsigned>(static_cast<unsigned>(opts.server_threads), cores),
        100 * axon_run.RequestsPerSecond() / bound,
        100 * verify_us / axon_run.ServerCpuMicrosPerAnswer(), axon_run.ServerCpuMicrosPerAnswer());
  }
  fmt::print("\nchecks:\n");
  for (const Check& check : checks) {
    fmt::print("  [{}] {}{}\n", check.passed ? "ok" : "FAILED", check.what,
               check.passed ? "" : ": " + check.detail);
  }
  if (!all_passed) fmt::print("\nINVALID RUN: a check failed, the figures above do not count\n");
  return all_passed ? 0 : 1;
}

}  // namespace
}  // namespace orchestra::bench

int main(int argc, char** argv) { return orchestra::bench::Main(argc, argv); }
