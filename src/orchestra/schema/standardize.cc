#include "orchestra/schema/standardize.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <string_view>
#include <unordered_map>

#include "orchestra/schema/coerce.h"
#include "orchestra/schema/format.h"
#include "orchestra/schema/instance.h"
#include "orchestra/schema/key_match.h"
#include "orchestra/schema/loose_date.h"
#include "orchestra/schema/validator.h"

namespace orchestra::schema {
namespace {

constexpr int kMaxDepth = 256;

// Most subschema applications one Standardize call may make: a schema that applies the same
// subschemas again and again (allOf of two $refs to the next level, 40 levels deep) would
// otherwise take exponential time. Realistic documents need a few per value.
constexpr uint64_t kMaxSteps = uint64_t{1} << 20;

// Follows $ref while a node has no keywords of its own.
const Node& Target(const Node& node) {
  const Node* n = &node;
  for (int hops = 0; n->ref && hops < kMaxDepth; ++hops) {
    const bool only_ref = n->types == kAllTypeBits && n->properties.empty() &&
                          n->required.empty() && !n->additional_properties && !n->items &&
                          n->any_of.empty() && !n->enum_values && !n->const_value;
    if (!only_ref) break;
    n = n->ref;
  }
  return *n;
}

bool HasObjectKeywords(const Node& node) {
  return !node.properties.empty() || !node.required.empty() || node.additional_properties;
}

bool HasArrayKeywords(const Node& node) { return node.items || node.min_items || node.max_items; }

// Null is spelled out as allowed, not merely unconstrained.
bool ExplicitlyNullable(const Node& node) {
  const Node& n = Target(node);
  if (n.types != kAllTypeBits) return (n.types & kNullBit) != 0;
  if (n.enum_values) {
    return std::any_of(n.enum_values->begin(), n.enum_values->end(),
                       [](const Json& v) { return v.is_null(); });
  }
  return std::any_of(n.any_of.begin(), n.any_of.end(),
                     [](const Node* branch) { return ExplicitlyNullable(*branch); });
}

// Only strings (or null) fit: a comma-joined string is then a list, not one item.
bool StringTyped(const Node& node) {
  const Node& n = Target(node);
  if (n.types != kAllTypeBits) {
    return (n.types & kStringBit) && !(n.types & ~(kStringBit | kNullBit));
  }
  if (n.any_of.empty()) return false;
  return std::all_of(n.any_of.begin(), n.any_of.end(), [](const Node* branch) {
    return StringTyped(*branch) || Target(*branch).types == kNullBit;
  });
}

bool IsEnvelopeKey(std::string_view key) {
  const std::string normalized = NormalizeKey(key);
  return normalized == "data" || normalized == "result" || normalized == "results";
}

std::string Trimmed(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return std::string(text);
}

bool SameIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

class Standardizer {
 public:
  // `steps` counts subschema applications across this standardizer and its trials.
  Standardizer(Standardized* out, int depth, uint64_t* steps)
      : out_(out), depth_(depth), steps_(steps) {}

  // The value repaired to fit `node`, or nullopt when it cannot be made to fit (the caller
  // drops it).
  std::optional<Json> Conform(const Node& node, const Json& value, const std::string& path,
                              const std::string& from) {
    if (node.is_false || depth_ >= kMaxDepth || ++*steps_ > kMaxSteps) return std::nullopt;
    ++depth_;
    auto result = ConformSteps(node, value, path, from);
    --depth_;
    return result;
  }

 private:
  std::optional<Json> ConformSteps(const Node& node, const Json& value, const std::string& path,
                                   const std::string& from) {
    Json current = value;
    if (node.ref) {
      auto r = Conform(*node.ref, current, path, from);
      if (!r) return std::nullopt;
      current = std::move(*r);
    }
    for (const Node* branch : node.all_of) {
      auto r = Conform(*branch, current, path, from);
      if (!r) return std::nullopt;
      current = std::move(*r);
    }
    for (const auto* alternatives : {&node.any_of, &node.one_of}) {
      if (alternatives->empty()) continue;
      auto r = ConformAnyOf(*alternatives, current, path, from);
      if (!r) return std::nullopt;
      current = std::move(*r);
    }
    auto r = ConformType(node, current, path, from);
    if (!r) return std::nullopt;
    return ConformValue(node, ConformDate(node, std::move(*r), path), path);
  }

