#!/usr/bin/env bash
# Parse + validate throughput of our schema engine next to Pydantic v2
# (TypeAdapter(model).validate_json) and jsonschema (Draft202012Validator, json.loads + validate)
# on the same bytes, measured in the same run: documents/s and MB/s per size (about 1 KB, 10 KB,
# 1 MB) and the ratios ours/pydantic, ours/jsonschema; then our validate-only figures,
# allocations per validation, and parse + standardize of the dirty variant. All sides count per
# second of CPU time, run pinned to one core, and alternate over several rounds.
#
#   bench/schema_vs_python.sh [build dir, default build] [seconds per measurement, default 2]
#                             [rounds, default 3]
# Needs: the schema_bench target built (ninja -C <build dir> schema_bench), python3 with
# pydantic 2 and jsonschema 4.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-build}"
[[ "$build" = /* ]] || build="$root/$build"
seconds="${2:-2}"
rounds="${3:-3}"
bench="$build/bench/schema_bench"

if [[ ! -x "$bench" ]]; then
  echo "schema_vs_python: $bench not found; build it with: ninja -C $build schema_bench" >&2
  exit 1
fi
if ! python3 -c 'import pydantic, jsonschema' 2> /dev/null; then
  echo "schema_vs_python: needs python3 with pydantic and jsonschema" >&2
  exit 1
fi

docs="$(mktemp -d)"
trap 'rm -rf "$docs"' EXIT
"$bench" --write_docs="$docs"

# One core for every side, when taskset is available.
pin=()
if command -v taskset > /dev/null; then pin=(taskset -c 0); fi

# The two sides alternate, round after round, so that a change in the host's speed (these
# machines are shared) falls on both; each ratio is taken within one round.
cpp=() python=()
for round in $(seq "$rounds"); do
  "${pin[@]}" "$bench" --benchmark_filter='BM_Schema(Validate|ParseValidate|ParseStandardize)/' \
    --benchmark_min_time="$seconds" --benchmark_format=json > "$docs/cpp_$round.json" 2> /dev/null
  "${pin[@]}" python3 "$root/bench/schema_vs_python.py" measure --docs "$docs" \
    --out "$docs/python_$round.json" --seconds "$seconds"
  cpp+=("$docs/cpp_$round.json")
  python+=("$docs/python_$round.json")
  echo "schema_vs_python: round $round of $rounds done" >&2
done
python3 "$root/bench/schema_vs_python.py" report --docs "$docs" --cpp "${cpp[@]}" \
  --python "${python[@]}"
