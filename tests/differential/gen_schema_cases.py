#!/usr/bin/env python3
"""Differential cases for the schema module: (schema, instance, verdicts) as JSON lines.

Generates, from a fixed seed, at least --count (schema, instance) pairs that cover every
keyword the schema engine supports (type, properties, required, additionalProperties,
patternProperties, propertyNames, dependentRequired, dependentSchemas, min/maxProperties,
items, prefixItems, contains, min/maxContains, min/maxItems, uniqueItems, allOf, anyOf, oneOf,
not, if/then/else, enum, const, $ref/$defs incl. recursion, minimum, maximum, exclusive*,
multipleOf, min/maxLength, pattern, format), nesting and edge cases (1.0 as an integer,
booleans are not numbers, unicode lengths, big numbers), and records the verdict of
jsonschema's Draft202012Validator ("jsonschema") for each. A second family is built from
Python types through Pydantic (TypeAdapter(...).json_schema()); those lines also carry
Pydantic's strict-mode verdict ("pydantic") on the same JSON text, or null where Pydantic and
JSON Schema define the type differently (see PYDANTIC_DIVERGES).

Usage: gen_schema_cases.py [--seed N] [--count N] OUT_FILE
Exit code 3 (and a message on stderr) when jsonschema or pydantic is not installed.
"""

import argparse
import json
import random
import sys

try:
    import jsonschema
    from jsonschema import Draft202012Validator
except ImportError:  # pragma: no cover
    print("jsonschema is not installed", file=sys.stderr)
    sys.exit(3)
try:
    import pydantic
    from typing import Dict, List, Literal, Optional, Tuple, Union
    from pydantic import Field, TypeAdapter, create_model
    from typing_extensions import Annotated
except ImportError:  # pragma: no cover
    pydantic = None

SCALARS = [
    None, True, False, 0, 1, -1, 1.0, 2.0, -0.0, 0.5, 2.5, -7.25, 3, 10, 100, 1e3, 1e300,
    -1e300, 1.5e308, 2**31, 2**53, 2**53 + 1, 2**63 - 1, -2**63, 2**64 - 1, 12345678901234567,
    "", "a", "ab", "abc", "A", "aaa", "foo", "bar", "é", "日本語", "😀", "😀😀", "a😀b",
    "x" * 10, "1", "1.0", "true", "null", "2024-01-31", "2024-13-01", "2024-02-30",
    "2024-01-31T10:20:30Z", "user@example.com", "not an email", "https://example.com/a",
    "foo123", "FOO", "a b", "-", "_x", "café", "naïve",
]
KEYS = ["a", "b", "c", "foo", "bar", "name", "x1", "é", "aa", "b2", "longer_key", "Z"]
PATTERNS = ["^a", "a+", "^[a-z]+$", "^\\d+$", "b$", "^.{2,3}$", "^(foo|bar)$", "[0-9]",
            "^a*$", "^x[0-9]?$", "^[^a]", "o{2}", "^$", "\\w+", "^[A-Z]", "é"]
FORMATS = ["date", "date-time", "email", "uri", "uuid", "ipv4", "hostname"]
TYPES = ["null", "boolean", "integer", "number", "string", "array", "object"]


