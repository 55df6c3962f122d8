#include "orchestra/core/json.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace orchestra {
namespace {

std::string LineColumn(std::string_view text, size_t offset) {
  offset = std::min(offset, text.size());
  size_t line = 1, column = 1;
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return fmt::format("line {}, column {}", line, column);
}

template <typename Integer>
void AppendInteger(std::string& out, Integer value) {
  char buf[24];
  out.append(buf, std::to_chars(buf, buf + sizeof(buf), value).ptr);
}

bool NeedsEscape(unsigned char c) { return c < 0x20 || c == '"' || c == '\\'; }

// The index of the first byte of s[from..] that needs an escape, or s.size(). Sixteen bytes at
// a time where SSE2 is there (every x86-64): answers are mostly long runs of plain text, and
// the byte-by-byte scan was about 3% of the expert simulator's CPU.
size_t NextEscape(std::string_view s, size_t from) {
  size_t i = from;
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i last_control = _mm_set1_epi8(0x1f);
  for (; i + 16 <= s.size(); i += 16) {
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
    // A byte is at most 0x1f (unsigned) exactly where min(byte, 0x1f) is the byte itself.
    const __m128i control = _mm_cmpeq_epi8(_mm_min_epu8(bytes, last_control), bytes);
    const __m128i special =
        _mm_or_si128(_mm_cmpeq_epi8(bytes, quote), _mm_cmpeq_epi8(bytes, backslash));
    const int hits = _mm_movemask_epi8(_mm_or_si128(control, special));
    if (hits != 0) return i + static_cast<size_t>(__builtin_ctz(static_cast<unsigned>(hits)));
  }
#endif
  for (; i < s.size(); ++i) {
    if (NeedsEscape(static_cast<unsigned char>(s[i]))) return i;
  }
  return s.size();
}

void AppendString(std::string& out, std::string_view s) {
  out += '"';
  size_t run = 0;  // start of the pending run of characters copied as they are
  for (size_t i = NextEscape(s, 0); i < s.size(); i = NextEscape(s, i + 1)) {
    const auto c = static_cast<unsigned char>(s[i]);
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        out += fmt::format("\\u{:04x}", c);
    }
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
}

enum class Layout { kCanonical, kCompact, kPretty };

void Write(std::string& out, const Json& v, Layout layout, int indent) {
  const bool pretty = layout == Layout::kPretty;
  auto newline = [&](int level) {
    if (!pretty) return;
    out += '\n';
    out.append(static_cast<size_t>(level) * 2, ' ');
  };
  switch (v.kind()) {
    case boost::json::kind::null:
      out += "null";
      return;
    case boost::json::kind::bool_:
      out += v.get_bool() ? "true" : "false";
      return;
    case boost::json::kind::int64:
      AppendInteger(out, v.get_int64());
      return;
    case boost::json::kind::uint64:
      AppendInteger(out, v.get_uint64());
      return;
    case boost::json::kind::double_:
      AppendDouble(out, v.get_double());
      return;
    case boost::json::kind::string:
      AppendString(out, v.get_string());
      return;
    case boost::json::kind::array: {
      const auto& a = v.get_array();
      if (a.empty()) {
        out += "[]";
        return;
      }
      // Short arrays of scalars stay on one line: [1, 2, 3] reads better than a column.
      const bool inline_scalars =
          pretty && a.size() <= 16 && std::all_of(a.begin(), a.end(), [](const Json& x) {
            return !x.is_structured() && (!x.is_string() || x.get_string().size() < 24);
          });
      if (inline_scalars) {
        out += '[';
        for (size_t i = 0; i < a.size(); ++i) {
          if (i) out += ", ";
          Write(out, a[i], layout, indent);
        }
        out += ']';
        return;
      }
      out += '[';
      for (size_t i = 0; i < a.size(); ++i) {
        if (i) out += pretty ? "," : ",";
        newline(indent + 1);
        Write(out, a[i], layout, indent + 1);
      }
      newline(indent);
      out += ']';
      return;
    }
    case boost::json::kind::object: {
      const auto& o = v.get_object();
      if (o.empty()) {
        out += "{}";
        return;
      }
      auto write_member = [&](const boost::json::key_value_pair& kv, bool first) {
        if (!first) out += ',';
        newline(indent + 1);
        AppendString(out, kv.key());
        out += pretty ? ": " : ":";
        Write(out, kv.value(), layout, indent + 1);
      };
      out += '{';
      if (layout == Layout::kCanonical) {
        // Sorted through pointers; small objects (nearly all) sort on the stack.
        constexpr size_t kOnStack = 16;
        std::array<const boost::json::key_value_pair*, kOnStack> stack_members;
        std::vector<const boost::json::key_value_pair*> heap_members;
        const boost::json::key_value_pair** members = stack_members.data();
        if (o.size() > kOnStack) {
          heap_members.resize(o.size());
          members = heap_members.data();
        }
        size_t n = 0;
        for (const auto& kv : o) members[n++] = &kv;
        std::sort(members, members + n, [](auto* a, auto* b) { return a->key() < b->key(); });
        for (size_t i = 0; i < n; ++i) write_member(*members[i], i == 0);
      } else {
        bool first = true;
        for (const auto& kv : o) {
          write_member(kv, first);
          first = false;
        }
      }
      newline(indent);
      out += '}';
      return;
    }
  }
}

}  // namespace

