#include "orchestra/schema/schema.h"

#include <fmt/format.h>

#include <cmath>
#include <map>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "orchestra/schema/format.h"
#include "orchestra/schema/shorthand.h"
#include "orchestra/schema/uri.h"

namespace orchestra::schema {

struct Schema::Compiled {
  Json document;
  CompileOptions options;
  std::vector<std::unique_ptr<Node>> nodes;
  const Node* root = nullptr;
};

namespace {

// The base URI of a document without "$id": references resolve against it, so "#/..." and
// relative references into embedded resources work the same way with or without an $id.
constexpr std::string_view kDefaultBase = "https://orchestra.invalid/schema.json";

// Keywords whose value is a schema, an object of schemas, or an array of schemas. Indexing
// walks only these, so an "$id" inside "enum" or "const" is data, not an identifier.
constexpr std::string_view kSchemaKeywords[] = {"additionalProperties",
                                                "items",
                                                "not",
                                                "if",
                                                "then",
                                                "else",
                                                "contains",
                                                "propertyNames",
                                                "unevaluatedItems",
                                                "unevaluatedProperties",
                                                "contentSchema"};
constexpr std::string_view kSchemaMapKeywords[] = {"properties", "patternProperties", "$defs",
                                                   "definitions", "dependentSchemas"};
constexpr std::string_view kSchemaArrayKeywords[] = {"allOf", "anyOf", "oneOf", "prefixItems"};

std::string EscapePointerToken(std::string_view token) {
  std::string out;
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(std::string_view text) {
  std::string decoded;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && HexDigit(text[i + 1]) >= 0 &&
        HexDigit(text[i + 2]) >= 0) {
      decoded += static_cast<char>(HexDigit(text[i + 1]) * 16 + HexDigit(text[i + 2]));
      i += 2;
    } else {
      decoded += text[i];
    }
  }
  return decoded;
}

// One reference token of a JSON Pointer (already percent-decoded): ~1 and ~0 undone.
std::string UnescapePointerToken(std::string_view decoded) {
  std::string out;
  for (size_t i = 0; i < decoded.size(); ++i) {
    if (decoded[i] == '~' && i + 1 < decoded.size() &&
        (decoded[i + 1] == '0' || decoded[i + 1] == '1')) {
      out += decoded[i + 1] == '0' ? '~' : '/';
      ++i;
    } else {
      out += decoded[i];
    }
  }
  return out;
}

bool NonNegativeInteger(const Json& value, uint64_t* out) {
  if (value.is_uint64()) {
    *out = value.get_uint64();
    return true;
  }
  if (value.is_int64() && value.get_int64() >= 0) {
    *out = static_cast<uint64_t>(value.get_int64());
    return true;
  }
  if (value.is_double() && InstanceType(value) == kIntegerBit && value.get_double() >= 0) {
    const double d = value.get_double();
    *out = d < 1.8e19 ? static_cast<uint64_t>(d) : UINT64_MAX;
    return true;
  }
  return false;
}

// The JSON values in `value`, itself included, counting no further than `cap`.
uint64_t ValueCount(const Json& value, uint64_t cap) {
  uint64_t count = 0;
  std::vector<const Json*> stack{&value};
  while (!stack.empty() && count <= cap) {
    const Json* v = stack.back();
    stack.pop_back();
    ++count;
    if (v->is_array()) {
      for (const Json& e : v->get_array()) stack.push_back(&e);
    } else if (v->is_object()) {
      for (const auto& m : v->get_object()) stack.push_back(&m.value());
    }
  }
  return count;
}

struct Resource {
  const Json* json;
  std::string location;
};

class Compiler {
 public:
  Compiler(const Json& document, const CompileOptions& options)
      : document_(document), options_(options) {}

  Result<const Node*> CompileDocument() {
    resources_[std::string(kDefaultBase)] = {&document_, "#"};
    if (auto s = Index(document_, "#", std::string(kDefaultBase), 0); !s.ok()) return s.error();
    auto root = CompileAt(document_, "#");
    if (!root.ok()) return root.error();
    while (!pending_refs_.empty()) {
      auto [node, ref] = std::move(pending_refs_.back());
      pending_refs_.pop_back();
      auto target = Resolve(*node, ref);
      if (!target.ok()) return target.error();
      node->ref = *target;
    }
    if (auto s = FindInPlaceLoop(); !s.ok()) return s.error();
    return *root;
  }

