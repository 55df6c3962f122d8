#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "orchestra/core/deadline.h"
#include "orchestra/core/json.h"
#include "orchestra/experts/directory.h"
#include "orchestra/net/http_client.h"
#include "orchestra/protocol/orchestra_synapse.h"

// Proof verification: a verdict for every TaskStep of one miner response, from the step's
// receipt alone (signature, hash, lock, window, replay) and, for a sample of the steps, from
// the expert's own receipt log (ReceiptLogChecker). Pure functions over their inputs, except
// ReceiptLogChecker, which does HTTP. Receipts are verified through protocol::VerifyReceipt
// only, so what a receipt signs is the protocol module's business.
namespace orchestra::validator {

// What one step's proof is worth. Only kValid and kUnchecked count as valid proofs.
enum class ProofKind {
  kValid,        // every check that ran passed and every check ran (log check sampled)
  kUnchecked,    // every check that ran passed, but one could not run (no expert registry)
  kNoProof,      // the step failed without an answer and carries no hash: not a proof, no penalty
  kMissing,      // the step reports success but carries no hash or no receipt
  kMalformed,    // the receipt does not parse
  kForged,       // hash mismatch, wrong or unregistered hotkey, bad signature, lock not binding
  kReplayed,     // the hash was presented before (by any miner) or twice in this response
  kOutOfWindow,  // issued_at lies outside the challenge window
  kNotInLog,     // the expert's log does not hold this receipt (or holds another one)
};

std::string_view ProofKindName(ProofKind kind);  // "valid", "forged", "replayed", ...
bool CountsAsValid(ProofKind kind);
bool IsBlackRoomOffence(ProofKind kind);  // forged, replayed

struct StepProof {
  int step = 0;
  std::string subnet;
  int uid = -1;
  std::string hash;
  bool succeeded = false;  // the step reports no error
  ProofKind kind = ProofKind::kNoProof;
  std::string reason;                    // one line: why this verdict
  std::vector<std::string> not_checked;  // checks that could not run: "registered hotkey: ..."
};

struct ProofReport {
  std::vector<StepProof> steps;   // in task_pipeline order
  int successful_steps = 0;       // steps without an error
  int valid_successful = 0;       // of those, steps whose proof counts as valid
  int valid = 0;                  // all steps whose proof counts as valid
  bool black_room = false;        // a forged or replayed proof was presented
  std::string black_room_reason;  // the first offence: "step 2: forged: signature does not ..."
};

// subnet id ("SN22") → UID → registered hotkey (SS58): the expert metagraph's hotkeys.
using ExpertRegistry = std::map<std::string, std::map<int, std::string>>;
ExpertRegistry RegistryFromDirectory(const experts::Directory& directory);

// What the proofs must bind. Pointers are borrowed for the call only; null means "not known":
// with no registry the registered-hotkey check is reported not checked (kUnchecked).
struct ProofContext {
  std::string challenge_id;
  std::string miner_hotkey;
  int64_t window_start_ms = 0;  // the challenge window, Unix ms, inclusive
  int64_t window_end_ms = 0;
  const ExpertRegistry* registry = nullptr;
  // Hashes the store says were presented before, by any miner in any epoch; the store's
  // answer for this response's hashes suffices.
  const std::set<std::string, std::less<>>* presented_before = nullptr;
};

// The verdict of every step of `response`. Checks, in order: no hash and an error → kNoProof;
// success without hash or receipt → kMissing; receipt parses (kMalformed); TaskStep.hash ==
// receipt.Hash() (kForged); hash not presented before nor earlier in this response (kReplayed);
// receipt hotkey registered for the step's subnet and UID (kForged); signature, request hash
// and lock by protocol::VerifyReceipt (kForged); issued_at in the window (kOutOfWindow).
ProofReport VerifyProofs(const protocol::Response& response, const ProofContext& context);

// Re-derives the counters and the black-room flag of `report` from its steps (after a step's
// verdict changed, e.g. by the log check).
void Tally(ProofReport* report);

// Checks a sample of the valid proofs against the expert's log: GET /receipts/{hash} on the
// endpoint of the step's subnet and UID must answer 200 with the presented receipt. A 404 or
// another receipt makes the step kNotInLog; an unreachable expert or an unknown UID leaves
// the verdict and records the check as not checked. Not thread-safe: use from coroutines on
// the client's executor. The directory and client must outlive the checker.
class ReceiptLogChecker {
 public:
  // `sample_rate` in [0, 1]: which steps are checked is a deterministic function of the hash
  // and `seed`, so a miner cannot predict it without the seed.
  ReceiptLogChecker(net::HttpClient& client, const experts::Directory& directory,
                    double sample_rate, uint64_t seed);

  boost::asio::awaitable<void> Check(const protocol::Response& response, ProofReport* report,
                                     Deadline deadline);

  bool Sampled(std::string_view hash) const;

 private:
  net::HttpClient& client_;
  const experts::Directory& directory_;
  double sample_rate_;
  uint64_t seed_;
};

Json ToJson(const ProofReport& report);

}  // namespace orchestra::validator
