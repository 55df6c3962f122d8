#include "orchestra/validator/judge.h"

#include <fmt/format.h>

#include "orchestra/validator/ledger_audit.h"

namespace orchestra::validator {

std::vector<std::string> PresentedHashes(const protocol::Response& response) {
  std::vector<std::string> out;
  for (const protocol::TaskStep& step : response.task_pipeline) {
    if (!step.hash.empty()) out.push_back(step.hash);
  }
  return out;
}

boost::asio::awaitable<Judged> JudgeReply(const MinerReply& reply, const MinerReply* ledger,
                                          const JudgeContext& context) {
  return JudgeReply(reply, protocol::ResponseFromJson(reply.fields), ledger, context);
}

boost::asio::awaitable<Judged> JudgeReply(const MinerReply& reply,
                                          Result<protocol::Response> response,
                                          const MinerReply* ledger, const JudgeContext& context) {
  Judged judged;
  const protocol::Challenge& challenge = context.generated->challenge;
  if (reply.status_code != 200) {
    judged.card.accepted = false;
    judged.card.reject_reason =
        fmt::format("no answer: {} {}", reply.status_code, reply.status_message);
    judged.card.challenge_id = challenge.challenge_id;
    judged.card.miner_hotkey = reply.miner.axon.hotkey;
    co_return judged;
  }
  const std::string response_json = CompactJson(reply.fields);
  ScoringInput input;
  input.generated = *context.generated;
  input.has_reference = context.has_reference;
  input.miner_hotkey = reply.miner.axon.hotkey;
  input.window_start_ms = context.window_start_ms;
  input.window_end_ms = context.window_end_ms;
  input.response_json = response_json;
  input.observed_latency_ms = static_cast<int64_t>(reply.seconds * 1000.0);
  input.weights = context.weights;
  input.target = context.target;

  if (response) {
    ProofContext proofs{.challenge_id = challenge.challenge_id,
                        .miner_hotkey = reply.miner.axon.hotkey,
                        .window_start_ms = context.window_start_ms,
                        .window_end_ms = context.window_end_ms,
                        .registry = context.registry,
                        .presented_before = context.presented_before};
    input.proofs = VerifyProofs(*response, proofs);
    if (context.log_checker) {
      co_await context.log_checker->Check(*response, &input.proofs,
                                          Deadline::After(std::chrono::seconds(5)));
    }
    judged.response = std::move(*response);
    input.response = &*judged.response;
  }
  if (ledger && context.experts) {
    if (ledger->status_code == 200) {
      input.ledger = JudgeLedger(ledger->fields, *context.experts);
    } else {
      input.ledger.checked = true;
      input.ledger.findings.push_back(
          fmt::format("no ledger: {} {}", ledger->status_code, ledger->status_message));
    }
  }
  judged.card = Score(input);
  co_return judged;
}

}  // namespace orchestra::validator
