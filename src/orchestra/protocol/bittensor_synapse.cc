#include "orchestra/protocol/bittensor_synapse.h"

#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <iterator>
#include <limits>

#include "orchestra/core/ascii.h"
#include "orchestra/core/utf8.h"
#include "orchestra/crypto/hex.h"
#include "orchestra/crypto/keccak.h"
#include "orchestra/crypto/sr25519.h"
#include "orchestra/crypto/ss58.h"

namespace orchestra::protocol {
namespace {

constexpr std::string_view kAxonPrefix = "bt_header_axon_";
constexpr std::string_view kDendritePrefix = "bt_header_dendrite_";
constexpr std::string_view kInputObjPrefix = "bt_header_input_obj_";
constexpr size_t kMaxQuotedValue = 64;  // how much of a bad value an error message repeats

Error BadField(std::string_view field, std::string_view what) {
  return Error(ErrorCode::kInvalidArgument, fmt::format("{}: {}", field, what));
}

// A value quoted for an error message, shortened and with control characters escaped.
std::string Quoted(std::string_view value) {
  std::string out = "\"";
  for (size_t i = 0; i < value.size() && i < kMaxQuotedValue; ++i) {
    const auto c = static_cast<unsigned char>(value[i]);
    if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
      out += fmt::format("\\x{:02x}", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  if (value.size() > kMaxQuotedValue) out += "...";
  out += '"';
  return out;
}

std::string Describe(const Json& value) {
  if (value.is_string()) return Quoted(value.get_string());
  std::string text = CompactJson(value);
  if (text.size() > kMaxQuotedValue) text = text.substr(0, kMaxQuotedValue) + "...";
  return text;
}

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && IsSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsSpace(text.back())) text.remove_suffix(1);
  return text;
}

// Python's int(str) for the forms a dendrite sends: optional sign and decimal digits,
// surrounding whitespace allowed. Out of int64 range is a failure too.
std::optional<int64_t> ParseIntText(std::string_view text) {
  text = Trim(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty() || text.front() == '+') return std::nullopt;
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// Python's float(str) for finite decimal numbers.
std::optional<double> ParseFloatText(std::string_view text) {
  text = Trim(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty() || text.front() == '+') return std::nullopt;
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

// Pydantic's lax int: integers, integral floats, numeric strings.
std::optional<int64_t> LaxInt(const Json& value) {
  int64_t out = 0;
  if (JsonInteger(value, &out)) return out;
  if (value.is_string()) return ParseIntText(value.get_string());
  return std::nullopt;
}

std::optional<double> LaxFloat(const Json& value) {
  double out = 0;
  if (value.is_bool()) return std::nullopt;
  if (JsonNumber(value, &out)) return std::isfinite(out) ? std::optional(out) : std::nullopt;
  if (value.is_string()) return ParseFloatText(value.get_string());
  return std::nullopt;
}

std::string_view TypeName(FieldType type) {
  switch (type) {
    case FieldType::kString:
      return "a string";
    case FieldType::kInt:
      return "an integer";
    case FieldType::kFloat:
      return "a number";
    case FieldType::kBool:
      return "a boolean";
    case FieldType::kList:
      return "a list";
    case FieldType::kDict:
      return "an object";
    case FieldType::kAny:
      return "a JSON value";
  }
  return "a JSON value";
}

Json EmptyDefault(FieldType type) {
  switch (type) {
    case FieldType::kString:
      return "";
    case FieldType::kInt:
      return 0;
    case FieldType::kFloat:
      return 0.0;
    case FieldType::kBool:
      return false;
    case FieldType::kList:
      return JsonArray{};
    case FieldType::kDict:
    case FieldType::kAny:
      return JsonObject{};
  }
  return JsonObject{};
}

// Validates (and normalises: integral floats for int fields, ints for float fields) one
// subclass field value. The result is a copy on `storage` whatever storage `value` is on (a
// parse arena), so that putting it into a synapse on `storage` moves it instead of copying it
// again.
Result<Json> CheckField(const SynapseField& field, const Json& value,
                        const boost::json::storage_ptr& storage) {
  const auto copy = [&] { return Json(value, storage); };
  if (value.is_null()) {
    if (field.nullable) return copy();
    return BadField(field.name, fmt::format("must be {}, got null", TypeName(field.type)));
  }
  auto mismatch = [&] {
    return BadField(field.name,
                    fmt::format("must be {}, got {}", TypeName(field.type), Describe(value)));
  };
  switch (field.type) {
    case FieldType::kString:
      if (!value.is_string()) return mismatch();
      return copy();
    case FieldType::kInt: {
      int64_t out = 0;
      if (value.is_bool() || !JsonInteger(value, &out)) return mismatch();
      return Json(out, storage);
    }
    case FieldType::kFloat: {
      double out = 0;
      if (value.is_bool() || !JsonNumber(value, &out)) return mismatch();
      return Json(out, storage);
    }
    case FieldType::kBool:
      if (!value.is_bool()) return mismatch();
      return copy();
    case FieldType::kList:
      if (!value.is_array()) return mismatch();
      return copy();
    case FieldType::kDict:
      if (!value.is_object()) return mismatch();
      return copy();
    case FieldType::kAny:
      return copy();
  }
  return copy();
}

template <typename T>
Json Nullable(const std::optional<T>& value) {
  return value ? Json(*value) : Json(nullptr);
}

// --- Python repr ------------------------------------------------------------------------------

// Decodes one UTF-8 code point at `i`; returns its length (1 for an invalid byte, whose value
// is then the byte itself).
size_t DecodeUtf8(std::string_view s, size_t i, uint32_t* cp) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  auto cont = [&](size_t k) {
    return i + k < s.size() && (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
  };
  auto at = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(s[i + k])); };
  if (b0 < 0x80) {
    *cp = b0;
    return 1;
  }
  if ((b0 & 0xE0) == 0xC0 && cont(1)) {
    *cp = ((b0 & 0x1F) << 6) | (at(1) & 0x3F);
    return 2;
  }
  if ((b0 & 0xF0) == 0xE0 && cont(1) && cont(2)) {
    *cp = ((b0 & 0x0F) << 12) | ((at(1) & 0x3F) << 6) | (at(2) & 0x3F);
    return 3;
  }
  if ((b0 & 0xF8) == 0xF0 && cont(1) && cont(2) && cont(3)) {
    *cp = ((b0 & 0x07) << 18) | ((at(1) & 0x3F) << 12) | ((at(2) & 0x3F) << 6) | (at(3) & 0x3F);
    return 4;
  }
  *cp = b0;
  return 1;
}

void AppendPythonStringRepr(std::string& out, std::string_view s) {
  const bool has_single = s.find('\'') != std::string_view::npos;
  const bool has_double = s.find('"') != std::string_view::npos;
  const char quote = has_single && !has_double ? '"' : '\'';
  out += quote;
  for (size_t i = 0; i < s.size();) {
    uint32_t cp = 0;
    const size_t n = DecodeUtf8(s, i, &cp);
    if (cp == static_cast<uint32_t>(quote) || cp == '\\') {
      out += '\\';
      out += static_cast<char>(cp);
    } else if (cp == '\n') {
      out += "\\n";
    } else if (cp == '\r') {
      out += "\\r";
    } else if (cp == '\t') {
      out += "\\t";
    } else if (cp < 0x20 || (cp >= 0x7f && cp <= 0xa0)) {
      out += fmt::format("\\x{:02x}", cp);
    } else if (cp == 0x2028 || cp == 0x2029) {
      out += fmt::format("\\u{:04x}", cp);
    } else {
      out.append(s.substr(i, n));
    }
    i += n;
  }
  out += quote;
}

void AppendPythonRepr(std::string& out, const Json& value, bool top) {
  switch (value.kind()) {
    case boost::json::kind::null:
      out += "None";
      return;
    case boost::json::kind::bool_:
      out += value.get_bool() ? "True" : "False";
      return;
    case boost::json::kind::int64:
      out += std::to_string(value.get_int64());
      return;
    case boost::json::kind::uint64:
      out += std::to_string(value.get_uint64());
      return;
    case boost::json::kind::double_:
      out += FormatDouble(value.get_double());
      return;
    case boost::json::kind::string:
      if (top) {
        out.append(value.get_string().data(), value.get_string().size());
      } else {
        AppendPythonStringRepr(out, value.get_string());
      }
      return;
    case boost::json::kind::array: {
      out += '[';
      bool first = true;
      for (const Json& item : value.get_array()) {
        if (!first) out += ", ";
        first = false;
        AppendPythonRepr(out, item, false);
      }
      out += ']';
      return;
    }
    case boost::json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& member : value.get_object()) {
        if (!first) out += ", ";
        first = false;
        AppendPythonStringRepr(out, member.key());
        out += ": ";
        AppendPythonRepr(out, member.value(), false);
      }
      out += '}';
      return;
    }
  }
}

