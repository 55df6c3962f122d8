#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <unordered_map>

#include "orchestra/schema/format.h"
#include "orchestra/schema/instance.h"
#include "orchestra/schema/schema.h"
#include "orchestra/schema/validator.h"

namespace orchestra::schema {
namespace {

using Violations = std::vector<Violation>;

// Frames of recursion (in-place applicators plus instance levels) one validation may use.
constexpr int kMaxFrames = 2048;

// An instance path built lazily: links on the stack, turned into text only for a violation.
struct PathLink {
  const PathLink* parent = nullptr;
  std::string_view key;  // the root's text for the root, the member name for a member
  size_t index = 0;
  enum Kind : uint8_t { kRoot, kMember, kElement } kind = kRoot;
};

std::string PathText(const PathLink* link) {
  std::vector<const PathLink*> chain;
  for (; link; link = link->parent) chain.push_back(link);
  std::string out;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    const PathLink& l = **it;
    if (l.kind == PathLink::kRoot) {
      out = std::string(l.key);
    } else if (l.kind == PathLink::kMember) {
      out = MemberPath(out, l.key);
    } else {
      out = ElementPath(out, l.index);
    }
  }
  return out;
}

// The first few values, then how many more: a message stays short whatever the enum's size.
std::string ValuesText(const std::vector<Json>& values) {
  constexpr size_t kShown = 10;
  std::string out;
  for (size_t i = 0; i < values.size() && i < kShown; ++i) {
    if (!out.empty()) out += ", ";
    out += Excerpt(values[i], 30);
  }
  if (values.size() > kShown) out += fmt::format(" and {} more", values.size() - kShown);
  return out;
}

// Whether `types` admits `instance`: node.types & InstanceType(instance), without classifying
// a double when the answer does not depend on it ("number" admits every double).
bool TypeAllowed(uint8_t types, const Json& instance) {
  switch (instance.kind()) {
    case boost::json::kind::null:
      return types & kNullBit;
    case boost::json::kind::bool_:
      return types & kBooleanBit;
    case boost::json::kind::int64:
    case boost::json::kind::uint64:
      return types & kIntegerBit;
    case boost::json::kind::double_:
      if ((types & (kNumberBit | kIntegerBit)) == (kNumberBit | kIntegerBit)) return true;
      return types & InstanceType(instance);
    case boost::json::kind::string:
      return types & kStringBit;
    case boost::json::kind::array:
      return types & kArrayBit;
    case boost::json::kind::object:
      return types & kObjectBit;
  }
  return false;
}

// A property's value contributes the field slots found inside it, or is one slot itself.
void CountSlot(const Json& value, const FieldTally& inner, FieldTally* tally) {
  tally->required += inner.required;
  tally->required_populated += inner.required_populated;
  if (inner.total > 0) {
    tally->total += inner.total;
    tally->populated += inner.populated;
  } else {
    tally->total += 1;
    tally->populated += IsPopulated(value) ? 1 : 0;
  }
}

std::string NumberText(const Json& n) { return CompactJson(n); }

// Walks one instance. `out` == nullptr is the fast mode: stop at the first failure and build
// no message; otherwise every violation is appended to `out`.
class Checker {
 public:
  explicit Checker(const CompileOptions& options) : options_(options) {}

  bool Check(const Node& node, const Json& instance, const PathLink* path, Violations* out,
             FieldTally* tally, int depth) {
    if (aborted_) return false;
    if (!Spend(path, out)) return false;
    if (frames_ >= kMaxFrames) {
      aborted_ = true;
      if (out) {
        Add(out, path, "limit", "validation stopped: schema applications nested too deeply");
      }
      return false;
    }
    ++frames_;
    const bool ok = CheckSteps(node, instance, path, out, tally, depth);
    --frames_;
    return ok;
  }

  bool aborted() const { return aborted_; }

 private:
  // Counts one evaluation against options_.max_evaluations; past it, aborts the walk (rule
  // "limit") and returns false.
  bool Spend(const PathLink* path, Violations* out) {
    if (++evaluations_ <= options_.max_evaluations) return true;
    aborted_ = true;
    if (out) {
      Add(out, path, "limit",
          fmt::format("validation stopped after {} subschema evaluations (limit)",
                      options_.max_evaluations));
    }
    return false;
  }

