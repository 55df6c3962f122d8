#include "orchestra/sim/schema_filler.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>
#include <unordered_map>

#include "orchestra/sim/text.h"

namespace orchestra::sim {
namespace {

constexpr int kMaxResolveDepth = 32;

enum class Kind { kObject, kArray, kString, kNumber, kInteger, kBoolean, kNull, kAny };

Kind KindFromName(std::string_view name) {
  if (name == "object") return Kind::kObject;
  if (name == "array") return Kind::kArray;
  if (name == "string") return Kind::kString;
  if (name == "number") return Kind::kNumber;
  if (name == "integer") return Kind::kInteger;
  if (name == "boolean") return Kind::kBoolean;
  if (name == "null") return Kind::kNull;
  return Kind::kAny;
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
  Filler(const Json& root, const ContextIndex& context, std::string_view objective)
      : root_(root),
        context_(context),
        objective_words_(ContentWords(objective)),
        usable_items_(RelevantItems(context, objective)) {}

  FilledDocument Run() {
    FilledDocument out;
    const Json& schema = Resolve(root_);
    const Json* properties = Properties(schema);
    if (KindOf(schema) == Kind::kObject && properties != nullptr) {
      JsonObject document;
      for (const auto& member : properties->get_object()) {
        const std::string path = ChildPath("$", member.key());
        if (auto value = FillField(member.key(), member.value(), path, &out.unfilled)) {
          document[member.key()] = std::move(*value);
        } else if (IsRequired(schema, member.key())) {
          out.unfilled.push_back(path);
        }
      }
      out.value = std::move(document);
      return out;
    }
    if (auto value = FillField("", root_, "$", &out.unfilled)) {
      out.value = std::move(*value);
    } else {
      out.unfilled.push_back("$");
    }
    return out;
  }

 private:
  // The schema that applies after following $ref, single allOf and nullable anyOf/oneOf.
  const Json& Resolve(const Json& schema) const {
    const Json* current = &schema;
    for (int depth = 0; depth < kMaxResolveDepth && current->is_object(); ++depth) {
      const JsonObject& object = current->get_object();
      if (const Json* ref = object.if_contains("$ref"); ref && ref->is_string()) {
        std::string_view pointer = ref->get_string();
        if (pointer.empty() || pointer.front() != '#') return *current;
        pointer.remove_prefix(1);
        boost::system::error_code ec;
        const Json* target = root_.find_pointer(pointer, ec);
        if (target == nullptr || ec) return *current;
        current = target;
        continue;
      }
      if (const Json* all = object.if_contains("allOf");
          all && all->is_array() && all->get_array().size() == 1 && !object.contains("type") &&
          !object.contains("properties")) {
        current = &all->get_array()[0];
        continue;
      }
      const Json* branches = object.if_contains("anyOf");
      if (branches == nullptr) branches = object.if_contains("oneOf");
      if (branches && branches->is_array() && !branches->get_array().empty()) {
        const JsonArray& list = branches->get_array();
        const Json* chosen = &list[0];
        for (const Json& branch : list) {
          if (KindOf(Resolve(branch)) != Kind::kNull) {
            chosen = &branch;
            break;
          }
        }
        current = chosen;
        continue;
      }
      return *current;
    }
    return *current;
  }

  // Kind of a resolved schema.
  static Kind KindOf(const Json& schema) {
    if (!schema.is_object()) return Kind::kAny;
    const JsonObject& object = schema.get_object();
    if (const Json* type = object.if_contains("type")) {
      if (type->is_string()) return KindFromName(type->get_string());
      if (type->is_array()) {
        for (const Json& name : type->get_array()) {
          if (name.is_string() && name.get_string() != "null")
            return KindFromName(name.get_string());
        }
        return Kind::kNull;
      }
    }
    if (object.contains("properties")) return Kind::kObject;
    if (object.contains("items")) return Kind::kArray;
    return Kind::kAny;
  }

  static const Json* Properties(const Json& schema) {
    const Json* properties = JsonFind(schema, "properties");
    return properties && properties->is_object() && !properties->get_object().empty() ? properties
                                                                                      : nullptr;
  }

  static bool IsRequired(const Json& schema, std::string_view key) {
    const Json* required = JsonFind(schema, "required");
    if (required == nullptr || !required->is_array()) return false;
    const JsonArray& list = required->get_array();
    return std::any_of(list.begin(), list.end(), [&](const Json& name) {
      return name.is_string() && name.get_string() == key;
    });
  }

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
  std::optional<Json> Coerce(const Json& value, const Json& schema_in, const std::string& path,
                             std::vector<std::string>* unfilled) const {
    const Json& schema = Resolve(schema_in);
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
        if (value.is_object()) out = BuildObject(value.get_object(), schema, path, unfilled);
        break;
      case Kind::kArray:
        out = CoerceArray(value, schema, path, unfilled);
        break;
      case Kind::kAny:
        if (!value.is_null()) out = value;
        break;
    }
    if (out && !MatchEnum(schema, &*out)) out.reset();
    return out;
  }

