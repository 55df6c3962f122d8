#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "orchestra/core/json.h"
#include "orchestra/schema/instance.h"
#include "orchestra/schema/pattern.h"

namespace orchestra::schema {

// The formats Node::format knows how to assert (others are annotations only).
enum class Format : uint8_t { kNone, kDate, kDateTime, kTime, kEmail, kUri, kUuid, kIpv4 };

// One compiled (sub)schema: the intermediate representation that validation and
// standardization walk. Nodes are immutable once a Schema is compiled and owned by it; the
// pointers between them stay valid as long as any copy of that Schema lives. The graph may
// contain cycles through `ref` (recursive models) but never a cycle of in-place applicators
// ($ref, allOf, anyOf, oneOf, not, if/then/else, dependentSchemas) that does not pass through
// an instance member or element (Compile rejects it). Each JSON Schema keyword is one member.
struct Node {
  // Where this subschema sits in the schema document, as a JSON Pointer fragment
  // ("#", "#/properties/name", "#/$defs/Competitor").
  std::string location;

  // The boolean schema `false` (also additionalProperties: false): no instance is valid.
  bool is_false = false;

  // "type": the allowed instance types as TypeBit flags; kAllTypeBits when absent.
  uint8_t types = kAllTypeBits;

  // "properties", in document order, and "required".
  std::vector<std::pair<std::string, const Node*>> properties;
  std::vector<std::string> required;

  // Derived from the two at compile time, so that validation looks each member up once: how
  // many times `required` names properties[i] (0: optional), and the names in `required` that
  // `properties` does not declare, in order, duplicates kept.
  std::vector<uint32_t> property_required;
  std::vector<std::string> required_undeclared;

  // Also derived at compile time, for objects with more than kIndexAbove properties (smaller
  // ones are scanned): property name -> its index in `properties`.
  std::unordered_map<std::string, uint32_t, NameHash, std::equal_to<>> property_index;

  // "patternProperties": members whose name matches (unanchored search) get the schema.
  std::vector<std::pair<Pattern, const Node*>> pattern_properties;

  // "additionalProperties": applies to members matched neither by `properties` nor by
  // `pattern_properties`; nullptr when absent, a node with is_false for `false`.
  const Node* additional_properties = nullptr;

  // "propertyNames": every member name (as a string instance) must satisfy it.
  const Node* property_names = nullptr;

  // "dependentRequired" and "dependentSchemas": apply when the named member is present.
  std::vector<std::pair<std::string, std::vector<std::string>>> dependent_required;
  std::vector<std::pair<std::string, const Node*>> dependent_schemas;

  // "minProperties", "maxProperties".
  std::optional<uint64_t> min_properties;
  std::optional<uint64_t> max_properties;

  // "prefixItems": element i must satisfy prefix_items[i].
  std::vector<const Node*> prefix_items;

  // "items": applies to every element after the prefixItems; nullptr when absent.
  const Node* items = nullptr;

  // "contains" with "minContains" (default 1) and "maxContains".
  const Node* contains = nullptr;
  std::optional<uint64_t> min_contains;
  std::optional<uint64_t> max_contains;

  // "uniqueItems": true requires pairwise distinct elements (JsonEqual).
  bool unique_items = false;

  // "allOf", "anyOf", "oneOf", "not".
  std::vector<const Node*> all_of;
  std::vector<const Node*> any_of;
  std::vector<const Node*> one_of;
  const Node* not_ = nullptr;

  // "if", "then", "else" (then/else without if are ignored, as the specification says).
  const Node* if_ = nullptr;
  const Node* then_ = nullptr;
  const Node* else_ = nullptr;

  // "enum" and "const": compared with JsonEqual (1 equals 1.0).
  std::optional<std::vector<Json>> enum_values;
  std::optional<Json> const_value;

  // For an enum of more than kIndexAbove values: JsonHash(value) -> its index in enum_values.
  std::unordered_multimap<size_t, uint32_t> enum_index;

  // "$ref", resolved: applies in place, alongside this node's own keywords (2020-12).
  const Node* ref = nullptr;

  // "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf" as written
  // (numbers; compared exactly, see CompareNumbers).
  std::optional<Json> minimum;
  std::optional<Json> maximum;
  std::optional<Json> exclusive_minimum;
  std::optional<Json> exclusive_maximum;
  std::optional<Json> multiple_of;

  // "minItems", "maxItems", "minLength", "maxLength" (code points).
  std::optional<uint64_t> min_items;
  std::optional<uint64_t> max_items;
  std::optional<uint64_t> min_length;
  std::optional<uint64_t> max_length;

  // "pattern" (ECMA-262 subset, see pattern.h).
  std::optional<Pattern> pattern;

  // "format": kept as text; asserted only when the schema was compiled with
  // CompileOptions::assert_format and the format is one of Format.
  std::string format_name;
  Format format = Format::kNone;

  // "default" (an annotation; the standardizer fills it into absent optional fields).
  std::optional<Json> default_value;

  // Collections up to this size are searched by a scan, larger ones through an index.
  static constexpr size_t kIndexAbove = 8;

  // The index in `properties` of property `name`, or nullopt when it is not declared.
  std::optional<size_t> PropertyIndex(std::string_view name) const {
    if (properties.size() > kIndexAbove) {
      auto it = property_index.find(name);
      if (it == property_index.end()) return std::nullopt;
      return it->second;
    }
    for (size_t i = 0; i < properties.size(); ++i) {
      if (properties[i].first == name) return i;
    }
    return std::nullopt;
  }

  // The node of property `name`, or nullptr when it is not declared.
  const Node* Property(std::string_view name) const {
    const auto i = PropertyIndex(name);
    return i ? properties[*i].second : nullptr;
  }

  // Whether `required` names `name`.
  bool IsRequired(std::string_view name) const {
    if (const auto i = PropertyIndex(name)) return property_required[*i] > 0;
    for (const auto& key : required_undeclared) {
      if (key == name) return true;
    }
    return false;
  }

  // Whether `value` is one of enum_values (JsonEqual); true when there is no enum.
  bool EnumContains(const Json& value) const {
    if (!enum_values) return true;
    if (enum_values->size() > kIndexAbove) {
      auto [lo, hi] = enum_index.equal_range(JsonHash(value));
      for (auto it = lo; it != hi; ++it) {
        if (JsonEqual((*enum_values)[it->second], value)) return true;
      }
      return false;
    }
    for (const Json& e : *enum_values) {
      if (JsonEqual(e, value)) return true;
    }
    return false;
  }
};

}  // namespace orchestra::schema
