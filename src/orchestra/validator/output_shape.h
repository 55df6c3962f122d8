#pragma once

#include <memory>
#include <string>
#include <vector>

#include "orchestra/core/json.h"
#include "orchestra/core/result.h"

// The coarse shape of what an expert subnet answers, as the validator infers it from its own
// probes, and its comparison with the output_schema a miner's ledger claims. Pure functions and
// a value type; no I/O, no shared state.
namespace orchestra::validator {

// Shapes are written in the seed's shorthand, so that a shape reads (and compiles, through
// schema::ShorthandToJsonSchema) like a ledger's output_schema:
//   "str", "int", "float", "bool"   a scalar
//   "None"                          only null was seen there
//   "list"                          a list, only ever seen empty
//   [item shape]                    a list of items of that shape
//   {key: shape, ...}               an object with these keys
// Inference is bounded: below kMaxShapeDepth levels a value is "any", and only the first
// kMaxShapeItems items of a list and kMaxShapeKeys keys of an object are looked at.
inline constexpr int kMaxShapeDepth = 8;
inline constexpr size_t kMaxShapeItems = 16;
inline constexpr size_t kMaxShapeKeys = 256;

// Merges the shapes of several answers of one subnet position by position: the type at a
// position is the one most answers agree on (int and float together count as one number
// type, rendered "float" as soon as one float was seen), so one faulty answer among several
// does not change the shape; object keys are the union of the keys seen. Ties between types go
// to the first of dict, list, str, number, bool. Not thread-safe.
class ShapeMerger {
 public:
  ShapeMerger();
  ~ShapeMerger();
  ShapeMerger(ShapeMerger&&) noexcept;
  ShapeMerger& operator=(ShapeMerger&&) noexcept;

  void Add(const Json& answer);
  size_t answers() const { return answers_; }
  // The merged shape; "None" before any answer.
  Json Shape() const;

  struct Node;

 private:
  std::unique_ptr<Node> root_;
  size_t answers_ = 0;
};

// The shape of one value (a merger of that value alone).
Json ShapeOf(const Json& value);

// "0x" + 64 hex: blake2b-256 of the shape's canonical JSON, so equal shapes have equal
// fingerprints whatever the key order.
std::string ShapeFingerprint(const Json& shape);

// Where `ledger_schema` (a ledger entry's output_schema: shorthand or JSON Schema, compiled by
// schema::Schema, so $refs resolve as there) disagrees with `probed_shape`, one line per
// disagreement, path first:
//   "results: the ledger says str, the subnet returns list"
//   "total_found: listed by the ledger, not returned by the subnet (it returns count, which
//    the ledger lacks)"
// Keys the subnet returns that the ledger leaves out are not disagreements by themselves (a
// ledger may describe only the fields callers use); they are named when a listed key is
// missing, since that is what a rename looks like. Optional ledger fields may be absent. At
// most `max_lines` lines. kInvalidArgument when the ledger's schema cannot be read (a
// shorthand type that does not parse, a schema that is not an object or does not compile),
// the message starting "output_schema: ".
Result<std::vector<std::string>> CompareWithShape(const Json& ledger_schema,
                                                  const Json& probed_shape, size_t max_lines = 8);

}  // namespace orchestra::validator
