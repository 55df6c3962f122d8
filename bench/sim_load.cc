// Expert-network simulator throughput on loopback with signed requests: completed expert calls/s
// and latency at N concurrent keep-alive connections, with zero-latency, fault-free UIDs, and
// where the CPU goes (simulator I/O threads, its receipt writer, the load generator).
//
//   build-simload/bench/sim_load --seconds 10 --connections 64 --threads 2 [--subnet 22]
//                                [--planted] [--json]
//   build-simload/bench/sim_load --serve-only --port 0        (prints its control port; stops on
//   build-simload/bench/sim_load --client-only --port <port>   SIGINT/SIGTERM with its figures)
//   bench/sim_load.sh [build dir]   (all synapse subnets, SN22, SN13, planted answers, then
//                                    simulator and generator in separate processes)
//   bench/sim_soak.sh [build dir]   (10 minutes with --sign online, RSS sampled every 10 s)
//
// The simulator is the real one (sim::Simulator: one Bittensor axon per UID, sr25519 verify,
// nonce check, the subnet's engine, a receipt signed per call and stored in receipts.db) on a
// manifest derived from sim::Manifest::Default() where every UID answers at once and never
// fails (p50 = p95 = 0, reliability 1, latency_scale 0). Connections are spread over the UIDs of
// the synapse subnets (or of --subnet). Every connection is a net::Dendrite of its own (own
// uuid, hotkey from a small pool) and each request is what Dendrite::Call puts on the wire:
// Dendrite::Prepare on the subnet's experts::SynapseClassFor(entry), the payload under the
// manifest's input names plus an orchestra_lock = protocol::LockFor(challenge, miner, step,
// H(payload)), as experts::HttpTransport sends it.
//
// Signing: by default (--sign presign) every request is signed before the run, as
// bench/axon_load.cc does, so the generator spends no sr25519 time while measuring; the pool
// holds --max-rate × (warm-up + seconds) requests and a connection that runs out stops (the run
// is then invalid). Nonces are Dendrite::Prepare's own (the wall clock, strictly increasing per
// dendrite), and the simulator's axons use the wall clock, so pre-signing must finish inside the
// first-nonce window (4 s + synapse timeout, 16 s by default); a check says so. Signing 400,000
// takes about 8 s here: for runs much longer than 10 s lower --max-rate or use --sign online.
// --sign online signs each request on the generator thread while the previous one is in flight: for
// long runs (soak), at the cost of generator CPU taken from the simulator on a 2-core machine.
//
// Honesty checks (exit status 1 when one fails): before the run a valid request must get 200
// with a receipt, its replay 401 and a forged signature 401; during the run only 200 answers
// whose orchestra_receipt carries the request's own lock count as completed calls; a sample
// of receipts (one per connection) must pass protocol::VerifyReceipt (signature by the UID's
// hotkey, lock binding challenge/miner/step/request, response hash); the simulator's call
// counters must equal the answers the generator read, with no fault drawn.
#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spdlog/spdlog.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <charconv>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <latch>
#include <map>
#include <memory>
#include <mutex>
#include <numeric>
#include <optional>
#include <set>
#include <span>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "load_util.h"
#include "orchestra/core/hash.h"
#include "orchestra/core/json.h"
#include "orchestra/crypto/sr25519.h"
#include "orchestra/crypto/ss58.h"
#include "orchestra/experts/directory.h"
#include "orchestra/experts/synapse_class.h"
#include "orchestra/experts/transport.h"
#include "orchestra/net/dendrite.h"
#include "orchestra/protocol/bittensor_synapse.h"
#include "orchestra/protocol/receipt.h"
#include "orchestra/sim/corpus.h"
#include "orchestra/sim/data_universe.h"
#include "orchestra/sim/desearch.h"
#include "orchestra/sim/manifest.h"
#include "orchestra/sim/receipt_store.h"
#include "orchestra/sim/simulator.h"

namespace orchestra::bench {
namespace {

namespace asio = boost::asio;
using SteadyClock = std::chrono::steady_clock;
using protocol::BittensorSynapse;

constexpr int64_t kAllowedNonceDeltaNs = 4'000'000'000;  // Bittensor's ALLOWED_DELTA
constexpr int kMaxResults = 5;
constexpr size_t kScrapeUrls = 8;

// What the search UIDs are asked (words of the curated corpus, so that results come back).
constexpr std::string_view kQueries[] = {
    "decentralized GPU compute pricing", "AI startup funding round",
    "H100 rental price per hour",        "Akash network strengths",
    "Series B lead investors",           "cloud GPU marketplace comparison",
    "decentralized compute weaknesses",  "foundation model funding amount",
};

enum class Signing { kPresign, kOnline };

struct Options {
  double seconds = 10;
  double warmup = 2;
  int connections = 64;
  int threads = 2;
  int client_threads = 1;
  int subnet = 0;  // 0: every synapse subnet
  bool planted = false;
  std::string corpus = "curated";
  std::string data_dir;
  Signing signing = Signing::kPresign;
  double max_rate = 40000;  // connections run unevenly: SN22 alone ran out at 25,000 (18.8k/s)
  int signers = 0;          // 0: one per core
  int hotkeys = 8;
  double synapse_timeout = protocol::kDefaultSynapseTimeout;
  double probe_seconds = 0.3;
  double progress_seconds = 0;
  bool json = false;
  bool serve_only = false;
  bool client_only = false;
  int port = 0;
};

// --- Clocks and CPU accounting ----------------------------------------------------------------

int64_t UnixMillisNow() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// CPU seconds each thread of this process has used so far, by thread id: the time on CPU from
// /proc/self/task/<tid>/schedstat (ns), or utime + stime from .../stat (clock ticks) without it.
std::map<int, double> ThreadCpuByTid() {
  std::map<int, double> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/task", ec)) {
    int tid = 0;
    const std::string name = entry.path().filename().string();
    if (std::from_chars(name.data(), name.data() + name.size(), tid).ec != std::errc()) continue;
    if (std::ifstream schedstat(entry.path() / "schedstat"); schedstat) {
      uint64_t ns = 0;
      if (schedstat >> ns) {
        out[tid] = static_cast<double>(ns) / 1e9;
        continue;
      }
    }
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    std::getline(stat, line);
    const size_t close = line.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(line.substr(close + 2));
    std::string field;
    uint64_t utime = 0, stime = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
      if (i == 14) utime = std::stoull(field);
      if (i == 15) stime = std::stoull(field);
    }
    out[tid] = static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
  }
  return out;
}

std::set<int> ThreadIds() {
  std::set<int> out;
  for (const auto& [tid, cpu] : ThreadCpuByTid()) out.insert(tid);
  return out;
}

// Busy and total jiffies of the whole machine (/proc/stat), for how much of it others used.
struct MachineCpu {
  uint64_t busy = 0;
  uint64_t total = 0;
};
MachineCpu ReadMachineCpu() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  uint64_t v[8] = {};
  in >> cpu;
  for (uint64_t& x : v) in >> x;
  MachineCpu m;
  for (uint64_t x : v) m.total += x;
  m.busy = m.total - v[3] - v[4];  // minus idle and iowait
  return m;
}

double RssMib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("VmRSS:")) return std::stod(line.substr(6)) / 1024.0;
  }
  return 0;
}

// Which threads are whose: the simulator's (created by Simulator::Start: first its receipt
// writer, ReceiptStore::Open's thread, then its I/O threads) and the load generator's.
struct ThreadRoles {
  int receipt_writer = 0;
  std::set<int> sim_io;
  std::set<int> generator;
};

ThreadRoles SimulatorThreads(const std::set<int>& before, const std::set<int>& after) {
  ThreadRoles roles;
  for (int tid : after) {
    if (before.count(tid)) continue;
    if (roles.receipt_writer == 0) {
      roles.receipt_writer = tid;  // the lowest new id: started first
    } else {
      roles.sim_io.insert(tid);
    }
  }
  return roles;
}

// CPU seconds per role between two ThreadCpuByTid() snapshots.
struct CpuSplit {
  double sim_io = 0;
  double receipt_writer = 0;
  double generator = 0;
  double other = 0;
  double Total() const { return sim_io + receipt_writer + generator + other; }
};

CpuSplit SplitCpu(const std::map<int, double>& before, const std::map<int, double>& after,
                  const ThreadRoles& roles) {
  CpuSplit split;
  for (const auto& [tid, seconds] : after) {
    const auto was = before.find(tid);
    const double used = seconds - (was == before.end() ? 0.0 : was->second);
    if (tid == roles.receipt_writer) {
      split.receipt_writer += used;
    } else if (roles.sim_io.count(tid)) {
      split.sim_io += used;
    } else if (roles.generator.count(tid)) {
      split.generator += used;
    } else {
      split.other += used;
    }
  }
  return split;
}

