#pragma once

#include <map>
#include <string>
#include <vector>

#include "orchestra/core/json.h"
#include "orchestra/schema/schema.h"

// What a subnet answers, as the ledger's maintenance compares it: the fields of an answer with
// their coarse types, read from the output_schema a ledger entry holds or inferred from probe
// answers, so that a subnet's schema drift (a field renamed, retyped or gone) is seen as a
// change of fingerprint and named field by field. Pure; thread-safe.
namespace orchestra::ledger {

// Field path -> coarse type, in the seed shorthand's words: "str", "int", "float", "bool",
// "list", "dict", "null" (only null seen) or "any". Paths are the top-level fields ("results")
// and, for a list, its items ("results[]"). A field the schema declares but does not require
// has its type prefixed with "?" ("?str"): an answer may leave it out.
using Shape = std::map<std::string, std::string>;

// The shape an output_schema (seed shorthand or JSON Schema, compiled) declares, read through
// $refs and Optional (schema::Effective).
Shape ShapeOfSchema(const schema::Schema& output_schema);

// The shape of probe answers (JSON objects; anything else is skipped): every field at least
// half of the answers have, typed by what most answers hold there (int and float together count as
// one number type, "float" once a float was seen; ties go to the first of dict, list, str, float,
// bool). A list seen only empty has no "[]" entry.
Shape ShapeOfAnswers(const std::vector<Json>& answers);

// "sf-" + 16 hex digits of blake2b over the shape, with "?" dropped: the fingerprint of what the
// subnet answers, equal for equal shapes.
std::string Fingerprint(const Shape& shape);

// One difference between what the ledger says (`before`) and what probes found (`after`); ""
// for a side where the field is absent.
struct ShapeChange {
  std::string path;
  std::string before;
  std::string after;
};

// Where the probed shape departs from the ledger's: a required field missing from the answers,
// a field the ledger does not declare, or a type that differs (a number where the ledger says
// int is a change only when a float was seen). An optional field left out is no change. In
// path order.
std::vector<ShapeChange> CompareShapes(const Shape& ledger, const Shape& probed);

// `shape` as a seed shorthand output_schema ({"results": "list[dict]", "total_found": "int"}),
// for a ledger entry to hold after drift. Optional fields are written as required: the probes
// saw them.
Json ShorthandOf(const Shape& shape);

}  // namespace orchestra::ledger
