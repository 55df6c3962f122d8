#include "orchestra/ledger/shape.h"

#include <algorithm>
#include <array>

#include "orchestra/core/hash.h"
#include "orchestra/schema/instance.h"
#include "orchestra/schema/node.h"
#include "orchestra/schema/shape.h"

namespace orchestra::ledger {
namespace {

// The coarse type a schema node allows: one of the shorthand's words, "any" for a node that
// allows several kinds (null aside: Optional[str] is "str").
std::string TypeOfNode(const schema::Node* node) {
  if (node == nullptr) return "any";
  const uint8_t types = node->types & ~schema::kNullBit;
  if (node->types == schema::kNullBit) return "null";
  if (types == schema::kStringBit) return "str";
  if (types == schema::kIntegerBit) return "int";
  if (types == (schema::kIntegerBit | schema::kNumberBit)) return "float";
  if (types == schema::kBooleanBit) return "bool";
  if (types == schema::kArrayBit) return "list";
  if (types == schema::kObjectBit) return "dict";
  // No "type": what its keywords describe.
  if (node->items != nullptr) return "list";
  if (!node->properties.empty()) return "dict";
  return "any";
}

std::string TypeOfValue(const Json& value) {
  switch (schema::InstanceType(value)) {
    case schema::kStringBit:
      return "str";
    case schema::kIntegerBit:
      return "int";
    case schema::kNumberBit:
      return "float";
    case schema::kBooleanBit:
      return "bool";
    case schema::kArrayBit:
      return "list";
    case schema::kObjectBit:
      return "dict";
    default:
      return "null";
  }
}

// Votes for the types seen at one path.
struct Votes {
  std::map<std::string, int> count;
  void Add(const std::string& type) { ++count[type]; }
  std::string Winner() const {
    std::map<std::string, int> merged = count;
    // int and float are one number type, "float" once a float was seen.
    if (merged.contains("int") && merged.contains("float")) {
      merged["float"] += merged["int"];
      merged.erase("int");
    }
    // Null is what a field holds when it has nothing; it wins only alone.
    if (merged.size() > 1) merged.erase("null");
    static constexpr std::array<std::string_view, 7> kOrder = {"dict", "list", "str", "float",
                                                               "int",  "bool", "null"};
    std::string best;
    int best_count = 0;
    for (std::string_view type : kOrder) {
      auto it = merged.find(std::string(type));
      if (it != merged.end() && it->second > best_count) {
        best = it->first;
        best_count = it->second;
      }
    }
    return best.empty() ? "any" : best;
  }
};

std::string Bare(const std::string& type) { return type.starts_with('?') ? type.substr(1) : type; }

}  // namespace

Shape ShapeOfSchema(const schema::Schema& output_schema) {
  Shape shape;
  const schema::Node* root = schema::Effective(&output_schema.root());
  if (root == nullptr) return shape;
  for (size_t i = 0; i < root->properties.size(); ++i) {
    const auto& [name, child] = root->properties[i];
    const schema::Node* field = schema::Effective(child);
    const bool required = i < root->property_required.size() && root->property_required[i] > 0;
    const std::string type = TypeOfNode(field);
    shape[name] = required ? type : "?" + type;
    if (type == "list" && field->items != nullptr) {
      const std::string item = TypeOfNode(schema::Effective(field->items));
      if (item != "any") shape[name + "[]"] = item;
    }
  }
  return shape;
}

Shape ShapeOfAnswers(const std::vector<Json>& answers) {
  std::map<std::string, Votes> votes;
  std::map<std::string, size_t> present;  // answers holding each top-level field
  size_t objects = 0;
  for (const Json& answer : answers) {
    if (!answer.is_object()) continue;
    ++objects;
    for (const auto& member : answer.get_object()) {
      const std::string path(member.key());
      ++present[path];
      votes[path].Add(TypeOfValue(member.value()));
      if (!member.value().is_array()) continue;
      for (const Json& item : member.value().get_array()) votes[path + "[]"].Add(TypeOfValue(item));
    }
  }
  Shape shape;
  for (const auto& [path, v] : votes) {
    const std::string field = path.ends_with("[]") ? path.substr(0, path.size() - 2) : path;
    if (2 * present[field] < objects) continue;  // one odd answer among several
    shape[path] = v.Winner();
  }
  return shape;
}

std::string Fingerprint(const Shape& shape) {
  JsonObject bare;
  for (const auto& [path, type] : shape) bare[path] = Bare(type);
  return "sf-" + CanonicalHash(Json(std::move(bare))).substr(2, 16);
}

std::vector<ShapeChange> CompareShapes(const Shape& ledger, const Shape& probed) {
  std::vector<ShapeChange> changes;
  for (const auto& [path, declared] : ledger) {
    auto seen = probed.find(path);
    const bool optional = declared.starts_with('?');
    const std::string type = Bare(declared);
    if (seen == probed.end()) {
      // A list's items are seen only when some answer had one; a field only when required.
      if (!optional && !path.ends_with("[]")) changes.push_back({path, type, ""});
      continue;
    }
    const bool same = seen->second == type || type == "any" || seen->second == "null" ||
                      (type == "float" && seen->second == "int");
    if (!same) changes.push_back({path, type, seen->second});
  }
  for (const auto& [path, type] : probed) {
    // A list's items count where the ledger says what they are; a new list is named itself.
    if (ledger.contains(path) || path.ends_with("[]")) continue;
    changes.push_back({path, "", type});
  }
  std::sort(changes.begin(), changes.end(),
            [](const ShapeChange& a, const ShapeChange& b) { return a.path < b.path; });
  return changes;
}

Json ShorthandOf(const Shape& shape) {
  JsonObject out;
  for (const auto& [path, declared] : shape) {
    if (path.ends_with("[]")) continue;
    std::string type = Bare(declared);
    if (type == "null") type = "None";
    if (type == "list") {
      auto item = shape.find(path + "[]");
      if (item != shape.end() && Bare(item->second) != "null")
        type = "list[" + Bare(item->second) + "]";
    }
    out[path] = type;
  }
  return out;
}

}  // namespace orchestra::ledger