// --- Latency histogram ------------------------------------------------------------------------

// Latencies in fixed memory (a soak must not grow): 1 µs buckets below 1 ms, then buckets 1%
// wide up to ~150 s. Percentiles are exact to the bucket.
class LatencyHistogram {
 public:
  void Add(int64_t ns) {
    ++counts_[Bucket(ns)];
    ++count_;
    max_ns_ = std::max(max_ns_, ns);
  }
  void Merge(const LatencyHistogram& other) {
    for (size_t b = 0; b < kBuckets; ++b) counts_[b] += other.counts_[b];
    count_ += other.count_;
    max_ns_ = std::max(max_ns_, other.max_ns_);
  }
  uint64_t count() const { return count_; }
  double MaxMs() const { return static_cast<double>(max_ns_) / 1e6; }
  // The latency (ms) that a share `p` of the samples do not exceed.
  double PercentileMs(double p) const {
    if (count_ == 0) return 0;
    const auto rank =
        std::max<uint64_t>(1, static_cast<uint64_t>(std::ceil(p * static_cast<double>(count_))));
    uint64_t seen = 0;
    for (size_t b = 0; b < kBuckets; ++b) {
      seen += counts_[b];
      if (seen >= rank) return std::min(UpperBoundUs(b) / 1e3, MaxMs());
    }
    return MaxMs();
  }

 private:
  static constexpr size_t kLinearUs = 1000;
  static constexpr double kGrowth = 1.01;
  static constexpr size_t kBuckets = kLinearUs + 1200;

  static size_t Bucket(int64_t ns) {
    const double us = std::max(0.0, static_cast<double>(ns) / 1e3);
    if (us < kLinearUs) return static_cast<size_t>(us);
    const auto b = kLinearUs + static_cast<size_t>(std::log(us / kLinearUs) / std::log(kGrowth));
    return std::min(b, kBuckets - 1);
  }
  static double UpperBoundUs(size_t b) {
    if (b < kLinearUs) return static_cast<double>(b + 1);
    return kLinearUs * std::pow(kGrowth, static_cast<double>(b - kLinearUs + 1));
  }

  std::vector<uint64_t> counts_ = std::vector<uint64_t>(kBuckets, 0);
  uint64_t count_ = 0;
  int64_t max_ns_ = 0;
};

// --- The simulator and its UIDs ---------------------------------------------------------------

// Default() with every UID answering at once and never failing.
Result<sim::Manifest> FaultFreeManifest() {
  auto manifest = sim::Manifest::Default();
  if (!manifest) return manifest.error();
  for (sim::SubnetSpec& subnet : manifest->subnets) {
    for (sim::UidSpec& uid : subnet.uids) {
      uid.p50_ms = 0;
      uid.p95_ms = 0;
      uid.reliability = 1.0;
      uid.fault_weights.fill(0.0);
    }
  }
  return manifest;
}

Result<sim::Corpus> LoadCorpus(const Options& opts) {
  if (opts.corpus == "curated") return sim::Corpus::LoadEmbedded();
  if (opts.data_dir.empty()) {
    return Error(ErrorCode::kInvalidArgument, "--corpus debian needs --data-dir (for corpus.db)");
  }
  return sim::Corpus::OpenEmbedded(opts.data_dir);
}

// URLs the scrape UIDs are asked for: documents spread over the curated corpus.
std::vector<std::string> ScrapeUrls(const sim::Corpus& corpus) {
  std::vector<std::string> urls;
  const auto& docs = corpus.documents();
  const size_t step = std::max<size_t>(1, docs.size() / kScrapeUrls);
  for (size_t i = 0; i < docs.size() && urls.size() < kScrapeUrls; i += step) {
    urls.push_back(docs[i].url);
  }
  return urls;
}

// The input of connection `c`'s `i`-th call to a UID of `subnet`, under the manifest's names.
JsonObject PayloadFor(const sim::SubnetSpec& subnet, const std::vector<std::string>& urls, size_t c,
                      size_t i) {
  const size_t k = c * 7 + i;
  if (subnet.engine == sim::Engine::kScrape) {
    return JsonObject{{"urls", JsonArray{Json(urls[k % urls.size()])}},
                      {"extract_fields", JsonArray{"name", "pricing", "strengths"}}};
  }
  return JsonObject{{"query", kQueries[k % std::size(kQueries)]},
                    {"max_results", kMaxResults},
                    {"search_type", "web"}};
}

// A small answer of `subnet`'s output shape for the request naming `what` (a URL or a query).
Json PlantedAnswer(const sim::SubnetSpec& subnet, std::string_view what) {
  if (subnet.engine == sim::Engine::kScrape) {
    return JsonObject{
        {"data", JsonArray{JsonObject{{"url", what}, {"title", "planted"}, {"name", "planted"}}}},
        {"errors", JsonArray{}}};
  }
  return JsonObject{{"results", JsonArray{JsonObject{{"title", "planted"},
                                                     {"link", "https://example.org/planted"},
                                                     {"snippet", what},
                                                     {"published_date", "2025-01-01"}}}},
                    {"total_found", 1}};
}

// The cheapest answer path: a planted answer for every payload the generator sends, so no
// FTS5 query or page extraction runs (only the planted-answer match).
Status PlantAnswers(sim::Simulator& simulator, const std::vector<int>& netuids,
                    const std::vector<std::string>& urls) {
  for (int netuid : netuids) {
    const sim::SubnetSpec& subnet = *simulator.manifest().Find(netuid);
    if (subnet.engine == sim::Engine::kScrape) {
      for (const std::string& url : urls) {
        if (auto s = simulator.Plant(netuid, JsonObject{{"urls", JsonArray{Json(url)}}},
                                     PlantedAnswer(subnet, url));
            !s) {
          return s;
        }
      }
    } else {
      for (std::string_view query : kQueries) {
        if (auto s =
                simulator.Plant(netuid, JsonObject{{"query", query}}, PlantedAnswer(subnet, query));
            !s) {
          return s;
        }
      }
    }
  }
  return {};
}

// The synapse subnets under test and where their UIDs listen.
struct Uid {
  const sim::SubnetSpec* subnet = nullptr;
  const protocol::SynapseClass* cls = nullptr;
  experts::Endpoint endpoint;
};

struct Targets {
  sim::Manifest manifest;
  std::map<int, protocol::SynapseClass> classes;  // by netuid
  std::vector<int> netuids;
  std::vector<Uid> uids;
  std::vector<std::string> urls;
};

// Which subnets: --subnet, or every synapse subnet (search and scrape engines).
Result<std::vector<int>> SelectSubnets(const sim::Manifest& manifest, int wanted) {
  std::vector<int> netuids;
  for (const sim::SubnetSpec& s : manifest.subnets) {
    if (wanted != 0 && s.entry.netuid != wanted) continue;
    if (s.entry.transport != ledger::Transport::kSynapse || s.engine == sim::Engine::kComplete) {
      if (wanted != 0) {
        return Error(ErrorCode::kInvalidArgument,
                     fmt::format("--subnet {}: {} is not a synapse subnet (sim_load drives "
                                 "search and scrape synapses)",
                                 wanted, s.entry.subnet_id));
      }
      continue;
    }
    netuids.push_back(s.entry.netuid);
  }
  if (netuids.empty()) {
    return Error(ErrorCode::kInvalidArgument, fmt::format("--subnet {}: no such subnet", wanted));
  }
  return netuids;
}

// Fills classes and uids from `endpoints_of(subnet)`.
template <typename EndpointsOf>
Status ResolveTargets(Targets& t, int wanted, EndpointsOf endpoints_of) {
  auto netuids = SelectSubnets(t.manifest, wanted);
  if (!netuids) return netuids.error();
  t.netuids = *netuids;
  for (int netuid : t.netuids) {
    const sim::SubnetSpec* subnet = t.manifest.Find(netuid);
    t.classes[netuid] = experts::SynapseClassFor(subnet->entry);
    auto endpoints = endpoints_of(*subnet);
    if (!endpoints) return endpoints.error();
    for (const experts::Endpoint& e : *endpoints) {
      t.uids.push_back(Uid{subnet, &t.classes[netuid], e});
    }
  }
  return {};
}

// --- Requests ---------------------------------------------------------------------------------

std::string ChallengeId(size_t connection) { return fmt::format("sim-load-{}", connection); }

// One request as it goes on the wire, and the lock its receipt must carry.
struct Prepared {
  std::string wire;
  std::string lock;
  int64_t nonce = 0;
};

