#include "orchestra/ledger/reader.h"

#include <fmt/format.h>

#include <charconv>

#include "orchestra/core/ascii.h"
#include "orchestra/schema/schema.h"

namespace orchestra::ledger {
namespace {

std::string_view KindName(const Json& json) {
  switch (json.kind()) {
    case boost::json::kind::null:
      return "null";
    case boost::json::kind::bool_:
      return "boolean";
    case boost::json::kind::int64:
    case boost::json::kind::uint64:
    case boost::json::kind::double_:
      return "number";
    case boost::json::kind::string:
      return "string";
    case boost::json::kind::array:
      return "array";
    case boost::json::kind::object:
      return "object";
  }
  return "value";
}

bool IsAsciiUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsAsciiAlnum(char c) {
  return (c >= 'a' && c <= 'z') || IsAsciiUpper(c) || (c >= '0' && c <= '9');
}
char ToUpper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

// "Data Universe" -> "DataUniverse", "ReadyAI" -> "ReadyAi", "web-3 oracle" -> "Web3Oracle".
std::string PascalCase(std::string_view name) {
  std::string out;
  bool word_start = true;
  for (char c : name) {
    if (!IsAsciiAlnum(c)) {
      word_start = true;
      continue;
    }
    if (word_start) {
      out += ToUpper(c);
    } else if (IsAsciiUpper(c) && !out.empty() && IsAsciiUpper(out.back())) {
      out += AsciiLower(c);
    } else {
      out += c;
    }
    word_start = false;
  }
  return out;
}

// The word naming the kind of service `capability` is, as synapse class names carry it.
std::string_view ServiceWord(std::string_view capability) {
  if (capability == "search" || capability.ends_with("_search")) return "Search";
  if (capability == "structured_extraction" || capability == "pdf_parsing" ||
      capability.ends_with("_extraction")) {
    return "Extraction";
  }
  if (capability == "text_generation" || capability == "synthesis" || capability == "reasoning" ||
      capability == "chat") {
    return "Chat";
  }
  return "";
}

bool EndsWithIgnoringCase(std::string_view text, std::string_view suffix) {
  return suffix.size() <= text.size() &&
         EqualsIgnoringAsciiCase(text.substr(text.size() - suffix.size()), suffix);
}

Error Invalid(std::string message) {
  return Error(ErrorCode::kInvalidArgument, std::move(message));
}

}  // namespace

std::string_view LedgerFormName(LedgerForm form) {
  return form == LedgerForm::kOrchestra ? "orchestra" : "seed";
}

std::optional<int> NetuidFromSubnetId(std::string_view subnet_id) {
  if (subnet_id.size() < 3 || !subnet_id.starts_with("SN")) return std::nullopt;
  const char* begin = subnet_id.data() + 2;
  const char* end = subnet_id.data() + subnet_id.size();
  if (*begin < '0' || *begin > '9') return std::nullopt;  // from_chars takes a '-'
  int netuid = -1;
  auto [ptr, ec] = std::from_chars(begin, end, netuid);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return netuid;
}

std::string DefaultSynapseName(std::string_view name,
                               const std::vector<std::string>& capabilities) {
  std::string out = PascalCase(name);
  // A class name cannot start with a digit.
  if (out.empty() || (out.front() >= '0' && out.front() <= '9')) out.insert(0, "Subnet");
  const std::string_view word = capabilities.empty() ? "" : ServiceWord(capabilities.front());
  if (!EndsWithIgnoringCase(out, word)) out += word;
  return out + "Synapse";
}

Result<Json> SeedDefaults(std::string_view subnet_id, const Json& entry) {
  if (!entry.is_object()) {
    return Invalid(fmt::format("{}: entry must be an object, got {}", subnet_id, KindName(entry)));
  }
  Json filled = entry;
  JsonObject& o = filled.as_object();
  if (!o.contains("netuid")) {
    const std::optional<int> netuid = NetuidFromSubnetId(subnet_id);
    if (!netuid) {
      return Invalid(fmt::format(
          "{}.netuid: absent, and the subnet id names no netuid (expected SN<netuid>, e.g. SN22)",
          subnet_id));
    }
    o["netuid"] = *netuid;
  }
  if (!o.contains("transport")) o["transport"] = TransportName(Transport::kSynapse);
  const Json* transport = o.if_contains("transport");
  if (!o.contains("synapse") && transport->is_string() &&
      transport->get_string() == TransportName(Transport::kSynapse)) {
    std::vector<std::string> capabilities;
    if (const Json* caps = o.if_contains("capabilities"); caps && caps->is_array()) {
      for (const Json& c : caps->get_array()) {
        if (c.is_string()) capabilities.emplace_back(c.get_string());
      }
    }
    o["synapse"] = DefaultSynapseName(JsonString(filled, "name"), capabilities);
  }
  return filled;
}

Result<LedgerDocument> ReadLedgerEntries(const Json& json) {
  if (!json.is_object()) {
    return Invalid(fmt::format(
        "ledger: expected a JSON object ({{\"SN22\": {{...}}}} or {{\"entries\": {{...}}}}), "
        "got {}",
        KindName(json)));
  }
  LedgerDocument document;
  const JsonObject& top = json.get_object();
  const JsonObject* members = &top;
  if (const Json* entries = top.if_contains("entries")) {
    document.form = LedgerForm::kOrchestra;
    if (!entries->is_object()) {
      return Invalid(fmt::format(
          "ledger.entries: must be an object of entries by subnet id, got {}", KindName(*entries)));
    }
    if (const Json* format = top.if_contains("ledger_format")) {
      int64_t version = 0;
      if (!JsonInteger(*format, &version) || version != 1) {
        return Invalid(fmt::format("ledger.ledger_format: {} is not supported (this build reads 1)",
                                   CompactJson(*format)));
      }
    }
    members = &entries->get_object();
  } else {
    document.form = LedgerForm::kSeed;
  }
  for (const auto& member : *members) {
    const std::string id(member.key());
    auto reject = [&](Error error) { document.rejected.push_back({id, std::move(error)}); };
    if (id.empty()) {
      reject(Invalid("ledger: an entry has an empty subnet id"));
      continue;
    }
    auto filled = SeedDefaults(id, member.value());
    if (!filled) {
      reject(filled.error());
      continue;
    }
    auto entry = EntryFromJson(id, *filled);
    if (!entry) {
      reject(entry.error());
      continue;
    }
    auto compiled = schema::Schema::FromTarget(entry->output_schema, id + ".output_schema");
    if (!compiled) {
      reject(compiled.error());
      continue;
    }
    document.entries.insert_or_assign(id, std::move(*entry));
  }
  return document;
}

Result<Snapshot> ReadLedger(const Json& json) {
  auto document = ReadLedgerEntries(json);
  if (!document) return document.error();
  if (!document->rejected.empty()) return document->rejected.front().error;
  return Snapshot::Build(std::move(document->entries));
}

Result<Snapshot> ReadLedgerText(std::string_view text, std::string_view what) {
  auto json = ParseJson(text, what);
  if (!json) return json.error();
  return ReadLedger(*json);
}

}  // namespace orchestra::ledger