  std::vector<std::unique_ptr<Node>> TakeNodes() { return std::move(nodes_); }

 private:
  static Error At(std::string_view location, std::string_view message) {
    return Error(ErrorCode::kInvalidArgument, fmt::format("schema at {}: {}", location, message));
  }

  // Records the base URI of every subschema and the embedded resources ($id) and anchors
  // ($anchor) that references may name; enforces the nesting limit and, before anything is
  // compiled, the limit on subschemas.
  Status Index(const Json& schema, const std::string& location, std::string base, int depth) {
    if (depth > options_.max_depth) {
      return At(location,
                fmt::format("subschemas nested deeper than the limit of {}", options_.max_depth));
    }
    if (++indexed_ > options_.max_nodes) return TooManyNodes(location);
    if (!schema.is_object()) {
      base_at_[location] = base;
      return {};
    }
    const auto& object = schema.get_object();
    if (const Json* id = object.if_contains("$id"); id && id->is_string()) {
      base = SplitFragment(ResolveUri(base, id->get_string())).first;
      resources_[base] = {&schema, location};
    }
    base_at_[location] = base;
    if (const Json* anchor = object.if_contains("$anchor"); anchor && anchor->is_string()) {
      anchors_[base + "#" + std::string(anchor->get_string())] = {&schema, location};
    }
    for (const auto& member : object) {
      const std::string_view key = member.key();
      const std::string child = location + "/" + EscapePointerToken(key);
      for (std::string_view k : kSchemaKeywords) {
        if (k == key) {
          if (auto s = Index(member.value(), child, base, depth + 1); !s.ok()) return s;
        }
      }
      for (std::string_view k : kSchemaMapKeywords) {
        if (k != key || !member.value().is_object()) continue;
        for (const auto& sub : member.value().get_object()) {
          if (auto s =
                  Index(sub.value(), child + "/" + EscapePointerToken(sub.key()), base, depth + 1);
              !s.ok()) {
            return s;
          }
        }
      }
      for (std::string_view k : kSchemaArrayKeywords) {
        if (k != key || !member.value().is_array()) continue;
        const auto& list = member.value().get_array();
        for (size_t i = 0; i < list.size(); ++i) {
          if (auto s = Index(list[i], child + "/" + std::to_string(i), base, depth + 1); !s.ok()) {
            return s;
          }
        }
      }
    }
    return {};
  }

  // The base URI in effect at `location` (that of the nearest indexed enclosing schema).
  std::string BaseAt(std::string location) const {
    while (true) {
      if (auto it = base_at_.find(location); it != base_at_.end()) return it->second;
      const size_t slash = location.rfind('/');
      if (slash == std::string::npos) return std::string(kDefaultBase);
      location.erase(slash);
    }
  }

  Result<Node*> Child(const JsonObject& object, std::string_view keyword,
                      const std::string& location) {
    return CompileAt(*object.if_contains(keyword), location + "/" + std::string(keyword));
  }

  Status SchemaList(const Json& value, const std::string& where, std::vector<const Node*>* out) {
    if (!value.is_array() || value.get_array().empty()) {
      return At(where, "must be a non-empty array of schemas");
    }
    const auto& list = value.get_array();
    for (size_t i = 0; i < list.size(); ++i) {
      auto child = CompileAt(list[i], where + "/" + std::to_string(i));
      if (!child.ok()) return child.error();
      out->push_back(*child);
    }
    return {};
  }

  Status TooManyNodes(std::string_view location) const {
    return At(location, fmt::format("the schema has more than {} subschemas, the limit "
                                    "(CompileOptions::max_nodes)",
                                    options_.max_nodes));
  }

  // Charges `units` of compile work to the schema (see CompileOptions::max_work).
  Status Spend(uint64_t units, std::string_view location) {
    work_ += units;
    if (work_ <= options_.max_work) return {};
    return At(location, fmt::format("compiling the schema takes more than {} units of work, the "
                                    "limit (CompileOptions::max_work: subschemas, required "
                                    "names, enum/const/default values, pattern instructions)",
                                    options_.max_work));
  }

  // Charges the JSON values in `value` (see Spend).
  Status SpendValues(const Json& value, std::string_view location) {
    const uint64_t left = work_ < options_.max_work ? options_.max_work - work_ : 0;
    return Spend(ValueCount(value, left), location);
  }

