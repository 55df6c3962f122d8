#!/usr/bin/env bash
# The expert-network simulator's throughput with signed synapse requests (bench/sim_load.cc):
# every synapse subnet, SN22 (FTS5 search) alone, SN13 (scrape) alone, planted answers (no
# engine: the simulator's own cost), then the simulator and the load generator in separate
# processes (sim_load --serve-only + --client-only) so that the simulator has its threads to
# itself. Extra arguments go to every run (e.g. --json, --seconds 8, --threads 1; runs much
# longer than 10 s need a lower --max-rate or --sign online, see sim_load.cc).
#
#   bench/sim_load.sh [build dir, default build] [sim_load arguments...]
# Needs the sim_load target built (ninja -C <build dir> sim_load). Exits non-zero when a run's
# honesty checks fail (its figures do not count then).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="build"
if [[ $# -gt 0 && "$1" != -* ]]; then
  build="$1"
  shift
fi
[[ "$build" = /* ]] || build="$root/$build"
bench="$build/bench/sim_load"
if [[ ! -x "$bench" ]]; then
  echo "sim_load.sh: $bench not found; build it with: ninja -C $build sim_load" >&2
  exit 1
fi

status=0
run() {
  echo "== sim_load $*"
  "$bench" "$@" || status=1
  echo
}
run "$@"
run --subnet 22 "$@"
run --subnet 13 "$@"
run --planted "$@"

# Separate processes: the simulator prints its control port, the generator finds the UIDs
# through it; SIGINT makes the simulator print its own counters and CPU per call.
echo "== sim_load --serve-only $* | sim_load --client-only $*"
server_out="$(mktemp)"
"$bench" --serve-only "$@" >"$server_out" &
server=$!
port=""
for _ in $(seq 1 300); do
  port="$(sed -n 's/^sim_load: serving, control port \([0-9]*\)$/\1/p' "$server_out")"
  [[ -n "$port" ]] && break
  kill -0 "$server" 2>/dev/null || break
  sleep 0.1
done
if [[ -z "$port" ]]; then
  echo "sim_load.sh: the simulator did not start" >&2
  kill "$server" 2>/dev/null || true
  cat "$server_out" >&2
  rm -f "$server_out"
  exit 1
fi
"$bench" --client-only --port "$port" "$@" || status=1
kill -INT "$server"
wait "$server" || status=1
grep -v '^sim_load: serving' "$server_out" || true
rm -f "$server_out"
exit "$status"
