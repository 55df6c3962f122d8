#pragma once

#include "orchestra/schema/node.h"

// Where the shape of a value is said in a compiled schema: the node behind the $refs and
// Optional wrappers that Pydantic writes around it. For code that reads a schema's structure
// (which fields, lists of what) rather than validating against it.
namespace orchestra::schema {

// Most hops Referenced and Effective take in one call, branch look-ups included. Compile
// rejects loops of $ref and applicators, so only a hand-built node graph ever reaches it.
inline constexpr int kMaxShapeHops = 32;

// `node` after following $ref while the referring node declares no properties or items of
// its own ({"$ref": "#/$defs/X", "description": ...}, as Pydantic writes a field of model X).
// At most kMaxShapeHops hops; nullptr in, nullptr out.
const Node* Referenced(const Node* node);

// The node that says what shape a value takes: `node` after following, repeatedly,
//  - $ref, as Referenced does;
//  - a single-branch allOf, when the node itself has no "type" and no properties (Pydantic's
//    wrapper of a $ref that carries a default);
//  - anyOf (else oneOf): its first branch that admits more than null (the value of an
//    Optional, whichever order the null branch comes in; the first alternative of a union),
//    or its first branch when every branch is null-only.
// At most kMaxShapeHops hops in all; nullptr in, nullptr out.
const Node* Effective(const Node* node);

}  // namespace orchestra::schema
