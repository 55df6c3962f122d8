#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "orchestra/schema/schema.h"

// What a target schema asks for, read from the compiled schema: which fields name things a
// search finds, which need detail from behind a URL, which need a summary or judgement. The
// one place that walks a target schema for planning. Pure; thread-safe.
namespace orchestra::plan {

// How a field gets its value.
enum class FieldRole {
  kName,       // name, title, company, tool...: a search result's title
  kUrl,        // url, link, website, homepage, source
  kText,       // description, snippet, about; what a thing is, is for or how (kind, category,
               // role, purpose, best_for, approach) when a free string: a search result's snippet
  kDate,       // date, published_date, announced: a search result's date
  kDetail,     // anything else: read from the page (a scrape) or not at all
  kSummary,    // a root-level summary, overview or explanation: sentences of the material
  kJudgement,  // recommendation, verdict, assessment, rationale...: reasoning over the material
};
const char* RoleName(FieldRole role);

struct FieldNeed {
  std::string name;  // as the schema spells it
  FieldRole role = FieldRole::kDetail;
  bool required = false;
  bool is_list = false;  // an array (of scalars, for item fields)
  // The values of a string enum ("load balancer", "cache"): the field holds one of them.
  std::vector<std::string> choices;
};

// A root-level array of objects: things to discover and describe one by one.
struct ListTarget {
  std::string field;  // "competitors"
  std::vector<FieldNeed> item_fields;
  std::optional<uint64_t> max_items;  // maxItems, when the schema caps the list
  bool single = false;                // a root-level object field: one item, not a list
  // Things named by their relation to the objective's subject ("alternatives", "competitors",
  // "compared_with"), not by their kind.
  bool relative = false;
  // Some item field needs a page read (role kDetail): the items' pages are scraped.
  bool NeedsDetail() const;
  // The item field naming an item (role kName), or "" when none does.
  std::string NameField() const;
};

struct SchemaNeeds {
  // Root-level arrays of objects and objects, in schema order. The first array of objects is
  // the primary list, the entities the objective is about.
  std::vector<ListTarget> lists;
  // The other root-level fields (scalars and lists of scalars), in schema order.
  std::vector<FieldNeed> root_fields;

  const ListTarget* primary() const { return lists.empty() ? nullptr : &lists.front(); }
  bool NeedsJudgement() const;
  // Root fields of role kDetail: facts about the objective's subject, read from pages.
  std::vector<std::string> RootDetailFields() const;
};

// The role a field name implies (by its words: "company_name" → kName, "market_gaps" →
// kDetail). `root`: a field of the root object, where summaries and judgements live.
FieldRole RoleOf(std::string_view field_name, bool root);

// Reads `target`'s root object and its fields at their schema::Effective nodes: $ref and
// Optional (anyOf/oneOf with null) are followed to the object, array or scalar they stand for.
// A root that is not an object gives no needs.
SchemaNeeds AnalyzeSchema(const schema::Schema& target);

}  // namespace orchestra::plan
