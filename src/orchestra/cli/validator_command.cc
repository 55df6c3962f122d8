#include "orchestra/cli/validator_command.h"

#include <fmt/format.h>
#include <sodium.h>
#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_future.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "orchestra/cli/embedded_experts.h"
#include "orchestra/cli/input.h"
#include "orchestra/crypto/hex.h"
#include "orchestra/crypto/keyfile.h"
#include "orchestra/experts/http_transport.h"
#include "orchestra/ledger/snapshot.h"
#include "orchestra/net/dendrite.h"
#include "orchestra/net/http_client.h"
#include "orchestra/validator/daemon.h"
#include "orchestra/validator/judge.h"
#include "orchestra/validator/validator.h"

namespace orchestra::cli {
namespace {

constexpr std::string_view kCommand = "validator";
// A miner's answer larger than this is refused (and scored 0): 256 miners at most this much
// each is what a validator holds in one round.
constexpr size_t kMaxAnswerBytes = 8 << 20;

std::string TrimmedLine(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
    text.pop_back();
  return text;
}

// The organic API's bearer key: $ORCHESTRA_VALIDATOR_API_KEY, else <data dir>/validator-api.key
// (made on first start from 24 random bytes, mode 0600).
Result<std::string> ApiKey(const std::filesystem::path& data_dir) {
  if (const char* env = std::getenv("ORCHESTRA_VALIDATOR_API_KEY"); env && *env)
    return std::string(env);
  const std::filesystem::path path = data_dir / "validator-api.key";
  if (!std::filesystem::exists(path)) {
    std::array<uint8_t, 24> random;
    randombytes_buf(random.data(), random.size());
    if (Status written =
            crypto::WriteKeyfile(path, crypto::PrefixedHexOf(random).substr(2) + "\n", false);
        !written) {
      return written.error();
    }
  }
  auto key = crypto::ReadKeyfile(path);
  if (!key) return key.error();
  std::string trimmed = TrimmedLine(std::move(*key));
  if (trimmed.empty()) {
    return Error(ErrorCode::kInvalidArgument, fmt::format("{}: empty API key", path.string()));
  }
  return trimmed;
}

Result<std::vector<validator::MinerTarget>> LoadMiners(const std::string& path) {
  auto json = JsonArgument(path, "--miners");
  if (!json) return json.error();
  auto targets = validator::MinerTargetsFromJson(*json);
  if (!targets) {
    return Error(targets.error().code,
                 fmt::format("--miners {}: {}", path, targets.error().message));
  }
  return targets;
}

Result<std::string> ExpertsToken(const ValidatorFlags& f) {
  if (!f.experts_token.empty()) {
    auto token = crypto::ReadKeyfile(f.experts_token);
    if (!token) return token.error();
    return TrimmedLine(std::move(*token));
  }
  if (const char* env = std::getenv("ORCHESTRA_EXPERTS_TOKEN"); env && *env)
    return std::string(env);
  return std::string();
}

}  // namespace

int ValidatorCommand(const ValidatorFlags& f) {
  if (f.api_port < 0 || f.api_port > 65535)
    return Fail(kCommand, kExitBadInput, fmt::format("--api.port: {} is not a port", f.api_port));
  if (f.sample_size < 1) return Fail(kCommand, kExitBadInput, "--sample-size: must be at least 1");
  if (!(f.interval_s > 0)) return Fail(kCommand, kExitBadInput, "--interval-s: must be positive");
  if (f.rounds < 0) return Fail(kCommand, kExitBadInput, "--rounds: must not be negative");
  // Also refuses NaN, whose conversion to milliseconds below is undefined.
  if (!(f.drain_timeout_s >= 0 && f.drain_timeout_s <= 86400)) {
    return Fail(kCommand, kExitBadInput, "--drain-timeout: must lie in [0, 86400] seconds");
  }
  for (double rate : {f.schema_trap_rate, f.logic_trap_rate, f.log_check_rate}) {
    if (!(rate >= 0 && rate <= 1))
      return Fail(kCommand, kExitBadInput, "trap and log-check rates must lie in [0, 1]");
  }
  if (!(f.ema_alpha > 0 && f.ema_alpha <= 1))
    return Fail(kCommand, kExitBadInput, "--ema-alpha: must lie in (0, 1]");
  if (f.miners.empty()) {
    return Fail(kCommand, kExitBadInput,
                "--miners FILE is required: the subnet's metagraph (reading it from the chain "
                "comes with the chain module)");
  }
  const std::filesystem::path data_dir = DataDir(f.data_dir);
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);

  auto hotkey = LoadRoleHotkey(f.wallet, data_dir, "validator");
  if (!hotkey) return Fail(kCommand, kExitBadInput, hotkey.error().message);
  if (!hotkey->keypair) {
    return Fail(kCommand, kExitBadInput,
                fmt::format("hotkey {} has no secret key: the validator signs with it",
                            hotkey->ss58_address));
  }
  auto miners = LoadMiners(f.miners);
  if (!miners) return Fail(kCommand, kExitBadInput, miners.error().message);
  auto api_key = ApiKey(data_dir);
  if (!api_key) return Fail(kCommand, kExitFailed, api_key.error().ToString());
  auto token = ExpertsToken(f);
  if (!token) return Fail(kCommand, kExitBadInput, "--experts.token: " + token.error().message);