  std::optional<Json> CoerceArray(const Json& value, const Json& schema, const std::string& path,
                                  std::vector<std::string>* unfilled) const {
    static const Json kAnySchema = JsonObject();
    const Json* items = JsonFind(schema, "items");
    const Json& item_schema = items != nullptr ? *items : kAnySchema;
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
  static bool MatchEnum(const Json& schema, Json* value) {
    const Json* options = JsonFind(schema, "enum");
    if (options == nullptr || !options->is_array()) return true;
    for (const Json& option : options->get_array()) {
      if (option == *value) return true;
    }
    if (!value->is_string()) return false;
    const std::string lower = LowerAscii(value->get_string());
    for (const Json& option : options->get_array()) {
      if (option.is_string() && LowerAscii(option.get_string()) == lower) {
        *value = option;
        return true;
      }
    }
    return false;
  }

  // An instance of object schema `schema` (resolved) taking every property from `record`.
  Json BuildObject(const JsonObject& record, const Json& schema, const std::string& path,
                   std::vector<std::string>* unfilled) const {
    JsonObject out;
    const Json* properties = Properties(schema);
    if (properties == nullptr) {
      const Json* additional = JsonFind(schema, "additionalProperties");
      if (additional && additional->is_bool() && !additional->get_bool()) return out;
      for (const auto& member : record) {
        if (additional && additional->is_object()) {
          if (auto value =
                  Coerce(member.value(), *additional, ChildPath(path, member.key()), unfilled)) {
            out[member.key()] = std::move(*value);
          }
        } else {
          out[member.key()] = member.value();
        }
      }
      return out;
    }
    for (const auto& member : properties->get_object()) {
      const std::string child = ChildPath(path, member.key());
      if (const Json* value = Lookup(record, member.key())) {
        if (auto coerced = Coerce(*value, member.value(), child, unfilled)) {
          out[member.key()] = std::move(*coerced);
          continue;
        }
      }
      if (unfilled != nullptr && IsRequired(schema, member.key())) unfilled->push_back(child);
    }
    return out;
  }

  struct Coverage {
    int covered = 0;  // properties the record can supply
    int by_name = 0;  // of which through a key named like the property (not a synonym)
  };

  // How much of object schema `schema` (resolved) `record` can supply.
  Coverage Cover(const JsonObject& record, const Json& schema) const {
    Coverage coverage;
    const Json* properties = Properties(schema);
    if (properties == nullptr) return coverage;
    for (const auto& member : properties->get_object()) {
      int rank = -1;
      const Json* value = Lookup(record, member.key(), &rank);
      if (value != nullptr && Coerce(*value, member.value(), "", nullptr)) {
        ++coverage.covered;
        if (rank < 2) ++coverage.by_name;
      }
    }
    return coverage;
  }

  // Items for an array-of-objects field: see FillSchema's contract.
  std::optional<Json> CollectRecords(const Json& item_schema, const std::string& path,
                                     std::vector<std::string>* unfilled) const {
    const Json* properties = Properties(item_schema);
    if (properties == nullptr) return std::nullopt;
    const int property_count = static_cast<int>(properties->get_object().size());
    const std::string_view first_key = properties->get_object().begin()->key();
    const Json& first_schema = properties->get_object().begin()->value();

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
  std::optional<Json> FillField(std::string_view name, const Json& schema_in,
                                const std::string& path, std::vector<std::string>* unfilled) const {
    const Json& schema = Resolve(schema_in);
    const Kind kind = KindOf(schema);
    if (kind == Kind::kArray) {
      const Json* items = JsonFind(schema, "items");
      if (items != nullptr) {
        const Json& item_schema = Resolve(*items);
        if (KindOf(item_schema) == Kind::kObject && Properties(item_schema) != nullptr) {
          return CollectRecords(item_schema, path, unfilled);
        }
      }
    }
    if (kind == Kind::kObject && Properties(schema) != nullptr) {
      size_t best_record = 0;
      int best = 0;
      for (size_t i = 0; i < context_.records.size(); ++i) {
        if (!Usable(context_.records[i])) continue;
        const Coverage coverage = Cover(context_.records[i].fields, schema);
        // More properties first; on a tie, more of them matched by name than by synonym.
        const int score = coverage.covered * 1000 + coverage.by_name;
        if (coverage.covered > 0 && score > best) {
          best = score;
          best_record = i;
        }
      }
      if (best == 0) return std::nullopt;
      return BuildObject(context_.records[best_record].fields, schema, path, unfilled);
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

  const Json& root_;
  const ContextIndex& context_;
  const std::vector<std::string> objective_words_;
  const std::vector<bool> usable_items_;  // per context item: relevant to the objective
};

}  // namespace

FilledDocument FillSchema(const Json& schema, const ContextIndex& context,
                          std::string_view objective) {
  return Filler(schema, context, objective).Run();
}

}  // namespace orchestra::sim
