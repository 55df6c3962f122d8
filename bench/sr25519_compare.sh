#!/usr/bin/env bash
# sr25519 sign/verify per second on one core: our C++ (bench/sr25519_bench.cc; signing on
# libsodium's ristretto255, verification on crypto/ristretto.h) next to @scure/sr25519 and
# schnorrkel-in-wasm on node, measured in the same run, with the ratio C++ / @scure/sr25519.
# Both sides count operations per second of CPU time (Google Benchmark's items_per_second;
# process.cpuUsage() on node), pinned to one core.
#
#   bench/sr25519_compare.sh [build dir, default build] [seconds per measurement, default 2]
# Needs: the sr25519_bench target built (ninja -C <build dir> sr25519_bench), node, and
# tests/interop/node_modules (scripts/setup installs it).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-build}"
[[ "$build" = /* ]] || build="$root/$build"
seconds="${2:-2}"
bench="$build/bench/sr25519_bench"

if [[ ! -x "$bench" ]]; then
  echo "sr25519_compare: $bench not found; build it with: ninja -C $build sr25519_bench" >&2
  exit 1
fi
if ! command -v node > /dev/null || [[ ! -d "$root/tests/interop/node_modules/@scure/sr25519" ]]; then
  echo "sr25519_compare: needs node and tests/interop/node_modules (run scripts/setup)" >&2
  exit 1
fi

# One core for both sides, when taskset is available.
pin=()
if command -v taskset > /dev/null; then pin=(taskset -c 0); fi

cpp_json="$("${pin[@]}" "$bench" --benchmark_filter='BM_Sr25519(Sign|Verify|VerifyUncachedKeys)$' \
  --benchmark_min_time="$seconds" --benchmark_format=json 2> /dev/null)"
js_json="$("${pin[@]}" node "$root/bench/sr25519_scure_bench.mjs" "$seconds")"

CPP_JSON="$cpp_json" JS_JSON="$js_json" python3 - <<'PY'
import json, os
cpp = {b["name"]: b["items_per_second"] for b in json.loads(os.environ["CPP_JSON"])["benchmarks"]}
js = json.loads(os.environ["JS_JSON"])
rows = [
    ("sign/s", cpp["BM_Sr25519Sign"], js["scure"]["sign_per_s"], js["schnorrkel_wasm"]["sign_per_s"]),
    ("verify/s", cpp["BM_Sr25519Verify"], js["scure"]["verify_per_s"], js["schnorrkel_wasm"]["verify_per_s"]),
    # The C++ verifier keeps tables for keys that come back (crypto/key_table_cache.h); this
    # row is the cost for a key it has no table for.
    ("verify/s, key without table", cpp["BM_Sr25519VerifyUncachedKeys"], js["scure"]["verify_per_s"],
     js["schnorrkel_wasm"]["verify_per_s"]),
]
print(f"{'':30}{'C++':>18}{'@scure/sr25519':>17}{'schnorrkel wasm':>18}{'C++/scure':>11}")
for name, ours, scure, wasm in rows:
    print(f"{name:30}{ours:18,.0f}{scure:17,.0f}{wasm:18,.0f}{ours / scure:10.1f}x")
PY