  // Runs `attempt` on a scratch standardizer; keeps its notes only when `keep` approves.
  template <typename Attempt, typename Keep>
  std::optional<Json> Try(Attempt&& attempt, Keep&& keep) {
    Standardized scratch;
    Standardizer trial(&scratch, depth_, steps_);
    std::optional<Json> result = attempt(trial);
    if (!result || !keep(*result)) return std::nullopt;
    Absorb(std::move(scratch));
    return result;
  }

  std::optional<Json> ConformChild(const Node& node, const Json& value, const std::string& path,
                                   const std::string& from) {
    return Try([&](Standardizer& s) { return s.Conform(node, value, path, from); },
               [](const Json&) { return true; });
  }

  void Absorb(Standardized&& scratch) {
    for (auto& line : scratch.coercions) out_->coercions.push_back(std::move(line));
    for (auto& path : scratch.missing) out_->missing.push_back(std::move(path));
    for (auto& entry : scratch.provenance) out_->provenance.push_back(std::move(entry));
  }

  // Records where the value now at `path` came from, when it is a leaf of the clean document.
  void Trace(const std::string& path, const Json& value, std::string from) {
    const bool leaf = !value.is_structured() || (value.is_array() && value.get_array().empty()) ||
                      (value.is_object() && value.get_object().empty());
    if (leaf) out_->provenance.emplace_back(path, std::move(from));
  }

  void Note(const std::string& path, std::string_view what) {
    out_->coercions.push_back(fmt::format("{}: {}", path, what));
  }

  // anyOf (and oneOf): see Standardize.
  std::optional<Json> ConformAnyOf(const std::vector<const Node*>& alternatives, const Json& value,
                                   const std::string& path, const std::string& from) {
    if (value.is_null()) {
      for (const Node* branch : alternatives) {
        if (Accepts(*branch, value)) return value;
      }
    }
    for (const Node* branch : alternatives) {
      if (!Accepts(*branch, value)) continue;
      if (auto r = ConformChild(*branch, value, path, from)) return r;
    }
    for (const Node* branch : alternatives) {
      auto r = Try([&](Standardizer& s) { return s.Conform(*branch, value, path, from); },
                   [&](const Json& repaired) { return Accepts(*branch, repaired); });
      if (r) return r;
    }
    if (value.is_null()) return std::nullopt;
    for (const Node* branch : alternatives) {
      if (auto r = ConformChild(*branch, value, path, from)) return r;
    }
    return std::nullopt;
  }

  std::optional<Json> ConformType(const Node& node, const Json& value, const std::string& path,
                                  const std::string& from) {
    if (node.types == kAllTypeBits) {
      if (value.is_object() && HasObjectKeywords(node)) {
        return ConformObject(node, value.get_object(), path, from);
      }
      if (value.is_array() && HasArrayKeywords(node)) {
        return ConformArray(node, value.get_array(), path, from, /*synthetic=*/false);
      }
      return value;
    }
    const uint8_t kind = InstanceType(value);
    if (!(node.types & kind)) return Coerce(node, value, path, from);
    if (kind == kIntegerBit && value.is_double() && !(node.types & kNumberBit)) {
      if (auto integer = IntegralDouble(value)) {
        Note(path, fmt::format("converted {} to integer {}", Excerpt(value), *integer));
        return Json(*integer);
      }
    }
    if (value.is_object()) return ConformObject(node, value.get_object(), path, from);
    if (value.is_array()) {
      return ConformArray(node, value.get_array(), path, from, /*synthetic=*/false);
    }
    return value;
  }

