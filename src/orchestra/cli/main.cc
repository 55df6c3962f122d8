// The `orchestra` binary: subcommands are wired here; their logic lives in the modules.
#include <sodium.h>
#include <CLI/CLI.hpp>

#include "orchestra/cli/run_command.h"
#include "orchestra/core/log.h"

int main(int argc, char** argv) {
  if (sodium_init() < 0) return 1;
  CLI::App app{"Orchestra: a Bittensor orchestration subnet (miner, validator, expert simulator)"};
  app.require_subcommand(1);
  std::string log_level = "warn";
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error or off")
      ->capture_default_str();

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

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  orchestra::SetUpLogging(log_level);
  if (*deadline) run.deadline_ms = deadline_ms;
  if (run_cmd->parsed()) return orchestra::cli::RunCommand(run);
  return 2;
}
