#!/usr/bin/env python3
"""Measures answer quality over the objective set of data/challenges/ (docs/quality.md).

Modes:
  quality.py                    each objective through `orchestra run --challenge`
  quality.py --miner            each objective through a running miner: starts `orchestra
                                experts` and `orchestra miner` on loopback and asks with
                                `orchestra ask`
  quality.py --worked-example N `orchestra run --example competitive_landscape --seed S` for
                                S = 1..N; counts runs that are schema-valid and complete
Every answer is scored by `orchestra score --challenge FILE RESPONSE --json` (the validator's
scorer) for schema compliance, completeness and relevance; precision, recall, drift and the
expert-call figures are computed here as docs/quality.md defines them.
"""

import argparse
import concurrent.futures
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from quality_match import name_matches, occurs, tokens  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Field names that hold an entity-list item's name, in order of preference.
NAME_FIELDS = ("name", "company", "provider", "title", "tool", "country", "vehicle")
# Capability families: a step's subnet offers one of them (`orchestra experts --list`).
FAMILY_OF_CAPABILITY = {
    "web_search": "search", "news_search": "search", "social_search": "search",
    "web_scraping": "scrape", "structured_extraction": "scrape", "pdf_parsing": "scrape",
    "synthesis": "inference", "text_generation": "inference", "reasoning": "inference",
}


# ---------------------------------------------------------------- answer inspection

