#include "orchestra/plan/needs.h"

#include <algorithm>

#include "orchestra/core/text.h"
#include "orchestra/schema/shape.h"

namespace orchestra::plan {
namespace {

using schema::Effective;
using schema::Node;

bool IsObject(const Node* n) {
  return n && (!n->properties.empty() || n->types == schema::kObjectBit);
}
bool IsArray(const Node* n) { return n && (n->items != nullptr || n->types == schema::kArrayBit); }

bool Required(const Node& parent, size_t index) {
  return index < parent.property_required.size() && parent.property_required[index] > 0;
}

// A field's role given its schema node: text that says what a thing is fits only a free
// string, so an enum, a number or a list asking what a thing is needs its page.
FieldRole RoleAt(std::string_view name, const Node* node, bool root) {
  const FieldRole role = RoleOf(name, root);
  if (role != FieldRole::kText) return role;
  const bool free_string =
      node && (node->types & schema::kStringBit) != 0 && !node->enum_values && !IsArray(node);
  return free_string ? role : FieldRole::kDetail;
}

// The values of a string enum; empty when the node has no enum or a value is not a string.
std::vector<std::string> Choices(const Node* node) {
  std::vector<std::string> out;
  if (!node || !node->enum_values) return out;
  for (const Json& value : *node->enum_values) {
    if (!value.is_string()) return {};
    out.emplace_back(value.get_string());
  }
  return out;
}

}  // namespace

const char* RoleName(FieldRole role) {
  switch (role) {
    case FieldRole::kName:
      return "name";
    case FieldRole::kUrl:
      return "url";
    case FieldRole::kText:
      return "text";
    case FieldRole::kDate:
      return "date";
    case FieldRole::kDetail:
      return "detail";
    case FieldRole::kSummary:
      return "summary";
    case FieldRole::kJudgement:
      return "judgement";
  }
  return "detail";
}

FieldRole RoleOf(std::string_view field_name, bool root) {
  const std::vector<std::string> words = ContentWords(field_name);
  if (words.empty()) return FieldRole::kDetail;
  if (root) {
    for (const auto& w : words) {
      if (IsOneOf(w, {"recommendation", "recommend", "verdict", "assessment", "advice", "opinion",
                      "rationale", "reasoning", "conclusion", "outlook", "suggestion", "choice",
                      "pick", "winner", "decision", "justification"})) {
        return FieldRole::kJudgement;
      }
    }
  }
  const std::string& last = words.back();
  // A root list of examples names things of the topic ("examples": ["borg", "restic"]).
  if (root && last == "example") return FieldRole::kName;
  if (root &&
      IsOneOf(last, {"summary", "overview", "explanation", "synthesis", "answer", "description",
                     "about", "introduction", "abstract", "tldr", "background"})) {
    return FieldRole::kSummary;
  }
  if (IsOneOf(last, {"name", "title", "company", "tool", "product", "project", "package", "library",
                     "provider", "organization", "organisation", "vendor", "entity", "startup"})) {
    return FieldRole::kName;
  }
  if (IsOneOf(last, {"url", "link", "website", "homepage", "site", "source"}))
    return FieldRole::kUrl;
  if (IsOneOf(last, {"description", "summary", "snippet", "about", "overview", "blurb", "note",
                     "notes", "comment", "remark"})) {
    return FieldRole::kText;
  }
  // What a thing is, is for or how it goes about it ("kind", "category", "role", "purpose",
  // "best_for", "approach"): what its own page or search result says it is answers that.
  if (IsOneOf(last, {"kind", "category", "role", "purpose", "approach"}) ||
      (words.size() == 1 && IsOneOf(last, {"best", "good"}))) {
    return FieldRole::kText;
  }
  if (IsOneOf(last, {"date", "published", "publisheddate", "announced", "when"})) {
    return FieldRole::kDate;
  }
  return FieldRole::kDetail;
}

bool ListTarget::NeedsDetail() const {
  return std::any_of(item_fields.begin(), item_fields.end(),
                     [](const FieldNeed& f) { return f.role == FieldRole::kDetail; });
}

std::string ListTarget::NameField() const {
  for (const auto& f : item_fields) {
    if (f.role == FieldRole::kName) return f.name;
  }
  return "";
}

bool SchemaNeeds::NeedsJudgement() const {
  return std::any_of(root_fields.begin(), root_fields.end(),
                     [](const FieldNeed& f) { return f.role == FieldRole::kJudgement; });
}

std::vector<std::string> SchemaNeeds::RootDetailFields() const {
  std::vector<std::string> out;
  for (const auto& f : root_fields) {
    if (f.role == FieldRole::kDetail) out.push_back(f.name);
  }
  return out;
}

SchemaNeeds AnalyzeSchema(const schema::Schema& target) {
  SchemaNeeds needs;
  const Node* root = Effective(&target.root());
  if (!IsObject(root)) return needs;
  for (size_t i = 0; i < root->properties.size(); ++i) {
    const auto& [name, node] = root->properties[i];
    const Node* field = Effective(node);
    const Node* items = IsArray(field) ? Effective(field->items) : nullptr;
    const Node* object = IsObject(items) ? items : (IsObject(field) ? field : nullptr);
    // A judgement is reasoned, not looked up, whatever its shape ({"price_point", "rationale"}).
    if (object && RoleOf(name, true) != FieldRole::kJudgement) {
      ListTarget list;
      list.field = name;
      list.single = object == field;
      const std::vector<std::string> words = ContentWords(name);
      list.relative = !words.empty() &&
                      IsOneOf(words.back(), {"alternative", "competitor", "rival", "peer",
                                             "substitute", "compared", "comparison", "similar"});
      if (!list.single) list.max_items = field->max_items;
      for (size_t k = 0; k < object->properties.size(); ++k) {
        const auto& [item_name, item_node] = object->properties[k];
        const Node* item_field = Effective(item_node);
        list.item_fields.push_back(FieldNeed{item_name, RoleAt(item_name, item_field, false),
                                             Required(*object, k), IsArray(item_field),
                                             Choices(item_field)});
      }
      needs.lists.push_back(std::move(list));
      continue;
    }
    needs.root_fields.push_back(FieldNeed{name, RoleAt(name, field, true), Required(*root, i),
                                          IsArray(field), Choices(field)});
  }
  // The primary list is the first array of objects; single objects follow the lists.
  std::stable_partition(needs.lists.begin(), needs.lists.end(),
                        [](const ListTarget& l) { return !l.single; });
  return needs;
}

}  // namespace orchestra::plan
