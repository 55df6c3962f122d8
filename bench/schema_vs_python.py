#!/usr/bin/env python3
"""Validates the schema benchmark's documents with Pydantic v2 and jsonschema, and prints them
next to the C++ figures of the same run (bench/schema_vs_python.sh runs both).

    schema_vs_python.py --docs DIR --cpp-json FILE [--seconds S]

DIR is what `schema_bench --write_docs=DIR` wrote (schema.json, manifest.json, the documents);
FILE is `schema_bench --benchmark_format=json` output. Every side reads the same bytes:
Pydantic as TypeAdapter(Landscape).validate_json(bytes), jsonschema as
Draft202012Validator(schema).validate(json.loads(bytes)). Rates are per second of CPU time
(time.process_time here, Google Benchmark's CPU time there); MB are 10^6 bytes.
"""
import argparse
import json
import pathlib
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", required=True, type=pathlib.Path)
    parser.add_argument("--cpp-json", required=True, type=pathlib.Path)
    parser.add_argument("--seconds", type=float, default=2.0)
    args = parser.parse_args()

    schema = json.loads((args.docs / "schema.json").read_bytes())
    adapter = TypeAdapter(Landscape)
    if adapter.json_schema() != schema:
        sys.exit("schema_vs_python: bench/schema_documents.cc's schema is not the model's "
                 "TypeAdapter(Landscape).json_schema() any more; regenerate it")
    validator = jsonschema.Draft202012Validator(schema)
    manifest = json.loads((args.docs / "manifest.json").read_bytes())

    cpp = {b["name"]: b for b in json.loads(args.cpp_json.read_bytes())["benchmarks"]}

    rows = []
    for index, entry in enumerate(manifest):
        data = (args.docs / entry["clean"]).read_bytes()
        adapter.validate_json(data)  # both reference validators must accept every document
        validator.validate(json.loads(data))
        ours = cpp[f"BM_SchemaParseValidate/{index}"]
        rows.append({
            "label": entry["label"],
            "bytes": len(data),
            "ours": ours["items_per_second"],
            "ours_allocs": ours["allocs_per_doc"],
            "validate_only": cpp[f"BM_SchemaValidate/{index}"]["items_per_second"],
            "validate_allocs": cpp[f"BM_SchemaValidate/{index}"]["allocs_per_doc"],
            "pydantic": rate(adapter.validate_json, data, args.seconds),
            "jsonschema": rate(lambda b: validator.validate(json.loads(b)), data, args.seconds),
        })

    mb = lambda row, key: row[key] * row["bytes"] / 1e6
    print("parse + validate, documents/s and MB/s per CPU second (one core):")
    print(f"{'size':>6}{'bytes':>9}{'ours doc/s':>12}{'MB/s':>8}{'pydantic':>11}{'MB/s':>8}"
          f"{'jsonschema':>12}{'MB/s':>8}{'ours/pyd':>10}{'ours/js':>10}")
    for r in rows:
        print(f"{r['label']:>6}{r['bytes']:>9,}{r['ours']:>12,.0f}{mb(r, 'ours'):>8.1f}"
              f"{r['pydantic']:>11,.1f}{mb(r, 'pydantic'):>8.1f}{r['jsonschema']:>12,.2f}"
              f"{mb(r, 'jsonschema'):>8.2f}{r['ours'] / r['pydantic']:>9.2f}x"
              f"{r['ours'] / r['jsonschema']:>9.0f}x")
    print()
    print("ours, validate only (document parsed beforehand) and heap allocations per document:")
    print(f"{'size':>6}{'validate doc/s':>16}{'MB/s':>8}{'allocs/validation':>19}"
          f"{'allocs/(parse+validate)':>25}")
    for r in rows:
        print(f"{r['label']:>6}{r['validate_only']:>16,.0f}{mb(r, 'validate_only'):>8.1f}"
              f"{r['validate_allocs']:>19,.0f}{r['ours_allocs']:>25,.0f}")
    print()
    print("ours, parse + standardize of the dirty variant:")
    print(f"{'size':>6}{'bytes':>9}{'doc/s':>10}{'MB/s':>8}{'allocs/doc':>12}")
    for index, entry in enumerate(manifest):
        b = cpp[f"BM_SchemaParseStandardize/{index}"]
        size = (args.docs / entry["dirty"]).stat().st_size
        print(f"{entry['label']:>6}{size:>9,}{b['items_per_second']:>10,.0f}"
              f"{b['items_per_second'] * size / 1e6:>8.1f}{b['allocs_per_doc']:>12,.0f}")


if __name__ == "__main__":
    main()
