#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "orchestra/protocol/orchestra_synapse.h"
#include "orchestra/validator/miner_client.h"
#include "orchestra/validator/prober.h"
#include "orchestra/validator/proofs.h"
#include "orchestra/validator/reference.h"
#include "orchestra/validator/scorer.h"

namespace orchestra::validator {

// What judging one miner's reply needs besides the reply. Pointers are borrowed for the call;
// null means "not available": no registry leaves the registered-hotkey check unchecked, no
// log checker skips the expert-log check, no expert view or no ledger reply leaves the ledger
// unjudged (scored 0, said so).
struct JudgeContext {
  const GeneratedChallenge* generated = nullptr;
  bool has_reference = true;
  int64_t window_start_ms = 0;  // the challenge window, Unix ms
  int64_t window_end_ms = 0;
  const ExpertRegistry* registry = nullptr;
  const std::set<std::string, std::less<>>* presented_before = nullptr;
  ReceiptLogChecker* log_checker = nullptr;
  const ExpertView* experts = nullptr;
  ScoringWeights weights;
  // The challenge's target_schema compiled once for all its replies (ScoringInput::target);
  // null: compiled per reply.
  const schema::Schema* target = nullptr;
};

struct Judged {
  ScoreCard card;
  std::optional<protocol::Response> response;  // the answer as read, when it parsed
};

// The score card of `reply` (and, when given, the miner's LedgerSynapse `ledger` reply): a
// miner that did not answer (status other than 200) is rejected with the dendrite's status;
// otherwise the proofs are verified (and sampled against the experts' logs), the ledger judged
// and the answer scored. Never fails: every problem is in the card.
boost::asio::awaitable<Judged> JudgeReply(const MinerReply& reply, const MinerReply* ledger,
                                          const JudgeContext& context);
// The same for a reply the caller has already read: `response` is
// protocol::ResponseFromJson(reply.fields).
boost::asio::awaitable<Judged> JudgeReply(const MinerReply& reply,
                                          Result<protocol::Response> response,
                                          const MinerReply* ledger, const JudgeContext& context);

// The hashes a response presents, in step order (empty ones left out).
std::vector<std::string> PresentedHashes(const protocol::Response& response);

}  // namespace orchestra::validator