  // `value` is of a type `node` does not allow: try the unambiguous conversions.
  std::optional<Json> Coerce(const Node& node, const Json& value, const std::string& path,
                             const std::string& from) {
    const uint8_t types = node.types;
    if (value.is_string()) {
      const std::string_view text = value.get_string();
      if (types & (kIntegerBit | kNumberBit)) {
        if (auto number = ParseLooseNumber(text)) {
          std::optional<Json> fitted = *number;
          if (!(types & kNumberBit) && number->is_double()) {
            auto integer = IntegralDouble(*number);
            fitted = integer ? std::optional<Json>(Json(*integer)) : std::nullopt;
          }
          if (fitted) {
            Note(path, fmt::format("parsed number {} from string {}", NumberText(*fitted),
                                   Excerpt(value)));
            return fitted;
          }
        }
      }
      if (types & kBooleanBit) {
        if (auto flag = ParseLooseBool(text)) {
          Note(path, fmt::format("parsed boolean {} from string {}", *flag, Excerpt(value)));
          return Json(*flag);
        }
      }
      if (types & (kObjectBit | kArrayBit)) {
        if (auto parsed = ParseEmbeddedJson(text, types)) {
          Note(path, "parsed JSON held in a string");
          return ConformType(node, *parsed, path, from);
        }
      }
      if (types & kArrayBit) return WrapInList(node, value, path, from);
      return std::nullopt;
    }
    if (value.is_number()) {
      if (types & kStringBit) {
        if (auto moment = UnixTime(node, value)) {
          Note(path, fmt::format("converted Unix time {} to date-time {}", Excerpt(value),
                                 Excerpt(*moment)));
          return moment;
        }
        Note(path, fmt::format("converted number {} to string", Excerpt(value)));
        return Json(NumberText(value));
      }
      if (types & kArrayBit) return WrapInList(node, value, path, from);
      return std::nullopt;
    }
    if (value.is_array()) {
      const auto& list = value.get_array();
      if (list.size() != 1) return std::nullopt;
      const size_t first_note = out_->coercions.size();
      auto inner = ConformChild(node, list[0], path, ElementPath(from, 0));
      if (inner) {
        out_->coercions.insert(out_->coercions.begin() + static_cast<ptrdiff_t>(first_note),
                               fmt::format("{}: unwrapped single-element list", path));
      }
      return inner;
    }
    if (value.is_object() && (types & kArrayBit)) {
      if (auto inner = Envelope(node, value.get_object(), /*want_array=*/true)) {
        Note(path, fmt::format("unwrapped \"{}\" envelope", inner->first));
        return ConformType(node, *inner->second, path, MemberPath(from, inner->first));
      }
      return WrapInList(node, value, path, from);
    }
    if (value.is_bool() && (types & kArrayBit)) return WrapInList(node, value, path, from);
    return std::nullopt;
  }

  // A "date" or "date-time" string in another notation, rewritten as ISO 8601 / RFC 3339 when
  // ReadLooseDate reads it and the format needs nothing it lacks (a date-time needs a time of day
  // and a UTC offset); otherwise left as it is, with the reason noted.
  Json ConformDate(const Node& node, Json value, const std::string& path) {
    if (!value.is_string() || node.format_name.empty()) return value;
    const Format format = FormatFromName(node.format_name);
    if (format != Format::kDate && format != Format::kDateTime) return value;
    const std::string_view text = value.get_string();
    if (CheckFormat(format, text)) return value;
    auto date = ReadLooseDate(text);
    const char* lacking = nullptr;
    if (date.ok() && format == Format::kDateTime) {
      if (!date->has_time) {
        lacking = "a date without a time of day (not invented)";
      } else if (!date->zone_name.empty()) {
        lacking = "the time zone abbreviation is not a UTC offset (not guessed)";
      } else if (!date->has_offset) {
        lacking = "no UTC offset (not guessed)";
      }
    }
    if (!date.ok() || lacking) {
      Note(path, fmt::format("left {} as is: {}", Excerpt(value),
                             lacking ? lacking : date.error().message));
      return value;
    }
    Json iso(format == Format::kDate ? FormatIsoDate(*date) : FormatRfc3339(*date));
    const bool dropped_time = format == Format::kDate && date->has_time;
    Note(path, fmt::format("parsed {} {} from string {}{}",
                           format == Format::kDate ? "date" : "date-time", Excerpt(iso),
                           Excerpt(value), dropped_time ? " (time of day dropped)" : ""));
    return iso;
  }

