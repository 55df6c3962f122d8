#pragma once

#include <optional>
#include <string>

namespace orchestra::cli {

struct ScoreFlags {
  std::string response;      // RESPONSE.json: the miner's answer as received ("-" = stdin)
  std::string challenge;     // CHALLENGE.json: {"challenge": {...}, "reference": {...}}
  std::string miner_hotkey;  // SS58; "" = the development miner //Orchestra (`orchestra run`)
  std::optional<int64_t> window_start_ms;  // the challenge window, Unix ms
  std::optional<int64_t> window_end_ms;
  std::string experts;    // HOST:PORT of `orchestra experts`: registered hotkeys and receipt logs
  std::string ledger;     // a LedgerJudgement JSON file ({checked, freshness, coverage, findings})
  std::string llm_judge;  // HOST:PORT of an OpenAI-compatible endpoint grading R; "" = off
  std::string llm_model = "orchestra-judge";
  bool json_only = false;
  bool strict = false;
};

// `orchestra score`: scores one response against a challenge and its reference and explains
// the score field by field (with json_only, validator::ToJson(ScoreCard) instead). Offline by
// default: the registered expert hotkeys and the receipt logs are checked only with --experts,
// the challenge window only with --window-start-ms/--window-end-ms, the ledger only with
// --ledger; the optional LLM judge of R runs only with --llm-judge; every check that could not run
// is listed as "not checked". Exit codes: 0 scored and earning (accepted, at least one valid proof,
// no black-room offence); 1 the response earns nothing (rejected, zero valid proofs, or a forged or
// replayed proof); 2 bad input (unreadable files, a malformed challenge, bad flags, unreachable
// --experts); 3 with --strict, a check was not checked (and the score is otherwise earning).
int ScoreCommand(const ScoreFlags& flags);

}  // namespace orchestra::cli
