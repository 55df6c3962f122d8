#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "orchestra/core/deadline.h"
#include "orchestra/core/json.h"
#include "orchestra/core/result.h"
#include "orchestra/experts/chat_client.h"
#include "orchestra/ledger/snapshot.h"
#include "orchestra/plan/architect.h"
#include "orchestra/schema/schema.h"
#include "orchestra/synth/draft.h"

// The optional LLM lead (seed 004: a miner running a local high-reasoning model): three roles
// the managerial loop (orchestrator.cc) hands to an OpenAI-compatible endpoint of the
// operator's, each validated, each replaced by the built-in whenever its answer is invalid,
// failed or late (the reason logged at debug level and counted in stats()):
//   planner      proposes the discovery wave's searches, given the built-in proposal to refine;
//   relevance    says which of the items the built-in topic audit kept are about the
//   judge        objective; it can only drop items, never admit what the audit rejected;
//   synthesizer  fills the judgement fields from the audited material, locally (no expert
//                call, no cost), instead of hiring an inference subnet.
// Each call gets a bounded share of the time left (LlmLeadOptions), so a slow endpoint costs
// the challenge that share and no more. Not thread-safe for calls: use from coroutines on the
// HttpClient's executor (the one the orchestrator runs on); stats() may be read from any
// thread. The HttpClient must outlive the lead.
namespace orchestra::miner {

struct LlmLeadOptions {
  // Shares of the time left when each role is asked.
  double plan_share = 0.2;
  double judge_share = 0.1;
  double synthesis_share = 0.5;  // the rest is left for the inference subnet if this fails
  // Searches the planner may add over the built-in discovery wave's.
  size_t extra_searches = 2;
  // Items the relevance judge is shown, at most (the rest are kept as the audit kept them).
  size_t max_judged_items = 40;
};

enum class LlmRole { kPlanner = 0, kJudge = 1, kSynthesizer = 2 };
const char* LlmRoleName(LlmRole role);

// What one role did since the lead was made.
struct LlmRoleStats {
  uint64_t used = 0;        // answers validated and used
  uint64_t fell_back = 0;   // invalid, failed or late answers: the built-in was used
  std::string last_reason;  // why the last fallback happened ("" when none)
};

// The planner's answer read into the discovery wave it stands for: its searches (each a
// search capability `ledger` offers, a non-empty query, a target that is a list of the
// brief's schema or "" for the subject) replace `built_in`'s searches, numbered from the
// built-in's first step; its other tasks (reads of URLs the objective names) are kept.
// kInvalidArgument names what is wrong: not {"searches": [...]}, a search's capability,
// query or target, a target the built-in wave covers that no search covers, more searches
// than the built-in's plus `extra`, or a wave that does not Validate().
Result<std::vector<plan::Task>> ReadPlan(const Json& answer, const plan::Brief& brief,
                                         const ledger::Snapshot& ledger,
                                         const std::vector<plan::Task>& built_in, size_t extra);

// The relevance judge's answer {"relevant": [{"url": ...}, ...]} read into the set of kept
// URLs (NormalizeUrl'd). kInvalidArgument for another shape or a URL not among `shown`.
Result<std::vector<std::string>> ReadRelevant(const Json& answer,
                                              const std::vector<std::string>& shown);

// The synthesizer's document checked against `reduced` (the synthesis task's schema): valid,
// holding at least one of its properties, with no empty string anywhere. kInvalidArgument
// names the first violation.
Result<Json> ReadSynthesis(const Json& answer, const schema::Schema& reduced);

class LlmLead {
 public:
  LlmLead(net::HttpClient& client, experts::ChatClientOptions chat, LlmLeadOptions options = {});

  // The discovery wave to run: the LLM's (ReadPlan) when valid and in time, else `built_in`.
  boost::asio::awaitable<std::vector<plan::Task>> PlanDiscovery(const plan::Brief& brief,
                                                                const ledger::Snapshot& ledger,
                                                                std::vector<plan::Task> built_in,
                                                                Deadline deadline);

  // Drops from `material` (list items and subject pages, with their passages) the items the
  // LLM says are not about the objective; leaves it as it is on an invalid or late answer.
  boost::asio::awaitable<void> AuditRelevance(const plan::Brief& brief, synth::Material& material,
                                              Deadline deadline);

  // The judgement document for `synthesis` (a plan::SynthesisTask: its query is the chat
  // request, with the reduced schema as response_format) answered locally; nullopt when the
  // answer is invalid, failed or late (then the caller hires the inference subnet).
  boost::asio::awaitable<std::optional<Json>> Synthesize(const plan::Task& synthesis,
                                                         Deadline deadline);

  LlmRoleStats stats(LlmRole role) const;
  const experts::ChatClient& chat() const { return chat_; }

 private:
  // The JSON document of a completion, asked with `request` within `share` of the time left.
  boost::asio::awaitable<Result<Json>> Ask(Json request, double share, Deadline deadline);
  void Used(LlmRole role);
  void FellBack(LlmRole role, const std::string& reason);

  experts::ChatClient chat_;
  LlmLeadOptions options_;
  mutable std::mutex mu_;
  LlmRoleStats stats_[3];
};

}  // namespace orchestra::miner