// What experts::HttpTransport::CallSynapse + Dendrite::Call send for call `i` of connection `c`.
BittensorSynapse PrepareSynapse(net::Dendrite& dendrite, const Uid& uid,
                                const std::vector<std::string>& urls, size_t c, size_t i,
                                double timeout, std::string* lock) {
  JsonObject payload = PayloadFor(*uid.subnet, urls, c, i);
  *lock = protocol::LockFor(ChallengeId(c), dendrite.hotkey(), static_cast<int>(i),
                            CanonicalHash(Json(payload)));
  BittensorSynapse synapse;
  synapse.fields = std::move(payload);
  synapse.fields.insert_or_assign(experts::kLockField, *lock);
  const net::AxonEndpoint axon{
      .ip = uid.endpoint.host, .port = uid.endpoint.port, .hotkey = uid.endpoint.hotkey};
  return dendrite.Prepare(axon, *uid.cls, std::move(synapse), timeout);
}

std::string WireOf(const Uid& uid, BittensorSynapse& synapse) {
  const std::string body = protocol::ToBody(*uid.cls, synapse);
  synapse.total_size = static_cast<int64_t>(body.size());
  std::string wire = fmt::format("POST /{} HTTP/1.1\r\nhost: {}:{}\r\n", uid.cls->name,
                                 uid.endpoint.host, uid.endpoint.port);
  for (const auto& [name, value] : protocol::ToHeaders(*uid.cls, synapse)) {
    wire += fmt::format("{}: {}\r\n", name, value);
  }
  wire += fmt::format("content-type: application/json\r\ncontent-length: {}\r\n\r\n", body.size());
  wire += body;
  return wire;
}

Prepared BuildRequest(net::Dendrite& dendrite, const Uid& uid, const std::vector<std::string>& urls,
                      size_t c, size_t i, double timeout) {
  Prepared p;
  BittensorSynapse synapse = PrepareSynapse(dendrite, uid, urls, c, i, timeout, &p.lock);
  p.nonce = synapse.dendrite.nonce.value_or(0);
  p.wire = WireOf(uid, synapse);
  return p;
}

// One connection of the generator: a dendrite of its own talking to one UID.
struct Connection {
  size_t index = 0;
  const Uid* uid = nullptr;
  std::unique_ptr<net::Dendrite> dendrite;
  // --sign presign: the requests' locks and nonces, and their wires in `wires`.
  std::vector<Prepared> pool;
  WireArena wires;
};

// Signs every connection's pool on `signers` threads (one connection per thread at a time).
void PreSign(std::vector<Connection>& connections, const std::vector<std::string>& urls,
             size_t per_connection, double timeout, int signers) {
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t c; (c = next.fetch_add(1)) < connections.size();) {
      Connection& conn = connections[c];
      conn.pool.reserve(per_connection);
      for (size_t i = 0; i < per_connection; ++i) {
        Prepared p = BuildRequest(*conn.dendrite, *conn.uid, urls, c, i, timeout);
        conn.wires.Append(p.wire);
        std::string().swap(p.wire);
        conn.pool.push_back(std::move(p));
      }
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < signers; ++t) threads.emplace_back(work);
  for (auto& thread : threads) thread.join();
}

// --- Synchronous exchanges (pre-flight, control API) ------------------------------------------

Result<Json> GetJson(const std::string& host, uint16_t port, const std::string& target) {
  const Answer answer =
      SendOnce(host, port,
               fmt::format("GET {} HTTP/1.1\r\nhost: {}:{}\r\nconnection: close\r\n\r\n", target,
                           host, port));
  if (answer.status != 200) {
    return Error(ErrorCode::kUnavailable, fmt::format("GET {} on {}:{}: HTTP {} {}", target, host,
                                                      port, answer.status, answer.body));
  }
  return ParseJson(answer.body, target);
}

void ReplaceAll(std::string& text, std::string_view from, std::string_view to) {
  for (size_t at = 0; (at = text.find(from, at)) != std::string::npos; at += to.size()) {
    text.replace(at, from.size(), to);
  }
}

// Verification is on: a valid request is answered with a receipt, its replay and a forged
// signature are refused.
std::vector<Check> PreFlight(const Uid& uid, const std::vector<std::string>& urls,
                             asio::any_io_executor executor, double timeout) {
  std::vector<Check> checks;
  net::Dendrite honest(executor, KeyFromByte(240));
  net::Dendrite forger(executor, KeyFromByte(241));
  const Prepared valid = BuildRequest(honest, uid, urls, 100000, 0, timeout);
  Prepared forged = BuildRequest(forger, uid, urls, 100001, 0, timeout);
  ReplaceAll(forged.wire, forger.hotkey(), honest.hotkey());  // same length (SS58)
  auto expect = [&](std::string what, const std::string& wire, int status,
                    std::string_view must_contain) {
    const Answer answer = SendOnce(uid.endpoint.host, uid.endpoint.port, wire);
    const bool passed =
        answer.status == status && answer.body.find(must_contain) != std::string::npos;
    checks.push_back({std::move(what), passed,
                      fmt::format("HTTP {} {}", answer.status, answer.body.substr(0, 160))});
  };
  expect(fmt::format("valid signed request to {} uid {}: 200 with a receipt",
                     uid.subnet->entry.subnet_id, uid.endpoint.uid),
         valid.wire, 200, fmt::format("\"lock\":\"{}\"", valid.lock));
  expect("replayed request: 401", valid.wire, 401, "Nonce is too old");
  expect("forged signature: 401", forged.wire, 401, "Signature mismatch");
  return checks;
}

// --- Load -------------------------------------------------------------------------------------

struct Schedule {
  SteadyClock::time_point window_start;
  SteadyClock::time_point end;
};

// Counted by one connection, merged after the run.
struct ConnectionStats {
  LatencyHistogram latencies;          // completed calls inside the window
  uint64_t completed_in_window = 0;    // 200 with a receipt over this request's lock
  uint64_t answers_in_window = 0;      // any status
  std::atomic<uint64_t> completed{0};  // whole run; read by --progress while running
  uint64_t answers = 0;                // whole run, any status
  uint64_t without_receipt = 0;        // 200 whose receipt is missing or carries another lock
  std::map<int, uint64_t> other_statuses;
  uint64_t io_errors = 0;
  std::string first_io_error;  // what the first I/O error was, for the check's detail
  bool exhausted = false;
  // The first completed call inside the window, for receipt verification afterwards.
  std::optional<std::pair<size_t, std::string>> sample;
};

// A blocking TCP socket connected to host:port (an IPv4 address: the simulator listens on
// 127.0.0.1) with Nagle off. Throws std::runtime_error (start-up only).
int ConnectTcp(const std::string& host, uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  if (inet_pton(AF_INET, host.c_str(), &address.sin_addr) != 1) {
    throw std::runtime_error(fmt::format("not an IPv4 address: {}", host));
  }
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error(fmt::format("socket: {}", std::strerror(errno)));
  const int one = 1;
  const char* step = nullptr;
  if (connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    step = "connect to";
  } else if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0) {
    step = "TCP_NODELAY on the connection to";
  }
  if (step) {
    const int err = errno;
    close(fd);
    throw std::runtime_error(fmt::format("{} {}:{}: {}", step, host, port, std::strerror(err)));
  }
  return fd;
}

// Writes all of `bytes` on a blocking socket; false on failure. A closed-loop connection has
// one request in flight, so its send buffer is empty and this does not wait.
bool SendAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// One connection's closed loop, driven by the generator thread's epoll loop: send a request,
// read its answer when the socket is readable, check and count it, send the next.
class Driver {
 public:
  Driver(int fd, Connection& conn, const std::vector<std::string>& urls, const Options& opts,
         Schedule schedule, ConnectionStats& stats)
      : fd_(fd), conn_(conn), urls_(urls), opts_(opts), schedule_(schedule), stats_(stats) {
    if (online())
      current_ = BuildRequest(*conn.dendrite, *conn.uid, urls, conn.index, 0, opts.synapse_timeout);
  }

  // Sends the next request; false when the connection is done (the run ended, its pool ran
  // out, or an error).
  bool SendNext() {
    sent_ = SteadyClock::now();
    if (sent_ >= schedule_.end) return false;
    if (!online() && i_ >= conn_.pool.size()) {
      stats_.exhausted = true;
      return false;
    }
    const std::string_view wire = online() ? std::string_view(current_.wire) : conn_.wires[i_];
    if (!SendAll(fd_, wire)) return Fail(fmt::format("send: {}", std::strerror(errno)));
    if (online()) {  // signed while the simulator answers this one
      next_ = BuildRequest(*conn_.dendrite, *conn_.uid, urls_, conn_.index, i_ + 1,
                           opts_.synapse_timeout);
    }
    return true;
  }