  // `source` compiled, once per distinct source: schemas often repeat a pattern per field.
  Result<Pattern> CompilePattern(const std::string& source, const std::string& where) {
    if (auto it = patterns_.find(source); it != patterns_.end()) return it->second;
    auto pattern = Pattern::Compile(source);
    if (!pattern.ok()) return At(where, "invalid pattern: " + pattern.error().message);
    if (auto s = Spend(pattern->program_size(), where); !s.ok()) return s.error();
    patterns_.emplace(source, *pattern);
    return std::move(*pattern);
  }

  Result<Node*> CompileAt(const Json& schema, const std::string& location) {
    if (auto it = by_location_.find(location); it != by_location_.end()) return it->second;
    // $ref may compile locations Index did not visit (inside an annotation, say).
    if (nodes_.size() >= options_.max_nodes) return TooManyNodes(location).error();
    if (auto s = Spend(1, location); !s.ok()) return s.error();
    nodes_.push_back(std::make_unique<Node>());
    Node* node = nodes_.back().get();
    node->location = location;
    by_location_[location] = node;
    if (schema.is_bool()) {
      node->is_false = !schema.get_bool();
      return node;
    }
    if (!schema.is_object()) {
      return At(location,
                fmt::format("a schema must be an object or a boolean, got {}", Excerpt(schema)));
    }
    const auto& object = schema.get_object();
    if (const Json* type = object.if_contains("type")) {
      if (auto s = CompileType(*type, location + "/type", node); !s.ok()) return s.error();
    }
    if (const Json* properties = object.if_contains("properties")) {
      if (!properties->is_object()) return At(location + "/properties", "must be an object");
      for (const auto& member : properties->get_object()) {
        auto child =
            CompileAt(member.value(), location + "/properties/" + EscapePointerToken(member.key()));
        if (!child.ok()) return child;
        node->properties.emplace_back(std::string(member.key()), *child);
      }
    }
    if (const Json* required = object.if_contains("required")) {
      if (required->is_array()) {
        if (auto s = Spend(required->get_array().size(), location + "/required"); !s.ok()) {
          return s.error();
        }
      }
      if (auto s = StringList(*required, location + "/required", &node->required); !s.ok()) {
        return s.error();
      }
    }
    if (node->properties.size() > Node::kIndexAbove) {
      node->property_index.reserve(node->properties.size());
      for (size_t i = 0; i < node->properties.size(); ++i) {
        node->property_index.emplace(node->properties[i].first, static_cast<uint32_t>(i));
      }
    }
    node->property_required.assign(node->properties.size(), 0);
    for (const std::string& name : node->required) {
      if (const auto i = node->PropertyIndex(name)) {
        ++node->property_required[*i];
      } else {
        node->required_undeclared.push_back(name);
      }
    }
    if (const Json* patterns = object.if_contains("patternProperties")) {
      if (!patterns->is_object()) return At(location + "/patternProperties", "must be an object");
      for (const auto& member : patterns->get_object()) {
        const std::string where =
            location + "/patternProperties/" + EscapePointerToken(member.key());
        auto pattern = CompilePattern(std::string(member.key()), where);
        if (!pattern.ok()) return pattern.error();
        auto child = CompileAt(member.value(), where);
        if (!child.ok()) return child;
        node->pattern_properties.emplace_back(std::move(*pattern), *child);
      }
    }
    if (object.contains("additionalProperties")) {
      auto child = Child(object, "additionalProperties", location);
      if (!child.ok()) return child;
      node->additional_properties = *child;
    }
    if (object.contains("propertyNames")) {
      auto child = Child(object, "propertyNames", location);
      if (!child.ok()) return child;
      node->property_names = *child;
    }
    if (const Json* dependent = object.if_contains("dependentRequired")) {
      if (!dependent->is_object()) return At(location + "/dependentRequired", "must be an object");
      for (const auto& member : dependent->get_object()) {
        const std::string where =
            location + "/dependentRequired/" + EscapePointerToken(member.key());
        if (auto s = SpendValues(member.value(), where); !s.ok()) return s.error();
        std::vector<std::string> names;
        if (auto s = StringList(member.value(), where, &names); !s.ok()) return s.error();
        node->dependent_required.emplace_back(std::string(member.key()), std::move(names));
      }
    }
    if (const Json* dependent = object.if_contains("dependentSchemas")) {
      if (!dependent->is_object()) return At(location + "/dependentSchemas", "must be an object");
      for (const auto& member : dependent->get_object()) {
        auto child = CompileAt(member.value(),
                               location + "/dependentSchemas/" + EscapePointerToken(member.key()));
        if (!child.ok()) return child;
        node->dependent_schemas.emplace_back(std::string(member.key()), *child);
      }
    }
    if (const Json* prefix = object.if_contains("prefixItems")) {
      if (auto s = SchemaList(*prefix, location + "/prefixItems", &node->prefix_items); !s.ok()) {
        return s.error();
      }
    }
    if (const Json* items = object.if_contains("items")) {
      if (items->is_array()) {
        return At(location + "/items", "must be a schema (2020-12 uses prefixItems for tuples)");
      }
      auto child = Child(object, "items", location);
      if (!child.ok()) return child;
      node->items = *child;
    }
    if (object.contains("contains")) {
      auto child = Child(object, "contains", location);
      if (!child.ok()) return child;
      node->contains = *child;
    }
    if (const Json* unique = object.if_contains("uniqueItems")) {
      if (!unique->is_bool()) return At(location + "/uniqueItems", "must be a boolean");
      node->unique_items = unique->get_bool();
    }
    for (auto [keyword, list] :
         {std::pair{"allOf", &node->all_of}, std::pair{"anyOf", &node->any_of},
          std::pair{"oneOf", &node->one_of}}) {
      if (const Json* value = object.if_contains(keyword)) {
        if (auto s = SchemaList(*value, location + "/" + keyword, list); !s.ok()) return s.error();
      }
    }
    for (auto [keyword, field] :
         {std::pair{"not", &Node::not_}, std::pair{"if", &Node::if_},
          std::pair{"then", &Node::then_}, std::pair{"else", &Node::else_}}) {
      if (!object.contains(keyword)) continue;
      auto child = Child(object, keyword, location);
      if (!child.ok()) return child;
      node->*field = *child;
    }
    if (const Json* values = object.if_contains("enum")) {
      if (!values->is_array()) return At(location + "/enum", "must be an array");
      if (auto s = SpendValues(*values, location + "/enum"); !s.ok()) return s.error();
      node->enum_values.emplace(values->get_array().begin(), values->get_array().end());
      if (node->enum_values->size() > Node::kIndexAbove) {
        node->enum_index.reserve(node->enum_values->size());
        for (size_t i = 0; i < node->enum_values->size(); ++i) {
          node->enum_index.emplace(JsonHash((*node->enum_values)[i]), static_cast<uint32_t>(i));
        }
      }
    }
    for (auto [keyword, field] :
         {std::pair{"const", &Node::const_value}, std::pair{"default", &Node::default_value}}) {
      const Json* value = object.if_contains(keyword);
      if (!value) continue;
      if (auto s = SpendValues(*value, location + "/" + keyword); !s.ok()) return s.error();
      node->*field = *value;
    }
    for (auto [keyword, field] :
         {std::pair{"minimum", &Node::minimum}, std::pair{"maximum", &Node::maximum},
          std::pair{"exclusiveMinimum", &Node::exclusive_minimum},
          std::pair{"exclusiveMaximum", &Node::exclusive_maximum},
          std::pair{"multipleOf", &Node::multiple_of}}) {
      const Json* value = object.if_contains(keyword);
      if (!value) continue;
      double d = 0;
      if (!JsonNumber(*value, &d) || !std::isfinite(d)) {
        return At(location + "/" + keyword, "must be a finite number");
      }
      if (field == &Node::multiple_of && d <= 0) {
        return At(location + "/multipleOf", "must be greater than 0");
      }
      node->*field = *value;
    }
    for (auto [keyword, field] :
         {std::pair{"minItems", &Node::min_items}, std::pair{"maxItems", &Node::max_items},
          std::pair{"minLength", &Node::min_length}, std::pair{"maxLength", &Node::max_length},
          std::pair{"minProperties", &Node::min_properties},
          std::pair{"maxProperties", &Node::max_properties},
          std::pair{"minContains", &Node::min_contains},
          std::pair{"maxContains", &Node::max_contains}}) {
      if (const Json* value = object.if_contains(keyword)) {
        uint64_t n = 0;
        if (!NonNegativeInteger(*value, &n)) {
          return At(location + "/" + keyword, "must be a non-negative integer");
        }
        node->*field = n;
      }
    }
    if (const Json* pattern = object.if_contains("pattern")) {
      if (!pattern->is_string()) return At(location + "/pattern", "must be a string");
      auto compiled = CompilePattern(std::string(pattern->get_string()), location + "/pattern");
      if (!compiled.ok()) return compiled.error();
      node->pattern = std::move(*compiled);
    }
    if (const Json* format = object.if_contains("format")) {
      if (format->is_string()) {
        node->format_name = std::string(format->get_string());
        if (options_.assert_format) node->format = FormatFromName(node->format_name);
      }
    }
    if (const Json* ref = object.if_contains("$ref")) {
      if (!ref->is_string()) return At(location + "/$ref", "must be a string");
      pending_refs_.emplace_back(node, std::string(ref->get_string()));
    }
    for (std::string_view defs_keyword : {"$defs", "definitions"}) {
      const Json* defs = object.if_contains(defs_keyword);
      if (!defs) continue;
      if (!defs->is_object()) {
        return At(location + "/" + std::string(defs_keyword), "must be an object of schemas");
      }
      for (const auto& def : defs->get_object()) {
        auto child = CompileAt(def.value(), location + "/" + std::string(defs_keyword) + "/" +
                                                EscapePointerToken(def.key()));
        if (!child.ok()) return child;
      }
    }
    return node;
  }

