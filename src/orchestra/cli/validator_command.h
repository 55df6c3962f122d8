#pragma once

#include <cstdint>
#include <string>

#include "orchestra/cli/wiring.h"

namespace orchestra::cli {

// Flags of `orchestra validator`, named as Bittensor's validators name them where they exist.
struct ValidatorFlags {
  // Wallet: none of the three given → a development hotkey under
  // <data dir>/wallets/validator/hotkeys/default (created on first start).
  HotkeyFlags wallet;
  int netuid = 1;
  std::string data_dir;
  // The miners: a metagraph document ({"netuid", "neurons": [{uid, hotkey, stake, axon: {ip,
  // port}}]}), re-read before every round when it changed.
  std::string miners;
  // host:port of a running `orchestra experts` (its control API). Empty: an expert simulator
  // is started inside this process (its control address is printed, for the miners).
  std::string experts;
  // The simulator's admin token (the experts.token file it writes), which traps need; else
  // $ORCHESTRA_EXPERTS_TOKEN. Without either, no traps are planted (said at start).
  std::string experts_token;
  int sample_size = 16;
  double interval_s = 240.0;  // one challenge per 20 blocks of 12 s
  uint64_t seed = 0;          // 0: a random seed, printed
  int rounds = 0;             // stop after this many rounds; 0: until SIGINT/SIGTERM
  std::string api_ip = "127.0.0.1";
  int api_port = 8092;  // GET /status, GET /metrics, POST /v1/orchestrate
  double schema_trap_rate = 0.2;
  double logic_trap_rate = 0.2;
  double log_check_rate = 0.25;
  double ema_alpha = 0.1;
  double drain_timeout_s = 60.0;
  // The embedded expert network.
  double latency_scale = 1.0;
  // The embedded experts' corpus (OpenExpertCorpus, embedded_experts.h): "full" or "curated".
  std::string corpus = "full";
};

// `orchestra validator`: issues a synthetic challenge to a sample of miners every interval,
// verifies and scores their answers, keeps the hash registry, black room, moving averages and
// weights in <data dir>/validator.db, and serves its HTTP API until SIGINT/SIGTERM (or
// --rounds), then drains. The organic API's key is $ORCHESTRA_VALIDATOR_API_KEY, else the
// contents of <data dir>/validator-api.key (created on first start, mode 0600). Exit codes: 0
// after a drain, 2 bad input (flags, wallet, miners file), 1 could not serve.
int ValidatorCommand(const ValidatorFlags& flags);

// Flags of `orchestra ask`.
struct AskFlags {
  HotkeyFlags wallet;  // who signs the request (default: the development validator hotkey)
  std::string data_dir;
  std::string axon;    // HOST:PORT of the miner's axon
  std::string hotkey;  // the miner's hotkey (SS58), which the request is signed for
  // Either a challenge file ({"challenge": {...}, "reference": {...}} as the generator writes,
  // or a bare challenge {objective, target_schema, deadline_ms?, hints?}) or both of:
  std::string challenge;
  std::string objective;
  std::string schema;  // inline JSON or a file
  int64_t deadline_ms = 30000;
  // host:port of `orchestra experts`: with it the proofs are checked against the experts'
  // registered hotkeys and logs, and the miner's ledger against probes of its own.
  std::string experts;
  bool json = false;
};

// `orchestra ask`: sends one challenge, signed, to one miner, and prints its answer and its
// score (validator::RenderScoreCard; with --json {"status", "response", "score"}). Exit codes:
// 0 answered and earning, 1 no answer or an answer that earns nothing, 2 bad input.
int AskCommand(const AskFlags& flags);

}  // namespace orchestra::cli
