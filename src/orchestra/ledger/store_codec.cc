#include "orchestra/ledger/store_codec.h"

#include <fmt/format.h>

namespace orchestra::ledger::store_codec {

std::string EncodeEntry(const LedgerEntry& entry) { return CanonicalJson(ToJson(entry)); }

Result<LedgerEntry> DecodeEntry(std::string_view subnet_id, std::string_view text,
                                std::string_view where) {
  auto json = ParseJson(text, fmt::format("ledger entry {} in {}", subnet_id, where));
  if (!json) return json.error();
  auto entry = EntryFromJson(subnet_id, *json);
  if (!entry) {
    return Error(entry.error().code,
                 fmt::format("{} (ledger entry in {})", entry.error().message, where));
  }
  return entry;
}

Result<Snapshot> BuildSnapshot(std::map<std::string, LedgerEntry> entries, std::string_view where) {
  auto snapshot = Snapshot::Build(std::move(entries));
  if (!snapshot) {
    return Error(snapshot.error().code,
                 fmt::format("{} (ledger entry in {})", snapshot.error().message, where));
  }
  return snapshot;
}

Result<LedgerEntry> ApplyUpdate(std::string_view subnet_id,
                                const std::optional<LedgerEntry>& current, const EntryUpdate& fn,
                                std::string_view where) {
  auto next = fn(current);
  if (!next) return next.error();
  if (next->subnet_id != subnet_id) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("update of ledger entry {} in {} returned an entry for \"{}\"",
                             subnet_id, where, next->subnet_id));
  }
  return next;
}

Status CheckEventKind(std::string_view kind, std::string_view where) {
  if (kind.empty()) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("event appended to {} has an empty kind", where));
  }
  return {};
}

Status CheckEventLimit(int limit, std::string_view where) {
  if (limit <= 0) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("events of {}: limit must be positive, not {}", where, limit));
  }
  return {};
}

std::string EncodeEvent(std::string_view kind, std::string_view subnet_id, int64_t created_ms,
                        const Json& body) {
  JsonObject event;
  event["kind"] = kind;
  event["subnet_id"] = subnet_id;
  event["created_ms"] = created_ms;
  event["body"] = body;
  return CanonicalJson(event);
}

Result<StoredEvent> DecodeEvent(int64_t id, std::string_view text, std::string_view where) {
  const std::string what = fmt::format("ledger event {} in {}", id, where);
  auto json = ParseJson(text, what);
  if (!json) return json.error();
  const Json* kind = JsonFind(*json, "kind");
  const Json* subnet_id = JsonFind(*json, "subnet_id");
  const Json* body = JsonFind(*json, "body");
  int64_t created_ms = 0;
  const Json* created = JsonFind(*json, "created_ms");
  if (kind == nullptr || !kind->is_string() || subnet_id == nullptr || !subnet_id->is_string() ||
      body == nullptr || created == nullptr || !JsonInteger(*created, &created_ms)) {
    return Error(ErrorCode::kParse,
                 fmt::format("{}: expected an object with kind, subnet_id (strings), created_ms "
                             "(integer) and body",
                             what));
  }
  return StoredEvent{id, std::string(kind->as_string()), std::string(subnet_id->as_string()),
                     created_ms, *body};
}

}  // namespace orchestra::ledger::store_codec