// --- Headers ----------------------------------------------------------------------------------

std::string ToLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = AsciiLower(c);
  return out;
}

std::string Base64(std::string_view bytes) {
  std::string out(sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

std::optional<std::string> FromBase64(std::string_view text) {
  std::string out(text.size() / 4 * 3 + 3, '\0');
  size_t length = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &length, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != text.data() + text.size()) {
    return std::nullopt;
  }
  out.resize(length);
  return out;
}

void AppendTerminalHeaders(WireHeaders& headers, std::string_view prefix, const TerminalInfo& t) {
  auto add_int = [&](std::string_view key, int64_t value) {
    const fmt::format_int text(value);
    headers.Add(prefix, key, std::string_view(text.data(), text.size()));
  };
  if (t.status_code) add_int("status_code", *t.status_code);
  if (t.status_message) headers.Add(prefix, "status_message", *t.status_message);
  if (t.process_time) headers.Add(prefix, "process_time", FormatDouble(*t.process_time));
  if (t.ip) headers.Add(prefix, "ip", *t.ip);
  if (t.port) add_int("port", *t.port);
  if (t.version) add_int("version", *t.version);
  if (t.nonce) add_int("nonce", *t.nonce);
  if (t.uuid) headers.Add(prefix, "uuid", *t.uuid);
  if (t.hotkey) headers.Add(prefix, "hotkey", *t.hotkey);
  if (t.signature) headers.Add(prefix, "signature", *t.signature);
}

// Sets TerminalInfo key `key` from a header value. Unknown keys are ignored (Pydantic ignores
// extra fields).
Status SetTerminalFromHeader(TerminalInfo& t, std::string_view key, std::string_view header,
                             std::string_view value) {
  auto int_field = [&](std::optional<int64_t>& out) -> Status {
    auto parsed = ParseIntText(value);
    if (!parsed) {
      return Error(ErrorCode::kParse,
                   fmt::format("{}: must be an integer, got {}", header, Quoted(value)));
    }
    out = *parsed;
    return {};
  };
  if (key == "status_code") return int_field(t.status_code);
  if (key == "port") return int_field(t.port);
  if (key == "version") return int_field(t.version);
  if (key == "nonce") return int_field(t.nonce);
  if (key == "process_time") {
    auto parsed = ParseFloatText(value);
    if (!parsed) {
      return Error(ErrorCode::kParse,
                   fmt::format("{}: must be a number, got {}", header, Quoted(value)));
    }
    t.process_time = *parsed;
    return {};
  }
  const bool text_field = key == "status_message" || key == "ip" || key == "uuid" ||
                          key == "hotkey" || key == "signature";
  // These are echoed into JSON bodies, which must be UTF-8.
  if (text_field && !IsValidUtf8(value)) {
    return Error(ErrorCode::kParse, fmt::format("{}: not valid UTF-8", header));
  }
  if (key == "status_message") t.status_message = std::string(value);
  if (key == "ip") t.ip = std::string(value);
  if (key == "uuid") t.uuid = std::string(value);
  if (key == "hotkey") t.hotkey = std::string(value);
  if (key == "signature") t.signature = std::string(value);
  return {};
}

}  // namespace

