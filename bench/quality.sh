#!/usr/bin/env bash
# Answer quality over the objective set of data/challenges/ (docs/quality.md): runs every
# objective through `orchestra run` (or, with --miner, through `orchestra experts` + `orchestra
# miner` on loopback and `orchestra ask`), scores each answer with `orchestra score`, and prints
# per objective and overall: precision and recall of entities, schema validity, completeness,
# another topic's text, expert calls, spend and latency. --worked-example N instead runs the
# competitive_landscape example for seeds 1..N and counts the schema-valid and complete runs.
#
#   bench/quality.sh [--miner] [--worked-example N] [--markdown] [--only NAME...]
#                    [--latency-scale X] [--seed S] [--data-dir DIR] [--json FILE]
# ORCHESTRA_BIN names the binary (default build/orchestra, built with scripts/build if absent).
# The Debian corpus index is built in the data dir on first use: pass --data-dir to keep it.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${ORCHESTRA_BIN:-$root/build/orchestra}"
if [[ ! -x "$bin" ]]; then
  if [[ -n "${ORCHESTRA_BIN:-}" ]]; then
    echo "quality.sh: ORCHESTRA_BIN=$bin is not an executable" >&2
    exit 1
  fi
  "$root/scripts/build" orchestra >&2
fi
exec python3 "$root/bench/quality.py" --orchestra "$bin" "$@"