  template <typename Message>
  static bool Fail(Violations* out, const PathLink* path, std::string_view rule,
                   Message&& message) {
    if (out) out->push_back(Violation{PathText(path), std::string(rule), message()});
    return false;
  }

  static void Add(Violations* out, const PathLink* path, std::string_view rule,
                  std::string message) {
    out->push_back(Violation{PathText(path), std::string(rule), std::move(message)});
  }

  bool CheckSteps(const Node& node, const Json& instance, const PathLink* path, Violations* out,
                  FieldTally* tally, int depth) {
    if (node.is_false) {
      return Fail(out, path, "false", [] { return std::string("no value is allowed here"); });
    }
    bool ok = true;
    // Stops the walk in fast mode once something failed.
    auto done = [&] { return !ok && (!out || aborted_); };
    if (node.ref) {
      ok = Check(*node.ref, instance, path, out, tally, depth) && ok;
      if (done()) return false;
    }
    if (node.types != kAllTypeBits && !TypeAllowed(node.types, instance)) {
      // enum/const/length checks on a value of the wrong type would only repeat this.
      return Fail(out, path, "type", [&] {
        return fmt::format("expected {}, got {}", TypeBitsText(node.types),
                           TypeBitName(InstanceType(instance)));
      });
    }
    if (node.enum_values && !node.EnumContains(instance)) {
      ok = Fail(out, path, "enum", [&] {
        return fmt::format("expected one of {}, got {}", ValuesText(*node.enum_values),
                           Excerpt(instance));
      });
      if (done()) return false;
    }
    if (node.const_value && !JsonEqual(*node.const_value, instance)) {
      ok = Fail(out, path, "const", [&] {
        return fmt::format("expected {}, got {}", Excerpt(*node.const_value), Excerpt(instance));
      });
      if (done()) return false;
    }
    if (instance.is_number()) {
      ok = CheckNumber(node, instance, path, out) && ok;
    } else if (instance.is_string()) {
      ok = CheckString(node, instance.get_string(), path, out) && ok;
    } else if (instance.is_array()) {
      ok = CheckArray(node, instance.get_array(), path, out, tally, depth) && ok;
    } else if (instance.is_object()) {
      ok = CheckObject(node, instance, path, out, tally, depth) && ok;
    }
    if (done()) return false;
    for (const Node* branch : node.all_of) {
      ok = Check(*branch, instance, path, out, tally, depth) && ok;
      if (done()) return false;
    }
    if (!node.any_of.empty()) {
      ok = CheckAnyOf(node, instance, path, out, tally, depth) && ok;
      if (done()) return false;
    }
    if (!node.one_of.empty()) {
      ok = CheckOneOf(node, instance, path, out, tally, depth) && ok;
      if (done()) return false;
    }
    if (node.not_) {
      FieldTally scratch;
      if (Check(*node.not_, instance, path, nullptr, &scratch, depth)) {
        ok = Fail(out, path, "not",
                  [] { return std::string("matches a schema it must not match (not)"); });
      }
      if (done() || aborted_) return false;
    }
    if (node.if_ && (node.then_ || node.else_)) {
      FieldTally scratch;
      const bool condition = Check(*node.if_, instance, path, nullptr, &scratch, depth);
      if (aborted_) return false;
      const Node* branch = condition ? node.then_ : node.else_;
      if (branch) ok = Check(*branch, instance, path, out, tally, depth) && ok;
    }
    return ok && !aborted_;
  }