const SynapseField* SynapseClass::Find(std::string_view field) const {
  for (const SynapseField& f : fields) {
    if (f.name == field) return &f;
  }
  return nullptr;
}

const Json& BittensorSynapse::Field(const SynapseClass& cls, std::string_view field) const {
  static const Json kNull;
  if (const auto it = fields.find(field); it != fields.end()) return it->value();
  if (const SynapseField* f = cls.Find(field)) return f->default_value;
  return kNull;
}

Json ToJson(const TerminalInfo& t) {
  return JsonObject{{"status_code", Nullable(t.status_code)},
                    {"status_message", Nullable(t.status_message)},
                    {"process_time", Nullable(t.process_time)},
                    {"ip", Nullable(t.ip)},
                    {"port", Nullable(t.port)},
                    {"version", Nullable(t.version)},
                    {"nonce", Nullable(t.nonce)},
                    {"uuid", Nullable(t.uuid)},
                    {"hotkey", Nullable(t.hotkey)},
                    {"signature", Nullable(t.signature)}};
}

namespace {

// Writes `"name":` after a '{' for the first member of an object and a ',' for the others.
class MemberWriter {
 public:
  explicit MemberWriter(std::string& out) : out_(out) {}
  std::string& Key(std::string_view name) {
    out_ += first_ ? '{' : ',';
    first_ = false;
    AppendJsonString(out_, name);
    out_ += ':';
    return out_;
  }
  void Close() { out_ += first_ ? "{}" : "}"; }