  // A 10-digit integer where a "date-time" string is wanted: Unix seconds (2001-09-09 to
  // 2286-11-20). Other numbers (a year, milliseconds) are not read as times.
  static std::optional<Json> UnixTime(const Node& node, const Json& value) {
    int64_t seconds = 0;
    if (value.is_double() || !JsonInteger(value, &seconds)) return std::nullopt;
    if (FormatFromName(node.format_name) != Format::kDateTime) return std::nullopt;
    if (seconds < 1'000'000'000 || seconds > 9'999'999'999) return std::nullopt;
    auto date = DateFromUnixSeconds(seconds);
    if (!date.ok()) return std::nullopt;
    return Json(FormatRfc3339(*date));
  }

  static std::optional<Json> ParseEmbeddedJson(std::string_view text, uint8_t types) {
    const std::string trimmed = Trimmed(text);
    const bool object = trimmed.starts_with('{') && (types & kObjectBit);
    const bool array = trimmed.starts_with('[') && (types & kArrayBit);
    if (!object && !array) return std::nullopt;
    auto parsed = ParseJson(trimmed);
    if (!parsed.ok()) return std::nullopt;
    return std::move(*parsed);
  }

  std::optional<Json> WrapInList(const Node& node, const Json& value, const std::string& path,
                                 const std::string& from) {
    if (value.is_string() && node.items && StringTyped(*node.items)) {
      const std::vector<std::string> parts = SplitCommaList(value.get_string());
      if (parts.size() > 1) {
        Note(path, fmt::format("split comma-separated string into {} items", parts.size()));
        JsonArray list;
        for (const std::string& part : parts) list.emplace_back(part);
        return ConformArray(node, list, path, from, /*synthetic=*/true);
      }
    }
    Note(path, "wrapped single value in a list");
    JsonArray list;
    list.push_back(value);
    return ConformArray(node, list, path, from, /*synthetic=*/true);
  }

  // The content of an envelope object ({"data": X}, {"result": X}, {"results": X}) when X has
  // the wanted shape and no member of the envelope is a field the schema asks for.
  static std::optional<std::pair<std::string, const Json*>> Envelope(const Node& node,
                                                                     const JsonObject& object,
                                                                     bool want_array) {
    const boost::json::key_value_pair* envelope = nullptr;
    for (const auto& member : object) {
      if (IsEnvelopeKey(member.key())) {
        envelope = &member;
        break;
      }
    }
    if (!envelope) return std::nullopt;
    std::vector<std::string_view> wanted, given;
    for (const auto& [name, child] : node.properties) wanted.push_back(name);
    for (const auto& member : object) given.push_back(member.key());
    for (const auto& match : MatchKeys(wanted, given)) {
      if (match) return std::nullopt;
    }
    const Json& inner = envelope->value();
    const bool fits =
        want_array ? inner.is_array()
                   : inner.is_object() || (inner.is_array() && inner.get_array().size() == 1 &&
                                           inner.get_array()[0].is_object());
    if (!fits) return std::nullopt;
    return std::pair{std::string(envelope->key()), &inner};
  }

