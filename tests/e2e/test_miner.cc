// orchestra_test_miner: the miners a validator must see through (issue 17), for tests only;
// never part of the `orchestra` binary. It serves a real Bittensor axon exactly as
// `orchestra miner` does (MinerService behind a MinerDaemon, experts reached through the
// metagraphs of an `orchestra experts` process, a development hotkey under --data-dir, a drain
// on SIGTERM), and with --mode other than honest it decorates the service's answers:
//   honest        the normal miner.
//   forger        every step's hash and receipt signature replaced by random hex of their format.
//   replayer      each answer carries the task_pipeline of the previous challenge answered (the
//                 first answer is honest), under the new challenge id.
//   lazy          standardized_data holds the experts' raw outputs (their members merged into one
//                 object, as the protocol requires an object), not the target_schema shape.
//   stale-ledger  routes with, and hands out, an old ledger: one subnet per capability (no
//                 fallback: with the seed ledger SN1, SN13 and SN22 only), last_updated long
//                 past, the schemas before any drift.
//   copier        forwards the challenge to --copy-from HOST:PORT:HOTKEY and returns that
//                 miner's standardized_data and final_synthesis, with one proven step of its own.
//   off-topic     works on kOffTopicObjective whatever the objective, keeping the challenge's
//                 id and target_schema (so its proofs and shape are valid).
// Its first stdout line, for tests to parse:
//   orchestra_test_miner: mode MODE hotkey SS58 serving on IP:PORT
// Exit codes: 0 after a drain, 2 bad flags or wallet, 1 could not serve.
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <random>

#include "orchestra/core/log.h"
#include "orchestra/core/rng.h"
#include "orchestra/crypto/wallet.h"
#include "orchestra/experts/http_transport.h"
#include "orchestra/ledger/sqlite_store.h"
#include "orchestra/miner/daemon.h"
#include "orchestra/miner/service.h"
#include "orchestra/net/dendrite.h"
#include "orchestra/net/http_client.h"
#include "orchestra/net/metagraph_source.h"
#include "orchestra/protocol/orchestra_synapse.h"

namespace orchestra::testing {
namespace {

using boost::asio::awaitable;
using protocol::BittensorSynapse;

constexpr const char* kOffTopicObjective = "decentralized GPU compute marketplaces";
// What the stale-ledger miner's entries claim as their last update: long before any drift.
constexpr const char* kStaleLastUpdated = "2025-01-01T00:00:00Z";

// HOST:PORT, or nullopt.
std::optional<std::pair<std::string, uint16_t>> SplitHostPort(std::string_view address) {
  const size_t colon = address.rfind(':');
  int port = 0;
  if (colon == std::string_view::npos ||
      std::from_chars(address.data() + colon + 1, address.data() + address.size(), port).ec !=
          std::errc() ||
      port < 1 || port > 65535) {
    return std::nullopt;
  }
  return std::make_pair(std::string(address.substr(0, colon)), static_cast<uint16_t>(port));
}

// Where the ledger's subnets' UIDs listen, from the metagraphs `orchestra experts` serves (as
// `orchestra miner --experts` reads them); subnets it does not simulate are left without UIDs.
Result<experts::Directory> FetchDirectory(const std::string& host, uint16_t port,
                                          const ledger::Snapshot& ledger) {
  boost::asio::io_context io;
  net::HttpClient client(io.get_executor());
  experts::Directory directory;
  std::optional<Error> failure;
  boost::asio::co_spawn(
      io,
      [&]() -> awaitable<void> {
        for (const auto& [id, entry] : ledger.entries()) {
          net::HttpRequest request{"GET", fmt::format("/metagraph/{}", entry.netuid), {}, ""};
          auto response = co_await client.Send(host, port, std::move(request),
                                               Deadline::After(std::chrono::seconds(5)));
          if (!response) {
            failure = response.error();
            co_return;
          }
          if (response->status == 404) continue;
          auto json = ParseJson(response->body, fmt::format("metagraph {}", entry.netuid));
          auto endpoints = json ? experts::EndpointsFromMetagraph(*json)
                                : Result<std::vector<experts::Endpoint>>(json.error());
          if (!endpoints) {
            failure = endpoints.error();
            co_return;
          }
          for (auto& e : *endpoints) directory.Add(id, std::move(e));
        }
      },
      boost::asio::detached);
  io.run();
  if (failure) return *failure;
  return directory;
}

// The stale ledger: `current` with one subnet per capability (the first in subnet id order
// offering it, keeping only the capabilities not already covered) and an old last_updated.
ledger::SnapshotPtr StaleLedger(const ledger::Snapshot& current) {
  std::map<std::string, ledger::LedgerEntry> kept;
  std::set<std::string> covered;
  for (const auto& [id, entry] : current.entries()) {
    ledger::LedgerEntry stale = entry;
    std::erase_if(stale.capabilities, [&](const std::string& c) { return covered.count(c) > 0; });
    if (stale.capabilities.empty()) continue;
    covered.insert(stale.capabilities.begin(), stale.capabilities.end());
    stale.last_updated = kStaleLastUpdated;
    kept.emplace(id, std::move(stale));
  }
  return std::make_shared<const ledger::Snapshot>(std::move(kept));
}

// Passes calls through to `inner`, keeping (when `record`) each answer's raw output under the
// call's lock until Take()n: what the lazy miner hands back instead of standardized data.
// Single-threaded, as the transport it wraps.
class RecordingTransport : public experts::Transport {
 public:
  RecordingTransport(experts::Transport& inner, bool record) : inner_(inner), record_(record) {}