 private:
  std::string& out_;
  bool first_ = true;
};

void AppendInteger(std::string& out, const std::optional<int64_t>& v) {
  out += v ? std::to_string(*v) : "null";
}

void AppendText(std::string& out, const std::optional<std::string>& v) {
  if (v) {
    AppendJsonString(out, *v);
  } else {
    out += "null";
  }
}

// CompactJson(ToJson(t)) without building it.
void AppendTerminalJson(std::string& out, const TerminalInfo& t) {
  MemberWriter w(out);
  AppendInteger(w.Key("status_code"), t.status_code);
  AppendText(w.Key("status_message"), t.status_message);
  if (t.process_time) {
    AppendDouble(w.Key("process_time"), *t.process_time);
  } else {
    w.Key("process_time") += "null";
  }
  AppendText(w.Key("ip"), t.ip);
  AppendInteger(w.Key("port"), t.port);
  AppendInteger(w.Key("version"), t.version);
  AppendInteger(w.Key("nonce"), t.nonce);
  AppendText(w.Key("uuid"), t.uuid);
  AppendText(w.Key("hotkey"), t.hotkey);
  AppendText(w.Key("signature"), t.signature);
  w.Close();
}

}  // namespace

Result<TerminalInfo> TerminalInfoFromJson(const Json& json) {
  TerminalInfo t;
  if (json.is_null()) return t;
  if (!json.is_object()) return BadField("terminal info", "must be an object");
  auto read_int = [&](std::string_view key, std::optional<int64_t>& out) -> Status {
    const Json* v = JsonFind(json, key);
    if (!v || v->is_null()) return {};
    auto parsed = v->is_bool() ? std::nullopt : LaxInt(*v);
    if (!parsed) return BadField(key, fmt::format("must be an integer, got {}", Describe(*v)));
    out = *parsed;
    return {};
  };
  auto read_string = [&](std::string_view key, std::optional<std::string>& out) -> Status {
    const Json* v = JsonFind(json, key);
    if (!v || v->is_null()) return {};
    if (!v->is_string())
      return BadField(key, fmt::format("must be a string, got {}", Describe(*v)));
    out = std::string(v->get_string());
    return {};
  };
  if (auto s = read_int("status_code", t.status_code); !s) return s.error();
  if (auto s = read_string("status_message", t.status_message); !s) return s.error();
  if (const Json* v = JsonFind(json, "process_time"); v && !v->is_null()) {
    auto parsed = LaxFloat(*v);
    if (!parsed)
      return BadField("process_time", fmt::format("must be a number, got {}", Describe(*v)));
    t.process_time = *parsed;
  }
  if (auto s = read_string("ip", t.ip); !s) return s.error();
  if (auto s = read_int("port", t.port); !s) return s.error();
  if (auto s = read_int("version", t.version); !s) return s.error();
  if (auto s = read_int("nonce", t.nonce); !s) return s.error();
  if (auto s = read_string("uuid", t.uuid); !s) return s.error();
  if (auto s = read_string("hotkey", t.hotkey); !s) return s.error();
  if (auto s = read_string("signature", t.signature); !s) return s.error();
  return t;
}