  static bool CheckNumber(const Node& node, const Json& instance, const PathLink* path,
                          Violations* out) {
    bool ok = true;
    if (node.minimum && CompareNumbers(instance, *node.minimum) < 0) {
      ok = Fail(out, path, "minimum", [&] {
        return fmt::format("expected at least {}, got {}", NumberText(*node.minimum),
                           NumberText(instance));
      });
      if (!out) return false;
    }
    if (node.maximum && CompareNumbers(instance, *node.maximum) > 0) {
      ok = Fail(out, path, "maximum", [&] {
        return fmt::format("expected at most {}, got {}", NumberText(*node.maximum),
                           NumberText(instance));
      });
      if (!out) return false;
    }
    if (node.exclusive_minimum && CompareNumbers(instance, *node.exclusive_minimum) <= 0) {
      ok = Fail(out, path, "exclusiveMinimum", [&] {
        return fmt::format("expected more than {}, got {}", NumberText(*node.exclusive_minimum),
                           NumberText(instance));
      });
      if (!out) return false;
    }
    if (node.exclusive_maximum && CompareNumbers(instance, *node.exclusive_maximum) >= 0) {
      ok = Fail(out, path, "exclusiveMaximum", [&] {
        return fmt::format("expected less than {}, got {}", NumberText(*node.exclusive_maximum),
                           NumberText(instance));
      });
      if (!out) return false;
    }
    if (node.multiple_of && !IsMultipleOf(instance, *node.multiple_of)) {
      ok = Fail(out, path, "multipleOf", [&] {
        return fmt::format("expected a multiple of {}, got {}", NumberText(*node.multiple_of),
                           NumberText(instance));
      });
    }
    return ok;
  }

  bool CheckString(const Node& node, std::string_view text, const PathLink* path,
                   Violations* out) const {
    bool ok = true;
    if (node.min_length || node.max_length) {
      const size_t length = CodePointCount(text);
      if (node.min_length && length < *node.min_length) {
        ok = Fail(out, path, "minLength", [&] {
          return fmt::format("expected at least {} characters, got {}", *node.min_length, length);
        });
        if (!out) return false;
      }
      if (node.max_length && length > *node.max_length) {
        ok = Fail(out, path, "maxLength", [&] {
          return fmt::format("expected at most {} characters, got {}", *node.max_length, length);
        });
        if (!out) return false;
      }
    }
    if (node.pattern && !node.pattern->Search(text)) {
      ok = Fail(out, path, "pattern", [&] {
        return fmt::format("expected to match /{}/, got {}", node.pattern->source(),
                           Excerpt(Json(text)));
      });
      if (!out) return false;
    }
    if (node.format != Format::kNone && !CheckFormat(node.format, text)) {
      ok = Fail(out, path, "format", [&] {
        return fmt::format("expected a valid {}, got {}", node.format_name, Excerpt(Json(text)));
      });
    }
    return ok;
  }

  bool TooDeep(const PathLink* path, Violations* out, int depth) {
    if (depth < options_.max_depth) return false;
    Fail(out, path, "depth", [&] {
      return fmt::format("instance nested deeper than the limit of {}", options_.max_depth);
    });
    return true;
  }

  bool CheckArray(const Node& node, const JsonArray& array, const PathLink* path, Violations* out,
                  FieldTally* tally, int depth) {
    bool ok = true;
    if (node.min_items && array.size() < *node.min_items) {
      ok = Fail(out, path, "minItems", [&] {
        return fmt::format("expected at least {} items, got {}", *node.min_items, array.size());
      });
      if (!out) return false;
    }
    if (node.max_items && array.size() > *node.max_items) {
      ok = Fail(out, path, "maxItems", [&] {
        return fmt::format("expected at most {} items, got {}", *node.max_items, array.size());
      });
      if (!out) return false;
    }
    if (node.unique_items && array.size() > 1) {
      std::unordered_multimap<size_t, size_t> seen;
      for (size_t i = 0; i < array.size(); ++i) {
        const size_t h = JsonHash(array[i]);
        auto [lo, hi] = seen.equal_range(h);
        for (auto it = lo; it != hi; ++it) {
          if (!JsonEqual(array[it->second], array[i])) continue;
          ok = Fail(out, path, "uniqueItems", [&] {
            return fmt::format("items [{}] and [{}] are equal ({})", it->second, i,
                               Excerpt(array[i]));
          });
          if (!out) return false;
          i = array.size();  // one report is enough
          break;
        }
        if (i < array.size()) seen.emplace(h, i);
      }
    }
    const bool descends = !node.prefix_items.empty() || node.items || node.contains;
    if (!descends) return ok;
    if (!array.empty() && TooDeep(path, out, depth)) return false;
    for (size_t i = 0; i < array.size(); ++i) {
      const Node* item = i < node.prefix_items.size() ? node.prefix_items[i] : node.items;
      if (!item) continue;
      PathLink link{path, {}, i, PathLink::kElement};
      ok = Check(*item, array[i], &link, out, tally, depth + 1) && ok;
      if (!ok && (!out || aborted_)) return false;
    }
    if (node.contains) {
      const uint64_t min = node.min_contains.value_or(1);
      uint64_t count = 0;
      for (size_t i = 0; i < array.size(); ++i) {
        PathLink link{path, {}, i, PathLink::kElement};
        FieldTally scratch;
        if (Check(*node.contains, array[i], &link, nullptr, &scratch, depth + 1)) ++count;
        if (aborted_) return false;
        if (count >= min && !node.max_contains) break;
      }
      if (count < min) {
        ok = Fail(out, path, "contains", [&] {
          return fmt::format("expected at least {} item{} matching contains, got {}", min,
                             min == 1 ? "" : "s", count);
        });
      } else if (node.max_contains && count > *node.max_contains) {
        ok = Fail(out, path, "maxContains", [&] {
          return fmt::format("expected at most {} items matching contains, got {}",
                             *node.max_contains, count);
        });
      }
    }
    return ok;
  }