  static Status StringList(const Json& value, const std::string& where,
                           std::vector<std::string>* out) {
    if (!value.is_array()) return At(where, "must be an array of strings");
    for (const Json& name : value.get_array()) {
      if (!name.is_string()) return At(where, "must be an array of strings");
      out->emplace_back(name.get_string());
    }
    return {};
  }

  static Status CompileType(const Json& type, const std::string& location, Node* node) {
    auto bits_of = [&](const Json& name) -> Result<uint8_t> {
      if (!name.is_string()) return At(location, "must be a type name or an array of them");
      const uint8_t bits = TypeBitsFromName(name.get_string());
      if (bits == 0) {
        return At(location, fmt::format("unknown type \"{}\" (expected null, boolean, integer, "
                                        "number, string, array, object)",
                                        std::string_view(name.get_string())));
      }
      return bits;
    };
    if (type.is_array()) {
      uint8_t all = 0;
      for (const Json& name : type.get_array()) {
        auto bits = bits_of(name);
        if (!bits.ok()) return bits.error();
        all |= *bits;
      }
      node->types = all;
      return {};
    }
    auto bits = bits_of(type);
    if (!bits.ok()) return bits.error();
    node->types = *bits;
    return {};
  }

  Result<const Node*> Resolve(const Node& from, const std::string& ref) {
    const std::string where = from.location + "/$ref";
    const std::string absolute = ResolveUri(BaseAt(from.location), ref);
    auto [document, fragment] = SplitFragment(absolute);
    const Resource* resource = nullptr;
    if (auto it = resources_.find(document); it != resources_.end()) resource = &it->second;
    if (!resource) {
      return At(where, fmt::format("cannot resolve \"{}\": remote references are not supported "
                                   "(only local references into this schema)",
                                   ref));
    }
    if (!fragment.empty() && fragment[0] != '/') {
      auto it = anchors_.find(document + "#" + PercentDecode(fragment));
      if (it == anchors_.end()) {
        return At(where, fmt::format("cannot resolve \"{}\": no such anchor", ref));
      }
      resource = &it->second;
      fragment.clear();
    }
    const std::string pointer = PercentDecode(fragment);
    const Json* target = resource->json;
    std::string location = resource->location;
    size_t pos = 0;
    while (pos < pointer.size()) {
      const size_t next = pointer.find('/', pos + 1);
      const std::string token = UnescapePointerToken(std::string_view(pointer).substr(
          pos + 1, next == std::string::npos ? std::string::npos : next - pos - 1));
      pos = next == std::string::npos ? pointer.size() : next;
      const Json* child = nullptr;
      if (target->is_object()) {
        child = target->get_object().if_contains(token);
      } else if (target->is_array()) {
        size_t index = 0;
        bool digits = !token.empty();
        for (char c : token) {
          digits = digits && c >= '0' && c <= '9';
          if (digits) index = index * 10 + static_cast<size_t>(c - '0');
        }
        if (digits && token.size() < 10 && index < target->get_array().size()) {
          child = &target->get_array()[index];
        }
      }
      if (!child) return At(where, fmt::format("cannot resolve \"{}\": no such location", ref));
      target = child;
      location += "/" + EscapePointerToken(token);
    }
    auto node = CompileAt(*target, location);
    if (!node.ok()) return node.error();
    return static_cast<const Node*>(*node);
  }

