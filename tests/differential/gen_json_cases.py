#!/usr/bin/env python3
"""Writes the reference cases of core's JSON tests (src/orchestra/core/json_reference_test.cc),
computed by Python's own json module, into the directory given as the first argument; a
second argument, "doubles" or "documents", writes only those files:

  doubles.json            json.dumps of 1,000,000 seeded doubles (repr form): half
                          random.random() values, half random finite bit patterns
  doubles_bits.txt        the 64 bits of each of those doubles, 16 hex digits a line
  doubles_canonical.json  the same list as json.dumps(..., separators=(",", ":"))
  documents.jsonl         one line a document: {"input": text Python wrote (ensure_ascii on or
                          off, indented or not), "canonical": Python's canonical form of it}

Canonical form: json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False).
"""
import json
import math
import random
import struct
import sys
from pathlib import Path


def canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def random_double(rng):
    while True:
        (d,) = struct.unpack("<d", rng.getrandbits(64).to_bytes(8, "little"))
        if math.isfinite(d):
            return d


def doubles(rng, count):
    values = [rng.random() for _ in range(count // 2)]
    values += [random_double(rng) for _ in range(count - len(values))]
    return values


def random_text(rng):
    alphabet = (
        "abcXYZ019 _-"
        "\"\\/\b\f\n\r\t\x00\x01\x1f\x7f"  # escapes, control characters and DEL
        "éüßñçø"  # Latin-1
        "中文日本語한국어Ωπ∑"  # BMP beyond Latin-1
        "\u2028\u2029\ufeff\uffff"  # separators, BOM, the last BMP code point
        "😀🚀𝄞\U0010ffff"  # astral: surrogate pairs in ensure_ascii output
    )
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 24)))


# Integers at the edges of what 64 bits hold (int64 and uint64), where a parser that is not
# careful turns them into doubles.
EDGE_INTEGERS = [
    0, -1, 1, 2**31 - 1, -(2**31), 2**32, 2**53 - 1, 2**53, 2**53 + 1, -(2**53) - 1,
    10**15, 10**16, 10**17 + 3, 10**18, 10**19, 2**62, 2**63 - 1, -(2**63), 2**63, 2**63 + 1,
    2**64 - 1, 12345678901234567890,
]

EDGE_DOUBLES = [
    0.0, -0.0, 1.0, -1.0, 0.1, 0.2, 0.30000000000000004, 1e16, 1e15, 123456789012345678.0,
    1e-4, 1e-5, 0.0001, 0.00001234, 5e-324, 2.2250738585072014e-308, 2.225073858507201e-308,
    1.7976931348623157e308, 1.7777777777777778e61, 9007199254740993.0, 2.5, 1e22, 1e23,
    4.35679e-10, 8.41e21, 5.0e-324 * 3, 0.1 + 0.7, 100.0, 1e100,
]


def random_scalar(rng):
    kind = rng.randrange(6)
    if kind == 0:
        return rng.choice(EDGE_INTEGERS) * rng.choice([1, -1])
    if kind == 1:
        return rng.choice(EDGE_DOUBLES) * rng.choice([1.0, -1.0])
    if kind == 2:
        return random_double(rng)
    if kind == 3:
        return rng.random() * 10 ** rng.randint(-30, 30)
    if kind == 4:
        return random_text(rng)
    return rng.choice([True, False, None])


def random_value(rng, depth=0):
    kind = rng.randrange(5) if depth < 4 else 0
    if kind <= 2:
        return random_scalar(rng)
    if kind == 3:
        return [random_value(rng, depth + 1) for _ in range(rng.randint(0, 5))]
    return {random_text(rng): random_value(rng, depth + 1) for _ in range(rng.randint(0, 5))}


def fits_64_bits(value):
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, list):
            return all(fits_64_bits(v) for v in value)
        if isinstance(value, dict):
            return all(fits_64_bits(v) for v in value.values())
        return True
    return -(2**63) <= value < 2**64


def main():
    out = Path(sys.argv[1])
    only = sys.argv[2] if len(sys.argv) > 2 else None
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(20261207)

    if only in (None, "doubles"):
        values = doubles(rng, 1_000_000)
        (out / "doubles.json").write_text(json.dumps(values))
        (out / "doubles_bits.txt").write_text(
            "".join(struct.pack("<d", d)[::-1].hex() + "\n" for d in values))
        (out / "doubles_canonical.json").write_text(json.dumps(values, separators=(",", ":")))

    if only in (None, "documents"):
        with open(out / "documents.jsonl", "w", encoding="utf-8") as f:
            count = 0
            while count < 3000:
                doc = random_value(rng)
                if not fits_64_bits(doc):
                    continue
                text = json.dumps(doc, ensure_ascii=rng.random() < 0.5,
                                  indent=rng.choice([None, None, 2]))
                f.write(json.dumps({"input": text, "canonical": canonical(doc)}) + "\n")
                count += 1


if __name__ == "__main__":
    main()