Result<Json> ParseJson(std::string_view text, std::string_view what,
                       boost::json::storage_ptr storage) {
  boost::json::parse_options options;
  options.max_depth = kMaxJsonDepth;
  boost::json::stream_parser parser({}, options);
  parser.reset(std::move(storage));
  boost::system::error_code ec;
  const size_t consumed = parser.write_some(text.data(), text.size(), ec);
  if (ec) {
    return Error(ErrorCode::kParse,
                 fmt::format("{}: {} at {}", what, ec.message(), LineColumn(text, consumed)));
  }
  if (consumed < text.size()) {
    return Error(ErrorCode::kParse,
                 fmt::format("{}: unexpected characters after the document at {}", what,
                             LineColumn(text, consumed)));
  }
  parser.finish(ec);
  if (ec) {
    return Error(ErrorCode::kParse, fmt::format("{}: {} at {} (document ends too early)", what,
                                                ec.message(), LineColumn(text, text.size())));
  }
  return parser.release();
}

std::string CanonicalJson(const Json& value) {
  std::string out;
  Write(out, value, Layout::kCanonical, 0);
  return out;
}

void AppendCanonicalJson(std::string& out, const Json& value) {
  Write(out, value, Layout::kCanonical, 0);
}

std::string PrettyJson(const Json& value) {
  std::string out;
  Write(out, value, Layout::kPretty, 0);
  return out;
}

void AppendCompactJson(std::string& out, const Json& value) {
  Write(out, value, Layout::kCompact, 0);
}

void AppendJsonString(std::string& out, std::string_view text) { AppendString(out, text); }

std::string CompactJson(const Json& value) {
  std::string out;
  Write(out, value, Layout::kCompact, 0);
  return out;
}

void AppendDouble(std::string& out, double value) {
  if (!std::isfinite(value)) {
    out += "null";
    return;
  }
  if (value == 0.0) {
    out += std::signbit(value) ? "-0.0" : "0.0";
    return;
  }
  // Shortest round-trip digits in scientific form, "-d.ddde-XX", rearranged the way Python's
  // repr() writes them.
  char sci[32];
  const char* const end =
      std::to_chars(sci, sci + sizeof(sci), value, std::chars_format::scientific).ptr;
  const char* p = sci;
  if (*p == '-') {
    out += '-';
    ++p;
  }
  char digits[20];
  size_t n = 0;
  for (; p != end && *p != 'e'; ++p) {
    if (*p != '.') digits[n++] = *p;
  }
  int exponent = 0;
  std::from_chars(p + 1 + (p[1] == '+'), end, exponent);
  if (exponent < -4 || exponent >= 16) {
    out += digits[0];
    if (n > 1) {
      out += '.';
      out.append(digits + 1, n - 1);
    }
    out += 'e';
    out += exponent < 0 ? '-' : '+';
    const int magnitude = std::abs(exponent);
    if (magnitude < 10) out += '0';
    out += std::to_string(magnitude);
  } else if (exponent < 0) {
    out += "0.";
    out.append(static_cast<size_t>(-exponent - 1), '0');
    out.append(digits, n);
  } else {
    const size_t int_len = static_cast<size_t>(exponent) + 1;
    if (n <= int_len) {
      out.append(digits, n);
      out.append(int_len - n, '0');
      out += ".0";
    } else {
      out.append(digits, int_len);
      out += '.';
      out.append(digits + int_len, n - int_len);
    }
  }
}

std::string FormatDouble(double value) {
  std::string out;
  AppendDouble(out, value);
  return out;
}

bool JsonNumber(const Json& value, double* out) {
  switch (value.kind()) {
    case boost::json::kind::int64:
      *out = static_cast<double>(value.get_int64());
      return true;
    case boost::json::kind::uint64:
      *out = static_cast<double>(value.get_uint64());
      return true;
    case boost::json::kind::double_:
      *out = value.get_double();
      return true;
    default:
      return false;
  }
}

bool JsonInteger(const Json& value, int64_t* out) {
  if (value.is_int64()) {
    *out = value.get_int64();
    return true;
  }
  if (value.is_uint64()) {
    if (value.get_uint64() > static_cast<uint64_t>(INT64_MAX)) return false;
    *out = static_cast<int64_t>(value.get_uint64());
    return true;
  }
  if (!value.is_double()) return false;
  const double d = value.get_double();
  // The range check comes first: converting an out-of-range double to int64 is undefined.
  if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0) || d != std::trunc(d)) {
    return false;
  }
  *out = static_cast<int64_t>(d);
  return true;
}

const Json* JsonFind(const Json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  return object.get_object().if_contains(key);
}

std::string JsonString(const Json& object, std::string_view key, std::string_view fallback) {
  const Json* v = JsonFind(object, key);
  if (v && v->is_string()) return std::string(v->get_string());
  return std::string(fallback);
}

double JsonDouble(const Json& object, std::string_view key, double fallback) {
  const Json* v = JsonFind(object, key);
  double d;
  if (v && JsonNumber(*v, &d)) return d;
  return fallback;
}

int64_t JsonInt(const Json& object, std::string_view key, int64_t fallback) {
  const Json* v = JsonFind(object, key);
  if (!v) return fallback;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64() && v->get_uint64() <= static_cast<uint64_t>(INT64_MAX)) {
    return static_cast<int64_t>(v->get_uint64());
  }
  return fallback;
}

}  // namespace orchestra