std::string PythonStr(const Json& value) {
  std::string out;
  AppendPythonRepr(out, value, true);
  return out;
}

std::string BodyHash(const SynapseClass& cls, const BittensorSynapse& synapse) {
  // sha3-256 of nothing: every call of a class without hashed fields, twice per call.
  if (cls.required_hash_fields.empty()) return std::string(kEmptyBodyHash);
  std::string hashes;
  for (const std::string& field : cls.required_hash_fields) {
    hashes += crypto::Sha3_256Hex(PythonStr(synapse.Field(cls, field)));
  }
  return crypto::Sha3_256Hex(hashes);
}

std::string SignatureMessage(const std::optional<int64_t>& nonce,
                             const std::optional<std::string>& dendrite_hotkey,
                             std::string_view axon_hotkey, const std::optional<std::string>& uuid,
                             std::string_view body_hash) {
  const fmt::format_int nonce_digits(nonce.value_or(0));
  const std::string_view nonce_text =
      nonce ? std::string_view(nonce_digits.data(), nonce_digits.size()) : "None";
  return fmt::format("{}.{}.{}.{}.{}", nonce_text, OrNone(dendrite_hotkey), axon_hotkey,
                     OrNone(uuid), body_hash);
}

std::string ToBody(const SynapseClass& cls, const BittensorSynapse& synapse) {
  // Written straight from the synapse: building a JsonObject first would copy every field.
  static constexpr std::string_view kBaseFields[] = {
      "name", "timeout", "total_size", "header_size", "dendrite", "axon", "computed_body_hash"};
  std::string out;
  out.reserve(1024);
  MemberWriter w(out);
  AppendJsonString(w.Key("name"), cls.name);
  AppendDouble(w.Key("timeout"), synapse.timeout);
  w.Key("total_size") += std::to_string(synapse.total_size);
  w.Key("header_size") += std::to_string(synapse.header_size);
  AppendTerminalJson(w.Key("dendrite"), synapse.dendrite);
  AppendTerminalJson(w.Key("axon"), synapse.axon);
  w.Key("computed_body_hash") += "\"\"";
  for (const SynapseField& field : cls.fields) {
    // A key appears once, with its first value: a subclass field named like a base field, or
    // like an earlier subclass field, never reaches the body.
    if (std::find(std::begin(kBaseFields), std::end(kBaseFields), field.name) !=
            std::end(kBaseFields) ||
        cls.Find(field.name) != &field) {
      continue;
    }
    AppendCompactJson(w.Key(field.name), synapse.Field(cls, field.name));
  }
  if (cls.extra_allowed) {
    for (const auto& member : synapse.fields) {
      const std::string_view key = member.key();
      if (cls.Find(key) ||
          std::find(std::begin(kBaseFields), std::end(kBaseFields), key) != std::end(kBaseFields)) {
        continue;
      }
      AppendCompactJson(w.Key(key), member.value());
    }
  }
  w.Close();
  return out;
}

