#!/usr/bin/env bash
# Parse + validate throughput of our schema engine next to Pydantic v2
# (TypeAdapter(model).validate_json) and jsonschema (Draft202012Validator, json.loads + validate)
# on the same bytes, measured in the same run: documents/s and MB/s per size (about 1 KB, 10 KB,
# 1 MB) and the ratios ours/pydantic, ours/jsonschema; then our validate-only figures,
# allocations per validation, and parse + standardize of the dirty variant. All sides count per
# second of CPU time and run pinned to one core.
#
#   bench/schema_vs_python.sh [build dir, default build] [seconds per measurement, default 2]
# Needs: the schema_bench target built (ninja -C <build dir> schema_bench), python3 with
# pydantic 2 and jsonschema 4.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-build}"
[[ "$build" = /* ]] || build="$root/$build"
seconds="${2:-2}"
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

"${pin[@]}" "$bench" --benchmark_filter='BM_Schema(Validate|ParseValidate|ParseStandardize)/' \
  --benchmark_min_time="$seconds" --benchmark_format=json > "$docs/cpp.json" 2> /dev/null
"${pin[@]}" python3 "$root/bench/schema_vs_python.py" --docs "$docs" --cpp-json "$docs/cpp.json" \
  --seconds "$seconds"
