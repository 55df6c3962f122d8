#include "orchestra/validator/proofs.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "orchestra/core/hash.h"
#include "orchestra/protocol/receipt.h"

namespace orchestra::validator {
namespace {

void Judge(const protocol::TaskStep& step, const ProofContext& context,
           const std::set<std::string, std::less<>>& earlier, StepProof* out) {
  auto set = [out](ProofKind kind, std::string reason) {
    out->kind = kind;
    out->reason = std::move(reason);
  };
  const bool has_receipt = !step.receipt.is_null();
  if (step.hash.empty() && !has_receipt) {
    if (!out->succeeded) return set(ProofKind::kNoProof, "failed step without a hash: not a proof");
    return set(ProofKind::kMissing, "the step reports success but carries no hash");
  }
  if (!has_receipt) return set(ProofKind::kMissing, "the step carries a hash but no receipt");
  auto receipt = protocol::ReceiptFromJson(step.receipt);
  if (!receipt) return set(ProofKind::kMalformed, receipt.error().message);
  const std::string computed = receipt->Hash();
  if (step.hash != computed) {
    return set(ProofKind::kForged,
               fmt::format("hash {} is not the receipt's hash {}", step.hash, computed));
  }
  if (context.presented_before && context.presented_before->contains(step.hash)) {
    return set(ProofKind::kReplayed, "hash " + step.hash + " was presented before");
  }
  if (earlier.contains(step.hash)) {
    return set(ProofKind::kReplayed, "hash " + step.hash + " appears twice in this response");
  }
  std::string registered;
  if (context.registry) {
    auto subnet = context.registry->find(step.subnet);
    if (subnet == context.registry->end()) {
      return set(ProofKind::kForged, "subnet " + step.subnet + " is not in the expert metagraph");
    }
    auto uid = subnet->second.find(step.uid);
    if (uid == subnet->second.end()) {
      return set(ProofKind::kForged,
                 fmt::format("{} has no UID {} in the expert metagraph", step.subnet, step.uid));
    }
    registered = uid->second;
    if (receipt->expert_hotkey != registered) {
      return set(ProofKind::kForged,
                 fmt::format("receipt signed by {}, but {} UID {} is registered to {}",
                             receipt->expert_hotkey, step.subnet, step.uid, registered));
    }
  } else {
    out->not_checked.push_back("registered hotkey: no expert metagraph given");
  }
  protocol::ReceiptExpectation expected;
  expected.challenge_id = context.challenge_id;
  expected.miner_hotkey = context.miner_hotkey;
  expected.step = step.step;
  expected.query = step.query;
  expected.expert_hotkey = registered;
  // The window is judged below on its own, so that an old receipt is told from a forged one.
  expected.window_start_ms = std::numeric_limits<int64_t>::min();
  expected.window_end_ms = std::numeric_limits<int64_t>::max();
  if (auto verified = protocol::VerifyReceipt(*receipt, expected); !verified) {
    return set(ProofKind::kForged, verified.error().message);
  }
  if (receipt->issued_at_ms < context.window_start_ms ||
      receipt->issued_at_ms > context.window_end_ms) {
    return set(ProofKind::kOutOfWindow,
               fmt::format("issued_at_ms {} lies outside the challenge window [{}, {}]",
                           receipt->issued_at_ms, context.window_start_ms, context.window_end_ms));
  }
  if (!out->not_checked.empty()) {
    return set(ProofKind::kUnchecked, "signature, lock and window verify; hotkey not checked");
  }
  set(ProofKind::kValid, "signature by the registered hotkey, lock, window verify");
}

}  // namespace

std::string_view ProofKindName(ProofKind kind) {
  switch (kind) {
    case ProofKind::kValid:
      return "valid";
    case ProofKind::kUnchecked:
      return "unchecked";
    case ProofKind::kNoProof:
      return "no_proof";
    case ProofKind::kMissing:
      return "missing";
    case ProofKind::kMalformed:
      return "malformed";
    case ProofKind::kForged:
      return "forged";
    case ProofKind::kReplayed:
      return "replayed";
    case ProofKind::kOutOfWindow:
      return "out_of_window";
    case ProofKind::kNotInLog:
      return "not_in_log";
  }
  return "unknown";
}

bool CountsAsValid(ProofKind kind) {
  return kind == ProofKind::kValid || kind == ProofKind::kUnchecked;
}

bool IsBlackRoomOffence(ProofKind kind) {
  return kind == ProofKind::kForged || kind == ProofKind::kReplayed;
}

ExpertRegistry RegistryFromDirectory(const experts::Directory& directory) {
  ExpertRegistry registry;
  for (const auto& [subnet, endpoints] : directory.all()) {
    auto& uids = registry[subnet];
    for (const experts::Endpoint& e : endpoints) uids[e.uid] = e.hotkey;
  }
  return registry;
}

void Tally(ProofReport* report) {
  report->successful_steps = 0;
  report->valid_successful = 0;
  report->valid = 0;
  report->black_room = false;
  report->black_room_reason.clear();
  for (const StepProof& s : report->steps) {
    const bool valid = CountsAsValid(s.kind);
    report->valid += valid;
    if (s.succeeded) {
      ++report->successful_steps;
      report->valid_successful += valid;
    }
    if (IsBlackRoomOffence(s.kind) && !report->black_room) {
      report->black_room = true;
      report->black_room_reason =
          fmt::format("step {}: {}: {}", s.step, ProofKindName(s.kind), s.reason);
    }
  }
}

ProofReport VerifyProofs(const protocol::Response& response, const ProofContext& context) {
  ProofReport report;
  std::set<std::string, std::less<>> earlier;
  for (const protocol::TaskStep& step : response.task_pipeline) {
    StepProof proof;
    proof.step = step.step;
    proof.subnet = step.subnet;
    proof.uid = step.uid;
    proof.hash = step.hash;
    proof.succeeded = !step.error.has_value();
    Judge(step, context, earlier, &proof);
    if (!step.hash.empty()) earlier.insert(step.hash);
    report.steps.push_back(std::move(proof));
  }
  Tally(&report);
  return report;
}

ReceiptLogChecker::ReceiptLogChecker(net::HttpClient& client, const experts::Directory& directory,
                                     double sample_rate, uint64_t seed)
    : client_(client), directory_(directory), sample_rate_(sample_rate), seed_(seed) {}

bool ReceiptLogChecker::Sampled(std::string_view hash) const {
  if (sample_rate_ >= 1.0) return true;
  if (sample_rate_ <= 0.0) return false;
  const Hash256 h = Blake2b256(fmt::format("{}:{}", seed_, hash));
  uint64_t x = 0;
  for (int i = 0; i < 8; ++i) x = (x << 8) | h[i];
  return static_cast<double>(x) / 18446744073709551616.0 < sample_rate_;
}

boost::asio::awaitable<void> ReceiptLogChecker::Check(const protocol::Response& response,
                                                      ProofReport* report, Deadline deadline) {
  for (size_t i = 0; i < report->steps.size() && i < response.task_pipeline.size(); ++i) {
    StepProof& proof = report->steps[i];
    if (!CountsAsValid(proof.kind) || !Sampled(proof.hash)) continue;
    const experts::Endpoint* endpoint = nullptr;
    for (const experts::Endpoint& e : directory_.Find(proof.subnet)) {
      if (e.uid == proof.uid) endpoint = &e;
    }
    if (!endpoint) {
      proof.not_checked.push_back(
          fmt::format("expert log: no endpoint for {} UID {}", proof.subnet, proof.uid));
      continue;
    }
    net::HttpRequest request;
    request.method = "GET";
    request.target = "/receipts/" + proof.hash;
    auto answer = co_await client_.Send(endpoint->host, endpoint->port, request, deadline);
    if (!answer) {
      proof.not_checked.push_back("expert log: " + answer.error().message);
      continue;
    }
    if (answer->status == 404) {
      proof.kind = ProofKind::kNotInLog;
      proof.reason =
          fmt::format("{} UID {} has no receipt {}", proof.subnet, proof.uid, proof.hash);
      continue;
    }
    if (answer->status != 200) {
      proof.not_checked.push_back(fmt::format("expert log: HTTP {}", answer->status));
      continue;
    }
    // The same receipt: the same hash (all signed fields) and the same signature.
    auto logged_json = ParseJson(answer->body, "logged receipt");
    auto logged = logged_json ? protocol::ReceiptFromJson(*logged_json)
                              : Result<protocol::Receipt>(logged_json.error());
    auto presented = protocol::ReceiptFromJson(response.task_pipeline[i].receipt);
    if (!logged || !presented || logged->Hash() != proof.hash ||
        logged->signature != presented->signature) {
      proof.kind = ProofKind::kNotInLog;
      proof.reason = "the expert's log holds a different receipt under this hash";
      continue;
    }
    proof.reason += "; present in the expert's log";
  }
  Tally(report);
}

Json ToJson(const ProofReport& report) {
  JsonArray steps;
  for (const StepProof& s : report.steps) {
    JsonArray not_checked;
    for (const std::string& n : s.not_checked) not_checked.emplace_back(n);
    steps.emplace_back(JsonObject{{"step", s.step},
                                  {"subnet", s.subnet},
                                  {"uid", s.uid},
                                  {"hash", s.hash},
                                  {"succeeded", s.succeeded},
                                  {"verdict", ProofKindName(s.kind)},
                                  {"reason", s.reason},
                                  {"not_checked", std::move(not_checked)}});
  }
  return JsonObject{{"steps", std::move(steps)},
                    {"successful_steps", report.successful_steps},
                    {"valid_successful", report.valid_successful},
                    {"valid", report.valid},
                    {"black_room", report.black_room},
                    {"black_room_reason", report.black_room_reason}};
}

}  // namespace orchestra::validator