Result<BittensorSynapse> SynapseFromBody(const SynapseClass& cls, std::string_view body,
                                         boost::json::storage_ptr storage) {
  // The parsed document lives only in this function (the synapse gets copies, on `storage`),
  // so it is built in one arena, from the stack while it fits: a request body made about forty
  // separate allocations otherwise.
  unsigned char arena_buffer[8192];
  boost::json::monotonic_resource arena(arena_buffer, sizeof(arena_buffer));
  auto parsed = ParseJson(body, "body", &arena);
  if (!parsed) return Error(ErrorCode::kInvalidArgument, parsed.error().message);
  const Json& json = *parsed;
  if (!json.is_object()) return BadField("body", "must be a JSON object");

  // A container keeps the storage it was made with: `fields` must start out on `storage`.
  BittensorSynapse s{.name = cls.name,
                     .timeout = kDefaultSynapseTimeout,
                     .total_size = 0,
                     .header_size = 0,
                     .dendrite = {},
                     .axon = {},
                     .computed_body_hash = {},
                     .fields = JsonObject(storage)};
  if (const Json* v = JsonFind(json, "timeout"); v && !v->is_null()) {
    auto timeout = LaxFloat(*v);
    if (!timeout || *timeout <= 0) {
      return BadField("timeout", fmt::format("must be a number > 0, got {}", Describe(*v)));
    }
    s.timeout = *timeout;
  }
  for (auto [key, out] :
       {std::pair{"total_size", &s.total_size}, {"header_size", &s.header_size}}) {
    if (const Json* v = JsonFind(json, key); v && !v->is_null()) {
      auto n = v->is_bool() ? std::nullopt : LaxInt(*v);
      if (!n) return BadField(key, fmt::format("must be an integer, got {}", Describe(*v)));
      *out = *n;
    }
  }
  for (auto [key, out] : {std::pair{"dendrite", &s.dendrite}, {"axon", &s.axon}}) {
    if (const Json* v = JsonFind(json, key)) {
      auto info = TerminalInfoFromJson(*v);
      if (!info) return BadField(key, info.error().message);
      *out = std::move(*info);
    }
  }
  if (const Json* v = JsonFind(json, "computed_body_hash"); v && !v->is_null()) {
    if (!v->is_string()) {
      return BadField("computed_body_hash", fmt::format("must be a string, got {}", Describe(*v)));
    }
    s.computed_body_hash = std::string(v->get_string());
  }
  for (const SynapseField& field : cls.fields) {
    const Json* v = JsonFind(json, field.name);
    if (!v) {
      if (field.required) return BadField(field.name, "field required");
      continue;
    }
    auto checked = CheckField(field, *v, storage);
    if (!checked) return checked.error();
    s.fields.emplace(field.name, std::move(*checked));
  }
  if (cls.extra_allowed && json.is_object()) {
    static constexpr std::array<std::string_view, 8> kBase = {
        "name",     "timeout", "total_size",         "header_size",
        "dendrite", "axon",    "computed_body_hash", "required_hash_fields"};
    for (const auto& member : json.get_object()) {
      const std::string_view key = member.key();
      if (cls.Find(key) || std::find(kBase.begin(), kBase.end(), key) != kBase.end()) continue;
      s.fields.emplace(key, Json(member.value(), storage));
    }
  }
  return s;
}