def string_leaves(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from string_leaves(v)
    elif isinstance(value, list):
        for v in value:
            yield from string_leaves(v)
    elif value is not None and not isinstance(value, bool):
        yield str(value)


def entity_items(value):
    """Every object that is an element of an array anywhere in `value`."""
    if isinstance(value, dict):
        for v in value.values():
            yield from entity_items(v)
    elif isinstance(value, list):
        for v in value:
            if isinstance(v, dict):
                yield v
            yield from entity_items(v)


def item_name(item):
    for field in NAME_FIELDS:
        if isinstance(item.get(field), str) and item[field].strip():
            return item[field]
    for leaf in string_leaves(item):
        if leaf.strip():
            return leaf
    return ""


def judge_item(item, key):
    """'entity' (names a key entity), 'topic' (on topic by its text) or 'off'."""
    if not key["entities"] and not key["facts"]:
        return "off"  # the corpus knows no such entity: any item is invented or another topic's
    name = item_name(item)
    if any(name_matches(e, name) for e in key["entities"]):
        return "entity"
    text = tokens(" ".join(string_leaves(item)))
    if any(occurs(t, text) for t in key["topic_terms"]) and \
            not any(occurs(t, text) for t in key.get("off_topic_terms", [])):
        return "topic"
    return "off"


def empty(value):
    return value is None or value == "" or value == [] or value == {} or \
        (isinstance(value, str) and not value.strip())


def missing_fields(schema, data, path="$", root=None):
    """Paths of required fields that are absent or empty (an empty string, list or object), for
    the seed shorthand and for JSON Schema (local $refs, anyOf-with-null as optional)."""
    root = schema if root is None else root
    out = []
    if isinstance(schema, dict) and ("$ref" in schema or "type" in schema or
                                     "properties" in schema or "anyOf" in schema or
                                     "enum" in schema):
        if "$ref" in schema:
            target = root
            for part in schema["$ref"].lstrip("#/").split("/"):
                target = target.get(part, {})
            return missing_fields(target, data, path, root)
        if "anyOf" in schema:
            branches = [b for b in schema["anyOf"] if b.get("type") != "null"]
            if data is None or not branches:
                return out
            return missing_fields(branches[0], data, path, root)
        if "properties" in schema and isinstance(data, dict):
            for name, sub in schema["properties"].items():
                required = name in schema.get("required", [])
                if name not in data or empty(data[name]):
                    if required:
                        out.append(f"{path}.{name}")
                    continue
                out += missing_fields(sub, data[name], f"{path}.{name}", root)
        elif schema.get("type") == "array" and isinstance(data, list):
            for i, v in enumerate(data):
                out += missing_fields(schema.get("items", {}), v, f"{path}[{i}]", root)
        return out
    if isinstance(schema, dict):  # shorthand object: every field required
        if not isinstance(data, dict):
            return out
        for name, sub in schema.items():
            if name not in data or empty(data[name]):
                out.append(f"{path}.{name}")
            else:
                out += missing_fields(sub, data[name], f"{path}.{name}", root)
    elif isinstance(schema, list) and schema and isinstance(data, list):
        for i, v in enumerate(data):
            out += missing_fields(schema[0], v, f"{path}[{i}]", root)
    return out


def measure(generated, response, card, families):
    """The figures of one answer (docs/quality.md: Metrics)."""
    key = generated["reference"]["key"]
    data = response.get("standardized_data")
    synthesis = response.get("final_synthesis") or ""
    items = list(entity_items(data))
    verdicts = [judge_item(item, key) for item in items]
    text = " ".join(list(string_leaves(data)) + [synthesis])
    text_tokens = tokens(text)
    found = [e for e in key["entities"] if name_matches(e, text)]
    facts = [f for f in key["facts"] if occurs(f, text_tokens)]
    drift = [t for t in key.get("off_topic_terms", []) if occurs(t, text_tokens)]
    pipeline = response.get("task_pipeline") or []
    needed = {FAMILY_OF_CAPABILITY.get(c, c) for c in generated["reference"].get("capabilities",
                                                                              [])}
    unneeded = [s for s in pipeline if families.get(s.get("subnet")) not in needed]
    # As the scorer counts redundant calls: a successful step repeating an earlier successful
    # call (same subnet, same query).
    seen, repeated = set(), 0
    for s in pipeline:
        if s.get("error"):
            continue
        call = (s.get("subnet"), json.dumps(s.get("query"), sort_keys=True))
        repeated += call in seen
        seen.add(call)
    dims = card.get("dimensions", {}) if card else {}

    def dim(name):
        d = dims.get(name)
        return d["score"] if d and d.get("checked") else None

    missing = missing_fields(generated["challenge"]["target_schema"], data)
    return {
        "items": len(items),
        "on_topic": sum(v != "off" for v in verdicts),
        "precision": (sum(v != "off" for v in verdicts) / len(items)) if items else None,
        "recall": (len(found) / len(key["entities"])) if key["entities"] else None,
        "judged_items": [[item_name(i)[:80], v] for i, v in zip(items, verdicts)],
        "found": found,
        "fact_recall": (len(facts) / len(key["facts"])) if key["facts"] else None,
        "compliance": dim("schema_compliance"),
        "valid": dim("schema_compliance") == 1.0,
        "completeness": dim("completeness"),
        "relevance": dim("relevance"),
        "missing": missing,
        "complete": not missing,
        "drift": drift,
        "calls": len(pipeline),
        "failed_calls": sum(1 for s in pipeline if s.get("error")),
        "unneeded_calls": len(unneeded),
        "repeated_calls": repeated,
        "cost": response.get("total_cost") or 0.0,
        "latency_ms": response.get("total_latency_ms"),
    }


# ---------------------------------------------------------------- running orchestra

class Orchestra:
    def __init__(self, binary, data_dir, latency_scale, seed):
        self.binary, self.data_dir = binary, data_dir
        self.latency_scale, self.seed = latency_scale, seed
        self.tmp = tempfile.mkdtemp(prefix="orchestra-quality-")
        self.procs = []
        self.axon = self.hotkey = self.experts = None

    def close(self):
        for p in self.procs:
            p.terminate()
        for p in self.procs:
            try:
                p.wait(timeout=70)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def _file(self, name, value):
        # A file of its own per call: with --jobs, several runs write theirs at once.
        stem, ext = os.path.splitext(name)
        fd, path = tempfile.mkstemp(prefix=stem + "-", suffix=ext, dir=self.tmp)
        with os.fdopen(fd, "w") as f:
            json.dump(value, f)
        return path

    def families(self):
        out = subprocess.run([self.binary, "experts", "--list", "--json"], capture_output=True,
                             text=True, check=True).stdout
        manifest = json.loads(out)
        families = {}
        for subnet in manifest.get("subnets", manifest if isinstance(manifest, list) else []):
            caps = subnet.get("capabilities", [])
            fam = next((FAMILY_OF_CAPABILITY[c] for c in caps if c in FAMILY_OF_CAPABILITY), None)
            families[f"SN{subnet.get('netuid')}"] = fam
        return families

    def run(self, challenge=None, example=None, seed=None):
        """(response or None, error text, wall seconds) of one `orchestra run`."""
        argv = [self.binary, "run", "--json", "--data-dir", os.path.join(self.data_dir, "run"),
                "--seed", str(seed if seed is not None else self.seed),
                "--latency-scale", str(self.latency_scale)]
        argv += ["--challenge", self._file("challenge.json", challenge)] if challenge else \
            ["--example", example]
        return self._json(argv)

    def start_miner(self):
        experts_dir = os.path.join(self.data_dir, "experts")
        experts = self._spawn([self.binary, "experts", "--data-dir", experts_dir,
                               "--latency-scale", str(self.latency_scale),
                               "--seed", str(self.seed)], "control API on", 900)
        self.experts = re.search(r"127\.0\.0\.1:(\d+)", experts).group(0)
        miner = self._spawn([self.binary, "miner", "--data-dir",
                             os.path.join(self.data_dir, "miner"), "--axon.ip", "127.0.0.1",
                             "--axon.port", "0", "--experts", self.experts], "serving", 120)
        m = re.search(r"hotkey (\w+) serving .* on (127\.0\.0\.1:\d+)", miner)
        self.hotkey, self.axon = m.group(1), m.group(2)

    def _spawn(self, argv, banner, timeout_s):
        log = open(os.path.join(self.tmp, os.path.basename(argv[1]) + ".log"), "w")
        p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=log, text=True)
        self.procs.append(p)
        deadline = time.time() + timeout_s
        while time.time() < deadline:
            line = p.stdout.readline()
            if not line:
                break
            if banner in line:
                return line
        raise RuntimeError(f"{' '.join(argv)}: no '{banner}' line (see {log.name})")

    def ask(self, generated_file):
        argv = [self.binary, "ask", "--json", "--axon", self.axon, "--hotkey", self.hotkey,
                "--challenge", generated_file, "--experts", self.experts,
                "--data-dir", os.path.join(self.data_dir, "ask")]
        out, err, wall = self._json(argv)
        if out is None:
            return None, err, wall
        if out.get("status") != 200 or not out.get("response"):
            return None, f"status {out.get('status')}: {out.get('status_message')}", wall
        return out["response"], "", wall

    def score(self, generated_file, response):
        argv = [self.binary, "score", "--json"]
        if self.hotkey:  # a running miner: its hotkey, and the id `ask` gave the challenge
            with open(generated_file) as f:
                generated = json.load(f)
            generated["challenge"]["challenge_id"] = response.get("challenge_id", "")
            generated_file = self._file("asked.json", generated)
            argv += ["--miner-hotkey", self.hotkey, "--experts", self.experts]
        argv += ["--challenge", generated_file, self._file("response.json", response)]
        card, err, _ = self._json(argv)
        return card

    def _json(self, argv):
        start = time.time()
        p = subprocess.run(argv, capture_output=True, text=True)
        wall = time.time() - start
        try:
            return json.loads(p.stdout), "", wall
        except ValueError:
            last = (p.stderr.strip().splitlines() or ["no output"])[-1]
            return None, f"exit {p.returncode}: {last}", wall


