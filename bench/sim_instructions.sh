#!/usr/bin/env bash
# User-space instructions per expert call of the simulator, counted by callgrind: deterministic
# where CPU time on this shared host swings by a third between runs minutes apart. Runs
# `sim_load --serve-only --planted` under valgrind twice (short and long, driven by a native
# `sim_load --client-only`) and prints the slope: (instructions long - short) / (calls long -
# short), which cancels start-up. Kernel time (TCP, syscalls) is not counted.
#
#   bench/sim_instructions.sh [build dir, default build] [short seconds, 3] [long seconds, 12]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-build}"
[[ "$build" = /* ]] || build="$root/$build"
short="${2:-3}"
long="${3:-12}"
bench="$build/bench/sim_load"
command -v valgrind >/dev/null || { echo "sim_instructions.sh: valgrind not found" >&2; exit 1; }
[[ -x "$bench" ]] || { echo "sim_instructions.sh: $bench not found" >&2; exit 1; }

work="$(mktemp -d "${TMPDIR:-/tmp}/sim_instructions.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# Prints "<calls> <instructions>" for one run of `seconds` measured seconds.
run() {
  local seconds="$1" out="$work/serve.$1" port=""
  valgrind --tool=callgrind --callgrind-out-file="$work/cg.$1" --dump-instr=no \
    "$bench" --serve-only --planted --port 0 >"$out" 2>/dev/null &
  local server=$!
  for _ in $(seq 1 600); do
    port="$(sed -n 's/^sim_load: serving, control port \([0-9]*\)$/\1/p' "$out")"
    [[ -n "$port" ]] && break
    kill -0 "$server" 2>/dev/null || break
    sleep 0.2
  done
  if [[ -z "$port" ]]; then
    echo "sim_instructions.sh: the simulator did not start under valgrind" >&2
    kill "$server" 2>/dev/null || true
    return 1
  fi
  # A low pre-signing rate: under valgrind the simulator serves a few hundred calls/s.
  "$bench" --client-only --planted --port "$port" --seconds "$seconds" --warmup 0.5 \
    --max-rate 3000 --probe 0 >/dev/null 2>&1 || true
  kill -INT "$server"
  wait "$server" || true
  local calls instructions
  calls="$(sed -n 's/^sim_load serve-only: \([0-9]*\) calls.*/\1/p' "$out")"
  instructions="$(sed -n 's/^summary: //p' "$work/cg.$1")"
  echo "$calls $instructions"
}

read -r calls_short ir_short < <(run "$short")
read -r calls_long ir_long < <(run "$long")
echo "short run: $calls_short calls, $ir_short instructions"
echo "long run:  $calls_long calls, $ir_long instructions"
awk -v a="$calls_short" -v b="$calls_long" -v x="$ir_short" -v y="$ir_long" \
  'BEGIN { if (b <= a) { print "sim_instructions.sh: the long run served no more calls" > "/dev/stderr"; exit 1 }
           printf "simulator user instructions per call: %.1fk\n", (y - x) / (b - a) / 1000 }'
