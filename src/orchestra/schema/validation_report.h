#pragma once

#include <string>
#include <vector>

namespace orchestra::schema {

// One way an instance fails its schema.
struct Violation {
  std::string path;     // where in the instance: "$", "$.competitors[0].name", "$['a b']"
  std::string rule;     // the JSON Schema keyword that failed: "type", "required", "enum",
                        // "const", "additionalProperties", "anyOf", "minItems", "maxItems",
                        // "minLength", "maxLength", or "false" (a `false` schema)
  std::string message;  // human-readable, e.g. `expected array, got string`
};

// The verdict on one instance plus the measures the validator scores with.
//
// Fields. A field is a member declared in the "properties" of a schema applied to an object
// of the instance. Counting walks the instance (through $ref, the first anyOf branch that
// accepts the value, "items" and "additionalProperties"):
//   - each declared property of each object walked is one field slot, whether present or
//     absent, except that a present value which itself contains field slots (a nested model,
//     a non-empty list of models) counts the slots inside it instead of itself;
//   - so a list of N models counts the fields of every item, and an empty list counts as one
//     (unpopulated) slot, like an absent property;
//   - when the root contains no field slots (e.g. the schema is "list[str]"), the root itself
//     is the one slot.
// total_fields is the number of slots (at least 1); populated_fields the slots that are
// present and populated (not null, "", [] or {}).
// Required fields. Every name in "required" of every object walked counts once (nested models
// and per list item too), leaf or not; required_populated counts those present and populated.
//
// compliance   = clamp(1 - violations.size() / total_fields, 0, 1)
// completeness = required_populated / required_fields, or populated_fields / total_fields
//                when the schema requires nothing.
struct ValidationReport {
  bool valid = true;
  std::vector<Violation> violations;
  int total_fields = 1;
  int populated_fields = 0;
  int required_fields = 0;
  int required_populated = 0;
  double compliance = 1.0;
  double completeness = 0.0;
};

}  // namespace orchestra::schema
