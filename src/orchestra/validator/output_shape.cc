#include "orchestra/validator/output_shape.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <set>

#include "orchestra/core/hash.h"
#include "orchestra/schema/schema.h"
#include "orchestra/schema/shape.h"
#include "orchestra/schema/shorthand.h"

namespace orchestra::validator {
namespace {

// Kinds in tie-break order (see ShapeMerger).
enum Kind { kDict, kList, kStr, kInt, kFloat, kBool, kNull, kKinds };
constexpr std::array<std::string_view, kKinds> kKindNames = {"dict",  "list", "str", "int",
                                                             "float", "bool", "None"};

Kind KindOf(const Json& value) {
  switch (value.kind()) {
    case boost::json::kind::object:
      return kDict;
    case boost::json::kind::array:
      return kList;
    case boost::json::kind::string:
      return kStr;
    case boost::json::kind::int64:
    case boost::json::kind::uint64:
      return kInt;
    case boost::json::kind::double_:
      return kFloat;
    case boost::json::kind::bool_:
      return kBool;
    case boost::json::kind::null:
      break;
  }
  return kNull;
}

}  // namespace

struct ShapeMerger::Node {
  std::array<size_t, kKinds> votes{};
  std::map<std::string, std::unique_ptr<Node>> keys;
  std::unique_ptr<Node> items;
  bool too_deep = false;
};

namespace {

void Accumulate(ShapeMerger::Node& node, const Json& value, int depth) {
  if (depth >= kMaxShapeDepth) {
    node.too_deep = true;
    return;
  }
  const Kind kind = KindOf(value);
  ++node.votes[kind];
  if (kind == kList) {
    const JsonArray& items = value.get_array();
    const size_t n = std::min(items.size(), kMaxShapeItems);
    for (size_t i = 0; i < n; ++i) {
      if (!node.items) node.items = std::make_unique<ShapeMerger::Node>();
      Accumulate(*node.items, items[i], depth + 1);
    }
  } else if (kind == kDict) {
    size_t seen = 0;
    for (const auto& kv : value.get_object()) {
      if (seen++ == kMaxShapeKeys) break;
      auto& child = node.keys[std::string(kv.key())];
      if (!child) child = std::make_unique<ShapeMerger::Node>();
      Accumulate(*child, kv.value(), depth + 1);
    }
  }
}

Json Render(const ShapeMerger::Node& node) {
  if (node.too_deep) return "any";
  // int and float vote together as one number type.
  std::array<size_t, kKinds> votes = node.votes;
  votes[kInt] += votes[kFloat];
  votes[kFloat] = 0;
  int best = -1;
  for (int k = 0; k < kNull; ++k) {
    if (votes[k] > 0 && (best < 0 || votes[k] > votes[best])) best = k;
  }
  if (best < 0) return "None";
  switch (best) {
    case kDict: {
      JsonObject out;
      for (const auto& [key, child] : node.keys) out[key] = Render(*child);
      return out;
    }
    case kList:
      if (!node.items) return "list";
      return JsonArray{Render(*node.items)};
    case kInt:
      return node.votes[kFloat] > 0 ? "float" : "int";
    default:
      return Json(kKindNames[best]);
  }
}

}  // namespace

ShapeMerger::ShapeMerger() : root_(std::make_unique<Node>()) {}
ShapeMerger::~ShapeMerger() = default;
ShapeMerger::ShapeMerger(ShapeMerger&&) noexcept = default;
ShapeMerger& ShapeMerger::operator=(ShapeMerger&&) noexcept = default;

void ShapeMerger::Add(const Json& answer) {
  Accumulate(*root_, answer, 0);
  ++answers_;
}

Json ShapeMerger::Shape() const { return Render(*root_); }

Json ShapeOf(const Json& value) {
  ShapeMerger merger;
  merger.Add(value);
  return merger.Shape();
}

std::string ShapeFingerprint(const Json& shape) { return CanonicalHash(shape); }

namespace {

constexpr int kMaxCompareDepth = 32;

// The kind a shape stands for; kKinds for "any" (matches everything).
Kind ShapeKind(const Json& shape) {
  if (shape.is_object()) return kDict;
  if (shape.is_array()) return kList;
  if (!shape.is_string()) return kKinds;
  const std::string_view name = shape.get_string();
  for (int k = 0; k < kKinds; ++k) {
    if (kKindNames[k] == name) return static_cast<Kind>(k);
  }
  return kKinds;
}

std::string JoinNames(const std::set<std::string>& names) {
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out += " or ";
    out += n;
  }
  return out;
}

using schema::Node;

class Comparer {
 public:
  explicit Comparer(size_t max_lines) : max_lines_(max_lines) {}

  void Compare(const Node* schema_in, const Json& shape, const std::string& path, int depth) {
    if (lines_.size() >= max_lines_ || depth > kMaxCompareDepth) return;
    const Node* schema = schema::Referenced(schema_in);
    const Kind kind = ShapeKind(shape);
    if (kind == kKinds || kind == kNull) return;
    Admits admits;
    Collect(schema, admits, 0);
    if (!admits.any && !Allows(admits.types, kind)) {
      std::set<std::string> shown;
      for (const auto& t : admits.types) shown.insert(ShorthandName(t));
      Add(fmt::format("{}: the ledger says {}, the subnet returns {}", Name(path), JoinNames(shown),
                      kKindNames[kind]));
      return;
    }
    for (const Node* alternative : admits.structured) {
      if (kind == kDict && shape.is_object()) {
        if (alternative->properties.empty()) continue;
        CompareObject(*alternative, shape.get_object(), path, depth);
        return;
      }
      if (kind == kList && shape.is_array() && !shape.get_array().empty()) {
        if (alternative->items == nullptr) continue;
        Compare(alternative->items, shape.get_array()[0], path + "[]", depth + 1);
        return;
      }
    }
  }