  // `instance` is an object.
  bool CheckObject(const Node& node, const Json& instance, const PathLink* path, Violations* out,
                   FieldTally* tally, int depth) {
    const JsonObject& object = instance.get_object();
    bool ok = true;
    auto stop = [&] { return !ok && (!out || aborted_); };
    if (node.min_properties && object.size() < *node.min_properties) {
      ok = Fail(out, path, "minProperties", [&] {
        return fmt::format("expected at least {} members, got {}", *node.min_properties,
                           object.size());
      });
      if (stop()) return false;
    }
    if (node.max_properties && object.size() > *node.max_properties) {
      ok = Fail(out, path, "maxProperties", [&] {
        return fmt::format("expected at most {} members, got {}", *node.max_properties,
                           object.size());
      });
      if (stop()) return false;
    }
    const bool descends = !node.properties.empty() || !node.pattern_properties.empty() ||
                          node.additional_properties || node.property_names ||
                          !node.dependent_schemas.empty();
    if (descends && !object.empty() && TooDeep(path, out, depth)) return false;
    // Members usually come in the order the properties are declared: try the member after the
    // last one found before searching the object.
    size_t hint = 0;
    for (size_t i = 0; i < node.properties.size(); ++i) {
      const auto& [name, child] = node.properties[i];
      PathLink link{path, name, 0, PathLink::kMember};
      const Json* value = nullptr;
      if (hint < object.size() && object.begin()[hint].key() == name) {
        value = &object.begin()[hint++].value();
      } else if (auto it = object.find(name); it != object.end()) {
        value = &it->value();
        hint = static_cast<size_t>(it - object.begin()) + 1;
      }
      const uint32_t required = node.property_required[i];
      tally->required += static_cast<int>(required);
      if (!value) {
        tally->total += 1;
        if (required > 0) {
          ok =
              Fail(out, &link, "required", [] { return std::string("required field is missing"); });
          if (stop()) return false;
        }
        continue;
      }
      if (required > 0 && IsPopulated(*value)) {
        tally->required_populated += static_cast<int>(required);
      }
      FieldTally inner;
      ok = Check(*child, *value, &link, out, &inner, depth + 1) && ok;
      if (stop()) return false;
      CountSlot(*value, inner, tally);
    }
    for (const std::string& name : node.required_undeclared) {
      const Json* value = object.if_contains(name);
      tally->required += 1;
      if (value && IsPopulated(*value)) tally->required_populated += 1;
      if (!value) {
        PathLink link{path, name, 0, PathLink::kMember};
        ok = Fail(out, &link, "required", [] { return std::string("required field is missing"); });
        if (stop()) return false;
      }
    }
    for (const auto& dependency : node.dependent_required) {
      const std::string& name = dependency.first;
      const std::vector<std::string>& names = dependency.second;
      if (!object.contains(name)) continue;
      for (const std::string& needed : names) {
        if (object.contains(needed)) continue;
        PathLink link{path, needed, 0, PathLink::kMember};
        ok = Fail(out, &link, "dependentRequired", [&] {
          return fmt::format("required when \"{}\" is present, but missing", name);
        });
        if (stop()) return false;
      }
    }
    for (const auto& [name, schema] : node.dependent_schemas) {
      if (!object.contains(name)) continue;
      FieldTally scratch;
      ok = Check(*schema, instance, path, out, &scratch, depth) && ok;
      if (stop()) return false;
    }
    if (node.pattern_properties.empty() && !node.additional_properties && !node.property_names) {
      return ok;
    }
    for (const auto& member : object) {
      PathLink link{path, member.key(), 0, PathLink::kMember};
      if (node.property_names) {
        FieldTally scratch;
        if (!Check(*node.property_names, Json(member.key()), &link, nullptr, &scratch, depth + 1)) {
          ok = Fail(out, &link, "propertyNames", [&] {
            return fmt::format("member name \"{}\" does not satisfy propertyNames",
                               std::string_view(member.key()));
          });
          if (stop()) return false;
        }
      }
      bool matched = node.Property(member.key()) != nullptr;
      for (const auto& [pattern, child] : node.pattern_properties) {
        // Members × patterns searches: each counts, so that many of both cannot run unbounded.
        if (!Spend(&link, out)) return false;
        if (!pattern.Search(member.key())) continue;
        matched = true;
        ok = Check(*child, member.value(), &link, out, tally, depth + 1) && ok;
        if (stop()) return false;
      }
      if (matched || !node.additional_properties) continue;
      if (node.additional_properties->is_false) {
        ok = Fail(out, &link, "additionalProperties", [&] {
          return fmt::format("unexpected field \"{}\" (not in properties)",
                             std::string_view(member.key()));
        });
        if (stop()) return false;
        continue;
      }
      ok = Check(*node.additional_properties, member.value(), &link, out, tally, depth + 1) && ok;
      if (stop()) return false;
    }
    return ok;
  }