  // The socket is readable: reads what is there; when the answer is whole, checks it and sends
  // the next request. False when the connection is done.
  bool OnReadable() {
    const std::span<char> space = reader_.Space();
    const ssize_t n = recv(fd_, space.data(), space.size(), MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return true;
    if (n < 0) return Fail(fmt::format("recv: {}", std::strerror(errno)));
    if (n == 0) return Fail("the simulator closed the connection");
    reader_.Received(static_cast<size_t>(n));
    auto response = reader_.Next(16 << 20);
    if (!response) return Fail(response.error().message);
    if (!*response) return true;
    Count(**response);
    if (!(**response).keep_alive) return Fail("an answer closed the connection");
    ++i_;
    if (online()) current_ = std::move(next_);
    return SendNext();
  }

  // The connection cannot go on (`why`): counted as an I/O error.
  void Abandon(std::string why) { Fail(std::move(why)); }

 private:
  bool online() const { return opts_.signing == Signing::kOnline; }

  bool Fail(std::string why) {
    if (stats_.io_errors++ == 0) {
      stats_.first_io_error = fmt::format("connection {} call {}: {}", conn_.index, i_, why);
    }
    return false;
  }

  void Count(const ResponseReader::Response& response) {
    const auto done = SteadyClock::now();
    const bool in_window = done >= schedule_.window_start && done < schedule_.end;
    ++stats_.answers;
    if (in_window) ++stats_.answers_in_window;
    if (response.status != 200) {
      ++stats_.other_statuses[response.status];
      return;
    }
    const Prepared& request = online() ? current_ : conn_.pool[i_];
    const size_t receipt = response.body.find("\"orchestra_receipt\":{");
    needle_.assign("\"lock\":\"");
    needle_ += request.lock;
    needle_ += '"';
    if (receipt == std::string_view::npos ||
        response.body.find(needle_, receipt) == std::string_view::npos) {
      ++stats_.without_receipt;
      return;
    }
    stats_.completed.fetch_add(1, std::memory_order_relaxed);
    if (in_window) {
      ++stats_.completed_in_window;
      stats_.latencies.Add((done - sent_).count());
      if (!stats_.sample) stats_.sample.emplace(i_, std::string(response.body));
    }
  }

  const int fd_;
  Connection& conn_;
  const std::vector<std::string>& urls_;
  const Options& opts_;
  const Schedule schedule_;
  ConnectionStats& stats_;
  ResponseReader reader_;
  std::string needle_;
  size_t i_ = 0;  // the request in flight
  SteadyClock::time_point sent_;
  Prepared current_, next_;  // --sign online only
};

// One generator thread: drives `drivers` on one level-triggered epoll set until each is done.
// Straight system calls rather than Asio, because the generator shares the two cores with the
// simulator: one send and one recv per call, no speculative read that finds nothing. An answer
// still missing 5 s after the run's end counts as an I/O error.
void DriveAll(const std::vector<std::pair<int, Driver*>>& drivers, SteadyClock::time_point end) {
  const int epoll = epoll_create1(EPOLL_CLOEXEC);
  const std::string create_error = epoll < 0 ? std::strerror(errno) : "";
  size_t open = 0;
  for (size_t k = 0; k < drivers.size(); ++k) {
    const auto& [fd, driver] = drivers[k];
    epoll_event event{.events = EPOLLIN, .data = {.u64 = k}};
    if (epoll < 0) {
      driver->Abandon("epoll_create1: " + create_error);
      continue;
    }
    if (epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event) != 0) {
      driver->Abandon(fmt::format("epoll_ctl ADD: {}", std::strerror(errno)));
      continue;
    }
    if (driver->SendNext()) {
      ++open;
    } else {
      epoll_ctl(epoll, EPOLL_CTL_DEL, fd, nullptr);
    }
  }
  std::vector<epoll_event> events(std::max<size_t>(drivers.size(), 1));
  const auto give_up = end + std::chrono::seconds(5);
  while (open > 0) {
    const int n = epoll_wait(epoll, events.data(), static_cast<int>(events.size()), 100);
    const int wait_errno = n < 0 ? errno : 0;
    for (int e = 0; e < n; ++e) {
      const auto& [fd, driver] = drivers[events[e].data.u64];
      if (driver->OnReadable()) continue;
      epoll_ctl(epoll, EPOLL_CTL_DEL, fd, nullptr);
      --open;
    }
    const bool failed = n < 0 && wait_errno != EINTR;
    if (failed || SteadyClock::now() > give_up) {
      const std::string why = failed ? fmt::format("epoll_wait: {}", std::strerror(wait_errno))
                                     : "no answer 5 s after the run's end";
      for (const auto& [fd, driver] : drivers) {
        if (epoll_ctl(epoll, EPOLL_CTL_DEL, fd, nullptr) == 0) driver->Abandon(why);
      }
      break;
    }
  }
  if (epoll >= 0) close(epoll);
}

struct LoadResult {
  double window_seconds = 0;
  LatencyHistogram latencies;
  uint64_t completed_in_window = 0;
  uint64_t answers_in_window = 0;
  uint64_t completed = 0;
  uint64_t answers = 0;
  uint64_t without_receipt = 0;
  std::map<int, uint64_t> other_statuses;
  uint64_t io_errors = 0;
  std::string first_io_error;
  int exhausted_connections = 0;
  std::map<int, uint64_t> completed_by_subnet;  // in the window
  CpuSplit cpu;                                 // in the window
  double machine_busy_cores = 0;                // all processes, in the window
  std::vector<Check> receipt_checks;

  double CallsPerSecond() const {
    return static_cast<double>(completed_in_window) / window_seconds;
  }
  double MicrosPerAnswer(double cpu_seconds) const {
    return answers_in_window ? cpu_seconds * 1e6 / static_cast<double>(answers_in_window) : 0;
  }
};

// The receipt of a sampled answer must verify as a validator checks it.
Status VerifySample(const Connection& conn, const std::vector<std::string>& urls, size_t i,
                    const std::string& body, int64_t window_start_ms) {
  auto json = ParseJson(body, "answer");
  if (!json) return json.error();
  const Json* sent = JsonFind(*json, experts::kReceiptField);
  if (!sent) return Error(ErrorCode::kMalformedAnswer, "no orchestra_receipt");
  auto receipt = protocol::ReceiptFromJson(*sent);
  if (!receipt) return receipt.error();
  JsonObject output;
  for (const std::string& name : experts::SchemaFieldNames(conn.uid->subnet->entry.output_schema)) {
    if (const Json* v = JsonFind(*json, name); v && !v->is_null()) output[name] = *v;
  }
  protocol::ReceiptExpectation expected;
  expected.challenge_id = ChallengeId(conn.index);
  expected.miner_hotkey = conn.dendrite->hotkey();
  expected.step = static_cast<int>(i);
  expected.query = PayloadFor(*conn.uid->subnet, urls, conn.index, i);
  expected.response = std::move(output);
  expected.expert_hotkey = conn.uid->endpoint.hotkey;
  expected.window_start_ms = window_start_ms;
  expected.window_end_ms = UnixMillisNow() + 1000;
  return protocol::VerifyReceipt(*receipt, expected);
}