# ---------------------------------------------------------------- reports

def fmt(value, digits=2):
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def mean(values):
    values = [v for v in values if v is not None]
    return statistics.mean(values) if values else None


COLUMNS = [("objective", "objective"), ("domain", "domain"), ("items", "items"),
           ("prec", "precision"), ("recall", "recall"), ("facts", "fact_recall"),
           ("valid", "valid"),
           ("compl", "compliance"), ("complete", "completeness"), ("relev", "relevance"),
           ("drift", "drift"), ("calls", "calls"), ("unneeded", "unneeded_calls"),
           ("repeat", "repeated_calls"),
           ("cost", "cost"), ("ms", "latency_ms")]


def row_cells(row):
    if row.get("error"):
        return [row["objective"], row["domain"], "error: " + row["error"]] + \
            [""] * (len(COLUMNS) - 3)
    cells = []
    for _, field in COLUMNS:
        v = row.get(field)
        if field == "drift":
            v = ", ".join(v) if v else "none"
        elif field == "cost":
            v = f"{v:.4f}"
        cells.append(fmt(v))
    return cells


def summary(rows):
    ok = [r for r in rows if not r.get("error")]
    return {
        "objectives": len(rows),
        "answered": len(ok),
        "mean_precision": mean(r["precision"] for r in ok),
        "objectives_with_items": sum(1 for r in ok if r["precision"] is not None),
        "mean_recall": mean(r["recall"] for r in ok),
        "mean_fact_recall": mean(r["fact_recall"] for r in ok),
        "schema_valid": sum(1 for r in ok if r["valid"]),
        "mean_compliance": mean(r["compliance"] for r in ok),
        "mean_completeness": mean(r["completeness"] for r in ok),
        "mean_relevance": mean(r["relevance"] for r in ok),
        "answers_with_drift": sum(1 for r in ok if r["drift"]),
        "answers_with_unneeded_calls": sum(1 for r in ok
                                           if r["unneeded_calls"] or r["repeated_calls"]),
        "mean_calls": mean(r["calls"] for r in ok),
        "total_cost": sum(r["cost"] for r in ok),
        "mean_latency_ms": mean(r["latency_ms"] for r in ok),
    }


