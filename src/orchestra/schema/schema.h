#pragma once

#include <memory>

#include "orchestra/core/json.h"
#include "orchestra/core/result.h"
#include "orchestra/schema/node.h"
#include "orchestra/schema/validation_report.h"

namespace orchestra::schema {

// A JSON Schema compiled once into an immutable node tree (see node.h) and then used to judge
// and repair any number of instances. Cheap to copy (shares the compiled tree); safe to use
// from many threads at once.
//
// Supported keywords (2020-12 semantics): type (a name or an array of names), properties,
// required, additionalProperties (boolean or schema), items (a schema), anyOf, enum, const,
// $ref to a local JSON Pointer ("#", "#/$defs/Name", any "#/..." path; recursion allowed),
// $defs, minItems, maxItems, minLength, maxLength, default. Boolean schemas are accepted
// wherever a schema is. Every other keyword is treated as an annotation and ignored.
class Schema {
 public:
  // Compiles `json_schema`. kInvalidArgument naming the schema location
  // ("schema at #/properties/age/type: ...") when a supported keyword has a malformed value,
  // a $ref cannot be resolved (remote references are not supported), or $ref/anyOf loop back
  // to themselves without consuming any part of the instance.
  static Result<Schema> Compile(const Json& json_schema);

  // Compiles a challenge's target_schema, which is either a JSON Schema (LooksLikeJsonSchema)
  // or the seed shorthand (converted with ShorthandToJsonSchema). Errors as those two.
  static Result<Schema> FromTarget(const Json& target_schema);

  // The JSON Schema this was compiled from (the converted one for shorthand targets).
  const Json& json_schema() const;

  // The root of the compiled tree.
  const Node& root() const;

  // Validates `instance`: every violation with its JSON path and keyword, plus the counts and
  // measures documented on ValidationReport. Never fails; a document that is not even of the
  // root's type yields violations, not an error.
  ValidationReport Validate(const Json& instance) const;

 private:
  struct Compiled;
  explicit Schema(std::shared_ptr<const Compiled> compiled);

  std::shared_ptr<const Compiled> compiled_;
};

}  // namespace orchestra::schema