// Closed loop: every connection sends its next request as soon as the previous answer is read,
// for warm-up + seconds; calls completed after the warm-up and before the end are measured.
LoadResult RunLoad(std::vector<Connection>& connections, const std::vector<std::string>& urls,
                   const Options& opts, ThreadRoles roles) {
  std::vector<int> fds;
  for (const Connection& conn : connections) {
    fds.push_back(ConnectTcp(conn.uid->endpoint.host, conn.uid->endpoint.port));
  }
  std::vector<ConnectionStats> stats(connections.size());
  const int64_t start_ms = UnixMillisNow();
  const auto start = SteadyClock::now();
  const auto to_duration = [](double seconds) {
    return std::chrono::duration_cast<SteadyClock::duration>(
        std::chrono::duration<double>(seconds));
  };
  const Schedule schedule{.window_start = start + to_duration(opts.warmup),
                          .end = start + to_duration(opts.warmup + opts.seconds)};
  std::vector<std::unique_ptr<Driver>> drivers;
  // Connections dealt to the generator threads in turn.
  std::vector<std::vector<std::pair<int, Driver*>>> shares(opts.client_threads);
  for (size_t c = 0; c < connections.size(); ++c) {
    drivers.push_back(
        std::make_unique<Driver>(fds[c], connections[c], urls, opts, schedule, stats[c]));
    shares[c % shares.size()].emplace_back(fds[c], drivers.back().get());
  }
  std::mutex roles_mu;
  // A thread that has exited is gone from /proc: generator threads stay until the CPU of the
  // window has been read.
  std::latch window_read(1);
  std::vector<std::thread> threads;
  for (int t = 0; t < opts.client_threads; ++t) {
    threads.emplace_back([&, t] {
      {
        std::lock_guard lock(roles_mu);
        roles.generator.insert(static_cast<int>(gettid()));
      }
      DriveAll(shares[t], schedule.end);
      window_read.wait();
    });
  }

  // CPU of every thread, and of the machine, across the window only.
  std::this_thread::sleep_until(schedule.window_start);
  std::map<int, double> cpu_before = ThreadCpuByTid();
  const MachineCpu machine_before = ReadMachineCpu();
  const auto measured_from = SteadyClock::now();
  if (opts.progress_seconds > 0) {
    uint64_t last = 0;
    auto last_at = measured_from;
    for (auto at = measured_from + to_duration(opts.progress_seconds); at < schedule.end;
         at += to_duration(opts.progress_seconds)) {
      std::this_thread::sleep_until(at);
      uint64_t total = 0;
      for (const ConnectionStats& s : stats) total += s.completed.load(std::memory_order_relaxed);
      const double dt = std::chrono::duration<double>(at - last_at).count();
      fmt::print(stderr, "sim_load: {:>6.0f} s  {:>8.0f} calls/s  RSS {:.1f} MiB\n",
                 std::chrono::duration<double>(at - measured_from).count(),
                 static_cast<double>(total - last) / dt, RssMib());
      last = total;
      last_at = at;
    }
  }
  std::this_thread::sleep_until(schedule.end);
  std::map<int, double> cpu_after = ThreadCpuByTid();
  const MachineCpu machine_after = ReadMachineCpu();
  window_read.count_down();
  for (auto& thread : threads) thread.join();
  for (const int fd : fds) close(fd);

  LoadResult result;
  {
    std::lock_guard lock(roles_mu);
    result.cpu = SplitCpu(cpu_before, cpu_after, roles);
  }
  const double machine_share =
      machine_after.total > machine_before.total
          ? static_cast<double>(machine_after.busy - machine_before.busy) /
                static_cast<double>(machine_after.total - machine_before.total)
          : 0;
  result.machine_busy_cores = machine_share * std::thread::hardware_concurrency();
  result.window_seconds = opts.seconds;
  for (size_t c = 0; c < stats.size(); ++c) {
    ConnectionStats& s = stats[c];
    result.latencies.Merge(s.latencies);
    result.completed_in_window += s.completed_in_window;
    result.answers_in_window += s.answers_in_window;
    result.completed += s.completed.load();
    result.answers += s.answers;
    result.without_receipt += s.without_receipt;
    for (const auto& [status, count] : s.other_statuses) result.other_statuses[status] += count;
    if (result.first_io_error.empty()) result.first_io_error = s.first_io_error;
    result.io_errors += s.io_errors;
    result.exhausted_connections += s.exhausted ? 1 : 0;
    result.completed_by_subnet[connections[c].uid->subnet->entry.netuid] += s.completed_in_window;
  }
  // One receipt per connection, verified as a validator would.
  size_t verified = 0, sampled = 0;
  std::string first_failure;
  for (size_t c = 0; c < stats.size(); ++c) {
    if (!stats[c].sample) continue;
    ++sampled;
    const auto& [i, body] = *stats[c].sample;
    if (auto v = VerifySample(connections[c], urls, i, body, start_ms - 1000); v) {
      ++verified;
    } else if (first_failure.empty()) {
      first_failure = fmt::format("connection {} call {}: {}", c, i, v.error().message);
    }
  }
  result.receipt_checks.push_back(
      {fmt::format("sampled receipts pass VerifyReceipt ({} of {})", verified, sampled),
       sampled > 0 && verified == sampled, first_failure});
  return result;
}

// --- Component probe --------------------------------------------------------------------------

// CPU µs per call of `f` on this thread, over about `seconds`.
template <typename F>
double MicrosPerCall(double seconds, F&& f) {
  const double start = ThreadCpuSeconds();
  uint64_t n = 0;
  double elapsed = 0;
  do {
    for (int k = 0; k < 8; ++k, ++n) f();
    elapsed = ThreadCpuSeconds() - start;
  } while (elapsed < seconds);
  return elapsed * 1e6 / static_cast<double>(n);
}

struct Component {
  std::string name;
  double micros = 0;
};