def print_set(rows, s, markdown, title):
    headers = [h for h, _ in COLUMNS]
    table = [row_cells(r) for r in rows]
    if markdown:
        print(f"### {title}\n")
        print("| " + " | ".join(headers) + " |")
        print("|" + "|".join("---" for _ in headers) + "|")
        for cells in table:
            print("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
        print()
    else:
        print(title)
        widths = [max(len(h), *(len(c) for c in col)) for h, col in
                  zip(headers, zip(*table))] if table else [len(h) for h in headers]
        widths = [min(w, 40) for w in widths]
        print("  ".join(h.ljust(w) for h, w in zip(headers, widths)))
        for cells in table:
            print("  ".join(c[:40].ljust(w) for c, w in zip(cells, widths)))
        print()
    lines = [
        f"mean precision of entities: {fmt(s['mean_precision'])} over "
        f"{s['objectives_with_items']} answers with entity items (target >= 0.90)",
        f"mean recall of key entities: {fmt(s['mean_recall'])}; of key facts: "
        f"{fmt(s['mean_fact_recall'])}",
        f"schema-valid answers: {s['schema_valid']} of {s['objectives']}; mean compliance "
        f"{fmt(s['mean_compliance'])}, completeness {fmt(s['mean_completeness'])}, relevance "
        f"{fmt(s['mean_relevance'])} (validator's scorer)",
        f"answers carrying another topic's text: {s['answers_with_drift']} of "
        f"{s['answered']} (target 0)",
        f"answers with expert calls the schema does not need (unneeded or repeated): "
        f"{s['answers_with_unneeded_calls']} (target 0); mean calls {fmt(s['mean_calls'], 1)}, "
        f"spend {s['total_cost']:.4f} TAO, mean latency {fmt(s['mean_latency_ms'], 0)} ms",
    ]
    if s["answered"] < s["objectives"]:
        lines.append(f"errors: {s['objectives'] - s['answered']} objectives got no answer")
    for line in lines:
        print(("- " if markdown else "") + line)
    print()


# ---------------------------------------------------------------- modes

def load_set(directory, only):
    files = sorted(f for f in os.listdir(directory) if f.endswith(".json"))
    if only:
        unknown = sorted(set(only) - {f[:-5] for f in files})
        if unknown:
            sys.exit(f"quality.py: no objective {', '.join(unknown)} in {directory}")
        files = [f for f in files if f[:-5] in only]
    out = []
    for f in files:
        with open(os.path.join(directory, f)) as fh:
            out.append((f[:-5], os.path.join(directory, f), json.load(fh)))
    return out


def run_set(orch, challenges, use_miner, verbose, answers_dir=None, jobs=1):
    families = orch.families()
    if use_miner:
        orch.start_miner()

    def one(entry):
        slug, path, generated = entry
        row = {"objective": slug, "domain": generated["reference"].get("domain", "")}
        if use_miner:
            response, err, wall = orch.ask(path)
        else:
            response, err, wall = orch.run(challenge=generated["challenge"])
        if response is None:
            row["error"] = err
        else:
            card = orch.score(path, response)
            row.update(measure(generated, response, card, families))
            if answers_dir:
                os.makedirs(answers_dir, exist_ok=True)
                with open(os.path.join(answers_dir, slug + ".json"), "w") as f:
                    json.dump({"response": response, "score": card}, f, indent=2)
            row["wall_s"] = wall
        if verbose:
            print(f"{slug}: {json.dumps(row)}", file=sys.stderr)
        return row

    # One miner answers one ask at a time here, so that its latencies stay comparable.
    workers = 1 if use_miner else max(1, jobs)
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(one, challenges))


