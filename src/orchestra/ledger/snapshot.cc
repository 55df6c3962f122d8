#include "orchestra/ledger/snapshot.h"

#include "orchestra/core/embedded.h"
#include "orchestra/core/hash.h"
#include "orchestra/schema/schema.h"

namespace orchestra {
const std::vector<EmbeddedFile>& EmbeddedLedgerSeed();
}  // namespace orchestra

namespace orchestra::ledger {

Snapshot::Snapshot(std::map<std::string, LedgerEntry> entries)
    : Snapshot(std::move(entries), nullptr) {}

Snapshot::Snapshot(std::map<std::string, LedgerEntry> entries, std::optional<Error>* first_error)
    : entries_(std::move(entries)) {
  version_ = LedgerVersionOf(ToJson());
  for (auto& [id, entry] : entries_) {
    // An entry copied from another snapshot keeps its compiled schema while the schema is the
    // same: publishing learned figures does not compile anything.
    std::string source = CanonicalHash(entry.output_schema);
    if (entry.compiled_output_schema_ && entry.compiled_from_ == source) continue;
    entry.compiled_from_ = std::move(source);
    auto compiled = schema::Schema::FromTarget(entry.output_schema, id + ".output_schema");
    if (compiled.ok()) {
      entry.compiled_output_schema_ = std::make_shared<const schema::Schema>(std::move(*compiled));
    } else {
      entry.compiled_output_schema_.reset();
      if (first_error && !*first_error) *first_error = compiled.error();
    }
  }
}

Result<Snapshot> Snapshot::Build(std::map<std::string, LedgerEntry> entries) {
  std::optional<Error> error;
  Snapshot snapshot(std::move(entries), &error);
  if (error) return *error;
  return snapshot;
}

Result<Snapshot> Snapshot::FromJson(const Json& json) {
  const Json* entries = JsonFind(json, "entries");
  if (!entries || !entries->is_object()) {
    return Error(ErrorCode::kInvalidArgument, "ledger snapshot: \"entries\" must be an object");
  }
  std::map<std::string, LedgerEntry> out;
  for (const auto& kv : entries->get_object()) {
    auto entry = EntryFromJson(kv.key(), kv.value());
    if (!entry) return entry.error();
    out.emplace(std::string(kv.key()), std::move(*entry));
  }
  return Build(std::move(out));
}

Json Snapshot::ToJson() const {
  JsonObject entries;
  for (const auto& [id, entry] : entries_) entries[id] = ledger::ToJson(entry);
  return JsonObject{{"entries", std::move(entries)}};
}

const LedgerEntry* Snapshot::Find(std::string_view subnet_id) const {
  auto it = entries_.find(std::string(subnet_id));
  return it == entries_.end() ? nullptr : &it->second;
}

std::vector<const LedgerEntry*> Snapshot::WithCapability(std::string_view capability) const {
  std::vector<const LedgerEntry*> out;
  for (const auto& [id, entry] : entries_) {
    if (entry.HasCapability(capability)) out.push_back(&entry);
  }
  return out;
}

std::string LedgerVersionOf(const Json& snapshot_json) {
  return "lv-" + CanonicalHash(snapshot_json).substr(2, 16);
}

Result<Snapshot> SeedSnapshot() {
  const auto& files = EmbeddedLedgerSeed();
  if (files.empty()) return Error(ErrorCode::kInternal, "no seed ledger snapshot compiled in");
  auto json = ParseJson(files.front().bytes, files.front().path);
  if (!json) return json.error();
  return Snapshot::FromJson(*json);
}

}  // namespace orchestra::ledger
