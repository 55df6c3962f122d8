#pragma once

#include <string>
#include <vector>

#include "orchestra/core/json.h"
#include "orchestra/schema/node.h"
#include "orchestra/schema/schema.h"
#include "orchestra/schema/validation_report.h"

// Module-internal: the recursive check behind Schema::Validate, reused by the standardizer to
// test whether a value fits a subschema.
namespace orchestra::schema {

// Field counts gathered while walking an instance (see ValidationReport for their meaning).
struct FieldTally {
  int total = 0;
  int populated = 0;
  int required = 0;
  int required_populated = 0;

  void Add(const FieldTally& other) {
    total += other.total;
    populated += other.populated;
    required += other.required;
    required_populated += other.required_populated;
  }
};

// Checks `instance` (found at `path`) against `node`, appending violations and adding the
// field counts found inside `instance` to `tally`. Limits from `options` (default ones when
// omitted).
void CheckNode(const Node& node, const Json& instance, const std::string& path,
               std::vector<Violation>* violations, FieldTally* tally,
               const CompileOptions& options = CompileOptions{});

// Whether `instance` satisfies `node`; stops at the first failure and builds no messages.
bool Accepts(const Node& node, const Json& instance,
             const CompileOptions& options = CompileOptions{});

// Exact comparison of two JSON numbers whatever their representation: -1, 0 or 1.
int CompareNumbers(const Json& a, const Json& b);

// Whether the number `value` is a multiple of `divisor`, as Python's jsonschema decides it
// (float quotient for a float divisor, exact remainder for integers).
bool IsMultipleOf(const Json& value, const Json& divisor);

}  // namespace orchestra::schema