  std::vector<std::string> TakeLines() { return std::move(lines_); }

 private:
  static std::string Name(const std::string& path) { return path.empty() ? "output" : path; }

  static std::string ShorthandName(const std::string& json_type) {
    if (json_type == "string") return "str";
    if (json_type == "integer") return "int";
    if (json_type == "number") return "float";
    if (json_type == "boolean") return "bool";
    if (json_type == "array") return "list";
    if (json_type == "object") return "dict";
    if (json_type == "null") return "None";
    return json_type;
  }

  static bool Allows(const std::set<std::string>& allowed, Kind kind) {
    switch (kind) {
      case kDict:
        return allowed.count("object") > 0;
      case kList:
        return allowed.count("array") > 0;
      case kStr:
        return allowed.count("string") > 0;
      case kInt:
        return allowed.count("integer") > 0 || allowed.count("number") > 0;
      case kFloat:
        return allowed.count("number") > 0;
      case kBool:
        return allowed.count("boolean") > 0;
      default:
        return true;
    }
  }

  // What `schema` admits: its own "type" or the union of its anyOf/oneOf alternatives' (an
  // alternative without a type admits anything), and the (sub)schemas that may describe an
  // object's properties or a list's items.
  struct Admits {
    bool any = false;
    std::set<std::string> types;  // JSON Schema type names
    std::vector<const Node*> structured;
  };

  void Collect(const Node* schema_in, Admits& out, int depth) const {
    const Node* schema = schema::Referenced(schema_in);
    if (depth > 4) {
      out.any = true;
      return;
    }
    if (!schema->properties.empty() || schema->items != nullptr) out.structured.push_back(schema);
    bool typed = false;
    if (schema->types != schema::kAllTypeBits) {
      typed = true;
      // "number" sets the integer bit too and stands for both.
      const uint8_t types = (schema->types & schema::kNumberBit)
                                ? static_cast<uint8_t>(schema->types & ~schema::kIntegerBit)
                                : schema->types;
      for (uint8_t bit = 1; bit <= schema::kObjectBit; bit <<= 1) {
        if (types & bit) out.types.insert(std::string(schema::TypeBitName(bit)));
      }
    }
    for (const auto* alternatives : {&schema->any_of, &schema->one_of}) {
      if (alternatives->empty()) continue;
      typed = true;
      for (const Node* alternative : *alternatives) Collect(alternative, out, depth + 1);
    }
    if (!typed) out.any = true;
  }

  void CompareObject(const Node& schema, const JsonObject& shape, const std::string& path,
                     int depth) {
    std::set<std::string> unlisted;
    for (const auto& kv : shape) {
      if (!schema.PropertyIndex(kv.key())) unlisted.insert(std::string(kv.key()));
    }
    const std::string prefix = path.empty() ? "" : path + ".";
    for (size_t i = 0; i < schema.properties.size(); ++i) {
      const auto& [key, property] = schema.properties[i];
      const Json* probed = shape.if_contains(key);
      if (!probed) {
        if (schema.property_required[i] == 0) continue;
        std::string line =
            fmt::format("{}{}: listed by the ledger, not returned by the subnet", prefix, key);
        if (!unlisted.empty()) {
          std::string names;
          for (const auto& n : unlisted) names += (names.empty() ? "" : ", ") + n;
          line += fmt::format(" (it returns {}, which the ledger lacks)", names);
        }
        Add(std::move(line));
        continue;
      }
      Compare(property, *probed, prefix + key, depth + 1);
    }
  }

  void Add(std::string line) {
    if (lines_.size() < max_lines_) lines_.push_back(std::move(line));
  }

  size_t max_lines_;
  std::vector<std::string> lines_;
};

}  // namespace

Result<std::vector<std::string>> CompareWithShape(const Json& ledger_schema,
                                                  const Json& probed_shape, size_t max_lines) {
  if (!ledger_schema.is_object()) {
    return Error(ErrorCode::kInvalidArgument, "output_schema: must be an object");
  }
  Json json_schema;
  if (schema::LooksLikeJsonSchema(ledger_schema)) {
    json_schema = ledger_schema;
  } else {
    auto converted = schema::ShorthandToJsonSchema(ledger_schema);
    if (!converted) {
      return Error(ErrorCode::kInvalidArgument,
                   fmt::format("output_schema: {}", converted.error().message));
    }
    json_schema = std::move(*converted);
  }
  auto schema = schema::Schema::Compile(std::move(json_schema), schema::CompileOptions{});
  if (!schema) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("output_schema: {}", schema.error().message));
  }
  Comparer comparer(max_lines);
  comparer.Compare(&schema->root(), probed_shape, "", 0);
  return comparer.TakeLines();
}

}  // namespace orchestra::validator