  // The first line of what `branch` finds wrong with `instance`, for anyOf/oneOf messages.
  std::string FirstReason(const Node& branch, const Json& instance, const PathLink* path,
                          int depth) {
    Violations branch_violations;
    FieldTally scratch;
    Check(branch, instance, path, &branch_violations, &scratch, depth);
    if (branch_violations.empty()) return "valid";
    const Violation& first = branch_violations.front();
    const std::string here = PathText(path);
    return first.path == here ? first.message : first.path + ": " + first.message;
  }

  bool CheckAnyOf(const Node& node, const Json& instance, const PathLink* path, Violations* out,
                  FieldTally* tally, int depth) {
    for (const Node* branch : node.any_of) {
      FieldTally branch_tally;
      if (Check(*branch, instance, path, nullptr, &branch_tally, depth)) {
        tally->Add(branch_tally);
        return true;
      }
      if (aborted_) return false;
    }
    if (!out) return false;
    std::string reasons;
    for (const Node* branch : node.any_of) {
      if (!reasons.empty()) reasons += "; ";
      reasons += FirstReason(*branch, instance, path, depth);
    }
    Add(out, path, "anyOf",
        fmt::format("matches none of the {} alternatives ({})", node.any_of.size(), reasons));
    return false;
  }

  bool CheckOneOf(const Node& node, const Json& instance, const PathLink* path, Violations* out,
                  FieldTally* tally, int depth) {
    std::array<size_t, 2> passing{};  // the first two branches that accept the instance
    size_t passed = 0;
    FieldTally first_tally;
    for (size_t i = 0; i < node.one_of.size() && passed < 2; ++i) {
      FieldTally branch_tally;
      if (Check(*node.one_of[i], instance, path, nullptr, &branch_tally, depth)) {
        if (passed == 0) first_tally = branch_tally;
        passing[passed++] = i;
      }
      if (aborted_) return false;
    }
    if (passed == 1) {
      tally->Add(first_tally);
      return true;
    }
    if (!out) return false;
    if (passed > 1) {
      Add(out, path, "oneOf",
          fmt::format("matches more than one of the {} alternatives (#{} and #{})",
                      node.one_of.size(), passing[0], passing[1]));
      return false;
    }
    std::string reasons;
    for (const Node* branch : node.one_of) {
      if (!reasons.empty()) reasons += "; ";
      reasons += FirstReason(*branch, instance, path, depth);
    }
    Add(out, path, "oneOf",
        fmt::format("matches none of the {} alternatives ({})", node.one_of.size(), reasons));
    return false;
  }

