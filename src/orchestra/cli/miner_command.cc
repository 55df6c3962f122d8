#include "orchestra/cli/miner_command.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <optional>

#include "orchestra/cli/embedded_experts.h"
#include "orchestra/cli/input.h"
#include "orchestra/cli/wiring.h"
#include "orchestra/crypto/wallet.h"
#include "orchestra/experts/http_transport.h"
#include "orchestra/ledger/learner.h"
#include "orchestra/ledger/open_store.h"
#include "orchestra/ledger/sqlite_store.h"
#include "orchestra/miner/daemon.h"
#include "orchestra/miner/ledger_keeper.h"
#include "orchestra/miner/service.h"
#include "orchestra/net/http_client.h"
#include "orchestra/net/metagraph_source.h"

namespace orchestra::cli {
namespace {

Result<std::vector<net::NeuronRecord>> LoadMetagraph(const std::string& path) {
  auto json = JsonArgument(path, "--metagraph");
  if (!json) return json.error();
  auto neurons = net::NeuronsFromJson(*json);
  if (!neurons) {
    return Error(neurons.error().code,
                 fmt::format("--metagraph {}: {}", path, neurons.error().message));
  }
  return neurons;
}

}  // namespace

int MinerCommand(const MinerFlags& f) {
  if (f.axon_port < 0 || f.axon_port > 65535) {
    return Fail("miner", kExitBadInput, fmt::format("--axon.port: {} is not a port", f.axon_port));
  }
  if (!(f.drain_timeout_s > 0))
    return Fail("miner", kExitBadInput, "--drain-timeout: must be positive");
  auto llm = ReadLlmFlags(f.llm);
  if (!llm) return Fail("miner", kExitBadInput, llm.error().message);
  const std::filesystem::path data_dir = DataDir(f.data_dir);

  auto hotkey = LoadRoleHotkey(f.wallet, data_dir, "miner");
  if (!hotkey) return Fail("miner", kExitBadInput, hotkey.error().message);
  if (!hotkey->keypair) {
    return Fail("miner", kExitBadInput,
                fmt::format("hotkey {} has no secret key: the miner signs its expert calls with it",
                            hotkey->ss58_address));
  }

  net::BlacklistPolicy blacklist{.allow_unregistered = f.allow_non_registered,
                                 .require_validator_permit = f.force_validator_permit,
                                 .min_stake = f.min_stake};
  std::vector<net::NeuronRecord> neurons;
  if (!f.metagraph.empty()) {
    auto loaded = LoadMetagraph(f.metagraph);
    if (!loaded) return Fail("miner", kExitBadInput, loaded.error().message);
    neurons = std::move(*loaded);
  } else {
    blacklist.allow_unregistered = true;
    spdlog::warn(
        "miner: no --metagraph: serving any caller whose request is signed "
        "(development only; validators are not checked for registration or stake)");
  }

  auto store = ledger::OpenStore(f.ledger_store, data_dir);
  if (!store) {
    return Fail("miner",
                store.error().code == ErrorCode::kInvalidArgument ? kExitBadInput : kExitFailed,
                store.error().ToString());
  }
  auto ledger = ledger::LoadOrSeed(**store);
  if (!ledger) return Fail("miner", kExitFailed, ledger.error().ToString());
  std::unique_ptr<sim::Simulator> embedded;
  experts::Directory directory;
  if (!f.experts.empty()) {
    auto fetched = FetchDirectory(f.experts, **ledger, "miner");
    if (!fetched) return Fail("miner", kExitFailed, fetched.error().message);
    directory = std::move(*fetched);
  } else {
    auto started = StartEmbeddedExperts(f.seed, f.latency_scale, f.corpus, data_dir / "experts");
    if (!started) return Fail("miner", kExitFailed, started.error().ToString());
    embedded = std::move(*started);
    directory = embedded->directory();
  }

  boost::asio::io_context io;
  // Schema compiles and standardization, off the axon's thread. Destroyed (joined) before `io`:
  // a job that finishes posts its result to `io`.
  boost::asio::thread_pool cpu_pool(2);
  net::HttpClient client(io.get_executor());
  experts::HttpTransport transport(client, directory, *hotkey->keypair, io.get_executor());
  miner::OrchestratorOptions orchestrator;
  orchestrator.miner_hotkey = hotkey->ss58_address;
  orchestrator.cpu_pool = &cpu_pool;
  orchestrator.llm = MakeLlmLead(*llm, client);
  orchestrator.max_spend = f.max_spend;
  // Every expert call's outcome moves the figures routing reads (ledger/learner.h).
  ledger::Learner learner(*ledger);
  orchestrator.exec.learner = &learner;
  miner::MinerService service(*ledger, transport, orchestrator);

  miner::DaemonOptions options;
  options.axon.hotkey = hotkey->ss58_address;
  options.axon.server.address = f.axon_ip;
  options.axon.server.port = static_cast<uint16_t>(f.axon_port);
  options.axon.blacklist = blacklist;
  options.drain_timeout = std::chrono::milliseconds(static_cast<int64_t>(f.drain_timeout_s * 1000));
  // The ledger's maintenance: probe rounds every --ledger.interval, until the drain begins.
  miner::KeeperOptions keeper_options;
  keeper_options.miner_hotkey = hotkey->ss58_address;
  keeper_options.interval =
      std::chrono::milliseconds(static_cast<int64_t>(f.ledger_interval_s * 1000));
  miner::LedgerKeeper keeper(service, transport, &learner, store->get(), keeper_options);
  boost::asio::cancellation_signal stop_keeper;
  if (f.ledger_interval_s > 0) {
    boost::asio::co_spawn(
        io, keeper.Run(),
        boost::asio::bind_cancellation_slot(stop_keeper.slot(), boost::asio::detached));
  }
  options.on_stop = [&stop_keeper] { stop_keeper.emit(boost::asio::cancellation_type::terminal); };
  miner::MinerDaemon daemon(
      io, options, std::make_shared<net::StaticMetagraphSource>(std::move(neurons)), service);
  auto port = daemon.Start();
  if (!port) return Fail("miner", kExitFailed, port.error().ToString());

  fmt::print(
      "orchestra miner: hotkey {} serving OrchestraSynapse and LedgerSynapse on {}:{} "
      "(netuid {}, ledger {}, experts: {})\n",
      hotkey->ss58_address, f.axon_ip, *port, f.netuid, (*ledger)->version(),
      f.experts.empty() ? "embedded simulator" : f.experts);
  std::fflush(stdout);
  io.run();
  return kExitOk;
}

}  // namespace orchestra::cli
