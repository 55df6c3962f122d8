#include "orchestra/cli/score_command.h"

#include <fmt/format.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <charconv>
#include <fstream>
#include <iostream>
#include <iterator>
#include <limits>
#include <set>
#include <sstream>

#include "orchestra/cli/input.h"
#include "orchestra/cli/wiring.h"
#include "orchestra/core/json.h"
#include "orchestra/crypto/derive.h"
#include "orchestra/crypto/ss58.h"
#include "orchestra/experts/directory.h"
#include "orchestra/ledger/snapshot.h"
#include "orchestra/net/http_client.h"
#include "orchestra/protocol/orchestra_synapse.h"
#include "orchestra/validator/llm_judge.h"
#include "orchestra/validator/proofs.h"
#include "orchestra/validator/reference.h"
#include "orchestra/validator/scorer.h"

namespace orchestra::cli {
namespace {

constexpr int kExitStrict = 3;

Result<validator::LedgerJudgement> ReadJudgement(const std::string& path) {
  auto text = ReadFileOrStdin(path, "--ledger");
  if (!text) return text.error();
  auto json = ParseJson(*text, "--ledger");
  if (!json) return json.error();
  if (!json->is_object()) return Error(ErrorCode::kInvalidArgument, "--ledger: must be an object");
  validator::LedgerJudgement j;
  const Json* checked = JsonFind(*json, "checked");
  j.checked = checked && checked->is_bool() && checked->as_bool();
  for (auto [name, out] : {std::pair{"freshness", &j.freshness}, {"coverage", &j.coverage}}) {
    const Json* v = JsonFind(*json, name);
    if (!v || !JsonNumber(*v, out) || *out < 0.0 || *out > 1.0) {
      return Error(ErrorCode::kInvalidArgument,
                   fmt::format("--ledger: {}: must be a number in [0, 1]", name));
    }
  }
  if (const Json* findings = JsonFind(*json, "findings"); findings && findings->is_array()) {
    for (const Json& f : findings->as_array()) {
      if (f.is_string()) j.findings.emplace_back(f.as_string());
    }
  }
  return j;
}

}  // namespace

int ScoreCommand(const ScoreFlags& f) {
  auto challenge_text = ReadFileOrStdin(f.challenge, "--challenge");
  if (!challenge_text) return Fail("score", kExitBadInput, challenge_text.error().message);
  auto challenge_json = ParseJson(*challenge_text, "--challenge");
  if (!challenge_json) return Fail("score", kExitBadInput, challenge_json.error().message);
  auto generated = validator::GeneratedChallengeFromJson(*challenge_json);
  if (!generated) return Fail("score", kExitBadInput, "--challenge: " + generated.error().message);
  auto response_text = ReadFileOrStdin(f.response, "RESPONSE");
  if (!response_text) return Fail("score", kExitBadInput, response_text.error().message);

  validator::ScoringInput input;
  input.generated = std::move(*generated);
  const Json* reference = JsonFind(*challenge_json, "reference");
  input.has_reference = reference && !reference->is_null();
  if (f.miner_hotkey.empty()) {
    auto dev = crypto::KeypairFromUri("//Orchestra");
    if (!dev) return Fail("score", kExitFailed, "development miner key: " + dev.error().message);
    input.miner_hotkey = crypto::Ss58Encode(dev->public_key().bytes());
  } else {
    input.miner_hotkey = f.miner_hotkey;
  }
  std::vector<std::string> offline;
  if (f.window_start_ms.has_value() != f.window_end_ms.has_value()) {
    return Fail("score", kExitBadInput, "--window-start-ms and --window-end-ms go together");
  }
  if (f.window_start_ms) {
    input.window_start_ms = *f.window_start_ms;
    input.window_end_ms = *f.window_end_ms;
  } else {
    input.window_start_ms = std::numeric_limits<int64_t>::min();
    input.window_end_ms = std::numeric_limits<int64_t>::max();
    offline.push_back("issued_at window: no --window-start-ms/--window-end-ms");
  }
  if (!f.ledger.empty()) {
    auto judgement = ReadJudgement(f.ledger);
    if (!judgement) return Fail("score", kExitBadInput, judgement.error().message);
    input.ledger = std::move(*judgement);
  }
  input.response_json = *response_text;

  // The proofs need the parsed response; an unparsable one is rejected by Score() itself.
  std::optional<protocol::Response> response;
  if (auto json = ParseJson(*response_text, "response")) {
    if (auto parsed = protocol::ResponseFromJson(*json)) response = std::move(*parsed);
  }
  std::optional<experts::Directory> directory;
  validator::ExpertRegistry registry;
  if (!f.experts.empty() && response) {
    auto seed_ledger = ledger::SeedSnapshot();
    if (!seed_ledger) return Fail("score", kExitBadInput, seed_ledger.error().ToString());
    auto fetched = FetchDirectory(f.experts, *seed_ledger, "score");
    if (!fetched) return Fail("score", kExitBadInput, fetched.error().message);
    directory = std::move(*fetched);
    registry = validator::RegistryFromDirectory(*directory);
  } else if (f.experts.empty()) {
    offline.push_back("expert receipt logs: offline (no --experts)");
  }
  if (response) {
    validator::ProofContext context;
    context.challenge_id = input.generated.challenge.challenge_id;
    context.miner_hotkey = input.miner_hotkey;
    context.window_start_ms = input.window_start_ms;
    context.window_end_ms = input.window_end_ms;
    context.registry = directory ? &registry : nullptr;
    input.proofs = validator::VerifyProofs(*response, context);
    if (directory) {
      boost::asio::io_context io;
      net::HttpClient client(io.get_executor());
      validator::ReceiptLogChecker checker(client, *directory, 1.0, 0);
      boost::asio::co_spawn(
          io, checker.Check(*response, &input.proofs, Deadline::After(std::chrono::seconds(10))),
          boost::asio::detached);
      io.run();
    }
  }

  if (!f.llm_judge.empty() && response) {
    const size_t colon = f.llm_judge.rfind(':');
    int port = 0;
    if (colon == std::string::npos ||
        std::from_chars(f.llm_judge.data() + colon + 1, f.llm_judge.data() + f.llm_judge.size(),
                        port)
                .ec != std::errc() ||
        port < 1 || port > 65535) {
      return Fail("score", kExitBadInput,
                  fmt::format("--llm-judge {}: expected HOST:PORT", f.llm_judge));
    }
    boost::asio::io_context io;
    net::HttpClient client(io.get_executor());
    validator::LlmJudge judge(client, {f.llm_judge.substr(0, colon), static_cast<uint16_t>(port),
                                       f.llm_model, experts::LlmApiKeyFromEnvironment()});
    std::optional<Result<validator::LlmGrade>> grade;
    boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<void> {
          grade.emplace(co_await judge.Grade(input.generated.challenge, *response,
                                             Deadline::After(std::chrono::seconds(30))));
        },
        boost::asio::detached);
    io.run();
    if (grade && grade->ok()) {
      input.llm_reasoning = (*grade)->score;
      input.llm_rationale = (*grade)->rationale;
    } else {
      offline.push_back("LLM judge: " +
                        (grade ? grade->error().message : std::string("no answer")));
    }
  }

  validator::ScoreCard card = validator::Score(input);
  for (auto& o : offline) card.not_checked.push_back(std::move(o));
  if (f.json_only) {
    std::cout << PrettyJson(validator::ToJson(card)) << "\n";
  } else {
    std::cout << validator::RenderScoreCard(card, input.weights);
  }
  const bool earns = card.accepted && !card.black_room && card.proofs.valid > 0;
  if (!earns) return kExitFailed;
  if (f.strict && !card.not_checked.empty()) {
    return Fail("score", kExitStrict,
                fmt::format("--strict: {} check(s) not checked, first: {}", card.not_checked.size(),
                            card.not_checked[0]));
  }
  return kExitOk;
}

}  // namespace orchestra::cli