WireHeaders ToHeaders(const SynapseClass& cls, const BittensorSynapse& synapse) {
  WireHeaders headers;
  headers.Reserve(32, 1024);
  headers.Add("name", cls.name);
  headers.Add("timeout", FormatDouble(synapse.timeout));
  AppendTerminalHeaders(headers, kAxonPrefix, synapse.axon);
  AppendTerminalHeaders(headers, kDendritePrefix, synapse.dendrite);
  for (const SynapseField& field : cls.fields) {
    if (!field.required || synapse.Field(cls, field.name).is_null()) continue;
    headers.Add(kInputObjPrefix, field.name, Base64(CompactJson(EmptyDefault(field.type))));
  }
  // The bytes of every name and value above.
  headers.Add("header_size", fmt::format_int(headers.text_size()).c_str());
  headers.Add("total_size", fmt::format_int(synapse.total_size).c_str());
  headers.Add("computed_body_hash", BodyHash(cls, synapse));
  return headers;
}

Result<BittensorSynapse> SynapseFromHeaders(const SynapseClass& cls, const WireHeaders& headers) {
  BittensorSynapse s;
  s.name = cls.name;
  // Names as they came (compared ignoring case), so that the usual all-lower-case headers
  // cost no copies.
  std::vector<std::string_view> seen;
  seen.reserve(headers.size());
  std::string lowered;
  for (const auto& [raw_name, value] : headers) {
    std::string_view name = raw_name;
    if (std::any_of(raw_name.begin(), raw_name.end(), [](char c) { return AsciiLower(c) != c; })) {
      lowered = ToLower(raw_name);
      name = lowered;
    }
    const bool ours = name == "name" || name == "timeout" || name == "total_size" ||
                      name == "header_size" || name == "computed_body_hash" ||
                      name.starts_with("bt_header_");
    if (!ours) continue;
    for (std::string_view earlier : seen) {
      if (EqualsIgnoringAsciiCase(earlier, raw_name)) {
        return Error(ErrorCode::kParse, fmt::format("duplicate header {}", Quoted(name)));
      }
    }
    seen.push_back(raw_name);

    if (name == "name") continue;  // the URL path names the synapse
    if (name == "timeout") {
      auto timeout = ParseFloatText(value);
      if (!timeout || *timeout <= 0) {
        return Error(ErrorCode::kParse,
                     fmt::format("timeout: must be a number > 0, got {}", Quoted(value)));
      }
      s.timeout = *timeout;
    } else if (name == "total_size" || name == "header_size") {
      auto size = ParseIntText(value);
      if (!size) {
        return Error(ErrorCode::kParse,
                     fmt::format("{}: must be an integer, got {}", name, Quoted(value)));
      }
      (name == "total_size" ? s.total_size : s.header_size) = *size;
    } else if (name == "computed_body_hash") {
      s.computed_body_hash = value;
    } else if (name.starts_with(kAxonPrefix)) {
      const std::string_view key = std::string_view(name).substr(kAxonPrefix.size());
      if (auto st = SetTerminalFromHeader(s.axon, key, name, value); !st) return st.error();
    } else if (name.starts_with(kDendritePrefix)) {
      const std::string_view key = std::string_view(name).substr(kDendritePrefix.size());
      if (auto st = SetTerminalFromHeader(s.dendrite, key, name, value); !st) return st.error();
    } else if (name.starts_with(kInputObjPrefix)) {
      const std::string_view key = std::string_view(name).substr(kInputObjPrefix.size());
      const SynapseField* field = cls.Find(key);
      if (!field) continue;
      auto decoded = FromBase64(Trim(value));
      if (!decoded) {
        return Error(ErrorCode::kParse,
                     fmt::format("{}: not valid base64: {}", name, Quoted(value)));
      }
      auto json = ParseJson(*decoded, name);
      if (!json) return Error(ErrorCode::kParse, json.error().message);
      auto checked = CheckField(*field, *json, s.fields.storage());
      if (!checked) {
        return Error(ErrorCode::kParse, fmt::format("{}: {}", name, checked.error().message));
      }
      s.fields.insert_or_assign(field->name, std::move(*checked));
    }
  }
  return s;
}

