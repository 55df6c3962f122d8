#pragma once

// What the closed-loop load benchmarks (axon_load, sim_load) share: clocks and CPU accounting,
// the machine's load, test keys, a one-shot HTTP exchange for their pre-flight checks, and how
// they report checks and statuses.

#include <cstdint>
#include <map>
#include <string>

#include "orchestra/core/json.h"
#include "orchestra/crypto/sr25519.h"

namespace orchestra::bench {

// The wall clock in nanoseconds since the Unix epoch (the axon's nonce clock).
int64_t SystemNowNs();
// CPU seconds (user + system) used so far by the calling thread, and by the whole process.
double ThreadCpuSeconds();
double ProcessCpuSeconds();
// The 1-, 5- and 15-minute load averages ("" where /proc/loadavg is missing): how busy the
// shared machine was.
std::string LoadAverage();

// A keypair whose 32-byte mini secret is `byte` repeated: reproducible test identities.
crypto::Keypair KeyFromByte(uint8_t byte);

struct Answer {
  int status = 0;  // 0 when the exchange failed
  std::string body;
};
// Writes `wire` (a whole HTTP/1.1 request) on a fresh connection to host:port and reads the
// response (body up to 64 MiB), synchronously.
Answer SendOnce(const std::string& host, uint16_t port, const std::string& wire);

// One honesty check of a run; a failed one makes the run's figures not count.
struct Check {
  std::string what;
  bool passed = false;
  std::string detail;
};

// Status counts as text ("3×401 1×503", "0" when none) and as JSON ({"401": 3, ...}).
std::string StatusesText(const std::map<int, uint64_t>& statuses);
Json StatusesJson(const std::map<int, uint64_t>& statuses);

}  // namespace orchestra::bench
