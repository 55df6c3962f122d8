#include "orchestra/schema/shorthand_type.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <unordered_map>
#include <vector>

#include "orchestra/schema/instance.h"

namespace orchestra::schema {
namespace {

constexpr int kMaxTypeDepth = 32;

// The members of a union before it is turned into a schema: Optional[T], T | None and
// Union[...] all flatten into one list, as Python's typing does.
struct Alternatives {
  std::vector<Json> schemas;
  bool has_none = false;
  // JsonHash of each of `schemas` -> its index: a long union is de-duplicated in linear time.
  std::unordered_multimap<size_t, size_t> by_hash;

  void Add(Json schema) {
    const size_t hash = JsonHash(schema);
    auto [lo, hi] = by_hash.equal_range(hash);
    for (auto it = lo; it != hi; ++it) {
      if (JsonEqual(schemas[it->second], schema)) return;
    }
    by_hash.emplace(hash, schemas.size());
    schemas.push_back(std::move(schema));
  }
  void Merge(Alternatives other) {
    for (Json& schema : other.schemas) Add(std::move(schema));
    has_none = has_none || other.has_none;
  }
};

Json Build(const Alternatives& alternatives) {
  if (alternatives.schemas.empty()) return JsonObject{{"type", "null"}};
  if (alternatives.schemas.size() == 1 && !alternatives.has_none) {
    return alternatives.schemas.front();
  }
  JsonArray any_of(alternatives.schemas.begin(), alternatives.schemas.end());
  if (alternatives.has_none) any_of.push_back(JsonObject{{"type", "null"}});
  return JsonObject{{"anyOf", std::move(any_of)}};
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Alternatives Single(Json schema) {
  Alternatives a;
  a.Add(std::move(schema));
  return a;
}

class TypeParser {
 public:
  explicit TypeParser(std::string_view text) : text_(text) {}

  Result<ShorthandType> Parse() {
    SkipSpace();
    if (pos_ == text_.size()) return Unknown("");
    auto alternatives = ParseUnion(0);
    if (!alternatives.ok()) return alternatives.error();
    SkipSpace();
    if (pos_ != text_.size())
      return Malformed(fmt::format("unexpected \"{}\"", text_.substr(pos_)));
    ShorthandType out;
    out.optional = alternatives->has_none;
    out.schema = Build(*alternatives);
    return out;
  }

 private:
  Result<Alternatives> ParseUnion(int depth) {
    if (depth > kMaxTypeDepth) return Malformed("nested too deeply");
    auto first = ParseTerm(depth);
    if (!first.ok()) return first;
    Alternatives all = std::move(*first);
    while (Consume('|')) {
      auto next = ParseTerm(depth);
      if (!next.ok()) return next;
      all.Merge(std::move(*next));
    }
    return all;
  }

  // One type argument inside brackets, as a schema.
  Result<Json> ParseArgument(int depth) {
    auto alternatives = ParseUnion(depth + 1);
    if (!alternatives.ok()) return alternatives.error();
    return Build(*alternatives);
  }

  Result<Alternatives> ParseTerm(int depth) {
    SkipSpace();
    const size_t start = pos_;
    while (pos_ < text_.size() &&
           (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_')) {
      ++pos_;
    }
    if (pos_ == start) return Malformed("expected a type name");
    const std::string_view name = text_.substr(start, pos_ - start);
    const std::string lower = Lower(name);
    if (lower == "str") return Single(JsonObject{{"type", "string"}});
    if (lower == "int") return Single(JsonObject{{"type", "integer"}});
    if (lower == "float") return Single(JsonObject{{"type", "number"}});
    if (lower == "bool") return Single(JsonObject{{"type", "boolean"}});
    if (lower == "any") return Single(JsonObject{});
    if (lower == "date") return Single(JsonObject{{"type", "string"}, {"format", "date"}});
    if (lower == "datetime") return Single(JsonObject{{"type", "string"}, {"format", "date-time"}});
    if (lower == "none") {
      Alternatives none;
      none.has_none = true;
      return none;
    }
    if (lower == "list") return ParseList(depth);
    if (lower == "dict") return ParseDict(depth);
    if (lower == "optional") return ParseOptional(depth);
    if (lower == "union") return ParseUnionOf(depth);
    if (lower == "literal") return ParseLiteral();
    return Unknown(name);
  }

  Result<Alternatives> ParseList(int depth) {
    if (!Consume('[')) return Single(JsonObject{{"type", "array"}, {"items", JsonObject{}}});
    auto items = ParseArgument(depth);
    if (!items.ok()) return items.error();
    if (!Consume(']')) return Malformed("expected \"]\"");
    return Single(JsonObject{{"type", "array"}, {"items", std::move(*items)}});
  }

  Result<Alternatives> ParseDict(int depth) {
    if (!Consume('[')) return Single(JsonObject{{"type", "object"}});
    const size_t key_start = pos_;
    auto key = ParseArgument(depth);
    if (!key.ok()) return key.error();
    if (!JsonEqual(*key, JsonObject{{"type", "string"}})) {
      pos_ = key_start;
      return Malformed("dict keys must be str");
    }
    if (!Consume(',')) return Malformed("expected \",\" (dict takes [str, T])");
    auto value = ParseArgument(depth);
    if (!value.ok()) return value.error();
    if (!Consume(']')) return Malformed("expected \"]\"");
    JsonObject schema{{"type", "object"}};
    // Pydantic leaves out additionalProperties when the value type is Any.
    if (!(value->is_object() && value->get_object().empty())) {
      schema["additionalProperties"] = std::move(*value);
    }
    return Single(std::move(schema));
  }

  Result<Alternatives> ParseOptional(int depth) {
    if (!Consume('[')) return Malformed("expected \"[\" (Optional takes [T])");
    auto inner = ParseUnion(depth + 1);
    if (!inner.ok()) return inner;
    if (!Consume(']')) return Malformed("expected \"]\"");
    inner->has_none = true;
    return inner;
  }

  Result<Alternatives> ParseUnionOf(int depth) {
    if (!Consume('[')) return Malformed("expected \"[\" (Union takes [T, ...])");
    Alternatives all;
    do {
      auto next = ParseUnion(depth + 1);
      if (!next.ok()) return next;
      all.Merge(std::move(*next));
    } while (Consume(','));
    if (!Consume(']')) return Malformed("expected \"]\"");
    return all;
  }

  Result<Alternatives> ParseLiteral() {
    if (!Consume('[')) return Malformed("expected \"[\" (Literal takes [value, ...])");
    JsonArray values;
    std::unordered_multimap<size_t, size_t> seen;  // JsonHash -> index in values
    do {
      auto value = ParseLiteralValue();
      if (!value.ok()) return value.error();
      const size_t hash = JsonHash(*value);
      auto [lo, hi] = seen.equal_range(hash);
      if (std::none_of(lo, hi,
                       [&](const auto& s) { return JsonEqual(values[s.second], *value); })) {
        seen.emplace(hash, values.size());
        values.push_back(std::move(*value));
      }
    } while (Consume(','));
    if (!Consume(']')) return Malformed("expected \"]\"");
    uint8_t kinds = 0;
    for (const Json& v : values) kinds |= InstanceType(v);
    JsonObject schema{{"enum", std::move(values)}};
    if (kinds == kStringBit || kinds == kIntegerBit || kinds == kBooleanBit || kinds == kNullBit) {
      schema["type"] = TypeBitName(kinds);
    }
    return Single(std::move(schema));
  }

  Result<Json> ParseLiteralValue() {
    SkipSpace();
    if (pos_ == text_.size()) return Malformed("expected a literal value");
    const char c = text_[pos_];
    if (c == '\'' || c == '"') return ParseQuoted(c);
    if (c == '-' || std::isdigit(static_cast<unsigned char>(c))) {
      int64_t number = 0;
      auto [end, ec] = std::from_chars(text_.data() + pos_, text_.data() + text_.size(), number);
      if (ec != std::errc()) return Malformed("bad integer literal");
      pos_ = static_cast<size_t>(end - text_.data());
      return Json(number);
    }
    const size_t start = pos_;
    while (pos_ < text_.size() && std::isalpha(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    const std::string word = Lower(text_.substr(start, pos_ - start));
    if (word == "true") return Json(true);
    if (word == "false") return Json(false);
    if (word == "none") return Json(nullptr);
    pos_ = start;
    return Malformed("expected a quoted string, an integer, True, False or None");
  }

  Result<Json> ParseQuoted(char quote) {
    const size_t start = pos_++;
    std::string out;
    while (pos_ < text_.size() && text_[pos_] != quote) {
      char c = text_[pos_++];
      if (c == '\\' && pos_ < text_.size()) {
        c = text_[pos_++];
        if (c == 'n') c = '\n';
        if (c == 't') c = '\t';
      }
      out += c;
    }
    if (pos_ == text_.size()) {
      pos_ = start;
      return Malformed("unterminated string");
    }
    ++pos_;
    return Json(out);
  }

  void SkipSpace() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }

  bool Consume(char c) {
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  Error Malformed(std::string_view what) const {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("malformed type \"{}\": {} at column {}", text_, what, pos_ + 1));
  }

  Error Unknown(std::string_view name) const {
    const bool whole = name.size() == Trimmed().size();
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("unknown type \"{}\"{} (expected {})", name,
                             whole ? "" : fmt::format(" in \"{}\"", text_), kShorthandTypeNames));
  }

  std::string_view Trimmed() const {
    size_t b = 0, e = text_.size();
    while (b < e && std::isspace(static_cast<unsigned char>(text_[b]))) ++b;
    while (e > b && std::isspace(static_cast<unsigned char>(text_[e - 1]))) --e;
    return text_.substr(b, e - b);
  }

  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

Result<ShorthandType> ParseShorthandType(std::string_view text) { return TypeParser(text).Parse(); }

}  // namespace orchestra::schema