class Gen:
    def __init__(self, rng):
        self.r = rng
        self.defs = {}

    def number(self):
        return self.r.choice([0, 1, 2, 3, 5, 10, -1, -5, 0.5, 1.5, 2.5, 100, 1e10, 2**53,
                              2**63 - 1, -2**63, 1e300, 0.1, 0.01, 0.0001, 7])

    def positive(self):
        return self.r.choice([1, 2, 3, 5, 10, 0.5, 1.5, 0.1, 0.01, 0.0001, 2.0, 7, 1e-5,
                              0.123456789, 2**40])

    def count(self):
        return self.r.choice([0, 1, 2, 3, 4, 5])

    def schema(self, depth=0):
        r = self.r
        if depth > 3 or r.random() < 0.12:
            return r.choice([True, False, {}, {"type": r.choice(TYPES)}])
        kind = r.choice(["type", "types", "object", "array", "string", "number", "logic",
                         "enum", "const", "if", "ref", "object", "array", "mixed"])
        s = {}
        if kind == "type":
            s["type"] = r.choice(TYPES)
        elif kind == "types":
            s["type"] = r.sample(TYPES, r.randint(1, 3))
        elif kind == "object":
            if r.random() < 0.7:
                s["type"] = "object"
            props = r.sample(KEYS, r.randint(0, 3))
            if props:
                s["properties"] = {k: self.schema(depth + 1) for k in props}
            if r.random() < 0.5 and props:
                s["required"] = r.sample(props + KEYS[:2], r.randint(1, 2))
            choice = r.random()
            if choice < 0.25:
                s["additionalProperties"] = r.choice([False, True])
            elif choice < 0.4:
                s["additionalProperties"] = self.schema(depth + 1)
            if r.random() < 0.2:
                s["patternProperties"] = {r.choice(PATTERNS): self.schema(depth + 1)}
            if r.random() < 0.15:
                s["propertyNames"] = r.choice([{"maxLength": 2}, {"pattern": "^[a-z]+$"},
                                               {"enum": KEYS[:4]}, False])
            if r.random() < 0.15:
                s["minProperties"] = self.count()
            if r.random() < 0.15:
                s["maxProperties"] = self.count()
            if r.random() < 0.15:
                s["dependentRequired"] = {r.choice(KEYS): r.sample(KEYS, r.randint(0, 2))}
            if r.random() < 0.1:
                s["dependentSchemas"] = {r.choice(KEYS): self.schema(depth + 1)}
        elif kind == "array":
            if r.random() < 0.7:
                s["type"] = "array"
            if r.random() < 0.6:
                s["items"] = self.schema(depth + 1)
            if r.random() < 0.3:
                s["prefixItems"] = [self.schema(depth + 1) for _ in range(r.randint(1, 3))]
            if r.random() < 0.3:
                s["minItems"] = self.count()
            if r.random() < 0.3:
                s["maxItems"] = self.count()
            if r.random() < 0.3:
                s["uniqueItems"] = r.choice([True, False])
            if r.random() < 0.3:
                s["contains"] = self.schema(depth + 1)
                if r.random() < 0.5:
                    s["minContains"] = self.count()
                if r.random() < 0.5:
                    s["maxContains"] = self.count()
        elif kind == "string":
            if r.random() < 0.7:
                s["type"] = "string"
            if r.random() < 0.5:
                s["minLength"] = self.count()
            if r.random() < 0.5:
                s["maxLength"] = self.count()
            if r.random() < 0.5:
                s["pattern"] = r.choice(PATTERNS)
            if r.random() < 0.3:
                s["format"] = r.choice(FORMATS)
        elif kind == "number":
            s["type"] = r.choice(["number", "integer", ["integer", "string"]])
            if r.random() < 0.2:
                del s["type"]
            for k in ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"]:
                if r.random() < 0.35:
                    s[k] = self.number()
            if r.random() < 0.35:
                s["multipleOf"] = self.positive()
        elif kind == "logic":
            k = r.choice(["allOf", "anyOf", "oneOf", "not"])
            if k == "not":
                s["not"] = self.schema(depth + 1)
            else:
                s[k] = [self.schema(depth + 1) for _ in range(r.randint(1, 3))]
        elif kind == "enum":
            s["enum"] = r.sample(SCALARS, r.randint(1, 4)) + ([[1, "a"]] if r.random() < 0.2 else [])
        elif kind == "const":
            s["const"] = r.choice(SCALARS + [[1, 2], {"a": 1}, [1.0], {"a": [True]}])
        elif kind == "if":
            s["if"] = self.schema(depth + 1)
            if r.random() < 0.8:
                s["then"] = self.schema(depth + 1)
            if r.random() < 0.6:
                s["else"] = self.schema(depth + 1)
        elif kind == "ref" and depth > 0:
            s["type"] = r.choice(TYPES)  # "#/$defs/..." only resolves from the root
        elif kind == "ref":
            name = "D%d" % r.randint(0, 3)
            if r.random() < 0.4:
                # A recursive model: a tree of nodes.
                s = {"$ref": "#/$defs/Node", "$defs": {"Node": {
                    "type": "object",
                    "properties": {"value": self.schema(depth + 2),
                                   "children": {"type": "array",
                                                "items": {"$ref": "#/$defs/Node"}}},
                    "required": ["value"]}}}
            else:
                s = {"$ref": "#/$defs/" + name, "$defs": {name: self.schema(depth + 1)}}
                if r.random() < 0.3:
                    s["type"] = r.choice(TYPES)
        else:
            for k in r.sample(["type", "minimum", "maxLength", "items", "required", "enum"],
                              r.randint(2, 4)):
                if k == "type":
                    s[k] = r.choice(TYPES)
                elif k == "minimum":
                    s[k] = self.number()
                elif k == "maxLength":
                    s[k] = self.count()
                elif k == "items":
                    s[k] = self.schema(depth + 1)
                elif k == "required":
                    s[k] = r.sample(KEYS, 1)
                else:
                    s[k] = r.sample(SCALARS, 3)
        return s

    def instance(self, depth=0):
        r = self.r
        if depth > 3 or r.random() < 0.55:
            return r.choice(SCALARS)
        if r.random() < 0.5:
            return [self.instance(depth + 1) for _ in range(r.randint(0, 4))]
        return {k: self.instance(depth + 1) for k in r.sample(KEYS, r.randint(0, 4))}

    def fitting(self, schema, depth=0):
        """An instance shaped after `schema` (not necessarily valid)."""
        r = self.r
        if not isinstance(schema, dict) or depth > 4:
            return self.instance(depth)
        if "$ref" in schema and "$defs" in schema:
            target = list(schema["$defs"].values())[0]
            if isinstance(target, dict) and "children" in target.get("properties", {}):
                return self.tree(depth)
            return self.fitting(target, depth + 1)
        if "enum" in schema and r.random() < 0.6:
            return r.choice(schema["enum"])
        if "const" in schema and r.random() < 0.6:
            return schema["const"]
        t = schema.get("type")
        if isinstance(t, list):
            t = r.choice(t)
        if t == "object" or "properties" in schema:
            out = {}
            for k, sub in schema.get("properties", {}).items():
                if r.random() < 0.8:
                    out[k] = self.fitting(sub, depth + 1)
            if r.random() < 0.3:
                out[r.choice(KEYS)] = self.instance(depth + 1)
            return out
        if t == "array" or "items" in schema or "prefixItems" in schema:
            n = r.randint(0, 5)
            items = schema.get("items", {})
            prefix = schema.get("prefixItems", [])
            out = [self.fitting(prefix[i] if i < len(prefix) else items, depth + 1)
                   for i in range(n)]
            if out and r.random() < 0.3:
                out.append(out[0])
            return out
        if t == "string" or "pattern" in schema or "minLength" in schema:
            return r.choice([x for x in SCALARS if isinstance(x, str)])
        if t in ("number", "integer") or "minimum" in schema or "multipleOf" in schema:
            return r.choice([x for x in SCALARS if isinstance(x, (int, float))
                             and not isinstance(x, bool)])
        for k in ("allOf", "anyOf", "oneOf"):
            if k in schema:
                return self.fitting(r.choice(schema[k]), depth + 1)
        return self.instance(depth)

    def tree(self, depth):
        node = {"value": self.r.choice(SCALARS)} if self.r.random() < 0.9 else {}
        if depth < 4 and self.r.random() < 0.6:
            node["children"] = [self.tree(depth + 1) for _ in range(self.r.randint(0, 2))]
        if self.r.random() < 0.05:
            node["children"] = "oops"
        return node