  awaitable<Result<experts::ExpertReply>> Call(experts::ExpertCall call,
                                               Deadline deadline) override {
    std::string lock = call.lock;
    auto reply = co_await inner_.Call(std::move(call), deadline);
    if (reply && record_) outputs_[lock] = reply->output;
    co_return reply;
  }

  // The raw output answered under `lock` (null when none), forgotten afterwards.
  Json Take(const std::string& lock) {
    auto node = outputs_.extract(lock);
    return node ? std::move(node.mapped()) : Json();
  }

 private:
  experts::Transport& inner_;
  const bool record_;
  std::map<std::string, Json> outputs_;
};

enum class Mode { kHonest, kForger, kReplayer, kLazy, kStaleLedger, kCopier, kOffTopic };

const std::map<std::string, Mode> kModes = {{"honest", Mode::kHonest},
                                            {"forger", Mode::kForger},
                                            {"replayer", Mode::kReplayer},
                                            {"lazy", Mode::kLazy},
                                            {"stale-ledger", Mode::kStaleLedger},
                                            {"copier", Mode::kCopier},
                                            {"off-topic", Mode::kOffTopic}};

// The OrchestraSynapse handler of every mode: the honest service's answer, decorated.
class Adversary {
 public:
  Adversary(Mode mode, miner::MinerService& service, RecordingTransport& recorder,
            net::Dendrite& dendrite, net::AxonEndpoint copy_from)
      : mode_(mode),
        service_(service),
        recorder_(recorder),
        dendrite_(dendrite),
        copy_from_(std::move(copy_from)),
        rng_(std::random_device{}()) {}

  awaitable<Result<BittensorSynapse>> Answer(BittensorSynapse request, Deadline deadline) {
    switch (mode_) {
      case Mode::kHonest:
      case Mode::kStaleLedger:  // its difference is the ledger the service was given
        co_return co_await service_.AnswerChallenge(std::move(request), deadline);
      case Mode::kForger:
        co_return Forge(co_await service_.AnswerChallenge(std::move(request), deadline));
      case Mode::kReplayer:
        co_return Replay(co_await service_.AnswerChallenge(std::move(request), deadline));
      case Mode::kLazy:
        co_return Laze(co_await service_.AnswerChallenge(std::move(request), deadline));
      case Mode::kCopier:
        co_return co_await Copy(std::move(request), deadline);
      case Mode::kOffTopic: {
        const Json objective = request.fields["objective"];
        request.fields["objective"] = kOffTopicObjective;
        auto answer = co_await service_.AnswerChallenge(std::move(request), deadline);
        if (answer) answer->fields["objective"] = objective;
        co_return answer;
      }
    }
    co_return Error(ErrorCode::kInternal, "unknown mode");
  }

 private:
  std::string RandomHex(size_t bytes) {
    std::string hex = "0x";
    for (size_t i = 0; i < bytes; ++i) hex += fmt::format("{:02x}", rng_.Next() & 0xff);
    return hex;
  }