  // Depth-first search (iterative: reference chains may be long) over the edges that apply to
  // the same instance: a cycle there would make validation recurse forever.
  Status FindInPlaceLoop() {
    std::unordered_map<const Node*, int> state;
    auto edges = [](const Node* node) {
      std::vector<const Node*> out;
      if (node->ref) out.push_back(node->ref);
      for (const auto* list : {&node->all_of, &node->any_of, &node->one_of}) {
        out.insert(out.end(), list->begin(), list->end());
      }
      for (const Node* n : {node->not_, node->if_, node->then_, node->else_}) {
        if (n) out.push_back(n);
      }
      for (const auto& [name, n] : node->dependent_schemas) out.push_back(n);
      return out;
    };
    for (const auto& start : nodes_) {
      if (state[start.get()] != 0) continue;
      // Stack of (node, its in-place successors, index of the next one to visit).
      std::vector<std::tuple<const Node*, std::vector<const Node*>, size_t>> stack;
      state[start.get()] = 1;
      stack.emplace_back(start.get(), edges(start.get()), 0);
      while (!stack.empty()) {
        auto& [node, next, index] = stack.back();
        if (index == next.size()) {
          state[node] = 2;
          stack.pop_back();
          continue;
        }
        const Node* child = next[index++];
        int& mark = state[child];
        if (mark == 1) {
          return At(child->location,
                    "$ref/allOf/anyOf/oneOf/not/if loop back to this schema without consuming "
                    "any part of the instance");
        }
        if (mark == 2) continue;
        mark = 1;
        stack.emplace_back(child, edges(child), 0);
      }
    }
    return {};
  }

