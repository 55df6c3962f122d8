#include "orchestra/schema/shorthand.h"

#include <fmt/format.h>

#include <string>

#include "orchestra/schema/instance.h"
#include "orchestra/schema/shorthand_type.h"

namespace orchestra::schema {
namespace {

constexpr int kMaxShorthandDepth = 64;

std::string KindName(const Json& value) {
  switch (value.kind()) {
    case boost::json::kind::null:
      return "null";
    case boost::json::kind::bool_:
      return "boolean";
    case boost::json::kind::string:
      return "string";
    case boost::json::kind::array:
      return "array";
    case boost::json::kind::object:
      return "object";
    default:
      return "number";
  }
}

Error At(const std::string& path, std::string_view message) {
  return Error(ErrorCode::kInvalidArgument, fmt::format("{}: {}", path, message));
}

// The schema of one shorthand node; `optional` reports whether a string leaf admits None.
Result<Json> Convert(const Json& node, const std::string& path, int depth, bool* optional) {
  *optional = false;
  if (depth > kMaxShorthandDepth) return At(path, "shorthand nested too deeply");
  if (node.is_string()) {
    auto type = ParseShorthandType(node.get_string());
    if (!type.ok()) return At(path, type.error().message);
    *optional = type->optional;
    return std::move(type->schema);
  }
  if (node.is_array()) {
    const auto& list = node.get_array();
    if (list.size() != 1) {
      return At(path, fmt::format("a list shorthand must have exactly one element (the item "
                                  "type), got {}",
                                  list.size()));
    }
    bool item_optional = false;
    auto items = Convert(list[0], ElementPath(path, 0), depth + 1, &item_optional);
    if (!items.ok()) return items;
    return Json(JsonObject{{"type", "array"}, {"items", std::move(*items)}});
  }
  if (node.is_object()) {
    JsonObject properties;
    JsonArray required;
    for (const auto& field : node.get_object()) {
      bool field_optional = false;
      auto schema =
          Convert(field.value(), MemberPath(path, field.key()), depth + 1, &field_optional);
      if (!schema.ok()) return schema;
      if (field_optional) {
        // Pydantic gives an Optional field (declared `= None`) its default and does not require it.
        if (schema->is_object()) schema->get_object()["default"] = nullptr;
      } else {
        required.push_back(Json(field.key()));
      }
      properties[field.key()] = std::move(*schema);
    }
    JsonObject model{{"type", "object"}, {"properties", std::move(properties)}};
    if (!required.empty()) model["required"] = std::move(required);
    return Json(std::move(model));
  }
  return At(path, fmt::format("expected a type name, a nested object or a one-element list, got "
                              "{} {}",
                              KindName(node), Excerpt(node)));
}

bool IsTypeName(const Json& value) {
  return value.is_string() && TypeBitsFromName(value.get_string()) != 0;
}

bool IsSchemaTypeValue(const Json& value) {
  if (IsTypeName(value)) return true;
  if (!value.is_array() || value.get_array().empty()) return false;
  for (const Json& item : value.get_array()) {
    if (!IsTypeName(item)) return false;
  }
  return true;
}

bool IsSchemaOrBool(const Json& value) { return value.is_bool() || LooksLikeJsonSchema(value); }

}  // namespace

Result<Json> ShorthandToJsonSchema(const Json& shorthand) {
  return ShorthandToJsonSchema(shorthand, "target_schema");
}

Result<Json> ShorthandToJsonSchema(const Json& shorthand, const std::string& root) {
  bool optional = false;
  return Convert(shorthand, root, 0, &optional);
}

bool LooksLikeJsonSchema(const Json& value) {
  if (!value.is_object()) return false;
  const auto& object = value.get_object();
  if (const Json* type = object.if_contains("type"); type && IsSchemaTypeValue(*type)) return true;
  if (const Json* s = object.if_contains("$schema"); s && s->is_string()) return true;
  if (const Json* ref = object.if_contains("$ref"); ref && ref->is_string()) {
    const std::string_view text = ref->get_string();
    if (text.starts_with("#") || text.find('/') != std::string_view::npos) return true;
  }
  if (const Json* defs = object.if_contains("$defs"); defs && defs->is_object()) {
    bool all_schemas = true;
    for (const auto& def : defs->get_object()) {
      all_schemas = all_schemas && (def.value().is_object() || def.value().is_bool());
    }
    if (all_schemas) return true;
  }
  if (const Json* any_of = object.if_contains("anyOf");
      any_of && any_of->is_array() && !any_of->get_array().empty()) {
    bool all_schemas = true;
    for (const Json& branch : any_of->get_array())
      all_schemas = all_schemas && IsSchemaOrBool(branch);
    if (all_schemas) return true;
  }
  if (const Json* properties = object.if_contains("properties");
      properties && properties->is_object()) {
    // Shorthand leaves are strings or lists; schema members are objects or booleans, and at
    // least one must carry schema keywords (an Any field is {"title": ...} in Pydantic).
    bool all_objects = true;
    bool one_schema = false;
    for (const auto& member : properties->get_object()) {
      const Json& v = member.value();
      all_objects = all_objects && (v.is_object() || v.is_bool());
      one_schema = one_schema || IsSchemaOrBool(v);
    }
    if (all_objects && one_schema) return true;
  }
  return false;
}

}  // namespace orchestra::schema
