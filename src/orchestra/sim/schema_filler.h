#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "orchestra/core/json.h"
#include "orchestra/schema/schema.h"
#include "orchestra/sim/context.h"

namespace orchestra::sim {

// A document built from context only, and what could not be filled.
struct FilledDocument {
  Json value;  // null only when the schema's root itself found nothing
  // JSONPaths of the required fields left out for lack of a source, in schema order
  // ("$.recommendation", "$.competitors[1].weaknesses"; "$" for an unfillable root).
  std::vector<std::string> unfilled;
};

// Fills (compiled) JSON Schema `schema` from `context` without inventing anything: every leaf is a
// value of a context record or, for string fields only, a sentence of context text.
//
// Relevance gate: only the context items relevant to `objective` (RelevantItems, context.h;
// the rule is in relevance.h) are quoted, so records, search results and sentences about
// another topic never fill a field, whatever keys they carry. A context about nothing the
// objective names fills nothing: every required field is listed in `unfilled`. An entity's
// field (a competitor's "strengths") comes from that entity's own record or stays unfilled.
//
// Schema subset: type (object, array, string, number, integer, boolean, null, or a list of
// them: of several non-null ones, the first of object, array, string, number, integer,
// boolean), properties, required, items, additionalProperties,
// enum; each (sub)schema is read at its schema::Effective node, i.e. through $refs, the first
// non-null branch of anyOf/oneOf and a single-element allOf. Schema keys match record keys by
// NormalizeKey, tolerating a plural "s" and the synonyms of KeyMatchRank. Per field of the root
// object:
//  - array of objects: the records supplying the most of the item's properties (at least one;
//    when some supply at least half, all of those), in context order, deduplicated on the
//    first property's value (keeping the fuller, then the untruncated, record); records that
//    match only through synonyms (a search result's "title" for "name") are dropped when
//    others match a key by name;
//  - object: the record supplying most of its properties (then most by name, then earliest);
//  - scalar or list of scalars: the first record with a matching key whose value fits the type
//    (an untruncated value preferred; "1.99" becomes 1.99 for number fields only when the
//    string is exactly a number; a lone string becomes a one-item list); failing that, for a
//    string field, the context sentence sharing the most words with the field name and
//    `objective`.
// "Records" and "sentences" above mean those of relevant items. Fields with nothing to fill are
// left out (optional ones silently). Pure; never throws.
FilledDocument FillSchema(const schema::Schema& schema, const ContextIndex& context,
                          std::string_view objective);

}  // namespace orchestra::sim