def deep(n):
    value = 1
    for _ in range(n):
        value = [value]
    return value


# Fixed cases every run includes: the edge cases the issue names.
FIXED = [
    ({"type": "integer"}, 1.0), ({"type": "integer"}, 1.5), ({"type": "integer"}, True),
    ({"type": "number"}, True), ({"type": "number"}, False), ({"type": "boolean"}, 0),
    ({"type": "integer"}, 2**63), ({"type": "integer"}, 2**64 - 1), ({"type": "integer"}, 1e300),
    ({"maximum": 2**63 - 1}, 2**63 - 1), ({"maximum": 2**63 - 2}, 2**63 - 1),
    ({"minimum": -2**63}, -2**63), ({"maximum": 9007199254740992}, 9007199254740993),
    ({"exclusiveMaximum": 9007199254740993}, 9007199254740992.0),
    ({"multipleOf": 0.01}, 0.07), ({"multipleOf": 0.1}, 0.3), ({"multipleOf": 3}, 9.0),
    ({"multipleOf": 0.123456789}, 1e308), ({"multipleOf": 2}, 2**63 - 2),
    ({"maxLength": 1}, "😀"), ({"maxLength": 2}, "😀😀😀"), ({"minLength": 3}, "日本語"),
    ({"maxLength": 1}, "é"), ({"minLength": 2}, "e\u0301"),
    ({"enum": [1]}, 1.0), ({"enum": [1]}, True), ({"enum": [False]}, 0), ({"const": [1]}, [True]),
    ({"uniqueItems": True}, [1, 1.0]), ({"uniqueItems": True}, [1, True]),
    ({"uniqueItems": True}, [{"a": 1, "b": 2}, {"b": 2, "a": 1}]),
    ({"uniqueItems": True}, [[0], [False]]),
    ({"items": {"items": {"items": {"type": "integer"}}}}, deep(3)),
    ({"items": {"items": {"items": {"type": "integer"}}}}, [[["x"]]]),
    ({"type": "array"}, deep(100)),
]


# Where JSON Schema and Pydantic's strict mode define a type differently, Pydantic's verdict is
# not comparable and is recorded as null: JSON Schema counts an integral float (1.0, 1e3) as
# an "integer", Pydantic's strict int rejects any JSON float.
PYDANTIC_DIVERGES = "integral float where Pydantic wants a strict int"


