#include "orchestra/sim/schema_filler.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>
#include <unordered_map>

#include "orchestra/schema/shape.h"
#include "orchestra/sim/text.h"

namespace orchestra::sim {
namespace {

using schema::Effective;
using schema::Node;

enum class Kind { kObject, kArray, kString, kNumber, kInteger, kBoolean, kNull, kAny };

// Kind of an effective schema node (nullptr: no schema, anything goes). Of several non-null
// types, the first of object, array, string, number, integer, boolean.
Kind KindOf(const Node* schema) {
  if (schema == nullptr) return Kind::kAny;
  const uint8_t types = schema->types;
  if (types == schema::kAllTypeBits) {
    if (!schema->properties.empty()) return Kind::kObject;
    if (schema->items != nullptr) return Kind::kArray;
    return Kind::kAny;
  }
  if (types & schema::kObjectBit) return Kind::kObject;
  if (types & schema::kArrayBit) return Kind::kArray;
  if (types & schema::kStringBit) return Kind::kString;
  if (types & schema::kNumberBit) return Kind::kNumber;
  if (types & schema::kIntegerBit) return Kind::kInteger;
  if (types & schema::kBooleanBit) return Kind::kBoolean;
  return Kind::kNull;
}

// "1,234.5", "$1.99", "-3" as the digits from_chars accepts, or nullopt when `text` is anything
// more than one number. `allow_fraction` false accepts integers only.
std::optional<std::string> CleanNumber(std::string_view text, bool allow_fraction) {
  text = Trim(text);
  std::string out;
  if (!text.empty() && text.front() == '-') {
    out += '-';
    text.remove_prefix(1);
  }
  if (!text.empty() && text.front() == '$') text.remove_prefix(1);
  const size_t dot = text.find('.');
  std::string_view whole = text.substr(0, dot);
  std::string_view fraction = dot == std::string_view::npos ? "" : text.substr(dot + 1);
  if (whole.empty() || (dot != std::string_view::npos && (!allow_fraction || fraction.empty()))) {
    return std::nullopt;
  }
  const auto all_digits = [](std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (!all_digits(fraction)) return std::nullopt;
  if (whole.find(',') != std::string_view::npos) {
    // Grouped thousands only: 1-3 digits, then groups of exactly three.
    const size_t first = whole.find(',');
    if (first == 0 || first > 3 || !all_digits(whole.substr(0, first))) return std::nullopt;
    out += whole.substr(0, first);
    for (size_t at = first; at < whole.size(); at += 4) {
      if (whole[at] != ',' || at + 4 > whole.size() || !all_digits(whole.substr(at + 1, 3))) {
        return std::nullopt;
      }
      out += whole.substr(at + 1, 3);
    }
  } else {
    if (!all_digits(whole)) return std::nullopt;
    out += whole;
  }
  if (!fraction.empty()) {
    out += '.';
    out += fraction;
  }
  return out;
}

std::optional<std::string> ScalarText(const Json& value) {
  switch (value.kind()) {
    case boost::json::kind::string:
      if (Trim(value.get_string()).empty()) return std::nullopt;
      return std::string(value.get_string());
    case boost::json::kind::int64:
      return std::to_string(value.get_int64());
    case boost::json::kind::uint64:
      return std::to_string(value.get_uint64());
    case boost::json::kind::double_:
      return FormatDouble(value.get_double());
    case boost::json::kind::bool_:
      return std::string(value.get_bool() ? "true" : "false");
    default:
      return std::nullopt;
  }
}

std::string LowerAscii(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string ChildPath(const std::string& parent, std::string_view key) {
  return parent + "." + std::string(key);
}

bool HasTruncatedString(const Json& value) {
  if (value.is_string()) return LooksTruncated(value.get_string());
  if (value.is_array()) {
    const JsonArray& array = value.get_array();
    return std::any_of(array.begin(), array.end(), HasTruncatedString);
  }
  if (value.is_object()) {
    const JsonObject& object = value.get_object();
    return std::any_of(object.begin(), object.end(),
                       [](const auto& member) { return HasTruncatedString(member.value()); });
  }
  return false;
}

class Filler {
 public:
  Filler(const Node& root, const ContextIndex& context, std::string_view objective)
      : root_(root),
        context_(context),
        objective_words_(ContentWords(objective)),
        usable_items_(RelevantItems(context, objective)) {}

  FilledDocument Run() {
    FilledDocument out;
    const Node* schema = Effective(&root_);
    if (KindOf(schema) == Kind::kObject && !schema->properties.empty()) {
      JsonObject document;
      for (const auto& [key, property] : schema->properties) {
        const std::string path = ChildPath("$", key);
        if (auto value = FillField(key, property, path, &out.unfilled)) {
          document[key] = std::move(*value);
        } else if (schema->IsRequired(key)) {
          out.unfilled.push_back(path);
        }
      }
      out.value = std::move(document);
      return out;
    }
    if (auto value = FillField("", &root_, "$", &out.unfilled)) {
      out.value = std::move(*value);
    } else {
      out.unfilled.push_back("$");
    }
    return out;
  }

 private:
  // The value of `record` under the key best matching `key`, or nullptr.
  static const Json* Lookup(const JsonObject& record, std::string_view key,
                            int* match_rank = nullptr) {
    const std::string wanted = NormalizeKey(key);
    const Json* best = nullptr;
    int best_rank = 3;
    for (const auto& member : record) {
      if (member.value().is_null()) continue;
      const int rank = KeyMatchRank(wanted, NormalizeKey(member.key()));
      if (rank >= 0 && rank < best_rank) {
        best = &member.value();
        best_rank = rank;
      }
    }
    if (match_rank != nullptr) *match_rank = best == nullptr ? -1 : best_rank;
    return best;
  }

  // `value` as an instance of `schema` (unresolved), or nullopt when it does not fit.
  // `unfilled` (may be null) collects required properties missing from nested objects.
  std::optional<Json> Coerce(const Json& value, const Node* schema_in, const std::string& path,
                             std::vector<std::string>* unfilled) const {
    const Node* schema = Effective(schema_in);
    std::optional<Json> out;
    switch (KindOf(schema)) {
      case Kind::kString:
        if (auto text = ScalarText(value)) out = Json(*text);
        break;
      case Kind::kNumber:
        if (value.is_number()) {
          out = value;
        } else if (value.is_string()) {
          if (auto clean = CleanNumber(value.get_string(), true)) {
            double number = 0;
            const auto [end, ec] =
                std::from_chars(clean->data(), clean->data() + clean->size(), number);
            if (ec == std::errc() && end == clean->data() + clean->size()) {
              if (clean->find('.') == std::string::npos && std::abs(number) < 9e15) {
                out = Json(static_cast<int64_t>(number));
              } else {
                out = Json(number);
              }
            }
          }
        }
        break;
      case Kind::kInteger:
        if (value.is_int64() || value.is_uint64()) {
          out = value;
        } else if (value.is_double() && value.get_double() == std::floor(value.get_double()) &&
                   std::abs(value.get_double()) < 9e15) {
          out = Json(static_cast<int64_t>(value.get_double()));
        } else if (value.is_string()) {
          if (auto clean = CleanNumber(value.get_string(), false)) {
            int64_t number = 0;
            const auto [end, ec] =
                std::from_chars(clean->data(), clean->data() + clean->size(), number);
            if (ec == std::errc() && end == clean->data() + clean->size()) out = Json(number);
          }
        }
        break;
      case Kind::kBoolean:
        if (value.is_bool()) {
          out = value;
        } else if (value.is_string()) {
          const std::string word = LowerAscii(Trim(value.get_string()));
          if (word == "true" || word == "yes") out = Json(true);
          if (word == "false" || word == "no") out = Json(false);
        }
        break;
      case Kind::kNull:
        if (value.is_null()) out = Json(nullptr);
        break;
      case Kind::kObject:
        if (value.is_object()) out = BuildObject(value.get_object(), *schema, path, unfilled);
        break;
      case Kind::kArray:
        out = CoerceArray(value, *schema, path, unfilled);
        break;
      case Kind::kAny:
        if (!value.is_null()) out = value;
        break;
    }
    if (out && !MatchEnum(schema, &*out)) out.reset();
    return out;
  }

  std::optional<Json> CoerceArray(const Json& value, const Node& schema, const std::string& path,
                                  std::vector<std::string>* unfilled) const {
    const Node* item_schema = schema.items;  // nullptr: any item
    JsonArray out;
    if (value.is_array()) {
      for (const Json& element : value.get_array()) {
        const std::string element_path = path + "[" + std::to_string(out.size()) + "]";
        if (auto item = Coerce(element, item_schema, element_path, unfilled)) {
          out.push_back(std::move(*item));
        }
      }
    } else if (auto item = Coerce(value, item_schema, path + "[0]", unfilled)) {
      out.push_back(std::move(*item));
    }
    if (out.empty()) return std::nullopt;
    return Json(std::move(out));
  }

  // Whether `value` is allowed by the schema's enum (absent: yes); a string differing only in
  // letter case takes the enum's spelling.
  static bool MatchEnum(const Node* schema, Json* value) {
    if (schema == nullptr || !schema->enum_values) return true;
    const std::vector<Json>& options = *schema->enum_values;
    for (const Json& option : options) {
      if (option == *value) return true;
    }
    if (!value->is_string()) return false;
    const std::string lower = LowerAscii(value->get_string());
    for (const Json& option : options) {
      if (option.is_string() && LowerAscii(option.get_string()) == lower) {
        *value = option;
        return true;
      }
    }
    return false;
  }

  // An instance of object schema `schema` (resolved) taking every property from `record`.
  Json BuildObject(const JsonObject& record, const Node& schema, const std::string& path,
                   std::vector<std::string>* unfilled) const {
    JsonObject out;
    if (schema.properties.empty()) {
      const Node* additional = schema.additional_properties;
      if (additional && additional->is_false) return out;
      for (const auto& member : record) {
        if (additional) {
          if (auto value =
                  Coerce(member.value(), additional, ChildPath(path, member.key()), unfilled)) {
            out[member.key()] = std::move(*value);
          }
        } else {
          out[member.key()] = member.value();
        }
      }
      return out;
    }
    for (const auto& [key, property] : schema.properties) {
      const std::string child = ChildPath(path, key);
      if (const Json* value = Lookup(record, key)) {
        if (auto coerced = Coerce(*value, property, child, unfilled)) {
          out[key] = std::move(*coerced);
          continue;
        }
      }
      if (unfilled != nullptr && schema.IsRequired(key)) unfilled->push_back(child);
    }
    return out;
  }

  struct Coverage {
    int covered = 0;  // properties the record can supply
    int by_name = 0;  // of which through a key named like the property (not a synonym)
  };

  // How much of object schema `schema` (resolved) `record` can supply.
  Coverage Cover(const JsonObject& record, const Node& schema) const {
    Coverage coverage;
    for (const auto& [key, property] : schema.properties) {
      int rank = -1;
      const Json* value = Lookup(record, key, &rank);
      if (value != nullptr && Coerce(*value, property, "", nullptr)) {
        ++coverage.covered;
        if (rank < 2) ++coverage.by_name;
      }
    }
    return coverage;
  }

  // Items for an array-of-objects field: see FillSchema's contract.
  std::optional<Json> CollectRecords(const Node& item_schema, const std::string& path,
                                     std::vector<std::string>* unfilled) const {
    if (item_schema.properties.empty()) return std::nullopt;
    const int property_count = static_cast<int>(item_schema.properties.size());
    const std::string_view first_key = item_schema.properties.front().first;
    const Node* first_schema = item_schema.properties.front().second;

    std::vector<Coverage> coverage(context_.records.size());
    int best = 0;
    bool any_by_name = false;
    for (size_t i = 0; i < context_.records.size(); ++i) {
      if (!Usable(context_.records[i])) continue;
      coverage[i] = Cover(context_.records[i].fields, item_schema);
      best = std::max(best, coverage[i].covered);
    }
    if (best == 0) return std::nullopt;
    const int half = (property_count + 1) / 2;
    const int threshold = best >= half ? half : best;
    for (const Coverage& c : coverage) any_by_name |= c.covered >= threshold && c.by_name > 0;

    struct Chosen {
      size_t record;
      int coverage;
    };
    std::vector<Chosen> chosen;
    std::unordered_map<std::string, size_t> by_identity;
    for (size_t i = 0; i < context_.records.size(); ++i) {
      if (!Usable(context_.records[i])) continue;
      if (coverage[i].covered < threshold || (any_by_name && coverage[i].by_name == 0)) continue;
      const ContextRecord& record = context_.records[i];
      std::string identity;
      const Json* first = Lookup(record.fields, first_key);
      std::optional<Json> first_value;
      if (first != nullptr) first_value = Coerce(*first, first_schema, "", nullptr);
      if (first_value && first_value->is_string()) {
        identity = NormalizeKey(first_value->get_string());
        if (identity.empty()) identity = "text:" + std::string(first_value->get_string());
      } else if (first_value) {
        identity = CanonicalJson(*first_value);
      } else {
        identity = "record:" + CanonicalJson(BuildObject(record.fields, item_schema, "", nullptr));
      }
      auto [it, inserted] = by_identity.emplace(identity, chosen.size());
      if (inserted) {
        chosen.push_back({i, coverage[i].covered});
        continue;
      }
      Chosen& kept = chosen[it->second];
      const bool kept_truncated = context_.records[kept.record].truncated;
      const int covered = coverage[i].covered;
      if (covered > kept.coverage ||
          (covered == kept.coverage && kept_truncated && !record.truncated)) {
        kept = {i, covered};
      }
    }
    JsonArray items;
    for (const Chosen& c : chosen) {
      const std::string item_path = path + "[" + std::to_string(items.size()) + "]";
      items.push_back(
          BuildObject(context_.records[c.record].fields, item_schema, item_path, unfilled));
    }
    return Json(std::move(items));
  }

  // A value for field `name` of the root object (or for the root itself, name ""), from the
  // whole context.
  std::optional<Json> FillField(std::string_view name, const Node* schema_in,
                                const std::string& path, std::vector<std::string>* unfilled) const {
    const Node* schema = Effective(schema_in);
    const Kind kind = KindOf(schema);
    if (kind == Kind::kArray) {
      const Node* item_schema = Effective(schema->items);
      if (KindOf(item_schema) == Kind::kObject && !item_schema->properties.empty()) {
        return CollectRecords(*item_schema, path, unfilled);
      }
    }
    if (kind == Kind::kObject && !schema->properties.empty()) {
      size_t best_record = 0;
      int best = 0;
      for (size_t i = 0; i < context_.records.size(); ++i) {
        if (!Usable(context_.records[i])) continue;
        const Coverage coverage = Cover(context_.records[i].fields, *schema);
        // More properties first; on a tie, more of them matched by name than by synonym.
        const int score = coverage.covered * 1000 + coverage.by_name;
        if (coverage.covered > 0 && score > best) {
          best = score;
          best_record = i;
        }
      }
      if (best == 0) return std::nullopt;
      return BuildObject(context_.records[best_record].fields, *schema, path, unfilled);
    }
    // Scalars, lists of scalars, free-form objects: the first record with the key; a value
    // that looks cut off only when no whole one exists.
    std::optional<Json> fallback;
    std::vector<std::string> fallback_unfilled;
    for (const ContextRecord& record : context_.records) {
      if (!Usable(record)) continue;
      const Json* value = Lookup(record.fields, name);
      if (value == nullptr) continue;
      std::vector<std::string> nested_unfilled;
      auto coerced = Coerce(*value, schema, path, &nested_unfilled);
      if (!coerced) continue;
      if (!HasTruncatedString(*coerced)) {
        unfilled->insert(unfilled->end(), nested_unfilled.begin(), nested_unfilled.end());
        return coerced;
      }
      if (!fallback) {
        fallback = std::move(coerced);
        fallback_unfilled = std::move(nested_unfilled);
      }
    }
    if (fallback) {
      unfilled->insert(unfilled->end(), fallback_unfilled.begin(), fallback_unfilled.end());
      return fallback;
    }
    if (kind == Kind::kString) {
      std::vector<std::string> words = ContentWords(name);
      words.insert(words.end(), objective_words_.begin(), objective_words_.end());
      auto sentences = RelevantSentences(context_, words, 1, &usable_items_);
      if (!sentences.empty()) {
        Json sentence(sentences.front());
        if (MatchEnum(schema, &sentence)) return sentence;
      }
    }
    return std::nullopt;
  }

  bool Usable(const ContextRecord& record) const { return usable_items_[record.item]; }

  const Node& root_;
  const ContextIndex& context_;
  const std::vector<std::string> objective_words_;
  const std::vector<bool> usable_items_;  // per context item: relevant to the objective
};

}  // namespace

FilledDocument FillSchema(const schema::Schema& schema, const ContextIndex& context,
                          std::string_view objective) {
  return Filler(schema.root(), context, objective).Run();
}

}  // namespace orchestra::sim
