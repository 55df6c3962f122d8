#include "orchestra/core/json.h"

#include <fmt/format.h>
#include <boost/json/basic_parser_impl.hpp>

#include <locale.h>
#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
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

// Number text to double, correctly rounded (std::from_chars; strtod_l for what from_chars
// reports out of range, which is correctly rounded too and flushes underflow to zero or a
// subnormal as Python's float() does). Fails on overflow to infinity, which JSON cannot write.
bool ParseDouble(std::string_view text, double* out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  if (ec == std::errc() && end == text.data() + text.size()) return true;
  if (ec != std::errc::result_out_of_range) return false;
  // strtod_l in the "C" locale: plain strtod would read a ',' decimal point after a
  // setlocale() elsewhere in the process.
  static const locale_t c_locale = newlocale(LC_ALL_MASK, "C", static_cast<locale_t>(0));
  const std::string copy(text);
  char* parsed_to = nullptr;
  *out = strtod_l(copy.c_str(), &parsed_to, c_locale);
  return parsed_to == copy.c_str() + copy.size() && std::isfinite(*out);
}

// boost::json's default handler (detail::handler, onto a value_stack), except for numbers:
// Boost.JSON 1.81 parses doubles without correct rounding (about one in ten of Python's
// repr() outputs came back a unit in the last place off), and turns integers beyond 64 bits
// into doubles. Hashes are taken over canonical JSON of parsed documents and must equal
// Python's, so doubles are parsed again from their text, correctly rounded, and integers that
// do not fit 64 bits are refused rather than silently changed.
class ValueBuilder {
 public:
  static constexpr size_t max_object_size = JsonObject::max_size();
  static constexpr size_t max_array_size = JsonArray::max_size();
  static constexpr size_t max_key_size = boost::json::string::max_size();
  static constexpr size_t max_string_size = boost::json::string::max_size();

  explicit ValueBuilder(boost::json::storage_ptr storage) { stack_.reset(std::move(storage)); }

  Json Release() { return stack_.release(); }
  // Why a number was refused ("" when none was), and the length of its text.
  const std::string& refused() const { return refused_; }
  size_t refused_length() const { return refused_length_; }

  bool on_document_begin(boost::system::error_code&) { return true; }
  bool on_document_end(boost::system::error_code&) { return true; }
  bool on_object_begin(boost::system::error_code&) { return true; }
  bool on_object_end(size_t n, boost::system::error_code&) {
    stack_.push_object(n);
    return true;
  }
  bool on_array_begin(boost::system::error_code&) { return true; }
  bool on_array_end(size_t n, boost::system::error_code&) {
    stack_.push_array(n);
    return true;
  }
  bool on_key_part(std::string_view s, size_t, boost::system::error_code&) {
    stack_.push_chars(s);
    return true;
  }
  bool on_key(std::string_view s, size_t, boost::system::error_code&) {
    stack_.push_key(s);
    return true;
  }
  bool on_string_part(std::string_view s, size_t, boost::system::error_code&) {
    stack_.push_chars(s);
    return true;
  }
  bool on_string(std::string_view s, size_t, boost::system::error_code&) {
    stack_.push_string(s);
    return true;
  }
  // A number's text may come in parts (one per input buffer); the last part comes with the
  // value.
  bool on_number_part(std::string_view s, boost::system::error_code&) {
    number_.append(s.data(), s.size());
    return true;
  }
  bool on_int64(int64_t i, std::string_view, boost::system::error_code&) {
    number_.clear();
    stack_.push_int64(i);
    return true;
  }
  bool on_uint64(uint64_t u, std::string_view, boost::system::error_code&) {
    number_.clear();
    stack_.push_uint64(u);
    return true;
  }
  bool on_double(double, std::string_view last, boost::system::error_code& ec) {
    number_.append(last.data(), last.size());
    const std::string_view text = number_;
    double d;
    if (text.find_first_of(".eE") == std::string_view::npos) {
      return Refuse(fmt::format("integer {} does not fit 64 bits", Abbreviated(text)), ec);
    }
    if (!ParseDouble(text, &d)) {
      return Refuse(fmt::format("number {} is out of range", Abbreviated(text)), ec);
    }
    number_.clear();
    stack_.push_double(d);
    return true;
  }
  bool on_bool(bool b, boost::system::error_code&) {
    stack_.push_bool(b);
    return true;
  }
  bool on_null(boost::system::error_code&) {
    stack_.push_null();
    return true;
  }
  bool on_comment_part(std::string_view, boost::system::error_code&) { return true; }
  bool on_comment(std::string_view, boost::system::error_code&) { return true; }

 private:
  static std::string Abbreviated(std::string_view text) {
    if (text.size() <= 40) return std::string(text);
    return fmt::format("{}...({} digits)", text.substr(0, 24), text.size());
  }

  bool Refuse(std::string why, boost::system::error_code& ec) {
    refused_ = std::move(why);
    refused_length_ = number_.size();
    ec = make_error_code(boost::system::errc::result_out_of_range);
    return false;
  }

  boost::json::value_stack stack_;
  std::string number_;
  std::string refused_;
  size_t refused_length_ = 0;
};

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
  size_t consumed = 0;
  auto value = ParseJsonPrefix(text, what, &consumed, std::move(storage));
  if (value.ok() && consumed < text.size()) {
    return Error(ErrorCode::kParse,
                 fmt::format("{}: unexpected characters after the document at {}", what,
                             LineColumn(text, consumed)));
  }
  return value;
}

Result<Json> ParseJsonPrefix(std::string_view text, std::string_view what, size_t* consumed,
                             boost::json::storage_ptr storage) {
  boost::json::parse_options options;
  options.max_depth = kMaxJsonDepth;
  boost::json::basic_parser<ValueBuilder> parser(options, std::move(storage));
  const ValueBuilder& builder = parser.handler();
  auto fail = [&](const boost::system::error_code& ec, size_t at, std::string_view note) {
    if (!builder.refused().empty()) {
      // The parser stopped right after the refused number: point at its first character.
      at -= std::min(at, builder.refused_length());
      return Error(ErrorCode::kParse,
                   fmt::format("{}: {} at {}", what, builder.refused(), LineColumn(text, at)));
    }
    return Error(ErrorCode::kParse,
                 fmt::format("{}: {} at {}{}", what, ec.message(), LineColumn(text, at), note));
  };
  boost::system::error_code ec;
  // As boost::json::stream_parser does: the document, then the end of the input, which
  // completes a number running to the end of `text`.
  *consumed = parser.write_some(true, text.data(), text.size(), ec);
  if (ec) return fail(ec, *consumed, "");
  if (!parser.done()) {
    parser.write_some(false, nullptr, 0, ec);
    if (ec) return fail(ec, text.size(), " (document ends too early)");
  }
  return parser.handler().Release();
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