def has_integral_float(value):
    if isinstance(value, float):
        return value.is_integer()
    if isinstance(value, list):
        return any(has_integral_float(v) for v in value)
    if isinstance(value, dict):
        return any(has_integral_float(v) for v in value.values())
    return False


def pydantic_cases(rng, count):
    """(schema, instance, pydantic_strict_verdict_or_None) from Python types."""
    if pydantic is None:
        return []
    leaf_types = [
        (str, lambda: rng.choice(["", "a", "héllo", "😀", 1, None, True])),
        (int, lambda: rng.choice([0, 1, -5, 2**40, 1.5, 1.0, "1", True, None])),
        (float, lambda: rng.choice([0.5, 1, -2.25, 1e300, "1.5", True, None])),
        (bool, lambda: rng.choice([True, False, 0, 1, "true", None])),
        (Annotated[str, Field(min_length=2, max_length=4)],
         lambda: rng.choice(["a", "ab", "abcd", "abcde", "😀😀", "日本語日本"])),
        (Annotated[str, Field(pattern="^[a-z]+$")], lambda: rng.choice(["abc", "ABC", "", "a1"])),
        (Annotated[int, Field(ge=0, le=10)], lambda: rng.choice([-1, 0, 10, 11, 5])),
        (Annotated[float, Field(gt=0, lt=1)], lambda: rng.choice([0, 0.5, 1, 0.999, -0.1])),
        (Annotated[int, Field(multiple_of=3)], lambda: rng.choice([0, 3, 4, 9, -6])),
        (Literal["x", "y"], lambda: rng.choice(["x", "y", "z", "X", 1])),
    ]

    def build(depth):
        roll = rng.random()
        if depth > 2 or roll < 0.35:
            typ, sample = rng.choice(leaf_types)
            return typ, sample
        if roll < 0.5:
            inner, sample = build(depth + 1)
            return List[inner], lambda: (
                [sample() for _ in range(rng.randint(0, 3))] if rng.random() < 0.85 else sample())
        if roll < 0.6:
            inner, sample = build(depth + 1)
            return Dict[str, inner], lambda: (
                {rng.choice(KEYS): sample() for _ in range(rng.randint(0, 3))}
                if rng.random() < 0.85 else sample())
        if roll < 0.7:
            inner, sample = build(depth + 1)
            return Optional[inner], lambda: None if rng.random() < 0.3 else sample()
        if roll < 0.75:
            inner, sample = build(depth + 1)
            return Annotated[List[inner], Field(min_length=1, max_length=2)], lambda: [
                sample() for _ in range(rng.randint(0, 3))]
        fields = {}
        samplers = {}
        for key in rng.sample(KEYS[:8], rng.randint(1, 3)):
            inner, sample = build(depth + 1)
            if rng.random() < 0.3:
                fields[key] = (Optional[inner], None)
            else:
                fields[key] = (inner, ...)
            samplers[key] = sample
        model = create_model("M%d" % rng.randint(0, 10**9), **fields)

        def sample_model():
            if rng.random() < 0.1:
                return rng.choice([None, "x", [1]])
            return {k: s() for k, s in samplers.items() if rng.random() < 0.85}
        return model, sample_model

    cases = []
    while len(cases) < count:
        typ, sample = build(0)
        adapter = TypeAdapter(typ)
        schema = adapter.json_schema()
        for _ in range(4):
            instance = sample()
            text = json.dumps(instance)
            try:
                adapter.validate_json(text, strict=True)
                verdict = True
            except pydantic.ValidationError:
                verdict = False
            if has_integral_float(instance):
                verdict = None  # PYDANTIC_DIVERGES
            cases.append((schema, instance, verdict))
    return cases


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=20240531)
    parser.add_argument("--count", type=int, default=2400)
    parser.add_argument("out")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    gen = Gen(rng)
    rows = [(s, i, None) for s, i in FIXED]
    while len(rows) < args.count:
        schema = gen.schema()
        for _ in range(3):
            instance = gen.fitting(schema) if rng.random() < 0.7 else gen.instance()
            rows.append((schema, instance, None))
    rows.extend(pydantic_cases(rng, args.count // 4))
    with open(args.out, "w", encoding="utf-8") as out:
        for schema, instance, pyd in rows:
            verdict = Draft202012Validator(schema).is_valid(instance)
            out.write(json.dumps({"schema": schema, "instance": instance, "jsonschema": verdict,
                                  "pydantic": pyd}, ensure_ascii=False) + "\n")
    from importlib import metadata
    print("wrote %d cases (jsonschema %s, pydantic %s)" % (
        len(rows), metadata.version("jsonschema"), pydantic.VERSION if pydantic else "absent"))


if __name__ == "__main__":
    main()