  Result<BittensorSynapse> Forge(Result<BittensorSynapse> answer) {
    if (!answer) return answer;
    for (Json& step : answer->fields["task_pipeline"].as_array()) {
      step.as_object()["hash"] = RandomHex(32);
      if (Json* receipt = step.as_object().if_contains("receipt"); receipt && receipt->is_object())
        receipt->as_object()["signature"] = RandomHex(64);
    }
    return answer;
  }

  Result<BittensorSynapse> Replay(Result<BittensorSynapse> answer) {
    if (!answer) return answer;
    Json honest = answer->fields["task_pipeline"];
    if (previous_pipeline_) answer->fields["task_pipeline"] = *previous_pipeline_;
    previous_pipeline_ = std::move(honest);
    return answer;
  }

  Result<BittensorSynapse> Laze(Result<BittensorSynapse> answer) {
    if (!answer) return answer;
    // The members of every step's output object, as the experts sent them (the first step
    // naming a member wins): the search results object, the scraped records, the chat document.
    JsonObject raw;
    for (const Json& step : answer->fields["task_pipeline"].as_array()) {
      const Json* receipt = JsonFind(step, "receipt");
      if (!receipt || !receipt->is_object()) continue;
      Json output = recorder_.Take(JsonString(*receipt, "lock"));
      if (!output.is_object()) continue;
      for (auto& [key, value] : output.as_object())
        if (!raw.contains(key)) raw.emplace(key, std::move(value));
    }
    answer->fields["standardized_data"] = std::move(raw);
    answer->fields["provenance"] = JsonObject{};
    return answer;
  }

  // The other miner's work under our name, with a pipeline of one proven step of our own.
  awaitable<Result<BittensorSynapse>> Copy(BittensorSynapse request, Deadline deadline) {
    BittensorSynapse forwarded;
    for (const char* field : {"challenge_id", "objective", "target_schema", "deadline_ms", "hints"})
      if (const Json* value = request.fields.if_contains(field)) forwarded.fields[field] = *value;
    const double timeout_s =
        std::chrono::duration<double>(deadline.Remaining()).count() / 2;  // half for our own step
    BittensorSynapse copied = co_await dendrite_.Call(copy_from_, protocol::OrchestraSynapseClass(),
                                                      std::move(forwarded), timeout_s);
    if (copied.dendrite.status_code.value_or(0) != 200) {
      co_return Error(ErrorCode::kUnavailable,
                      fmt::format("copy-from {}:{}: status {} {}", copy_from_.ip, copy_from_.port,
                                  copied.dendrite.status_code.value_or(0),
                                  copied.dendrite.status_message.value_or("")));
    }
    int64_t deadline_ms = protocol::kDefaultDeadlineMs;
    JsonInteger(request.fields["deadline_ms"], &deadline_ms);
    request.fields["deadline_ms"] = std::min<int64_t>(
        deadline_ms,
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline.Remaining()).count());
    auto own = co_await service_.AnswerChallenge(std::move(request), deadline);
    if (!own) co_return own;
    JsonArray cheap;
    for (const Json& step : own->fields["task_pipeline"].as_array()) {
      if (!JsonString(step, "hash").empty()) {
        cheap.push_back(step);
        own->fields["total_cost"] = JsonDouble(step, "cost");
        break;
      }
    }
    own->fields["task_pipeline"] = std::move(cheap);
    for (const char* field : {"standardized_data", "final_synthesis", "provenance"})
      own->fields[field] = copied.fields[field];
    co_return own;
  }