std::string SignMessage(const crypto::Keypair& hotkey, std::string_view message) {
  return crypto::PrefixedHexOf(crypto::Sign(hotkey, message));
}

Result<crypto::PublicKey> HotkeyPublicKey(std::string_view ss58_hotkey) {
  auto address = crypto::Ss58DecodeAnyPrefix(ss58_hotkey);
  if (!address) {
    return Error(
        ErrorCode::kInvalidArgument,
        fmt::format("dendrite hotkey {}: {}", Quoted(ss58_hotkey), address.error().message));
  }
  auto key = crypto::PublicKey::FromBytes(crypto::AsBytes(address->account));
  if (!key) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("dendrite hotkey {}: {}", Quoted(ss58_hotkey), key.error().message));
  }
  return key;
}

Status VerifyMessageSignature(const crypto::PublicKey& hotkey, std::string_view message,
                              std::string_view signature) {
  auto bytes = crypto::DecodeHex(signature, "signature");
  if (!bytes) return Error(ErrorCode::kInvalidArgument, bytes.error().message);
  if (bytes->size() != 64) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("signature: must be 64 bytes, got {}", bytes->size()));
  }
  const std::string_view raw(reinterpret_cast<const char*>(bytes->data()), bytes->size());
  if (crypto::Verify(hotkey, message, raw).ok()) return {};
  if (crypto::Verify(hotkey, fmt::format("<Bytes>{}</Bytes>", message), raw).ok()) return {};
  return Error(ErrorCode::kInvalidArgument,
               fmt::format("Signature mismatch with {} and {}", message, signature));
}

Status VerifyMessageSignature(std::string_view ss58_hotkey, std::string_view message,
                              std::string_view signature) {
  auto key = HotkeyPublicKey(ss58_hotkey);
  if (!key) return key.error();
  return VerifyMessageSignature(*key, message, signature);
}

const SynapseClass& BaseSynapseClass() {
  static const SynapseClass kClass{.name = "Synapse", .fields = {}, .required_hash_fields = {}};
  return kClass;
}

const SynapseClass& OrchestraSynapseClass() {
  static const SynapseClass kClass = [] {
    SynapseClass c;
    c.name = "OrchestraSynapse";
    auto add = [&](std::string name, FieldType type, bool required, Json fallback = nullptr) {
      c.fields.push_back(SynapseField{.name = std::move(name),
                                      .type = type,
                                      .required = required,
                                      .nullable = !required,
                                      .default_value = std::move(fallback)});
    };
    add("challenge_id", FieldType::kString, true);
    add("objective", FieldType::kString, true);
    add("target_schema", FieldType::kDict, true);
    add("deadline_ms", FieldType::kInt, false, 30000);
    add("hints", FieldType::kDict, false);
    add("task_pipeline", FieldType::kList, false);
    add("standardized_data", FieldType::kDict, false);
    add("final_synthesis", FieldType::kString, false);
    add("total_cost", FieldType::kFloat, false);
    add("total_latency_ms", FieldType::kInt, false);
    add("ledger_version", FieldType::kString, false);
    add("provenance", FieldType::kDict, false);
    c.fields[3].nullable = false;  // deadline_ms: int = 30000
    c.required_hash_fields = {"challenge_id", "objective"};
    return c;
  }();
  return kClass;
}

const SynapseClass& LedgerSynapseClass() {
  static const SynapseClass kClass = [] {
    SynapseClass c;
    c.name = "LedgerSynapse";
    for (auto [name, type] : {std::pair{"since_version", FieldType::kString},
                              {"ledger_version", FieldType::kString},
                              {"entries", FieldType::kDict}}) {
      SynapseField field;
      field.name = name;
      field.type = type;
      c.fields.push_back(std::move(field));
    }
    return c;
  }();
  return kClass;
}

}  // namespace orchestra::protocol
