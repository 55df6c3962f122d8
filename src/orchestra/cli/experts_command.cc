#include "orchestra/cli/experts_command.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <cstdio>
#include <iostream>

#include "orchestra/cli/embedded_experts.h"
#include "orchestra/cli/input.h"
#include "orchestra/sim/corpus.h"
#include "orchestra/sim/simulator.h"

namespace orchestra::cli {
namespace {

std::string Percent(double share) { return fmt::format("{:.0f}%", share * 100); }

void PrintTable(const sim::Manifest& manifest) {
  fmt::print("{:<6} {:<14} {:<12} {:<9} {:>9} {:>9} {:>8} {:>5}  {}\n", "netuid", "name",
             "transport", "engine", "cost", "avg ms", "reliab.", "uids", "capabilities");
  for (const sim::SubnetSpec& s : manifest.subnets) {
    fmt::print("{:<6} {:<14} {:<12} {:<9} {:>9.4f} {:>9.0f} {:>8} {:>5}  {}\n", s.entry.netuid,
               s.entry.name, ledger::TransportName(s.entry.transport), sim::EngineName(s.engine),
               s.entry.cost_per_query, s.entry.avg_latency_ms, Percent(s.entry.reliability),
               s.uids.size(), fmt::join(s.entry.capabilities, ", "));
  }
}

}  // namespace

int ExpertsCommand(const ExpertsFlags& f) {
  Result<sim::Manifest> manifest = sim::Manifest::Default();
  if (!f.manifest.empty()) {
    auto json = JsonArgument(f.manifest, "--manifest");
    if (!json) return Fail("experts", kExitBadInput, json.error().message);
    manifest = sim::Manifest::FromJson(*json);
    if (!manifest) {
      return Fail("experts", kExitBadInput,
                  fmt::format("--manifest {}: {}", f.manifest, manifest.error().message));
    }
  }
  if (!manifest) return Fail("experts", kExitFailed, manifest.error().ToString());
  if (f.seed) manifest->seed = *f.seed;
  if (f.list) {
    if (f.json) {
      std::cout << PrettyJson(manifest->ToJson()) << "\n";
    } else {
      PrintTable(*manifest);
    }
    return kExitOk;
  }
  if (f.base_port < 0 || f.base_port > 65535) {
    return Fail("experts", kExitBadInput,
                fmt::format("--base-port: {} is not a port", f.base_port));
  }
  sim::SimulatorOptions options;
  options.data_dir = DataDir(f.data_dir) / "experts";
  options.receipts.max_receipts = f.receipts_max;
  options.threads = f.threads;
  options.search_threads = f.search_threads;
  options.latency_scale = f.latency_scale;
  options.base_port = static_cast<uint16_t>(f.base_port);
  auto corpus = OpenExpertCorpus(f.corpus, options.data_dir);
  if (!corpus) return Fail("experts", kExitFailed, corpus.error().ToString());
  if (f.corpus != "curated") {
    const sim::CorpusIndexInfo& index = corpus->index_info();
    spdlog::info("experts: corpus {} ({} curated + {} Debian documents{})", index.path.string(),
                 index.curated_documents, index.debian_documents,
                 index.built ? fmt::format(", built in {:.1f} s: {}", index.build_seconds,
                                           index.build_reason)
                             : "");
  }
  auto simulator = sim::Simulator::Start(
      *manifest, std::make_shared<const sim::Corpus>(std::move(*corpus)), options);
  if (!simulator) return Fail("experts", kExitFailed, simulator.error().ToString());

  // Signals are caught before the banner goes out: whoever waits for the banner may send
  // SIGTERM at once, and it must stop us cleanly rather than kill us.
  boost::asio::io_context io;
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([](const boost::system::error_code&, int signal) {
    spdlog::info("experts: signal {}: stopping", signal);
  });

  const sim::Simulator& s = **simulator;
  fmt::print("orchestra experts: control API on 127.0.0.1:{} (seed {}, admin token in {})\n",
             s.control_port(), manifest->seed, (options.data_dir / "experts.token").string());
  for (const sim::SubnetSpec& subnet : manifest->subnets) {
    for (const auto& e : s.directory().Find(subnet.entry.subnet_id)) {
      fmt::print("  {:<5} {:<14} uid {:<3} {}:{}  hotkey {}\n", subnet.entry.subnet_id,
                 subnet.entry.name, e.uid, e.host, e.port, e.hotkey);
    }
  }
  std::fflush(stdout);

  io.run();
  return kExitOk;
}

}  // namespace orchestra::cli
