#pragma once

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <string>
#include <vector>

#include "orchestra/core/deadline.h"
#include "orchestra/core/json.h"
#include "orchestra/core/result.h"
#include "orchestra/crypto/sr25519.h"
#include "orchestra/ledger/entry.h"

namespace orchestra::experts {

// One call to an expert subnet, as the executor asks for it.
struct ExpertCall {
  const ledger::LedgerEntry* entry = nullptr;  // the subnet; outlives the call
  Json payload;                                // the subnet's input (ledger input_schema)
  std::string lock;          // hash lock committed before the call (protocol::LockFor)
  std::string request_hash;  // blake2b-256 of the payload's canonical JSON
  int attempt = 0;           // 0-based
  // The UID to call, one of Uids(*entry); -1: the transport's choice (round-robin by attempt).
  int uid = -1;
};

// What came back: the subnet's output and who produced it at what price.
struct ExpertReply {
  Json output;  // the subnet's output (ledger output_schema), unaudited
  int uid = -1;
  std::string hotkey;
  double cost = 0.0;
  Json receipt;  // the expert's signed receipt (protocol::Receipt as JSON); null when it sent none
};

// Sends expert calls. Implementations never throw; failures come back as:
// kDeadline (no answer in time), kUnavailable (unreachable, overloaded, 5xx/429),
// kMalformedAnswer (an answer that is not the subnet's JSON), kNotFound (no UID known).
class Transport {
 public:
  virtual ~Transport() = default;
  virtual boost::asio::awaitable<Result<ExpertReply>> Call(ExpertCall call, Deadline deadline) = 0;
  // The UIDs of `entry`'s subnet this transport can reach (the metagraph's), for the caller
  // to choose among; empty when the transport chooses itself.
  virtual std::vector<int> Uids(const ledger::LedgerEntry& entry) const {
    (void)entry;
    return {};
  }
};

// Answers in-process through a function, without networking: for benchmarks of the
// orchestration itself and for tests. UID is always 0, cost the ledger's cost_per_query, and
// every answer carries a receipt signed with `expert_key` over the caller's lock.
class InProcessTransport : public Transport {
 public:
  using Handler = std::function<Result<Json>(const ledger::LedgerEntry&, const Json& payload)>;
  InProcessTransport(Handler handler, crypto::Keypair expert_key);
  boost::asio::awaitable<Result<ExpertReply>> Call(ExpertCall call, Deadline deadline) override;

 private:
  Handler handler_;
  crypto::Keypair expert_key_;
  std::string expert_ss58_;
};

// Milliseconds since the Unix epoch, as receipts carry them.
int64_t UnixMillis();

}  // namespace orchestra::experts