  auto seed_ledger = ledger::SeedSnapshot();
  if (!seed_ledger) return Fail(kCommand, kExitFailed, seed_ledger.error().ToString());
  std::vector<ledger::LedgerEntry> base;
  for (const auto& [id, entry] : seed_ledger->entries()) base.push_back(entry);

  std::unique_ptr<sim::Simulator> embedded;
  experts::Directory directory;
  std::optional<validator::TrapAdmin> traps;
  std::string experts_where;
  if (!f.experts.empty()) {
    auto where = ParseHostPort(f.experts, "--experts");
    if (!where) return Fail(kCommand, kExitBadInput, where.error().message);
    auto fetched = FetchDirectory(f.experts, *seed_ledger, kCommand);
    if (!fetched) return Fail(kCommand, kExitFailed, fetched.error().message);
    directory = std::move(*fetched);
    if (!token->empty()) traps = validator::TrapAdmin{where->host, where->port, *token};
    experts_where = f.experts;
  } else {
    auto started = StartEmbeddedExperts(f.seed == 0 ? 42 : f.seed, f.latency_scale, f.corpus,
                                        data_dir / "experts");
    if (!started) return Fail(kCommand, kExitFailed, started.error().ToString());
    embedded = std::move(*started);
    directory = embedded->directory();
    traps = validator::TrapAdmin{"127.0.0.1", embedded->control_port(), embedded->admin_token()};
    experts_where =
        fmt::format("embedded simulator, control API 127.0.0.1:{}", embedded->control_port());
  }
  if (!traps) {
    spdlog::warn(
        "validator: no admin token for the experts (--experts.token or "
        "$ORCHESTRA_EXPERTS_TOKEN): no traps will be planted");
  }
  uint64_t seed = f.seed;
  if (seed == 0) randombytes_buf(&seed, sizeof(seed));

  auto store = validator::ValidatorStore::OpenInDataDir(data_dir);
  if (!store) return Fail(kCommand, kExitFailed, store.error().ToString());

  boost::asio::io_context io;
  // The store's disk work, off the event loop. Joined before `io` goes.
  boost::asio::thread_pool blocking(1);
  net::HttpClient client(io.get_executor());
  experts::HttpTransport transport(client, directory, *hotkey->keypair, io.get_executor());
  net::DendriteOptions dendrite_options;
  dendrite_options.client.max_response_bytes = kMaxAnswerBytes;
  net::Dendrite dendrite(io.get_executor(), *hotkey->keypair, dendrite_options);
  obs::MetricsRegistry metrics;

  validator::ValidatorOptions options;
  options.hotkey = hotkey->ss58_address;
  options.sample_size = static_cast<size_t>(f.sample_size);
  options.seed = seed;
  options.ema_alpha = f.ema_alpha;
  options.log_check_rate = f.log_check_rate;
  options.generator.seed = seed;
  options.generator.fresh_ids = true;
  options.generator.schema_trap_rate = f.schema_trap_rate;
  options.generator.logic_trap_rate = f.logic_trap_rate;
  options.traps = traps;
  validator::ValidatorDeps deps{.directory = &directory,
                                .transport = &transport,
                                .client = &client,
                                .dendrite = &dendrite,
                                .store = store->get(),
                                .blocking = &blocking,
                                .metrics = &metrics};
  validator::Validator validator(deps, options, base);
  validator.SetMiners(std::move(*miners));

  validator::ValidatorDaemonOptions daemon_options;
  daemon_options.api.address = f.api_ip;
  daemon_options.api.port = static_cast<uint16_t>(f.api_port);
  daemon_options.api_key = *api_key;
  daemon_options.interval = std::chrono::milliseconds(static_cast<int64_t>(f.interval_s * 1000));
  if (f.rounds > 0) daemon_options.max_rounds = static_cast<uint64_t>(f.rounds);
  daemon_options.drain_timeout =
      std::chrono::milliseconds(static_cast<int64_t>(f.drain_timeout_s * 1000));
  std::filesystem::file_time_type miners_mtime = std::filesystem::last_write_time(f.miners, ec);
  daemon_options.before_round = [&validator, &f, &miners_mtime] {
    std::error_code mtime_error;
    const auto mtime = std::filesystem::last_write_time(f.miners, mtime_error);
    if (mtime_error || mtime == miners_mtime) return;
    auto reloaded = LoadMiners(f.miners);
    if (!reloaded) {
      spdlog::warn("validator: keeping the previous miners: {}", reloaded.error().message);
      return;
    }
    miners_mtime = mtime;
    spdlog::info("validator: {} miners read from {}", reloaded->size(), f.miners);
    validator.SetMiners(std::move(*reloaded));
  };
  validator::ValidatorDaemon daemon(io, daemon_options, validator, metrics);
  auto port = daemon.Start();
  if (!port) return Fail(kCommand, kExitFailed, port.error().ToString());

  fmt::print(
      "orchestra validator: hotkey {} serving its API on {}:{} (netuid {}, seed {}, experts: "
      "{}, data dir {})\n",
      hotkey->ss58_address, f.api_ip, *port, f.netuid, seed, experts_where, data_dir.string());
  std::fflush(stdout);
  io.run();
  return kExitOk;
}

}  // namespace orchestra::cli
