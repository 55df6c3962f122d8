#pragma once

#include <memory>
#include <string>

#include "orchestra/core/json.h"
#include "orchestra/core/result.h"
#include "orchestra/schema/node.h"
#include "orchestra/schema/validation_report.h"

namespace orchestra::schema {

// Limits and switches fixed when a schema is compiled.
struct CompileOptions {
  // Deepest nesting of subschemas in the schema document, and of arrays/objects in the
  // instances it validates; deeper input is rejected (schema) or reported (instance, rule
  // "depth").
  int max_depth = 128;
  // Assert "format" for date, date-time, time, email, uri, uuid and ipv4 (rule "format");
  // by default "format" is an annotation, as 2020-12 and Pydantic's JSON Schema treat it.
  bool assert_format = false;
  // Most subschema evaluations one validation may perform; past it the instance is reported
  // invalid (rule "limit") instead of letting a hostile schema run for an unbounded time.
  uint64_t max_evaluations = uint64_t{1} << 24;
  // Most subschemas one schema may hold (the root, every value of properties, $defs, items,
  // anyOf, ... and every location a $ref compiles); a larger schema is rejected naming the
  // first subschema past the limit. A Pydantic model needs one to three per field, so models
  // with over ten thousand fields fit.
  size_t max_nodes = 50'000;
  // Most work compiling one schema may take, in units: one per subschema, per name in required
  // and dependentRequired, per JSON value (nested ones included) in enum, const and default,
  // and per instruction of each distinct pattern. Past it the schema is rejected naming the
  // keyword that went over. Bounds compile time and the compiled schema's memory (a few
  // hundred bytes per unit at most).
  uint64_t max_work = 1'000'000;
};

// A JSON Schema compiled once into an immutable node tree (see node.h) and then used to judge
// and repair any number of instances. Cheap to copy (shares the compiled tree); safe to use
// from many threads at once.
//
// Supported keywords (2020-12 semantics): type (a name or an array of names), properties,
// required, additionalProperties, patternProperties, propertyNames, dependentRequired,
// dependentSchemas, minProperties, maxProperties, prefixItems, items, contains, minContains,
// maxContains, minItems, maxItems, uniqueItems, allOf, anyOf, oneOf, not, if/then/else, enum,
// const, minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf, minLength,
// maxLength (code points), pattern (see pattern.h), format (see CompileOptions), $defs,
// $id and $anchor (embedded resources only), and $ref to any location of the document
// (JSON Pointer or anchor fragments, relative or absolute URIs of embedded resources;
// recursion allowed). Boolean schemas are accepted wherever a schema is. Every other keyword
// (title, description, default, examples, discriminator, ...) is an annotation and ignored;
// "default" is kept for the standardizer.
class Schema {
 public:
  // Compiles `json_schema`. kInvalidArgument naming the schema location
  // ("schema at #/properties/age/type: ...") when a supported keyword has a malformed value,
  // a $ref cannot be resolved (remote references are not supported), or $ref/anyOf loop back
  // to themselves without consuming any part of the instance.
  // Also for a malformed or unsupported "pattern", for subschemas nested deeper than
  // options.max_depth, and for schemas past options.max_nodes or options.max_work (the message
  // names the limit). Time and memory are linear in the schema's size.
  static Result<Schema> Compile(const Json& json_schema);
  static Result<Schema> Compile(const Json& json_schema, const CompileOptions& options);
  // The same, keeping `json_schema` itself instead of a copy (a large schema is not held twice).
  static Result<Schema> Compile(Json&& json_schema, const CompileOptions& options);

  // Compiles a challenge's target_schema, which is either a JSON Schema (LooksLikeJsonSchema)
  // or the seed shorthand (converted with ShorthandToJsonSchema). Errors as those two.
  static Result<Schema> FromTarget(const Json& target_schema);
  static Result<Schema> FromTarget(Json&& target_schema);
  // The same for a schema known as `name` ("SN22.output_schema"): every error message starts
  // with it, followed by the shorthand path or the JSON Schema location.
  static Result<Schema> FromTarget(const Json& target_schema, const std::string& name);

  // The JSON Schema this was compiled from (the converted one for shorthand targets).
  const Json& json_schema() const;

  // The root of the compiled tree.
  const Node& root() const;

  // The options this schema was compiled with.
  const CompileOptions& options() const;

  // Validates `instance`: every violation with its JSON path and keyword, plus the counts and
  // measures documented on ValidationReport. Never fails; a document that is not even of the
  // root's type yields violations, not an error. Paths and messages are built only for
  // violations: a valid instance is validated without heap allocation, except where
  // uniqueItems (a hash table) or propertyNames (each name as a JSON string) are checked.
  ValidationReport Validate(const Json& instance) const;

 private:
  struct Compiled;
  explicit Schema(std::shared_ptr<const Compiled> compiled);

  std::shared_ptr<const Compiled> compiled_;
};

}  // namespace orchestra::schema
