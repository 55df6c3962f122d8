#!/usr/bin/env python3
"""Validates the schema benchmark's documents with Pydantic v2 and jsonschema, and reports them
next to the C++ figures measured in the same run, alternately (bench/schema_vs_python.sh).

    schema_vs_python.py measure --docs DIR --out FILE [--seconds S]
    schema_vs_python.py report --docs DIR --cpp FILE... --python FILE...

DIR is what `schema_bench --write_docs=DIR` wrote (schema.json, manifest.json, the documents).
`measure` writes one round of Python figures; `report` takes the rounds of both sides
(`schema_bench --benchmark_format=json` output for C++), in the order they ran, and prints each
figure as the median over the rounds and each ratio as its median and range, a ratio being
taken within one round (C++ then Python, back to back). Every side reads the same bytes:
Pydantic as TypeAdapter(Landscape).validate_json(bytes), jsonschema as
Draft202012Validator(schema).validate(json.loads(bytes)). Rates are per second of CPU time
(time.process_time here, Google Benchmark's CPU time there); MB are 10^6 bytes.
"""
import argparse
import json
import pathlib
import statistics
import sys
import time
from datetime import date, datetime
from typing import Literal, Optional

import jsonschema
from pydantic import BaseModel, Field, TypeAdapter


class Source(BaseModel):
    title: str
    url: str
    snippet: str
    published_date: Optional[date] = None
    relevance: float = Field(ge=0, le=1)


class PricePlan(BaseModel):
    plan: str
    price_usd: float = Field(ge=0)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    billing: Literal["hourly", "monthly", "yearly", "per_request"]


class Competitor(BaseModel):
    name: str = Field(min_length=1)
    description: str
    website: str
    founded: Optional[date] = None
    employees: Optional[int] = None
    funding_usd: Optional[float] = None
    market_share: float = Field(ge=0, le=100)
    strengths: list[str]
    weaknesses: list[str]
    pricing: list[PricePlan]
    sources: list[Source]


class MarketGap(BaseModel):
    gap: str
    opportunity: str
    difficulty: Literal["low", "medium", "high"]


class Landscape(BaseModel):
    query: str
    generated_at: datetime
    total_found: int = Field(ge=0)
    competitors: list[Competitor]
    market_gaps: list[MarketGap]
    recommendation: str


def rate(fn, data, seconds):
    """Calls per CPU second, from one batch of calls that takes at least `seconds`."""
    fn(data)  # warm-up (and the first call's one-time costs)
    batch = 1
    while True:
        start = time.process_time()
        for _ in range(batch):
            fn(data)
        elapsed = time.process_time() - start
        if elapsed >= seconds:
            return batch / elapsed
        if elapsed < 0.05:
            batch *= 10
        else:  # a reliable estimate: size the next batch to take `seconds`
            batch = max(batch + 1, int(batch * seconds / elapsed * 1.05))


def load_models(docs):
    schema = json.loads((docs / "schema.json").read_bytes())
    adapter = TypeAdapter(Landscape)
    if adapter.json_schema() != schema:
        sys.exit("schema_vs_python: bench/schema_documents.cc's schema is not the model's "
                 "TypeAdapter(Landscape).json_schema() any more; regenerate it")
    return adapter, jsonschema.Draft202012Validator(schema)


def measure(args):
    adapter, validator = load_models(args.docs)
    manifest = json.loads((args.docs / "manifest.json").read_bytes())
    rates = []
    for entry in manifest:
        data = (args.docs / entry["clean"]).read_bytes()
        adapter.validate_json(data)  # both reference validators must accept every document
        validator.validate(json.loads(data))
        rates.append({
            "pydantic": rate(adapter.validate_json, data, args.seconds),
            "jsonschema": rate(lambda b: validator.validate(json.loads(b)), data, args.seconds),
        })
    args.out.write_text(json.dumps(rates))


def median(values):
    return statistics.median(values)


def report(args):
    if len(args.cpp) != len(args.python):
        sys.exit("schema_vs_python: give as many --cpp rounds as --python rounds")
    manifest = json.loads((args.docs / "manifest.json").read_bytes())
    cpp_rounds = [{b["name"]: b for b in json.loads(f.read_bytes())["benchmarks"]}
                  for f in args.cpp]
    py_rounds = [json.loads(f.read_bytes()) for f in args.python]
    rounds = len(cpp_rounds)

    def spread(ratios, digits):
        return (f"{median(ratios):.{digits}f}x ({min(ratios):.{digits}f}-"
                f"{max(ratios):.{digits}f})")

    print(f"parse + validate, documents/s per CPU second (one core), median of {rounds} "
          f"alternating rounds; ratios taken within a round, median (range):")
    print(f"{'size':>6}{'bytes':>11}{'ours doc/s':>12}{'MB/s':>8}{'pydantic':>11}{'MB/s':>8}"
          f"{'jsonschema':>12}{'ours/pydantic':>22}{'ours/jsonschema':>20}")
    for index, entry in enumerate(manifest):
        size = (args.docs / entry["clean"]).stat().st_size
        ours = [c[f"BM_SchemaParseValidate/{index}"]["items_per_second"] for c in cpp_rounds]
        pyd = [p[index]["pydantic"] for p in py_rounds]
        js = [p[index]["jsonschema"] for p in py_rounds]
        print(f"{entry['label']:>6}{size:>11,}{median(ours):>12,.0f}"
              f"{median(ours) * size / 1e6:>8.1f}{median(pyd):>11,.1f}"
              f"{median(pyd) * size / 1e6:>8.1f}{median(js):>12,.2f}"
              f"{spread([o / p for o, p in zip(ours, pyd)], 2):>22}"
              f"{spread([o / j for o, j in zip(ours, js)], 0):>20}")
    print()
    print("ours, validate only (document parsed beforehand), parse + standardize of the dirty "
          "variant, and heap allocations per document (first round):")
    print(f"{'size':>6}{'validate doc/s':>16}{'allocs':>8}{'parse+validate allocs':>23}"
          f"{'standardize doc/s':>19}{'allocs':>8}")
    first = cpp_rounds[0]
    for index, entry in enumerate(manifest):
        v = first[f"BM_SchemaValidate/{index}"]
        pv = first[f"BM_SchemaParseValidate/{index}"]
        st = first[f"BM_SchemaParseStandardize/{index}"]
        print(f"{entry['label']:>6}{v['items_per_second']:>16,.0f}{v['allocs_per_doc']:>8,.0f}"
              f"{pv['allocs_per_doc']:>23,.0f}{st['items_per_second']:>19,.0f}"
              f"{st['allocs_per_doc']:>8,.0f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    m = commands.add_parser("measure")
    m.add_argument("--docs", required=True, type=pathlib.Path)
    m.add_argument("--out", required=True, type=pathlib.Path)
    m.add_argument("--seconds", type=float, default=2.0)
    r = commands.add_parser("report")
    r.add_argument("--docs", required=True, type=pathlib.Path)
    r.add_argument("--cpp", required=True, type=pathlib.Path, nargs="+")
    r.add_argument("--python", required=True, type=pathlib.Path, nargs="+")
    args = parser.parse_args()
    if args.command == "measure":
        measure(args)
    else:
        report(args)


if __name__ == "__main__":
    main()
