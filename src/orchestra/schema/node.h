#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "orchestra/core/json.h"
#include "orchestra/schema/instance.h"

namespace orchestra::schema {

// One compiled (sub)schema: the intermediate representation that validation and
// standardization walk. Nodes are immutable once a Schema is compiled and owned by it; the
// pointers between them stay valid as long as any copy of that Schema lives. The graph may
// contain cycles through `ref` (recursive models) but never a cycle of in-place applicators
// ($ref/anyOf) that does not pass through an instance member or element (Compile rejects it).
// Each JSON Schema keyword is one member, so later keywords (allOf, oneOf, not, prefixItems,
// patternProperties, minimum, pattern, format, ...) slot in as further members.
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

  // "additionalProperties": applies to members not in `properties`; nullptr when absent
  // (anything goes), a node with is_false for `false`.
  const Node* additional_properties = nullptr;

  // "items": applies to every array element; nullptr when absent.
  const Node* items = nullptr;

  // "anyOf": at least one branch must accept the instance.
  std::vector<const Node*> any_of;

  // "enum" and "const": compared with JsonEqual (1 equals 1.0).
  std::optional<std::vector<Json>> enum_values;
  std::optional<Json> const_value;

  // "$ref", resolved: applies in place, alongside this node's own keywords (2020-12).
  const Node* ref = nullptr;

  // "minItems", "maxItems", "minLength", "maxLength" (code points).
  std::optional<uint64_t> min_items;
  std::optional<uint64_t> max_items;
  std::optional<uint64_t> min_length;
  std::optional<uint64_t> max_length;

  // "default" (an annotation; the standardizer fills it into absent optional fields).
  std::optional<Json> default_value;

  // The node of property `name`, or nullptr when it is not declared.
  const Node* Property(std::string_view name) const {
    for (const auto& [key, node] : properties) {
      if (key == name) return node;
    }
    return nullptr;
  }

  bool IsRequired(std::string_view name) const {
    for (const auto& key : required) {
      if (key == name) return true;
    }
    return false;
  }
};

}  // namespace orchestra::schema