  const Mode mode_;
  miner::MinerService& service_;
  RecordingTransport& recorder_;
  net::Dendrite& dendrite_;
  const net::AxonEndpoint copy_from_;
  Rng rng_;
  std::optional<Json> previous_pipeline_;  // the replayer's: the last honest pipeline
};

int Fail(int code, std::string_view message) {
  fmt::print(stderr, "orchestra_test_miner: {}\n", message);
  return code;
}

int Main(int argc, char** argv) {
  CLI::App app("a miner that misbehaves as its --mode says, for the validator's tests");
  std::string mode_name = "honest", experts_address, data_dir, copy_from, ip = "127.0.0.1",
              log_level = "info";
  int port = 0;
  app.add_option("--mode", mode_name,
                 "honest, forger, replayer, lazy, stale-ledger, copier, off-topic");
  app.add_option("--experts", experts_address, "HOST:PORT of `orchestra experts`")->required();
  app.add_option("--data-dir", data_dir, "ledger and development wallet")->required();
  app.add_option("--copy-from", copy_from, "copier: HOST:PORT:HOTKEY of the miner to copy");
  app.add_option("--ip", ip, "listening address");
  app.add_option("--port", port, "listening port (0: any free one)");
  app.add_option("--log-level", log_level);
  CLI11_PARSE(app, argc, argv);
  SetUpLogging(log_level);

  const auto mode = kModes.find(mode_name);
  if (mode == kModes.end()) return Fail(2, fmt::format("--mode {}: unknown mode", mode_name));
  const auto experts_at = SplitHostPort(experts_address);
  if (!experts_at) return Fail(2, fmt::format("--experts {}: expected HOST:PORT", experts_address));
  net::AxonEndpoint copy_target;
  if (mode->second == Mode::kCopier) {
    const size_t colon = copy_from.rfind(':');
    const auto at =
        colon == std::string::npos ? std::nullopt : SplitHostPort(copy_from.substr(0, colon));
    if (!at) return Fail(2, fmt::format("--copy-from '{}': expected HOST:PORT:HOTKEY", copy_from));
    copy_target = {at->first, at->second, copy_from.substr(colon + 1)};
  }

  const crypto::WalletPaths wallet{std::filesystem::path(data_dir) / "wallets", "miner", "default"};
  if (!std::filesystem::exists(wallet.Hotkey())) {
    if (auto created = crypto::CreateHotkey(wallet, 12, false); !created)
      return Fail(2, created.error().ToString());
  }
  auto hotkey = crypto::LoadHotkey(wallet);
  if (!hotkey || !hotkey->keypair)
    return Fail(2, hotkey ? "development hotkey without a secret" : hotkey.error().ToString());

  auto ledger = ledger::OpenLedger(data_dir);
  if (!ledger) return Fail(1, ledger.error().ToString());
  if (mode->second == Mode::kStaleLedger) *ledger = StaleLedger(**ledger);
  auto directory = FetchDirectory(experts_at->first, experts_at->second, **ledger);
  if (!directory) {
    return Fail(1, fmt::format("--experts {}: {}", experts_address, directory.error().ToString()));
  }

  boost::asio::io_context io;
  boost::asio::thread_pool cpu_pool(1);  // destroyed before io: its jobs post to io
  net::HttpClient client(io.get_executor());
  experts::HttpTransport http(client, *directory, *hotkey->keypair, io.get_executor());
  RecordingTransport recorder(http, /*record=*/mode->second == Mode::kLazy);
  miner::OrchestratorOptions orchestrator;
  orchestrator.miner_hotkey = hotkey->ss58_address;
  orchestrator.cpu_pool = &cpu_pool;
  miner::MinerService service(*ledger, recorder, orchestrator);
  net::Dendrite dendrite(io.get_executor(), *hotkey->keypair);
  Adversary adversary(mode->second, service, recorder, dendrite, copy_target);

  miner::DaemonOptions options;
  options.axon.hotkey = hotkey->ss58_address;
  options.axon.server.address = ip;
  options.axon.server.port = static_cast<uint16_t>(port);
  options.axon.blacklist.allow_unregistered = true;  // any signed caller: tests and copiers
  options.drain_timeout = std::chrono::seconds(30);
  miner::MinerDaemon daemon(io, options, std::make_shared<net::StaticMetagraphSource>(), service);
  auto bound = daemon.Start();
  if (!bound) return Fail(1, bound.error().ToString());
  if (auto attached =
          daemon.axon().Attach(protocol::OrchestraSynapseClass(),
                               [&adversary](BittensorSynapse request, Deadline deadline) {
                                 return adversary.Answer(std::move(request), deadline);
                               });
      !attached) {
    return Fail(1, attached.error().ToString());
  }

  fmt::print("orchestra_test_miner: mode {} hotkey {} serving on {}:{}\n", mode_name,
             hotkey->ss58_address, ip, *bound);
  std::fflush(stdout);
  io.run();
  return 0;
}

}  // namespace
}  // namespace orchestra::testing

int main(int argc, char** argv) { return orchestra::testing::Main(argc, argv); }
