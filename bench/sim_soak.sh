#!/usr/bin/env bash
# Memory of the expert-network simulator over a 10-minute soak (bench/sim_load.cc): runs
# sim_load --seconds 600 --sign online (requests signed while running, so nothing is
# pre-allocated) with its receipts kept in a fresh data dir, samples the process's VmRSS every
# 10 s, and prints the series, the growth from minute 1 to minute 10 and the size of
# receipts.db (receipts accumulate there, on disk, up to the store's retention bound of 2.5M,
# about 2 GB; then the oldest are pruned). Extra arguments go to sim_load (e.g. --subnet 22,
# --threads 1).
#
#   bench/sim_soak.sh [build dir, default build] [sim_load arguments...]
# SIM_SOAK_SECONDS (600) and SIM_SOAK_EVERY (10) change the duration and the sampling period;
# SIM_SOAK_KEEP=1 keeps the data dir (it holds receipts.db, up to about 2 GB).
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
  echo "sim_soak.sh: $bench not found; build it with: ninja -C $build sim_load" >&2
  exit 1
fi
seconds="${SIM_SOAK_SECONDS:-600}"
every="${SIM_SOAK_EVERY:-10}"

data="$(mktemp -d "${TMPDIR:-/tmp}/sim_soak.XXXXXX")"
# shellcheck disable=SC2317  # invoked by the trap
cleanup() { [[ "${SIM_SOAK_KEEP:-0}" = 1 ]] || rm -rf "$data"; }
trap cleanup EXIT

echo "sim_soak: $bench --seconds $seconds --sign online --probe 0 --data-dir $data/experts --progress 60 $*"
"$bench" --seconds "$seconds" --sign online --probe 0 --data-dir "$data/experts" --progress 60 "$@" \
  >"$data/sim_load.out" 2>"$data/sim_load.err" &
pid=$!
start="$(date +%s.%N)"

# t (s since start) and VmRSS (KiB), one line per sample.
series="$data/rss.tsv"
: >"$series"
next=0
while kill -0 "$pid" 2>/dev/null; do
  rss="$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)"
  [[ -n "$rss" ]] || break
  printf '%d\t%s\n' "$next" "$rss" >>"$series"
  next=$((next + every))
  # Sleep until the next multiple of `every` since start, so that the samples do not drift.
  wait_for="$(awk -v s="$start" -v n="$next" -v now="$(date +%s.%N)" 'BEGIN { d = s + n - now; print (d > 0 ? d : 0) }')"
  sleep "$wait_for"
done
status=0
wait "$pid" || status=$?

echo
echo "RSS every ${every} s (MiB):"
awk '{ printf "  %4d s  %8.1f\n", $1, $2 / 1024 }' "$series"
awk -v first=60 -v last="$seconds" '
  $1 == first { a = $2 } $1 == last { b = $2 } { max = ($2 > max ? $2 : max); final = $2; t = $1 }
  END {
    if (a == "") { print "no sample at " first " s"; exit }
    if (b == "") { b = final; last = t }
    printf "growth from %d s to %d s: %+.1f MiB (%.1f -> %.1f MiB, %+.2f%%); peak %.1f MiB\n",
      first, last, (b - a) / 1024, a / 1024, b / 1024, 100 * (b - a) / a, max / 1024
  }' "$series"
db="$data/experts/receipts.db"
if [[ -f "$db" ]]; then
  size=0
  for f in "$db" "$db-wal" "$db-shm"; do
    [[ -f "$f" ]] && size=$((size + $(stat -c %s "$f")))
  done
  echo "receipts.db (with -wal, -shm): $(awk -v b="$size" 'BEGIN { printf "%.1f MiB", b / 1048576 }')"
fi
echo
echo "sim_load progress (stderr):"
cat "$data/sim_load.err"
echo
cat "$data/sim_load.out"
exit "$status"
