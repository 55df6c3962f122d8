#!/usr/bin/env bash
# Axon throughput with signed requests at 1 and then 2 server threads (bench/axon_load.cc), each
# next to its plain-echo baseline. Extra arguments go to every run (e.g. --json, --seconds 20).
#
#   bench/axon_load.sh [build dir, default build] [axon_load arguments...]
# Needs the axon_load target built (ninja -C <build dir> axon_load). Exits non-zero when a run's
# honesty checks fail (its figures do not count then).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="build"
if [[ $# -gt 0 && "$1" != -* ]]; then
  build="$1"
  shift
fi
[[ "$build" = /* ]] || build="$root/$build"
bench="$build/bench/axon_load"

if [[ ! -x "$bench" ]]; then
  echo "axon_load.sh: $bench not found; build it with: ninja -C $build axon_load" >&2
  exit 1
fi

status=0
for threads in 1 2; do
  "$bench" --connections 64 --seconds 10 --server-threads "$threads" "$@" || status=1
  echo
done
exit "$status"
