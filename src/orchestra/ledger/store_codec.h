#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "orchestra/core/json.h"
#include "orchestra/core/result.h"
#include "orchestra/ledger/store.h"

// What SqliteStore and RedisStore share: how an entry and an event are written as text and
// read back, with errors that name the subnet or event and the store (`where`, the store's
// Describe()). Internal to the ledger module.
namespace orchestra::ledger::store_codec {

// The entry's canonical JSON (ledger::ToJson), the opaque value a store keeps.
std::string EncodeEntry(const LedgerEntry& entry);
// Reads back what EncodeEntry wrote under `subnet_id`: kParse "ledger entry SN9 in <where>:
// line 1, column 2: ..." for text that is not JSON, EntryFromJson's error ("SN9.reliability:
// must be in [0, 1]") followed by " (ledger entry in <where>)" for JSON that is no entry.
Result<LedgerEntry> DecodeEntry(std::string_view subnet_id, std::string_view text,
                                std::string_view where);
// Snapshot::Build of entries read from the store at `where`, naming it in an error.
Result<Snapshot> BuildSnapshot(std::map<std::string, LedgerEntry> entries, std::string_view where);

// Runs `fn` on `current` and checks that it answered for `subnet_id`.
Result<LedgerEntry> ApplyUpdate(std::string_view subnet_id,
                                const std::optional<LedgerEntry>& current, const EntryUpdate& fn,
                                std::string_view where);

// kInvalidArgument unless `kind` is a non-empty event kind and `limit` positive.
Status CheckEventKind(std::string_view kind, std::string_view where);
Status CheckEventLimit(int limit, std::string_view where);

// One event as a JSON object without its id ({"body", "created_ms", "kind", "subnet_id"}),
// for stores that keep it as one value.
std::string EncodeEvent(std::string_view kind, std::string_view subnet_id, int64_t created_ms,
                        const Json& body);
// Reads back EncodeEvent's text as event `id`; errors name the event and `where`.
Result<StoredEvent> DecodeEvent(int64_t id, std::string_view text, std::string_view where);

}  // namespace orchestra::ledger::store_codec
