#include "orchestra/schema/instance.h"

#include "orchestra/core/utf8.h"

#include <cmath>

namespace orchestra::schema {
namespace {

bool IsIdentifier(std::string_view key) {
  if (key.empty()) return false;
  for (size_t i = 0; i < key.size(); ++i) {
    const char c = key[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$';
    const bool digit = c >= '0' && c <= '9';
    if (!alpha && !(digit && i > 0)) return false;
  }
  return true;
}

bool IsIntegerKind(const Json& v) { return v.is_int64() || v.is_uint64(); }

bool NumbersEqual(const Json& a, const Json& b) {
  if (IsIntegerKind(a) && IsIntegerKind(b)) {
    if (a.is_int64() && b.is_int64()) return a.get_int64() == b.get_int64();
    if (a.is_uint64() && b.is_uint64()) return a.get_uint64() == b.get_uint64();
    const int64_t s = a.is_int64() ? a.get_int64() : b.get_int64();
    const uint64_t u = a.is_uint64() ? a.get_uint64() : b.get_uint64();
    return s >= 0 && static_cast<uint64_t>(s) == u;
  }
  double x = 0, y = 0;
  JsonNumber(a, &x);
  JsonNumber(b, &y);
  return x == y;
}

}  // namespace

uint8_t InstanceType(const Json& value) {
  switch (value.kind()) {
    case boost::json::kind::null:
      return kNullBit;
    case boost::json::kind::bool_:
      return kBooleanBit;
    case boost::json::kind::int64:
    case boost::json::kind::uint64:
      return kIntegerBit;
    case boost::json::kind::double_: {
      const double d = value.get_double();
      return std::isfinite(d) && std::trunc(d) == d ? kIntegerBit : kNumberBit;
    }
    case boost::json::kind::string:
      return kStringBit;
    case boost::json::kind::array:
      return kArrayBit;
    case boost::json::kind::object:
      return kObjectBit;
  }
  return 0;
}

std::string_view TypeBitName(uint8_t bit) {
  switch (bit) {
    case kNullBit:
      return "null";
    case kBooleanBit:
      return "boolean";
    case kIntegerBit:
      return "integer";
    case kNumberBit:
      return "number";
    case kStringBit:
      return "string";
    case kArrayBit:
      return "array";
    case kObjectBit:
      return "object";
    default:
      return "";
  }
}

uint8_t TypeBitsFromName(std::string_view name) {
  if (name == "null") return kNullBit;
  if (name == "boolean") return kBooleanBit;
  if (name == "integer") return kIntegerBit;
  if (name == "number") return kNumberBit | kIntegerBit;
  if (name == "string") return kStringBit;
  if (name == "array") return kArrayBit;
  if (name == "object") return kObjectBit;
  return 0;
}

std::string TypeBitsText(uint8_t bits) {
  std::string out;
  for (uint8_t bit = 1; bit < 128; bit = static_cast<uint8_t>(bit << 1)) {
    if (!(bits & bit)) continue;
    // "number" already admits integers; do not list both.
    if (bit == kIntegerBit && (bits & kNumberBit)) continue;
    if (!out.empty()) out += " or ";
    out += TypeBitName(bit);
  }
  return out;
}

bool JsonEqual(const Json& a, const Json& b) {
  if (a.is_number() && b.is_number()) return NumbersEqual(a, b);
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case boost::json::kind::array: {
      const auto& x = a.get_array();
      const auto& y = b.get_array();
      if (x.size() != y.size()) return false;
      for (size_t i = 0; i < x.size(); ++i) {
        if (!JsonEqual(x[i], y[i])) return false;
      }
      return true;
    }
    case boost::json::kind::object: {
      const auto& x = a.get_object();
      const auto& y = b.get_object();
      if (x.size() != y.size()) return false;
      for (const auto& member : x) {
        const Json* other = y.if_contains(member.key());
        if (!other || !JsonEqual(member.value(), *other)) return false;
      }
      return true;
    }
    case boost::json::kind::string:
      return a.get_string() == b.get_string();
    case boost::json::kind::bool_:
      return a.get_bool() == b.get_bool();
    default:
      return true;  // null
  }
}

size_t JsonHash(const Json& value) {
  switch (value.kind()) {
    case boost::json::kind::null:
      return 0x9e3779b9;
    case boost::json::kind::bool_:
      return value.get_bool() ? 0x51 : 0x50;
    case boost::json::kind::int64:
    case boost::json::kind::uint64:
    case boost::json::kind::double_: {
      double d = 0;
      JsonNumber(value, &d);
      return std::hash<double>{}(d == 0 ? 0.0 : d);
    }
    case boost::json::kind::string:
      return std::hash<std::string_view>{}(value.get_string());
    case boost::json::kind::array: {
      size_t h = 0xa5;
      for (const Json& v : value.get_array()) h = h * 1000003 ^ JsonHash(v);
      return h;
    }
    case boost::json::kind::object: {
      size_t h = 0x0b;
      for (const auto& m : value.get_object()) {
        h += std::hash<std::string_view>{}(m.key()) * 31 + JsonHash(m.value());
      }
      return h;
    }
  }
  return 0;
}

bool IsPopulated(const Json& value) {
  switch (value.kind()) {
    case boost::json::kind::null:
      return false;
    case boost::json::kind::string:
      return !value.get_string().empty();
    case boost::json::kind::array:
      return !value.get_array().empty();
    case boost::json::kind::object:
      return !value.get_object().empty();
    default:
      return true;
  }
}

size_t CodePointCount(std::string_view utf8) {
  size_t count = 0;
  for (unsigned char c : utf8) {
    if ((c & 0xC0) != 0x80) ++count;
  }
  return count;
}

std::string MemberPath(std::string_view parent, std::string_view key) {
  std::string out(parent);
  if (IsIdentifier(key)) {
    out += '.';
    out += key;
    return out;
  }
  out += "['";
  for (char c : key) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  out += "']";
  return out;
}

std::string ElementPath(std::string_view parent, size_t index) {
  std::string out(parent);
  out += '[';
  out += std::to_string(index);
  out += ']';
  return out;
}

std::string Excerpt(const Json& value, size_t max_chars) {
  std::string text = CompactJson(value);
  if (text.size() <= max_chars) return text;
  return std::string(Utf8Prefix(text, max_chars)) + "...";
}

}  // namespace orchestra::schema
