#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace orchestra::cli {

struct ExpertsFlags {
  std::string manifest;  // a manifest file; the embedded default when empty
  std::optional<uint64_t> seed;
  std::string data_dir;
  int base_port = 0;  // 0: ephemeral ports
  double latency_scale = 1.0;
  int threads = 2;
  int search_threads = -1;  // sim::SimulatorOptions::search_threads (-1: 2 with Debian, else 0)
  uint64_t receipts_max = 2'500'000;  // receipts kept in receipts.db (0: all)
  // "full": the curated corpus plus Debian's package descriptions, indexed into the data dir;
  // "curated": the curated corpus only, in memory (starts at once).
  std::string corpus = "full";
  bool list = false;  // print the manifest and exit
  bool json = false;  // with list: as JSON
};

// `orchestra experts`: serves the simulated expert subnets until SIGINT/SIGTERM, printing where
// each UID and the control API listen; with --list prints the manifest (a table, or --json the
// manifest itself) and exits. Exit codes: 0 done, 2 bad input (flags, manifest), 1 could not
// serve (a port is taken, the data dir is unusable).
int ExpertsCommand(const ExpertsFlags& flags);

}  // namespace orchestra::cli