// What one call's building blocks cost on one core, measured apart (public APIs the
// simulator's per-call path calls, on a representative request of `uid`).
std::vector<Component> ProbeComponents(const Uid& uid, const sim::Corpus& corpus,
                                       const std::vector<std::string>& urls,
                                       asio::any_io_executor executor, double seconds,
                                       bool planted) {
  std::vector<Component> out;
  net::Dendrite dendrite(executor, KeyFromByte(230));
  std::string lock;
  BittensorSynapse request = PrepareSynapse(dendrite, uid, urls, 3, 1, 12.0, &lock);
  const std::string body = protocol::ToBody(*uid.cls, request);
  request.total_size = static_cast<int64_t>(body.size());
  const protocol::WireHeaders headers = protocol::ToHeaders(*uid.cls, request);
  const Json payload = PayloadFor(*uid.subnet, urls, 3, 1);
  const std::string message = protocol::SignatureMessage(
      request.dendrite.nonce, request.dendrite.hotkey, uid.endpoint.hotkey, request.dendrite.uuid,
      protocol::kEmptyBodyHash);
  const std::string& signature = *request.dendrite.signature;
  const crypto::Keypair expert_key = KeyFromByte(231);
  const std::string expert_ss58 = crypto::Ss58Encode(expert_key.public_key().bytes());
  const sim::Engine engine = uid.subnet->engine;
  auto run_engine = [&] {
    return engine == sim::Engine::kScrape ? sim::Scrape(corpus, payload)
                                          : sim::Search(corpus, payload);
  };
  const Result<Json> output = run_engine();
  const JsonObject& fields = payload.get_object();
  const Json answer_output =
      planted  ? PlantedAnswer(*uid.subnet, engine == sim::Engine::kScrape
                                                ? fields.at("urls").at(0).get_string()
                                                : fields.at("query").get_string())
       : output ? *output
               : Json(JsonObject{});
  const std::string request_hash = CanonicalHash(payload);

  const bool verifies =
      protocol::VerifyMessageSignature(*request.dendrite.hotkey, message, signature).ok();
  out.push_back({verifies ? "sr25519 verify (VerifyMessageSignature)"
                          : "sr25519 verify (VerifyMessageSignature) FAILED: timing a refusal",
                 MicrosPerCall(seconds, [&] {
                   (void)protocol::VerifyMessageSignature(*request.dendrite.hotkey, message,
                                                          signature);
                 })});
  out.push_back(
      {"receipt: IssueReceipt (response hash + sr25519 sign)", MicrosPerCall(seconds, [&] {
         (void)protocol::IssueReceipt(expert_key, expert_ss58, lock, request_hash, answer_output,
                                      0.002, UnixMillisNow());
       })});
  if (!planted) {
    out.push_back(
        {fmt::format("engine: sim::{} ({})", engine == sim::Engine::kScrape ? "Scrape" : "Search",
                     uid.subnet->entry.subnet_id),
         MicrosPerCall(seconds, [&] { (void)run_engine(); })});
  }
  out.push_back({"request: SynapseFromHeaders", MicrosPerCall(seconds, [&] {
                   (void)protocol::SynapseFromHeaders(*uid.cls, headers);
                 })});
  out.push_back({"request: SynapseFromBody + BodyHash", MicrosPerCall(seconds, [&] {
                   auto parsed = protocol::SynapseFromBody(*uid.cls, body);
                   if (parsed) (void)protocol::BodyHash(*uid.cls, *parsed);
                 })});
  out.push_back({"request hash: CanonicalHash(payload)",
                 MicrosPerCall(seconds, [&] { (void)CanonicalHash(payload); })});
  out.push_back({"plan: PlanCall", MicrosPerCall(seconds, [&, n = uint64_t{0}]() mutable {
                   (void)sim::PlanCall(42, uid.subnet->entry.netuid, uid.subnet->uids.front(), n++);
                 })});
  {
    BittensorSynapse answer = request;
    const protocol::Receipt receipt = protocol::IssueReceipt(expert_key, expert_ss58, lock,
                                                             request_hash, answer_output, 0.002, 0);
    if (answer_output.is_object()) {
      for (const auto& kv : answer_output.get_object()) answer.fields[kv.key()] = kv.value();
    }
    answer.fields[experts::kReceiptField] = protocol::ToJson(receipt);
    out.push_back(
        {fmt::format("answer: ToHeaders + ToBody ({}-byte body, {})",
                     protocol::ToBody(*uid.cls, answer).size(), uid.subnet->entry.subnet_id),
         MicrosPerCall(seconds, [&] {
           (void)protocol::ToHeaders(*uid.cls, answer);
           (void)protocol::ToBody(*uid.cls, answer);
         })});
    // The receipt store's hot-path half (hash + copy into the pending batch); its writer
    // thread's SQLite work is measured in place, as the receipt writer's CPU.
    const auto dir = std::filesystem::temp_directory_path() /
                     fmt::format("sim_load-probe-{}", static_cast<int>(getpid()));
    std::filesystem::create_directories(dir);
    sim::ReceiptStoreOptions store_options;
    store_options.max_pending = 100'000'000;  // time Add(), not its refusal
    if (auto store = sim::ReceiptStore::Open(dir / "receipts.db", store_options); store) {
      protocol::Receipt r = receipt;
      uint64_t n = 0;
      out.push_back({"receipt store: Add (caller's side)", MicrosPerCall(seconds, [&] {
                       r.issued_at_ms = static_cast<int64_t>(++n);  // a new hash each time
                       (void)(*store)->Add(22, 0, r);
                     })});
    }
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
  return out;
}

// --- Reports ----------------------------------------------------------------------------------

// The simulator's counters summed per subnet.
struct SubnetCounters {
  uint64_t calls = 0;
  uint64_t faults = 0;
};
std::map<int, SubnetCounters> CountersOf(const sim::Simulator& simulator) {
  std::map<int, SubnetCounters> out;
  for (const sim::SubnetSpec& s : simulator.manifest().subnets) {
    SubnetCounters& c = out[s.entry.netuid];
    for (const sim::UidSpec& u : s.uids) {
      const sim::UidCounters uc = simulator.Counters(s.entry.netuid, u.uid);
      c.calls += uc.calls;
      for (uint64_t f : uc.faults) c.faults += f;
    }
  }
  return out;
}

std::string SubnetName(const sim::Manifest& manifest, int netuid) {
  const sim::SubnetSpec* s = manifest.Find(netuid);
  return s ? fmt::format("{} {}", s->entry.subnet_id, s->entry.name) : std::to_string(netuid);
}

Result<std::unique_ptr<sim::Simulator>> StartSimulator(const Options& opts, ThreadRoles* roles,
                                                       std::shared_ptr<const sim::Corpus>* corpus) {
  auto manifest = FaultFreeManifest();
  if (!manifest) return manifest.error();
  auto loaded = LoadCorpus(opts);
  if (!loaded) return Error(loaded.error().code, "corpus: " + loaded.error().message);
  *corpus = std::make_shared<const sim::Corpus>(std::move(*loaded));
  sim::SimulatorOptions options;
  options.latency_scale = 0;
  options.threads = opts.threads;
  options.data_dir = opts.data_dir;
  options.base_port = static_cast<uint16_t>(opts.serve_only ? opts.port : 0);
  const std::set<int> before = ThreadIds();
  auto simulator = sim::Simulator::Start(std::move(*manifest), *corpus, options);
  if (!simulator) return simulator.error();
  *roles = SimulatorThreads(before, ThreadIds());
  return simulator;
}

// --serve-only: the simulator alone in this process, until SIGINT/SIGTERM; then its counters
// and CPU per call.
int Serve(const Options& opts) {
  ThreadRoles roles;
  std::shared_ptr<const sim::Corpus> corpus;
  const auto cpu_before = ThreadCpuByTid();
  auto simulator = StartSimulator(opts, &roles, &corpus);
  if (!simulator) {
    fmt::print(stderr, "sim_load: {}\n", simulator.error().ToString());
    return 1;
  }
  sim::Simulator& s = **simulator;
  auto netuids = SelectSubnets(s.manifest(), opts.subnet);
  if (!netuids) {
    fmt::print(stderr, "sim_load: {}\n", netuids.error().message);
    return 1;
  }
  if (opts.planted) {
    if (auto planted = PlantAnswers(s, *netuids, ScrapeUrls(*corpus)); !planted) {
      fmt::print(stderr, "sim_load: plant: {}\n", planted.error().ToString());
      return 1;
    }
  }
  fmt::print("sim_load: serving, control port {}\n", s.control_port());
  std::fflush(stdout);
  asio::io_context io;
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([](const boost::system::error_code&, int) {});
  const auto started = SteadyClock::now();
  io.run();
  const double served_seconds = std::chrono::duration<double>(SteadyClock::now() - started).count();

  const CpuSplit cpu = SplitCpu(cpu_before, ThreadCpuByTid(), roles);
  const auto counters = CountersOf(s);
  uint64_t calls = 0, faults = 0;
  JsonObject per_subnet;
  for (const auto& [netuid, c] : counters) {
    calls += c.calls;
    faults += c.faults;
    if (c.calls) per_subnet[SubnetName(s.manifest(), netuid)] = c.calls;
  }
  const auto per_call = [&](double seconds) {
    return calls ? seconds * 1e6 / static_cast<double>(calls) : 0.0;
  };
  const double rss = RssMib();
  if (opts.json) {
    fmt::print("{}\n",
               PrettyJson(JsonObject{
                   {"mode", "serve-only"},
                   {"sim_threads", opts.threads},
                   {"served_seconds", served_seconds},
                   {"calls", calls},
                   {"faults", faults},
                   {"calls_by_subnet", std::move(per_subnet)},
                   {"cpu_us_per_call", JsonObject{{"sim_io", per_call(cpu.sim_io)},
                                                  {"receipt_writer", per_call(cpu.receipt_writer)},
                                                  {"other", per_call(cpu.other)}}},
                   {"rss_mib", rss},
               }));
  } else {
    fmt::print(
        "sim_load serve-only: {} calls ({} faults) in {:.1f} s, {} I/O thread(s); CPU per call: "
        "simulator I/O {:.1f} µs, receipt writer {:.1f} µs, start-up/other {:.1f} µs (→ {:.0f} "
        "calls/s if the simulator had all {} cores); RSS {:.1f} MiB\n",
        calls, faults, served_seconds, opts.threads, per_call(cpu.sim_io),
        per_call(cpu.receipt_writer), per_call(cpu.other),
        calls
            ? std::thread::hardware_concurrency() * 1e6 / per_call(cpu.sim_io + cpu.receipt_writer)
            : 0.0,
        std::thread::hardware_concurrency(), rss);
  }
  return 0;
}

int Drive(const Options& opts) {
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  const std::string load_before = LoadAverage();
  ThreadRoles roles;
  std::shared_ptr<const sim::Corpus> corpus;
  std::unique_ptr<sim::Simulator> simulator;
  auto targets = std::make_unique<Targets>();
  Status resolved;
  if (opts.client_only) {
    // The simulator of another process, found through its control API.
    const auto port = static_cast<uint16_t>(opts.port);
    auto manifest_json = GetJson("127.0.0.1", port, "/manifest");
    if (!manifest_json) {
      fmt::print(stderr, "sim_load: {}\n", manifest_json.error().message);
      return 1;
    }
    auto manifest = sim::Manifest::FromJson(*manifest_json);
    auto loaded = sim::Corpus::LoadEmbedded();  // only for the scrape URLs
    if (!manifest || !loaded) {
      fmt::print(stderr, "sim_load: {}\n",
                 (!manifest ? manifest.error() : loaded.error()).ToString());
      return 1;
    }
    targets->manifest = std::move(*manifest);
    corpus = std::make_shared<const sim::Corpus>(std::move(*loaded));
    resolved = ResolveTargets(*targets, opts.subnet, [&](const sim::SubnetSpec& subnet) {
      auto metagraph =
          GetJson("127.0.0.1", port, fmt::format("/metagraph/{}", subnet.entry.netuid));
      return metagraph ? experts::EndpointsFromMetagraph(*metagraph)
                       : Result<std::vector<experts::Endpoint>>(metagraph.error());
    });
  } else {
    auto started = StartSimulator(opts, &roles, &corpus);
    if (!started) {
      fmt::print(stderr, "sim_load: {}\n", started.error().ToString());
      return 1;
    }
    simulator = std::move(*started);
    targets->manifest = simulator->manifest();
    resolved = ResolveTargets(*targets, opts.subnet, [&](const sim::SubnetSpec& subnet) {
      return Result<std::vector<experts::Endpoint>>(
          simulator->directory().Find(subnet.entry.subnet_id));
    });
  }
  if (!resolved) {
    fmt::print(stderr, "sim_load: {}\n", resolved.error().message);
    return 1;
  }
  Targets& t = *targets;
  t.urls = ScrapeUrls(*corpus);
  if (opts.planted && simulator) {
    if (auto planted = PlantAnswers(*simulator, t.netuids, t.urls); !planted) {
      fmt::print(stderr, "sim_load: plant: {}\n", planted.error().ToString());
      return 1;
    }
  }

  asio::io_context dendrite_io;  // the dendrites' executor; they only Prepare() here
  std::vector<Component> components;
  if (simulator && opts.probe_seconds > 0) {
    std::set<int> seen;
    for (const Uid& uid : t.uids) {  // one probe per engine kind
      if (!seen.insert(static_cast<int>(uid.subnet->engine)).second) continue;
      for (Component& c : ProbeComponents(uid, *corpus, t.urls, dendrite_io.get_executor(),
                                          opts.probe_seconds, opts.planted)) {
        if (std::none_of(components.begin(), components.end(),
                         [&](const Component& known) { return known.name == c.name; })) {
          components.push_back(std::move(c));
        }
      }
    }
  }

  std::vector<crypto::Keypair> hotkeys;
  for (int i = 0; i < opts.hotkeys; ++i)
    hotkeys.push_back(KeyFromByte(static_cast<uint8_t>(10 + i)));
  std::vector<Connection> connections(static_cast<size_t>(opts.connections));
  for (size_t c = 0; c < connections.size(); ++c) {
    connections[c].index = c;
    connections[c].uid = &t.uids[c % t.uids.size()];
    connections[c].dendrite =
        std::make_unique<net::Dendrite>(dendrite_io.get_executor(), hotkeys[c % hotkeys.size()]);
  }

  std::vector<Check> checks;
  size_t per_connection = 0;
  double sign_seconds = 0;
  size_t pool_bytes = 0;
  if (opts.signing == Signing::kPresign) {
    per_connection = static_cast<size_t>(
        std::ceil(opts.max_rate * (opts.warmup + opts.seconds) / opts.connections));
    const auto sign_start = SteadyClock::now();
    PreSign(connections, t.urls, per_connection, opts.synapse_timeout,
            opts.signers > 0 ? opts.signers : static_cast<int>(cores));
    sign_seconds = std::chrono::duration<double>(SteadyClock::now() - sign_start).count();
    for (const Connection& conn : connections) pool_bytes += conn.wires.bytes();
  }

  for (Check& c :
       PreFlight(t.uids.front(), t.urls, dendrite_io.get_executor(), opts.synapse_timeout)) {
    checks.push_back(std::move(c));
  }
  if (opts.signing == Signing::kPresign) {
    // Every connection's first nonce must still be inside the axon's first-nonce window.
    int64_t oldest = INT64_MAX;
    for (const Connection& conn : connections) oldest = std::min(oldest, conn.pool.front().nonce);
    const int64_t window_ns =
        kAllowedNonceDeltaNs + static_cast<int64_t>(std::llround(opts.synapse_timeout * 1e9));
    const int64_t age_ns = SystemNowNs() - oldest;
    checks.push_back(
        {"first nonces inside the axons' window", age_ns < window_ns,
         fmt::format("oldest {:.1f} s old at the start, window {:.1f} s; lower "
                     "--max-rate or use --sign online",
                     static_cast<double>(age_ns) / 1e9, static_cast<double>(window_ns) / 1e9)});
  }

  std::map<int, SubnetCounters> counters_before;
  if (simulator) counters_before = CountersOf(*simulator);
  const LoadResult r = RunLoad(connections, t.urls, opts, roles);
  for (const Check& c : r.receipt_checks) checks.push_back(c);

  checks.push_back(
      {"only 200 answers with the request's receipt",
       r.other_statuses.empty() && r.without_receipt == 0 && r.io_errors == 0,
       fmt::format("non-200 {}, 200 without the receipt {}, I/O errors {}{}",
                   StatusesText(r.other_statuses), r.without_receipt, r.io_errors,
                   r.first_io_error.empty() ? "" : " (first: " + r.first_io_error + ")")});
  if (opts.signing == Signing::kPresign) {
    checks.push_back(
        {"pre-signed requests lasted", r.exhausted_connections == 0,
         fmt::format("{} connection(s) ran out; raise --max-rate", r.exhausted_connections)});
  }
  std::map<int, SubnetCounters> counters_run;  // during the run
  JsonObject counters_json;
  if (simulator) {
    uint64_t calls = 0, faults = 0;
    for (const auto& [netuid, after] : CountersOf(*simulator)) {
      const SubnetCounters& was = counters_before[netuid];
      calls += after.calls - was.calls;
      faults += after.faults - was.faults;
      if (after.calls != was.calls) {
        counters_run[netuid] = {after.calls - was.calls, after.faults - was.faults};
        counters_json[SubnetName(t.manifest, netuid)] =
            JsonObject{{"calls", after.calls - was.calls}, {"faults", after.faults - was.faults}};
      }
    }
    checks.push_back({"simulator counted every answer, no fault drawn",
                      calls == r.answers && faults == 0,
                      fmt::format("Counters(): {} calls, {} faults; generator read {} answers",
                                  calls, faults, r.answers)});
  }
  bool all_passed = true;
  for (const Check& check : checks) all_passed = all_passed && check.passed;

  const std::string load_after = LoadAverage();
  const double window = r.window_seconds;
  const CpuSplit& cpu = r.cpu;
  std::string subnets_text;
  for (int netuid : t.netuids) {
    subnets_text += fmt::format("{}{}", subnets_text.empty() ? "" : ", ",
                                t.manifest.Find(netuid)->entry.subnet_id);
  }
  const char* mode = opts.client_only ? "client-only" : "in-process";
  const double accounted =
      std::accumulate(components.begin(), components.end(), 0.0,
                      [](double sum, const Component& c) { return sum + c.micros; });
  // What the CPU alone allows on this machine's cores: the two sr25519 operations every call
  // needs (verify the request, sign the receipt), and this run's whole CPU per call.
  auto component = [&](std::string_view prefix) {
    for (const Component& c : components) {
      if (c.name.starts_with(prefix)) return c.micros;
    }
    return 0.0;
  };
  const double crypto_us = component("sr25519 verify") + component("receipt: IssueReceipt");
  const double crypto_bound = crypto_us > 0 ? cores * 1e6 / crypto_us : 0;
  const double cpu_per_call_us = r.MicrosPerAnswer(cpu.Total());
  const double cpu_bound = cpu_per_call_us > 0 ? cores * 1e6 / cpu_per_call_us : 0;

  if (opts.json) {
    JsonObject by_subnet;
    for (const auto& [netuid, n] : r.completed_by_subnet) {
      by_subnet[SubnetName(t.manifest, netuid)] = static_cast<double>(n) / window;
    }
    JsonObject components_json;
    for (const Component& c : components) components_json[c.name] = c.micros;
    JsonArray check_json;
    for (const Check& check : checks) {
      check_json.push_back(
          JsonObject{{"check", check.what}, {"passed", check.passed}, {"detail", check.detail}});
    }
    fmt::print("{}\n", PrettyJson(JsonObject{
                           {"mode", mode},
                           {"subnets", subnets_text},
                           {"uids", t.uids.size()},
                           {"connections", opts.connections},
                           {"sim_threads", opts.threads},
                           {"client_threads", opts.client_threads},
                           {"seconds", opts.seconds},
                           {"warmup_seconds", opts.warmup},
                           {"signing", opts.signing == Signing::kPresign ? "presign" : "online"},
                           {"planted", opts.planted},
                           {"corpus", opts.corpus},
                           {"cores", cores},
                           {"loadavg_before", load_before},
                           {"loadavg_after", load_after},
                           {"presigned_requests", per_connection * connections.size()},
                           {"presign_seconds", sign_seconds},
                           {"calls_per_second", r.CallsPerSecond()},
                           {"calls_per_second_by_subnet", std::move(by_subnet)},
                           {"completed_in_window", r.completed_in_window},
                           {"latency_ms", JsonObject{{"p50", r.latencies.PercentileMs(0.50)},
                                                     {"p90", r.latencies.PercentileMs(0.90)},
                                                     {"p99", r.latencies.PercentileMs(0.99)},
                                                     {"max", r.latencies.MaxMs()}}},
                           {"non_200", StatusesJson(r.other_statuses)},
                           {"without_receipt", r.without_receipt},
                           {"io_errors", r.io_errors},
                           {"cpu_us_per_call",
                            JsonObject{{"sim_io", r.MicrosPerAnswer(cpu.sim_io)},
                                       {"receipt_writer", r.MicrosPerAnswer(cpu.receipt_writer)},
                                       {"generator", r.MicrosPerAnswer(cpu.generator)},
                                       {"other", r.MicrosPerAnswer(cpu.other)}}},
                           {"cpu_cores_used", JsonObject{{"this_process", cpu.Total() / window},
                                                         {"machine", r.machine_busy_cores}}},
                           {"sr25519_bound_calls_per_second", crypto_bound},
                           {"cpu_bound_calls_per_second", cpu_bound},
                           {"component_us", std::move(components_json)},
                           {"simulator_counters", std::move(counters_json)},
                           {"rss_mib", RssMib()},
                           {"checks", std::move(check_json)},
                           {"valid", all_passed},
                       }));
    return all_passed ? 0 : 1;
  }

  fmt::print(
      "sim_load ({}): {} ({} UIDs), {} connections, {} simulator thread(s), {} generator "
      "thread(s), {} s (+{} s warm-up), {} corpus{}, {} cores, load average {} (before) / {} "
      "(after)\n",
      mode, subnets_text, t.uids.size(), opts.connections, opts.threads, opts.client_threads,
      opts.seconds, opts.warmup, opts.corpus, opts.planted ? ", planted answers" : "", cores,
      load_before, load_after);
  if (opts.signing == Signing::kPresign) {
    fmt::print("pre-signed {} requests ({:.0f} MiB) in {:.1f} s\n",
               per_connection * connections.size(), static_cast<double>(pool_bytes) / (1 << 20),
               sign_seconds);
  } else {
    fmt::print("signing online on the generator thread(s)\n");
  }
  fmt::print("\n{:>10} {:>8} {:>8} {:>8} {:>8} {:>10} {:>12}\n", "calls/s", "p50 ms", "p90 ms",
             "p99 ms", "max ms", "non-200", "no receipt");
  fmt::print("{:>10.0f} {:>8.2f} {:>8.2f} {:>8.2f} {:>8.2f} {:>10} {:>12}\n", r.CallsPerSecond(),
             r.latencies.PercentileMs(0.50), r.latencies.PercentileMs(0.90),
             r.latencies.PercentileMs(0.99), r.latencies.MaxMs(), StatusesText(r.other_statuses),
             r.without_receipt);
  for (const auto& [netuid, n] : r.completed_by_subnet) {
    fmt::print("  {:<24} {:>8.0f} calls/s\n", SubnetName(t.manifest, netuid),
               static_cast<double>(n) / window);
  }
  if (opts.client_only) {
    fmt::print(
        "\nCPU per call: generator {:.1f} µs (the simulator's own figures are in its serve-only "
        "summary). This process used {:.2f} cores; the machine was {:.2f} of {} cores busy.\n",
        r.MicrosPerAnswer(cpu.generator), cpu.Total() / window, r.machine_busy_cores, cores);
  } else {
    fmt::print(
        "\nCPU per call: simulator I/O {:.1f} µs, receipt writer {:.1f} µs, generator {:.1f} µs, "
        "other {:.1f} µs. This process used {:.2f} cores; the machine was {:.2f} of {} cores "
        "busy (others: {:.2f}).\n",
        r.MicrosPerAnswer(cpu.sim_io), r.MicrosPerAnswer(cpu.receipt_writer),
        r.MicrosPerAnswer(cpu.generator), r.MicrosPerAnswer(cpu.other), cpu.Total() / window,
        r.machine_busy_cores, cores, std::max(0.0, r.machine_busy_cores - cpu.Total() / window));
    fmt::print(
        "CPU-bound projection: {:.1f} µs CPU per call in this process → {:.0f} calls/s if it "
        "had all {} cores to itself.\n",
        cpu_per_call_us, cpu_bound, cores);
  }
  if (crypto_bound > 0) {
    fmt::print(
        "sr25519 ceiling: verify + receipt signing = {:.1f} µs per call → at most {:.0f} calls/s "
        "on {} cores with nothing else running.\n",
        crypto_us, crypto_bound, cores);
  }
  if (!components.empty()) {
    fmt::print("\nComponents of one call, CPU µs on one core (measured apart):\n");
    for (const Component& c : components) fmt::print("  {:<56} {:>8.1f}\n", c.name, c.micros);
    const double sim_per_call = r.MicrosPerAnswer(cpu.sim_io + cpu.receipt_writer);
    fmt::print(
        "  {:<56} {:>8.1f}\n  simulator CPU per call measured in the run: {:.1f} µs; the rest "
        "({:.1f} µs) was not timed apart: HTTP and loopback TCP, coroutines and timers, axon "
        "admission, JSON copies, malloc, cache misses under load{}\n",
        "sum (engines of all selected subnets counted once each)", accounted, sim_per_call,
        sim_per_call - accounted, t.netuids.size() > 1 ? " (sum mixes engines: indicative)" : "");
  }
  if (simulator) {
    fmt::print("\nsimulator counters during the run:\n");
    for (const auto& [netuid, c] : counters_run) {
      fmt::print("  {:<24} {} calls, {} faults\n", SubnetName(t.manifest, netuid), c.calls,
                 c.faults);
    }
  }
  fmt::print("RSS {:.1f} MiB\n\nchecks:\n", RssMib());
  for (const Check& check : checks) {
    fmt::print("  [{}] {}{}\n", check.passed ? "ok" : "FAILED", check.what,
               check.passed ? "" : ": " + check.detail);
  }
  if (!all_passed) fmt::print("\nINVALID RUN: a check failed, the figures above do not count\n");
  return all_passed ? 0 : 1;
}

int Main(int argc, char** argv) {
  Options opts;
  std::string signing = "presign";
  CLI::App app{"Expert-network simulator throughput with signed synapse requests"};
  app.add_option("--seconds", opts.seconds, "measured seconds")->check(CLI::Range(0.1, 86400.0));
  app.add_option("--warmup", opts.warmup, "warm-up seconds before measuring")
      ->check(CLI::Range(0.0, 600.0));
  app.add_option("--connections", opts.connections, "concurrent keep-alive connections")
      ->check(CLI::Range(1, 4096));
  app.add_option("--threads", opts.threads, "simulator I/O threads")->check(CLI::Range(1, 64));
  app.add_option("--client-threads", opts.client_threads, "load generator threads")
      ->check(CLI::Range(1, 64));
  app.add_option("--subnet", opts.subnet, "only this netuid (default: every synapse subnet)");
  app.add_flag("--planted", opts.planted,
               "answer from planted outputs (no FTS5/extraction): the simulator's own cost");
  app.add_option("--corpus", opts.corpus, "curated (embedded) or debian (needs --data-dir)")
      ->check(CLI::IsMember({"curated", "debian"}));
  app.add_option("--data-dir", opts.data_dir,
                 "simulator data dir (receipts.db kept there); default: a temporary one");
  app.add_option("--sign", signing, "presign (before the run) or online (while running)")
      ->check(CLI::IsMember({"presign", "online"}));
  app.add_option("--max-rate", opts.max_rate,
                 "calls/s the pre-signed pool must sustain for warm-up + seconds")
      ->check(CLI::Range(1.0, 1e6));
  app.add_option("--signers", opts.signers, "threads pre-signing (0: one per core)")
      ->check(CLI::Range(0, 64));
  app.add_option("--hotkeys", opts.hotkeys, "caller hotkeys the connections use")
      ->check(CLI::Range(1, 200));
  app.add_option("--synapse-timeout", opts.synapse_timeout, "synapse timeout, seconds")
      ->check(CLI::Range(0.1, 300.0));
  app.add_option("--probe", opts.probe_seconds,
                 "seconds per component timed before the run (0: skip)")
      ->check(CLI::Range(0.0, 60.0));
  app.add_option("--progress", opts.progress_seconds,
                 "print calls/s and RSS to stderr every so many seconds (0: never)")
      ->check(CLI::Range(0.0, 3600.0));
  app.add_flag("--json", opts.json, "print the figures as JSON");
  app.add_flag("--serve-only", opts.serve_only,
               "run only the simulator (control API on --port) until SIGINT/SIGTERM");
  app.add_flag("--client-only", opts.client_only,
               "only the load generator, against the simulator whose control API is on --port");
  app.add_option("--port", opts.port, "control API port (serve-only: 0 = any)")
      ->check(CLI::Range(0, 65535));
  CLI11_PARSE(app, argc, argv);
  opts.signing = signing == "online" ? Signing::kOnline : Signing::kPresign;
  if (opts.serve_only && opts.client_only) {
    fmt::print(stderr, "sim_load: --serve-only and --client-only exclude each other\n");
    return 2;
  }
  if (opts.client_only && opts.port == 0) {
    fmt::print(stderr, "sim_load: --client-only needs --port (the simulator's control port)\n");
    return 2;
  }
  spdlog::set_level(spdlog::level::warn);
  return opts.serve_only ? Serve(opts) : Drive(opts);
}

}  // namespace
}  // namespace orchestra::bench

int main(int argc, char** argv) { return orchestra::bench::Main(argc, argv); }
