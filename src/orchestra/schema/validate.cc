#include <fmt/format.h>

#include <algorithm>

#include "orchestra/schema/instance.h"
#include "orchestra/schema/schema.h"
#include "orchestra/schema/validator.h"

namespace orchestra::schema {
namespace {

using Violations = std::vector<Violation>;

void Report(Violations* out, const std::string& path, std::string_view rule, std::string message) {
  out->push_back(Violation{path, std::string(rule), std::move(message)});
}

std::string ValuesText(const std::vector<Json>& values) {
  std::string out;
  for (const Json& v : values) {
    if (!out.empty()) out += ", ";
    out += Excerpt(v, 30);
  }
  return out;
}

bool ContainsValue(const std::vector<Json>& values, const Json& instance) {
  return std::any_of(values.begin(), values.end(),
                     [&](const Json& v) { return JsonEqual(v, instance); });
}

// A property's value contributes the field slots found inside it, or is one slot itself.
void CountSlot(const Json& value, const FieldTally& inner, FieldTally* tally) {
  tally->required += inner.required;
  tally->required_populated += inner.required_populated;
  if (inner.total > 0) {
    tally->total += inner.total;
    tally->populated += inner.populated;
  } else {
    tally->total += 1;
    tally->populated += IsPopulated(value) ? 1 : 0;
  }
}

void CheckObject(const Node& node, const JsonObject& object, const std::string& path,
                 Violations* out, FieldTally* tally) {
  for (const auto& [name, child] : node.properties) {
    const std::string child_path = MemberPath(path, name);
    const Json* value = object.if_contains(name);
    if (!value) {
      tally->total += 1;
      if (node.IsRequired(name)) Report(out, child_path, "required", "required field is missing");
      continue;
    }
    FieldTally inner;
    CheckNode(*child, *value, child_path, out, &inner);
    CountSlot(*value, inner, tally);
  }
  for (const std::string& name : node.required) {
    const Json* value = object.if_contains(name);
    tally->required += 1;
    if (value && IsPopulated(*value)) tally->required_populated += 1;
    if (!value && !node.Property(name)) {
      Report(out, MemberPath(path, name), "required", "required field is missing");
    }
  }
  if (!node.additional_properties) return;
  for (const auto& member : object) {
    if (node.Property(member.key())) continue;
    const std::string child_path = MemberPath(path, member.key());
    if (node.additional_properties->is_false) {
      Report(out, child_path, "additionalProperties",
             fmt::format("unexpected field \"{}\" (not in properties)",
                         std::string_view(member.key())));
      continue;
    }
    CheckNode(*node.additional_properties, member.value(), child_path, out, tally);
  }
}

void CheckArray(const Node& node, const JsonArray& array, const std::string& path, Violations* out,
                FieldTally* tally) {
  if (node.min_items && array.size() < *node.min_items) {
    Report(out, path, "minItems",
           fmt::format("expected at least {} items, got {}", *node.min_items, array.size()));
  }
  if (node.max_items && array.size() > *node.max_items) {
    Report(out, path, "maxItems",
           fmt::format("expected at most {} items, got {}", *node.max_items, array.size()));
  }
  if (!node.items) return;
  for (size_t i = 0; i < array.size(); ++i) {
    CheckNode(*node.items, array[i], ElementPath(path, i), out, tally);
  }
}

void CheckString(const Node& node, std::string_view text, const std::string& path,
                 Violations* out) {
  if (!node.min_length && !node.max_length) return;
  const size_t length = CodePointCount(text);
  if (node.min_length && length < *node.min_length) {
    Report(out, path, "minLength",
           fmt::format("expected at least {} characters, got {}", *node.min_length, length));
  }
  if (node.max_length && length > *node.max_length) {
    Report(out, path, "maxLength",
           fmt::format("expected at most {} characters, got {}", *node.max_length, length));
  }
}

void CheckAnyOf(const Node& node, const Json& instance, const std::string& path, Violations* out,
                FieldTally* tally) {
  std::string reasons;
  for (const Node* branch : node.any_of) {
    Violations branch_violations;
    FieldTally branch_tally;
    CheckNode(*branch, instance, path, &branch_violations, &branch_tally);
    if (branch_violations.empty()) {
      tally->Add(branch_tally);
      return;
    }
    const Violation& first = branch_violations.front();
    if (!reasons.empty()) reasons += "; ";
    reasons += first.path == path ? first.message : first.path + ": " + first.message;
  }
  Report(out, path, "anyOf",
         fmt::format("matches none of the {} alternatives ({})", node.any_of.size(), reasons));
}

}  // namespace

void CheckNode(const Node& node, const Json& instance, const std::string& path,
               Violations* violations, FieldTally* tally) {
  if (node.is_false) {
    Report(violations, path, "false", "no value is allowed here");
    return;
  }
  if (node.ref) CheckNode(*node.ref, instance, path, violations, tally);
  const uint8_t type = InstanceType(instance);
  if (!(node.types & type)) {
    Report(violations, path, "type",
           fmt::format("expected {}, got {}", TypeBitsText(node.types), TypeBitName(type)));
    return;  // enum/const/length checks on a value of the wrong type would only repeat this
  }
  if (node.enum_values && !ContainsValue(*node.enum_values, instance)) {
    Report(violations, path, "enum",
           fmt::format("expected one of {}, got {}", ValuesText(*node.enum_values),
                       Excerpt(instance)));
  }
  if (node.const_value && !JsonEqual(*node.const_value, instance)) {
    Report(violations, path, "const",
           fmt::format("expected {}, got {}", Excerpt(*node.const_value), Excerpt(instance)));
  }
  if (instance.is_string()) CheckString(node, instance.get_string(), path, violations);
  if (instance.is_array()) CheckArray(node, instance.get_array(), path, violations, tally);
  if (instance.is_object()) CheckObject(node, instance.get_object(), path, violations, tally);
  if (!node.any_of.empty()) CheckAnyOf(node, instance, path, violations, tally);
}

bool Accepts(const Node& node, const Json& instance) {
  Violations violations;
  FieldTally tally;
  CheckNode(node, instance, "$", &violations, &tally);
  return violations.empty();
}

ValidationReport Schema::Validate(const Json& instance) const {
  ValidationReport report;
  FieldTally tally;
  CheckNode(root(), instance, "$", &report.violations, &tally);
  if (tally.total == 0) {
    tally.total = 1;
    tally.populated = IsPopulated(instance) ? 1 : 0;
  }
  report.valid = report.violations.empty();
  report.total_fields = tally.total;
  report.populated_fields = tally.populated;
  report.required_fields = tally.required;
  report.required_populated = tally.required_populated;
  const double errors = static_cast<double>(report.violations.size());
  report.compliance = std::clamp(1.0 - errors / tally.total, 0.0, 1.0);
  report.completeness = tally.required > 0
                            ? static_cast<double>(tally.required_populated) / tally.required
                            : static_cast<double>(tally.populated) / tally.total;
  return report;
}

}  // namespace orchestra::schema