def worked_example(orch, runs, use_miner, markdown, verbose, jobs=1):
    with open(os.path.join(ROOT, "data", "examples", "competitive_landscape.json")) as f:
        challenge = json.load(f)
    generated = {"challenge": challenge, "reference": {}}
    path = orch._file("worked_example.json", generated)
    if use_miner:
        orch.start_miner()

    def one(seed):
        if use_miner:  # one experts process: its faults follow each UID's call count
            response, err, _ = orch.ask(path)
        else:
            response, err, _ = orch.run(example="competitive_landscape", seed=seed)
        if response is None:
            return seed, None, f"error: {err}", []
        card = orch.score(path, response)
        dims = card.get("dimensions", {}) if card else {}
        valid = dims.get("schema_compliance", {}).get("score") == 1.0
        missing = missing_fields(challenge["target_schema"], response.get("standardized_data"))
        if valid and not missing:
            return seed, valid, None, missing
        parts = [] if valid else ["schema-invalid"]
        if missing:
            parts.append("empty or missing " + re.sub(r"\[\d+\]", "[]", missing[0]))
        return seed, valid, ", ".join(parts), missing

    good, failures = 0, {}
    workers = 1 if use_miner else max(1, jobs)
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        for seed, valid, why, missing in pool.map(one, range(1, runs + 1)):
            if why is None:
                good += 1
            else:
                failures[why] = failures.get(why, 0) + 1
            if verbose:
                print(f"seed {seed}: valid={valid} missing={missing[:3]}", file=sys.stderr)
    share = good / runs if runs else 0.0
    prefix = "- " if markdown else ""
    how = f"{runs} asks of a running miner, experts seed {orch.seed}" if use_miner else \
        f"`orchestra run` seeds 1..{runs}"
    print(f"{prefix}worked example (competitive_landscape, {how}, latency scale "
          f"{orch.latency_scale}, default faults): {good} of {runs} runs schema-valid and "
          f"complete ({share:.0%}; target >= 95%)")
    for why, n in sorted(failures.items(), key=lambda kv: -kv[1]):
        print(f"  {prefix}{n} x {why}")
    return good, runs


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--orchestra", default=os.path.join(ROOT, "build", "orchestra"))
    ap.add_argument("--challenges", default=os.path.join(ROOT, "data", "challenges"))
    ap.add_argument("--only", nargs="*", help="objective names (file names without .json)")
    ap.add_argument("--miner", action="store_true", help="ask a running miner, not `run`")
    ap.add_argument("--worked-example", type=int, metavar="N", default=0)
    ap.add_argument("--latency-scale", type=float, default=None,
                    help="simulated latency scale (default 1 for the set, 0 for the worked "
                         "example; faults are drawn the same at any scale)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--data-dir", help="data directory (default: a fresh temporary one; the "
                                       "Debian corpus index is built there once)")
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--json", metavar="FILE", help="also write every row and the summary here")
    ap.add_argument("--answers", metavar="DIR",
                    help="write each answer and its score card to DIR/<objective>.json")
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--jobs", type=int, default=1,
                    help="objectives answered at once through `run` (latencies then include "
                         "the machine's contention; default 1)")
    args = ap.parse_args()

    scale = args.latency_scale
    if scale is None:
        scale = 0.0 if args.worked_example else 1.0
    data_dir = args.data_dir or tempfile.mkdtemp(prefix="orchestra-quality-data-")
    orch = Orchestra(args.orchestra, data_dir, scale, args.seed)
    try:
        if args.worked_example:
            good, runs = worked_example(orch, args.worked_example, args.miner, args.markdown,
                                        args.verbose, args.jobs)
            if args.json:
                with open(args.json, "w") as f:
                    json.dump({"worked_example": {"good": good, "runs": runs}}, f, indent=2)
            return 0
        rows = run_set(orch, load_set(args.challenges, args.only), args.miner, args.verbose,
                       args.answers, args.jobs)
        s = summary(rows)
        mode = "a running miner (`orchestra ask`)" if args.miner else "`orchestra run`"
        print_set(rows, s, args.markdown,
                  f"{len(rows)} objectives through {mode}, latency scale {scale}, seed "
                  f"{args.seed}")
        if args.json:
            with open(args.json, "w") as f:
                json.dump({"rows": rows, "summary": s}, f, indent=2)
        return 0
    finally:
        orch.close()
        if not args.data_dir:
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