  const CompileOptions& options_;
  uint64_t evaluations_ = 0;
  int frames_ = 0;
  bool aborted_ = false;
};

bool IsIntegerKind(const Json& v) { return v.is_int64() || v.is_uint64(); }

// Exact: `a` and `b` are finite doubles with b > 0. Whether a / b is an integer.
bool ExactMultiple(double a, double b) {
  if (a == 0) return true;
  int ea = 0, eb = 0;
  const double ma = std::frexp(std::fabs(a), &ea);
  const double mb = std::frexp(b, &eb);
  auto mantissa = [](double m, int e, int64_t* out, int* exp) {
    *out = static_cast<int64_t>(std::ldexp(m, 53));
    *exp = e - 53;
    while (*out % 2 == 0) {
      *out /= 2;
      ++*exp;
    }
  };
  int64_t ia = 0, ib = 0;
  int pa = 0, pb = 0;
  mantissa(ma, ea, &ia, &pa);
  mantissa(mb, eb, &ib, &pb);
  return ia % ib == 0 && pa >= pb;
}

}  // namespace

int CompareNumbers(const Json& a, const Json& b) {
  auto wide = [](const Json& v) -> long double {
    if (v.is_int64()) return static_cast<long double>(v.get_int64());
    if (v.is_uint64()) return static_cast<long double>(v.get_uint64());
    return static_cast<long double>(v.get_double());
  };
  const long double x = wide(a), y = wide(b);
  return x < y ? -1 : (x > y ? 1 : 0);
}

bool IsMultipleOf(const Json& value, const Json& divisor) {
  if (divisor.is_double()) {
    double x = 0;
    JsonNumber(value, &x);
    const double d = divisor.get_double();
    const double q = x / d;
    if (std::isinf(q)) return std::isfinite(x) && ExactMultiple(x, d);
    if (!std::isfinite(q)) return false;
    return std::trunc(q) == q;
  }
  if (IsIntegerKind(value)) {
    // Both integers: exact remainder (divisor > 0 was checked at compile time).
    const uint64_t d =
        divisor.is_uint64() ? divisor.get_uint64() : static_cast<uint64_t>(divisor.get_int64());
    if (value.is_uint64()) return value.get_uint64() % d == 0;
    const int64_t v = value.get_int64();
    const uint64_t magnitude =
        v < 0 ? static_cast<uint64_t>(-(v + 1)) + 1 : static_cast<uint64_t>(v);
    return magnitude % d == 0;
  }
  double x = 0, d = 0;
  JsonNumber(value, &x);
  JsonNumber(divisor, &d);
  if (!std::isfinite(x)) return false;
  return std::fmod(x, d) == 0;
}

void CheckNode(const Node& node, const Json& instance, const std::string& path,
               Violations* violations, FieldTally* tally, const CompileOptions& options) {
  Checker checker(options);
  PathLink root{nullptr, path, 0, PathLink::kRoot};
  checker.Check(node, instance, &root, violations, tally, 0);
}

bool Accepts(const Node& node, const Json& instance, const CompileOptions& options) {
  Checker checker(options);
  PathLink root{nullptr, "$", 0, PathLink::kRoot};
  FieldTally tally;
  return checker.Check(node, instance, &root, nullptr, &tally, 0);
}

ValidationReport Schema::Validate(const Json& instance) const {
  ValidationReport report;
  FieldTally tally;
  CheckNode(root(), instance, "$", &report.violations, &tally, options());
  if (tally.total == 0) {
    tally.total = 1;
    tally.populated = IsPopulated(instance) ? 1 : 0;
  }
  report.valid = report.violations.empty();
  report.total_fields = tally.total;
  report.populated_fields = tally.populated;
  report.required_fields = tally.required;
  report.required_populated = tally.required_populated;
  const double errors = static_cast<double>(report.violations.size());
  report.compliance = std::clamp(1.0 - errors / tally.total, 0.0, 1.0);
  report.completeness = tally.required > 0
                            ? static_cast<double>(tally.required_populated) / tally.required
                            : static_cast<double>(tally.populated) / tally.total;
  return report;
}

}  // namespace orchestra::schema
