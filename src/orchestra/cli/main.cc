// The `orchestra` binary: subcommands are wired here; their logic lives in the modules.
#include <fmt/format.h>
#include <sodium.h>
#include <CLI/CLI.hpp>
#include <optional>

#include "orchestra/cli/experts_command.h"
#include "orchestra/cli/ledger_command.h"
#include "orchestra/cli/miner_command.h"
#include "orchestra/cli/run_command.h"
#include "orchestra/cli/schema_command.h"
#include "orchestra/cli/score_command.h"
#include "orchestra/cli/validator_command.h"
#include "orchestra/cli/wallet_command.h"
#include "orchestra/core/log.h"

int main(int argc, char** argv) {
  if (sodium_init() < 0) return 1;
  CLI::App app{"Orchestra: a Bittensor orchestration subnet (miner, validator, expert simulator)"};
  app.require_subcommand(1);
  app.fallthrough();  // --log-level may follow the subcommand
  std::string log_level = "warn";
  auto* log_level_flag =
      app.add_option("--log-level", log_level,
                     "trace, debug, info, warn, error or off (default warn; info for miner)");

  auto add_llm = [](CLI::App* cmd, orchestra::cli::LlmFlags& llm) {
    cmd->add_option("--llm.base-url", llm.base_url,
                    "An OpenAI-compatible endpoint (http://HOST:PORT[/v1]) planning, judging "
                    "relevance and synthesizing; key from $ORCHESTRA_LLM_API_KEY (default: "
                    "built-ins only)");
    cmd->add_option("--llm.model", llm.model, "The model --llm.base-url serves");
  };
  auto add_max_spend = [](CLI::App* cmd, std::optional<double>& max_spend) {
    cmd->add_option("--max-spend", max_spend,
                    "Most TAO the follow-ups may bring a challenge's spend to (default: no cap; "
                    "the planned waves are not capped)")
        ->check(CLI::Range(0.0, 1.0e6));
  };

  orchestra::cli::RunFlags run;
  int64_t deadline_ms = 0;
  CLI::App* run_cmd = app.add_subcommand(
      "run", "Answer one challenge end to end on the embedded expert network and print it");
  auto* objective =
      run_cmd->add_option("--objective", run.objective, "The objective (with --schema)");
  auto* schema = run_cmd->add_option("--schema", run.schema,
                                     "target_schema: inline JSON or a file (with --objective)");
  auto* challenge =
      run_cmd->add_option("--challenge", run.challenge,
                          "A whole challenge as a JSON file (challenge_id, objective, "
                          "target_schema, deadline_ms, hints)");
  auto* example = run_cmd->add_option(
      "--example", run.example,
      "A built-in example: competitive_landscape (default), ai_funding, gpu_pricing");
  challenge->excludes(objective)->excludes(schema)->excludes(example);
  example->excludes(objective)->excludes(schema);
  auto* deadline = run_cmd->add_option("--deadline-ms", deadline_ms,
                                       "Deadline in ms (overrides the challenge's deadline_ms)");
  run_cmd->add_flag("--json", run.json_only, "Print only the response JSON");
  run_cmd->add_option("--data-dir", run.data_dir,
                      "Data directory (default $ORCHESTRA_DATA_DIR or ~/.orchestra)");
  run_cmd->add_option("--seed", run.seed, "Seed of the simulated experts' latencies")
      ->capture_default_str();
  run_cmd
      ->add_option("--latency-scale", run.latency_scale,
                   "Scale of simulated expert latency (0: instant, 1: ledger figures)")
      ->check(CLI::Range(0.0, 100.0))
      ->capture_default_str();
  run_cmd
      ->add_option(
          "--corpus", run.corpus,
          "The embedded experts' corpus. full: curated pages + Debian package descriptions, "
          "indexed once into <data dir>/experts/corpus.db (or $ORCHESTRA_CORPUS_DIR); "
          "curated: the curated pages only")
      ->check(CLI::IsMember({"full", "curated"}))
      ->capture_default_str();
  add_llm(run_cmd, run.llm);
  add_max_spend(run_cmd, run.max_spend);

  orchestra::cli::SchemaFlags schema_flags;
  CLI::App* schema_cmd = app.add_subcommand(
      "schema", "Validate or standardize a JSON document against a target schema");
  schema_cmd->require_subcommand(1);
  for (const char* action : {"check", "standardize"}) {
    CLI::App* sub = schema_cmd->add_subcommand(
        action, std::string(action) == "check"
                    ? "Print the verdict, every violation with its path, and the measures"
                    : "Map a dirty document onto the schema; print the clean document, its "
                      "provenance and the report");
    sub->add_option("--schema", schema_flags.schema,
                    "The schema (JSON Schema or shorthand): inline JSON or a file")
        ->required();
    sub->add_flag("--json", schema_flags.json_only, "Print one JSON object");
    sub->add_flag("--assert-format", schema_flags.assert_format,
                  "Assert \"format\" (date, date-time, email, uri, ...) instead of ignoring it");
    sub->add_option("file", schema_flags.input, "The document (stdin when absent)");
    sub->callback([&schema_flags, action] { schema_flags.action = action; });
  }

  orchestra::cli::ScoreFlags score;
  CLI::App* score_cmd = app.add_subcommand(
      "score", "Score one miner response against a challenge and explain it field by field");
  score_cmd->add_option("response", score.response, "The response JSON file (- for stdin)")
      ->required();
  score_cmd
      ->add_option("--challenge", score.challenge,
                   "The challenge file: {\"challenge\": {...}, \"reference\": {...}}")
      ->required();
  score_cmd->add_flag("--json", score.json_only, "Print the score card as one JSON object");
  score_cmd->add_flag("--strict", score.strict, "Fail (exit 3) when any check was not checked");
  score_cmd->add_option("--miner-hotkey", score.miner_hotkey,
                        "The miner's SS58 hotkey (default: the development miner //Orchestra)");
  score_cmd->add_option("--window-start-ms", score.window_start_ms,
                        "Start of the challenge window, Unix ms");
  score_cmd->add_option("--window-end-ms", score.window_end_ms,
                        "End of the challenge window, Unix ms");
  score_cmd->add_option("--experts", score.experts,
                        "HOST:PORT of `orchestra experts`: check hotkeys and receipt logs");
  score_cmd->add_option("--ledger", score.ledger,
                        "A ledger judgement JSON file {checked, freshness, coverage, findings}");
  score_cmd->add_option("--llm-judge", score.llm_judge,
                        "HOST:PORT of an OpenAI-compatible endpoint grading the DAG (off)");
  score_cmd->add_option("--llm-model", score.llm_model, "The LLM judge's model")
      ->capture_default_str();

  orchestra::cli::WalletFlags wallet;
  CLI::App* wallet_cmd = app.add_subcommand(
      "wallet", "Bittensor wallets: create, regenerate, list, show, sign, verify");
  wallet_cmd->require_subcommand(1);
  struct WalletAction {
    const char* name;
    const char* help;
  };
  for (const WalletAction& a :
       {WalletAction{"new-coldkey", "Create a coldkey (encrypted unless --no-password)"},
        WalletAction{"new-hotkey", "Create a hotkey"},
        WalletAction{"regen-hotkey", "Write a hotkey from its mnemonic (--mnemonic)"},
        WalletAction{"list", "List wallets and their hotkeys"},
        WalletAction{"show", "Print the hotkey's (and coldkey's) SS58 address and public key"},
        WalletAction{"sign", "Sign --message with the hotkey; prints the 0x signature"},
        WalletAction{"verify", "Check --signature on --message by --ss58 (exit 0 valid, 1 not)"}}) {
    CLI::App* sub = wallet_cmd->add_subcommand(a.name, a.help);
    sub->add_option("--wallet.name", wallet.name, "Wallet name")->capture_default_str();
    sub->add_option("--wallet.hotkey", wallet.hotkey, "Hotkey name")->capture_default_str();
    sub->add_option("--wallet.path", wallet.path, "Wallets folder (default ~/.bittensor/wallets)");
    const std::string action = a.name;
    if (action == "new-coldkey" || action == "new-hotkey") {
      sub->add_option("--n-words", wallet.words, "Mnemonic length: 12, 15, 18, 21 or 24")
          ->capture_default_str();
    }
    if (action.starts_with("new") || action == "regen-hotkey") {
      sub->add_flag("--overwrite", wallet.overwrite, "Replace an existing key");
    }
    if (action == "new-coldkey") {
      sub->add_flag("--no-password", wallet.no_password, "Write the coldkey unencrypted");
    }
    if (action == "show" || action == "sign") {
      sub->add_option("--wallet.hotkey_password", wallet.hotkey_password,
                      "Password of a hotkey btwallet encrypted (else btcli's BT_PW_<path> "
                      "variable)");
    }
    if (action == "regen-hotkey") sub->add_option("--mnemonic", wallet.mnemonic)->required();
    if (action == "sign" || action == "verify")
      sub->add_option("--message", wallet.message)->required();
    if (action == "verify") {
      sub->add_option("--ss58", wallet.ss58, "The signer's SS58 address")->required();
      sub->add_option("--signature", wallet.signature, "0x + 128 hex")->required();
    }
    sub->callback([&wallet, action] { wallet.action = action; });
  }

  // The wallet flags of a subcommand, named as Bittensor's neurons name them.
  auto add_wallet = [](CLI::App* cmd, orchestra::cli::HotkeyFlags& w, const char* role) {
    cmd->add_option(
        "--wallet.name", w.name,
        fmt::format("Wallet name (default: a development {} wallet under the data dir)", role));
    cmd->add_option("--wallet.hotkey", w.hotkey, "Hotkey name");
    cmd->add_option("--wallet.hotkey_password", w.password,
                    "Password of a hotkey btwallet encrypted (else btcli's BT_PW_<path> "
                    "variable)");
    cmd->add_option("--wallet.path", w.path, "Wallets folder (default ~/.bittensor/wallets)");
  };

  orchestra::cli::MinerFlags miner;
  CLI::App* miner_cmd = app.add_subcommand(
      "miner",
      "Serve OrchestraSynapse and LedgerSynapse on a Bittensor axon until SIGINT/SIGTERM, then "
      "drain");
  add_wallet(miner_cmd, miner.wallet, "miner");
  add_llm(miner_cmd, miner.llm);
  add_max_spend(miner_cmd, miner.max_spend);
  miner_cmd->add_option("--axon.ip", miner.axon_ip, "Address to listen on")->capture_default_str();
  miner_cmd->add_option("--axon.port", miner.axon_port, "Port to listen on (0: any free port)")
      ->capture_default_str();
  miner_cmd->add_option("--netuid", miner.netuid, "Subnet uid")->capture_default_str();
  miner_cmd->add_option("--data-dir", miner.data_dir,
                        "Data directory (default $ORCHESTRA_DATA_DIR or ~/.orchestra)");
  miner_cmd->add_option("--metagraph", miner.metagraph,
                        "Registered neurons (JSON file: {\"neurons\": [{uid, hotkey, stake, "
                        "validator_permit}]}); without it any signed caller is served");
  miner_cmd->add_flag("--blacklist.allow_non_registered", miner.allow_non_registered,
                      "Serve callers that are not in the metagraph");
  miner_cmd
      ->add_option("--blacklist.force_validator_permit", miner.force_validator_permit,
                   "Refuse registered callers without a validator permit")
      ->capture_default_str();
  miner_cmd->add_option("--blacklist.min_stake", miner.min_stake, "Minimum caller stake (TAO)")
      ->capture_default_str();
  miner_cmd
      ->add_option("--drain-timeout", miner.drain_timeout_s,
                   "Seconds work in flight may take to finish after SIGINT/SIGTERM")
      ->capture_default_str();
  miner_cmd->add_option("--ledger.store", miner.ledger_store,
                        "Where the ledger is kept: sqlite[:PATH] (default <data dir>/ledger.db) "
                        "or redis://HOST[:PORT][/PREFIX], shared by a fleet of miners");
  miner_cmd
      ->add_option("--ledger.interval", miner.ledger_interval_s,
                   "Seconds between the ledger's probe rounds (jittered by 10%; 0: no rounds)")
      ->check(CLI::Range(0.0, 86400.0))
      ->capture_default_str();
  miner_cmd->add_option("--experts", miner.experts,
                        "HOST:PORT of a running `orchestra experts` (default: simulate the "
                        "experts inside this process)");
  miner_cmd->add_option("--seed", miner.seed, "Seed of the simulated experts")
      ->capture_default_str();
  miner_cmd
      ->add_option("--latency-scale", miner.latency_scale,
                   "Scale of simulated expert latency (0: instant, 1: ledger figures)")
      ->check(CLI::Range(0.0, 100.0))
      ->capture_default_str();
  miner_cmd
      ->add_option(
          "--corpus", miner.corpus,
          "The embedded experts' corpus. full: curated pages + Debian package descriptions, "
          "indexed once into <data dir>/experts/corpus.db (or $ORCHESTRA_CORPUS_DIR); "
          "curated: the curated pages only")
      ->check(CLI::IsMember({"full", "curated"}))
      ->capture_default_str();

  orchestra::cli::ValidatorFlags validator;
  CLI::App* validator_cmd = app.add_subcommand(
      "validator",
      "Challenge, verify and score the miners; keep the black room, moving averages and weights");
  add_wallet(validator_cmd, validator.wallet, "validator");
  validator_cmd->add_option("--netuid", validator.netuid, "Subnet uid")->capture_default_str();
  validator_cmd->add_option("--data-dir", validator.data_dir,
                            "Data directory (default $ORCHESTRA_DATA_DIR or ~/.orchestra)");
  validator_cmd
      ->add_option("--miners", validator.miners,
                   "The miners' metagraph (JSON file: {\"neurons\": [{uid, hotkey, stake, axon: "
                   "{ip, port}}]}), re-read when it changes")
      ->required();
  validator_cmd->add_option("--experts", validator.experts,
                            "HOST:PORT of a running `orchestra experts` (default: simulate the "
                            "experts inside this process)");
  validator_cmd->add_option("--experts.token", validator.experts_token,
                            "The experts' admin token file (experts.token), which traps need "
                            "(else $ORCHESTRA_EXPERTS_TOKEN)");
  validator_cmd->add_option("--sample-size", validator.sample_size, "Miners per challenge")
      ->capture_default_str();
  validator_cmd
      ->add_option("--interval-s", validator.interval_s,
                   "Seconds between challenges (20 blocks of 12 s)")
      ->capture_default_str();
  validator_cmd->add_option("--seed", validator.seed,
                            "Seed of the challenges and samples (default: random, printed)");
  validator_cmd->add_option("--rounds", validator.rounds, "Stop after this many rounds (0: never)")
      ->capture_default_str();
  validator_cmd->add_option("--api.ip", validator.api_ip, "Address of the HTTP API")
      ->capture_default_str();
  validator_cmd
      ->add_option("--api.port", validator.api_port,
                   "Port of the HTTP API: /status, /metrics, /v1/orchestrate (0: any free port)")
      ->capture_default_str();
  validator_cmd
      ->add_option("--schema-trap-rate", validator.schema_trap_rate,
                   "Share of challenges with a schema trap")
      ->capture_default_str();
  validator_cmd
      ->add_option("--logic-trap-rate", validator.logic_trap_rate,
                   "Share of figure-bearing challenges with a logic trap")
      ->capture_default_str();
  validator_cmd
      ->add_option("--log-check-rate", validator.log_check_rate,
                   "Share of receipts checked in the expert's own log")
      ->capture_default_str();
  validator_cmd->add_option("--ema-alpha", validator.ema_alpha, "Weight of a new score")
      ->capture_default_str();
  validator_cmd
      ->add_option("--drain-timeout", validator.drain_timeout_s,
                   "Seconds work in flight may take to finish after SIGINT/SIGTERM")
      ->capture_default_str();
  validator_cmd
      ->add_option("--latency-scale", validator.latency_scale,
                   "Scale of simulated expert latency (embedded experts only)")
      ->check(CLI::Range(0.0, 100.0))
      ->capture_default_str();
  validator_cmd
      ->add_option(
          "--corpus", validator.corpus,
          "The embedded experts' corpus. full: curated pages + Debian package descriptions, "
          "indexed once into <data dir>/experts/corpus.db (or $ORCHESTRA_CORPUS_DIR); "
          "curated: the curated pages only")
      ->check(CLI::IsMember({"full", "curated"}))
      ->capture_default_str();

  orchestra::cli::AskFlags ask;
  CLI::App* ask_cmd = app.add_subcommand(
      "ask", "Send one signed challenge to one miner; print its answer and its score");
  add_wallet(ask_cmd, ask.wallet, "validator");
  ask_cmd->add_option("--data-dir", ask.data_dir,
                      "Data directory (default $ORCHESTRA_DATA_DIR or ~/.orchestra)");
  ask_cmd->add_option("--axon", ask.axon, "HOST:PORT of the miner's axon")->required();
  ask_cmd->add_option("--hotkey", ask.hotkey, "The miner's hotkey (SS58)")->required();
  ask_cmd->add_option("--challenge", ask.challenge,
                      "Challenge file: {\"challenge\": ..., \"reference\": ...} or a bare "
                      "challenge");
  ask_cmd->add_option("--objective", ask.objective, "The objective (with --schema)");
  ask_cmd->add_option("--schema", ask.schema, "The target_schema: inline JSON or a file");
  ask_cmd->add_option("--deadline-ms", ask.deadline_ms, "The challenge's deadline")
      ->capture_default_str();
  ask_cmd->add_option("--experts", ask.experts,
                      "HOST:PORT of `orchestra experts`: check hotkeys, receipt logs, ledger");
  ask_cmd->add_flag("--json", ask.json, "Print {status, response, score} as JSON");

  orchestra::cli::ExpertsFlags experts;
  CLI::App* experts_cmd = app.add_subcommand(
      "experts", "Serve the simulated expert subnets (one axon per UID) until interrupted");
  experts_cmd->add_option("--manifest", experts.manifest,
                          "Subnets and UIDs to simulate (JSON file; default: the embedded one)");
  experts_cmd->add_option("--seed", experts.seed,
                          "Seed of latencies, faults and keys (default: the manifest's)");
  experts_cmd->add_option("--data-dir", experts.data_dir,
                          "Data directory (default $ORCHESTRA_DATA_DIR or ~/.orchestra)");
  experts_cmd
      ->add_option("--base-port", experts.base_port,
                   "Control API port; UIDs listen on the ports after it (0: any free ports)")
      ->capture_default_str();
  experts_cmd
      ->add_option("--latency-scale", experts.latency_scale,
                   "Scale of simulated latency (0: instant, 1: the manifest's)")
      ->check(CLI::Range(0.0, 100.0))
      ->capture_default_str();
  experts_cmd->add_option("--threads", experts.threads, "Server threads")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  experts_cmd
      ->add_option("--search-threads", experts.search_threads,
                   "Threads running full-text searches off the server threads (-1: 2 with the "
                   "Debian corpus, 0 with the curated one)")
      ->check(CLI::Range(-1, 64))
      ->capture_default_str();
  experts_cmd
      ->add_option("--corpus", experts.corpus,
                   "full: curated + Debian package descriptions (indexed once into the data "
                   "dir, or $ORCHESTRA_CORPUS_DIR); curated: the curated pages only")
      ->check(CLI::IsMember({"full", "curated"}))
      ->capture_default_str();
  experts_cmd
      ->add_option("--receipts-max", experts.receipts_max,
                   "Receipts kept in <data dir>/experts/receipts.db, oldest pruned first (about "
                   "800 bytes each; 0: keep all)")
      ->capture_default_str();
  experts_cmd->add_flag("--list", experts.list, "Print the manifest as a table and exit");
  experts_cmd->add_flag("--json", experts.json, "With --list: print the manifest as JSON");

  orchestra::cli::LedgerFlags ledger;
  CLI::App* ledger_cmd = app.add_subcommand(
      "ledger", "The Subnet Ledger: show it, export it signed, import a published one, diff two");
  ledger_cmd->require_subcommand(1);
  auto add_ledger_common = [&ledger](CLI::App* sub, const char* action) {
    sub->add_option("--data-dir", ledger.data_dir,
                    "Data directory (default $ORCHESTRA_DATA_DIR or ~/.orchestra)");
    sub->add_option("--ledger.store", ledger.store,
                    "Where the ledger is kept, as `orchestra miner` takes it: sqlite[:PATH] "
                    "(default <data dir>/ledger.db) or redis://HOST[:PORT][/PREFIX]");
    sub->callback([&ledger, action] { ledger.action = action; });
  };
  CLI::App* ledger_show = ledger_cmd->add_subcommand(
      "show",
      "The ledger as a table (subnet, name, capabilities, latency, reliability, cost, "
      "last_updated), or one subnet's whole entry");
  ledger_show->add_option("subnet", ledger.subnet, "One subnet (e.g. SN22): its whole entry");
  ledger_show->add_flag("--json", ledger.json, "Print JSON (the ledger in our form, or the entry)");
  add_ledger_common(ledger_show, "show");
  CLI::App* ledger_export = ledger_cmd->add_subcommand(
      "export", "Write the ledger as an export signed with the miner's hotkey");
  ledger_export->add_option("file", ledger.file, "The file to write (- for stdout)")->required();
  add_wallet(ledger_export, ledger.wallet, "miner");
  add_ledger_common(ledger_export, "export");
  CLI::App* ledger_import = ledger_cmd->add_subcommand(
      "import",
      "Check a published ledger (signature, content hash, version, signer) and merge its "
      "entries into ours, reporting each: added, updated, unchanged, kept ours, rejected");
  ledger_import->add_option("source", ledger.file, "The export: a file or an http:// URL")
      ->required();
  ledger_import->add_flag("--allow-unsigned", ledger.allow_unsigned,
                          "Accept an unsigned export or a plain ledger file (either form)");
  ledger_import->add_option("--trust", ledger.trusted,
                            "Accept only exports signed by this SS58 hotkey (repeatable; "
                            "default: any signer whose signature verifies)");
  ledger_import->add_flag("--json", ledger.json, "Print the report as JSON");
  add_ledger_common(ledger_import, "import");
  CLI::App* ledger_diff = ledger_cmd->add_subcommand(
      "diff", "What changed from ledger A to ledger B, subnet by subnet and field by field");
  ledger_diff
      ->add_option("from", ledger.from,
                   "A: a ledger file (either form), an export, an http:// URL, or current")
      ->required();
  ledger_diff->add_option("to", ledger.to, "B: the same kinds as A")->required();
  ledger_diff->add_flag("--json", ledger.json, "Print the differences as JSON");
  add_ledger_common(ledger_diff, "diff");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  if ((miner_cmd->parsed() || experts_cmd->parsed() || validator_cmd->parsed()) &&
      log_level_flag->count() == 0) {
    log_level = "info";
  }
  orchestra::SetUpLogging(log_level);
  if (*deadline) run.deadline_ms = deadline_ms;
  if (run_cmd->parsed()) return orchestra::cli::RunCommand(run);
  if (schema_cmd->parsed()) return orchestra::cli::SchemaCommand(schema_flags);
  if (score_cmd->parsed()) return orchestra::cli::ScoreCommand(score);
  if (wallet_cmd->parsed()) return orchestra::cli::WalletCommand(wallet);
  if (miner_cmd->parsed()) return orchestra::cli::MinerCommand(miner);
  if (experts_cmd->parsed()) return orchestra::cli::ExpertsCommand(experts);
  if (validator_cmd->parsed()) return orchestra::cli::ValidatorCommand(validator);
  if (ask_cmd->parsed()) return orchestra::cli::AskCommand(ask);
  if (ledger_cmd->parsed()) return orchestra::cli::LedgerCommand(ledger);
  return 2;
}