  std::optional<Json> ConformObject(const Node& node, const JsonObject& object,
                                    const std::string& path, const std::string& from) {
    if (!node.properties.empty()) {
      if (auto inner = Envelope(node, object, /*want_array=*/false)) {
        Note(path, fmt::format("unwrapped \"{}\" envelope", inner->first));
        return ConformType(node, *inner->second, path, MemberPath(from, inner->first));
      }
    }
    std::vector<std::string_view> wanted, given;
    for (const auto& [name, child] : node.properties) wanted.push_back(name);
    for (const auto& member : object) given.push_back(member.key());
    const auto match = MatchKeys(wanted, given);
    std::vector<bool> consumed(given.size(), false);
    JsonObject clean;
    for (size_t i = 0; i < node.properties.size(); ++i) {
      const auto& [name, child] = node.properties[i];
      const std::string child_path = MemberPath(path, name);
      std::optional<Json> value;
      if (match[i]) {
        consumed[*match[i]] = true;
        const std::string_view key = given[*match[i]];
        const Json& raw = *object.if_contains(key);
        if (key != name) Note(child_path, fmt::format("taken from key \"{}\"", key));
        if (raw.is_null() && !Accepts(*child, raw)) {
          Note(child_path, "dropped null (not allowed here)");
        } else {
          const std::string child_from = MemberPath(from, key);
          value = ConformChild(*child, raw, child_path, child_from);
          if (value) Trace(child_path, *value, child_from);
          if (!value) {
            Note(child_path, fmt::format("dropped {} (does not fit the schema)", Excerpt(raw)));
          }
        }
      }
      if (!value) value = FillAbsent(node, name, *child, child_path);
      if (value) clean[name] = std::move(*value);
    }
    for (const std::string& name : node.required_undeclared) {
      if (!object.if_contains(name)) out_->missing.push_back(MemberPath(path, name));
    }
    for (size_t g = 0; g < given.size(); ++g) {
      if (consumed[g]) continue;
      const std::string child_path = MemberPath(path, given[g]);
      const Json& raw = *object.if_contains(given[g]);
      if (!node.additional_properties) {
        Trace(child_path, raw, MemberPath(from, given[g]));
        clean[given[g]] = raw;
      } else if (node.additional_properties->is_false) {
        Note(child_path, "dropped (not in properties; additionalProperties is false)");
      } else if (auto value = ConformChild(*node.additional_properties, raw, child_path,
                                           MemberPath(from, given[g]))) {
        Trace(child_path, *value, MemberPath(from, given[g]));
        clean[given[g]] = std::move(*value);
      } else {
        Note(child_path, fmt::format("dropped {} (does not fit the schema)", Excerpt(raw)));
      }
    }
    return Json(std::move(clean));
  }

  std::optional<Json> FillAbsent(const Node& parent, const std::string& name, const Node& child,
                                 const std::string& path) {
    const Node& target = Target(child);
    const std::optional<Json>& fallback =
        child.default_value ? child.default_value : target.default_value;
    const bool required = parent.IsRequired(name);
    if (!required && fallback) {
      Note(path,
           fmt::format("filled missing optional field with its default {}", Excerpt(*fallback)));
      out_->provenance.emplace_back(path, "(schema default)");
      return *fallback;
    }
    if (ExplicitlyNullable(child)) {
      Note(path, required ? "filled missing nullable field with null"
                          : "filled missing optional field with null");
      out_->provenance.emplace_back(path, "(null: absent nullable field)");
      return Json(nullptr);
    }
    if (required) out_->missing.push_back(path);
    return std::nullopt;
  }