  const Json& document_;
  const CompileOptions& options_;
  std::vector<std::unique_ptr<Node>> nodes_;
  std::map<std::string, Node*> by_location_;
  std::map<std::string, Resource> resources_;
  std::map<std::string, Resource> anchors_;
  std::unordered_map<std::string, std::string> base_at_;
  std::vector<std::pair<Node*, std::string>> pending_refs_;
  std::unordered_map<std::string, Pattern> patterns_;
  size_t indexed_ = 0;
  uint64_t work_ = 0;
};

}  // namespace

Schema::Schema(std::shared_ptr<const Compiled> compiled) : compiled_(std::move(compiled)) {}

Result<Schema> Schema::Compile(const Json& json_schema) {
  return Compile(json_schema, CompileOptions{});
}

Result<Schema> Schema::Compile(const Json& json_schema, const CompileOptions& options) {
  return Compile(Json(json_schema, boost::json::storage_ptr()), options);
}

Result<Schema> Schema::Compile(Json&& json_schema, const CompileOptions& options) {
  auto compiled = std::make_shared<Compiled>();
  compiled->document = std::move(json_schema);
  compiled->options = options;
  Compiler compiler(compiled->document, compiled->options);
  auto root = compiler.CompileDocument();
  if (!root.ok()) return root.error();
  compiled->nodes = compiler.TakeNodes();
  compiled->root = *root;
  return Schema(std::move(compiled));
}

Result<Schema> Schema::FromTarget(const Json& target_schema) {
  if (LooksLikeJsonSchema(target_schema)) return Compile(target_schema);
  auto converted = ShorthandToJsonSchema(target_schema);
  if (!converted.ok()) return converted.error();
  return Compile(std::move(*converted), CompileOptions{});
}

Result<Schema> Schema::FromTarget(const Json& target_schema, const std::string& name) {
  auto named = [&](const Error& e) {
    return Error(e.code, fmt::format("{}: {}", name, e.message));
  };
  if (LooksLikeJsonSchema(target_schema)) {
    auto compiled = Compile(target_schema);
    if (!compiled.ok()) return named(compiled.error());
    return compiled;
  }
  auto converted = ShorthandToJsonSchema(target_schema, name);
  if (!converted.ok()) return converted.error();
  auto compiled = Compile(std::move(*converted), CompileOptions{});
  if (!compiled.ok()) return named(compiled.error());
  return compiled;
}

Result<Schema> Schema::FromTarget(Json&& target_schema) {
  if (LooksLikeJsonSchema(target_schema)) return Compile(std::move(target_schema), {});
  return FromTarget(static_cast<const Json&>(target_schema));
}

const Json& Schema::json_schema() const { return compiled_->document; }

const Node& Schema::root() const { return *compiled_->root; }

const CompileOptions& Schema::options() const { return compiled_->options; }

}  // namespace orchestra::schema
