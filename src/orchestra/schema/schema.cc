#include "orchestra/schema/schema.h"

#include <fmt/format.h>

#include <map>
#include <utility>

#include "orchestra/schema/shorthand.h"

namespace orchestra::schema {

struct Schema::Compiled {
  Json document;
  std::vector<std::unique_ptr<Node>> nodes;
  const Node* root = nullptr;
};

namespace {

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

// One reference token of a URI-fragment JSON Pointer: percent-decoded, then ~1 and ~0 undone.
std::string UnescapePointerToken(std::string_view token) {
  std::string decoded;
  for (size_t i = 0; i < token.size(); ++i) {
    if (token[i] == '%' && i + 2 < token.size() && HexDigit(token[i + 1]) >= 0 &&
        HexDigit(token[i + 2]) >= 0) {
      decoded += static_cast<char>(HexDigit(token[i + 1]) * 16 + HexDigit(token[i + 2]));
      i += 2;
    } else {
      decoded += token[i];
    }
  }
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
  if (value.is_double() && InstanceType(value) == kIntegerBit && value.get_double() >= 0 &&
      value.get_double() < 1.8e19) {
    *out = static_cast<uint64_t>(value.get_double());
    return true;
  }
  return false;
}

class Compiler {
 public:
  explicit Compiler(const Json& document) : document_(document) {}

  Result<const Node*> CompileDocument() {
    auto root = CompileAt(document_, "#");
    if (!root.ok()) return root.error();
    while (!pending_refs_.empty()) {
      auto [node, ref] = std::move(pending_refs_.back());
      pending_refs_.pop_back();
      auto target = Resolve(*node, ref);
      if (!target.ok()) return target.error();
      node->ref = *target;
    }
    std::map<const Node*, int> state;
    for (const auto& node : nodes_) {
      if (auto loop = FindInPlaceLoop(node.get(), &state); !loop.ok()) return loop.error();
    }
    return *root;
  }

  std::vector<std::unique_ptr<Node>> TakeNodes() { return std::move(nodes_); }

 private:
  static Error At(std::string_view location, std::string_view message) {
    return Error(ErrorCode::kInvalidArgument, fmt::format("schema at {}: {}", location, message));
  }

  Result<Node*> CompileAt(const Json& schema, const std::string& location) {
    if (auto it = by_location_.find(location); it != by_location_.end()) return it->second;
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
      if (!required->is_array()) return At(location + "/required", "must be an array of strings");
      for (const Json& name : required->get_array()) {
        if (!name.is_string()) return At(location + "/required", "must be an array of strings");
        node->required.emplace_back(name.get_string());
      }
    }
    if (const Json* additional = object.if_contains("additionalProperties")) {
      auto child = CompileAt(*additional, location + "/additionalProperties");
      if (!child.ok()) return child;
      node->additional_properties = *child;
    }
    if (const Json* items = object.if_contains("items")) {
      if (items->is_array()) {
        return At(location + "/items", "must be a schema (2020-12 uses prefixItems for tuples)");
      }
      auto child = CompileAt(*items, location + "/items");
      if (!child.ok()) return child;
      node->items = *child;
    }
    if (const Json* any_of = object.if_contains("anyOf")) {
      if (!any_of->is_array() || any_of->get_array().empty()) {
        return At(location + "/anyOf", "must be a non-empty array of schemas");
      }
      const auto& branches = any_of->get_array();
      for (size_t i = 0; i < branches.size(); ++i) {
        auto child = CompileAt(branches[i], location + "/anyOf/" + std::to_string(i));
        if (!child.ok()) return child;
        node->any_of.push_back(*child);
      }
    }
    if (const Json* values = object.if_contains("enum")) {
      if (!values->is_array()) return At(location + "/enum", "must be an array");
      node->enum_values.emplace(values->get_array().begin(), values->get_array().end());
    }
    if (const Json* value = object.if_contains("const")) node->const_value = *value;
    if (const Json* value = object.if_contains("default")) node->default_value = *value;
    for (auto [keyword, field] :
         {std::pair{"minItems", &Node::min_items}, std::pair{"maxItems", &Node::max_items},
          std::pair{"minLength", &Node::min_length}, std::pair{"maxLength", &Node::max_length}}) {
      if (const Json* value = object.if_contains(keyword)) {
        uint64_t n = 0;
        if (!NonNegativeInteger(*value, &n)) {
          return At(location + "/" + keyword, "must be a non-negative integer");
        }
        node->*field = n;
      }
    }
    if (const Json* ref = object.if_contains("$ref")) {
      if (!ref->is_string()) return At(location + "/$ref", "must be a string");
      pending_refs_.emplace_back(node, std::string(ref->get_string()));
    }
    if (const Json* defs = object.if_contains("$defs")) {
      if (!defs->is_object()) return At(location + "/$defs", "must be an object of schemas");
      for (const auto& def : defs->get_object()) {
        auto child = CompileAt(def.value(), location + "/$defs/" + EscapePointerToken(def.key()));
        if (!child.ok()) return child;
      }
    }
    return node;
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
    if (ref.empty() || ref[0] != '#') {
      return At(where, fmt::format("cannot resolve \"{}\": only local references (\"#/...\") are "
                                   "supported",
                                   ref));
    }
    const std::string_view pointer = std::string_view(ref).substr(1);
    if (!pointer.empty() && pointer[0] != '/') {
      return At(where, fmt::format("cannot resolve \"{}\": anchors are not supported", ref));
    }
    const Json* target = &document_;
    std::string location = "#";
    size_t pos = 0;
    while (pos < pointer.size()) {
      const size_t next = pointer.find('/', pos + 1);
      const std::string token = UnescapePointerToken(pointer.substr(
          pos + 1, next == std::string_view::npos ? std::string_view::npos : next - pos - 1));
      pos = next == std::string_view::npos ? pointer.size() : next;
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

  // Depth-first search over the edges that apply to the same instance ($ref, anyOf): a cycle
  // there would make validation recurse forever.
  static Status FindInPlaceLoop(const Node* node, std::map<const Node*, int>* state) {
    int& mark = (*state)[node];
    if (mark == 2) return {};
    if (mark == 1) {
      return At(node->location,
                "$ref/anyOf loop back to this schema without consuming any part "
                "of the instance");
    }
    mark = 1;
    if (node->ref) {
      if (auto s = FindInPlaceLoop(node->ref, state); !s.ok()) return s;
    }
    for (const Node* branch : node->any_of) {
      if (auto s = FindInPlaceLoop(branch, state); !s.ok()) return s;
    }
    (*state)[node] = 2;
    return {};
  }

  const Json& document_;
  std::vector<std::unique_ptr<Node>> nodes_;
  std::map<std::string, Node*> by_location_;
  std::vector<std::pair<Node*, std::string>> pending_refs_;
};

}  // namespace

Schema::Schema(std::shared_ptr<const Compiled> compiled) : compiled_(std::move(compiled)) {}

Result<Schema> Schema::Compile(const Json& json_schema) {
  auto compiled = std::make_shared<Compiled>();
  compiled->document = json_schema;
  Compiler compiler(compiled->document);
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
  return Compile(*converted);
}

const Json& Schema::json_schema() const { return compiled_->document; }

const Node& Schema::root() const { return *compiled_->root; }

}  // namespace orchestra::schema