  // `synthetic`: `list` was made from the single value at `from` (wrapped or split), so its
  // items come from `from` itself rather than from elements of it.
  std::optional<Json> ConformArray(const Node& node, const JsonArray& list, const std::string& path,
                                   const std::string& from, bool synthetic) {
    JsonArray clean;
    // JsonHash of each kept item -> its index in `clean`, for de-duplication in linear time.
    std::unordered_multimap<size_t, size_t> kept_by_hash;
    size_t duplicates = 0;
    for (size_t i = 0; i < list.size(); ++i) {
      if (node.max_items && clean.size() >= *node.max_items) {
        Note(path, fmt::format("kept the first {} items (maxItems), dropped {} more",
                               *node.max_items, list.size() - i));
        break;
      }
      const std::string item_path = ElementPath(path, clean.size());
      bool duplicate = false;
      const std::string item_from = synthetic ? from : ElementPath(from, i);
      auto item = Try(
          [&](Standardizer& s) -> std::optional<Json> {
            std::optional<Json> r = list[i];
            const Node* item_node = clean.size() < node.prefix_items.size()
                                        ? node.prefix_items[clean.size()]
                                        : node.items;
            if (item_node) r = s.Conform(*item_node, list[i], item_path, item_from);
            if (r) s.Trace(item_path, *r, item_from);
            return r;
          },
          [&](const Json& repaired) {
            auto [lo, hi] = kept_by_hash.equal_range(JsonHash(repaired));
            duplicate = std::any_of(
                lo, hi, [&](const auto& kept) { return JsonEqual(clean[kept.second], repaired); });
            return !duplicate;
          });
      if (item) {
        kept_by_hash.emplace(JsonHash(*item), clean.size());
        clean.push_back(std::move(*item));
      } else if (duplicate) {
        ++duplicates;
      } else {
        Note(path,
             fmt::format("dropped item [{}] {} (does not fit the schema)", i, Excerpt(list[i])));
      }
    }
    if (duplicates > 0) {
      Note(path, fmt::format("removed {} duplicate item{}", duplicates, duplicates > 1 ? "s" : ""));
    }
    return Json(std::move(clean));
  }

  // enum and const: an exact match stays; a string matching one of the allowed strings up to
  // case and surrounding spaces takes its spelling; anything else does not fit.
  std::optional<Json> ConformValue(const Node& node, Json value, const std::string& path) {
    if (!node.enum_values && !node.const_value) return value;
    auto allowed = [&](const Json& v) {
      return node.EnumContains(v) && (!node.const_value || JsonEqual(*node.const_value, v));
    };
    if (allowed(value)) return value;
    if (!value.is_string()) return std::nullopt;
    const std::string text = Trimmed(value.get_string());
    std::vector<const Json*> candidates;
    if (node.enum_values) {
      for (const Json& e : *node.enum_values) candidates.push_back(&e);
    }
    if (node.const_value) candidates.push_back(&*node.const_value);
    for (const Json* candidate : candidates) {
      if (!candidate->is_string() || !SameIgnoringCase(candidate->get_string(), text)) continue;
      // Checked only for a candidate whose spelling matches (a hash lookup and one comparison).
      if (!allowed(*candidate)) continue;
      Note(path,
           fmt::format("matched {} to allowed value {}", Excerpt(value), Excerpt(*candidate)));
      return *candidate;
    }
    return std::nullopt;
  }

  Standardized* out_;
  int depth_;
  uint64_t* steps_;
};

bool IsModel(const Node& node) { return !Target(node).properties.empty(); }

}  // namespace

Standardized Standardize(const Json& dirty, const Schema& schema) {
  Standardized out;
  uint64_t steps = 0;
  Standardizer standardizer(&out, 0, &steps);
  std::optional<Json> clean = standardizer.Conform(schema.root(), dirty, "$", "$");
  if (!clean && IsModel(schema.root())) {
    out.coercions.push_back(fmt::format(
        "$: dropped {} (does not fit the schema); started from an empty object", Excerpt(dirty)));
    clean = standardizer.Conform(schema.root(), Json(JsonObject{}), "$", "(empty object)");
  }
  if (steps > kMaxSteps) {
    out.coercions.push_back(fmt::format(
        "$: standardization stopped after {} subschema applications (limit); values not reached "
        "were dropped",
        kMaxSteps));
  }
  if (clean) {
    if (out.provenance.empty() && !clean->is_structured()) out.provenance.emplace_back("$", "$");
    out.clean = std::move(*clean);
  } else {
    out.clean = nullptr;
    out.missing.push_back("$");
  }
  return out;
}

}  // namespace orchestra::schema
