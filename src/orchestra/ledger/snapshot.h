#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "orchestra/core/json.h"
#include "orchestra/core/result.h"
#include "orchestra/ledger/entry.h"

namespace orchestra::ledger {

// An immutable view of the whole ledger, shared by readers as shared_ptr<const Snapshot> and
// replaced (never mutated) when the ledger changes. `version()` identifies the content: equal
// entries give equal versions, whatever order they were written in. Each entry's output_schema
// is compiled once, when the snapshot is built (LedgerEntry::compiled_output_schema); copies
// of a snapshot share the compiled schemas.
class Snapshot {
 public:
  // Builds the snapshot of `entries`. kInvalidArgument naming the subnet and where its
  // output_schema (seed shorthand or JSON Schema) fails to compile, e.g.
  // "SN13.output_schema.data: unknown type ..." or
  // "SN13.output_schema: schema at #/properties/data/type: ...".
  static Result<Snapshot> Build(std::map<std::string, LedgerEntry> entries);
  // The same for entries made in code (tests, a filtered copy of a snapshot), without the
  // check: an entry whose output_schema does not compile is kept with a null
  // compiled_output_schema(), and the executor's audit rejects every answer of that subnet.
  explicit Snapshot(std::map<std::string, LedgerEntry> entries);

  // Reads {"entries": {subnet_id: entry, ...}}; errors name the entry and field, or where the
  // entry's output_schema fails to compile (as Build).
  static Result<Snapshot> FromJson(const Json& json);
  Json ToJson() const;

  const std::map<std::string, LedgerEntry>& entries() const { return entries_; }
  const LedgerEntry* Find(std::string_view subnet_id) const;
  // Entries offering `capability`, in subnet id order.
  std::vector<const LedgerEntry*> WithCapability(std::string_view capability) const;
  // "lv-" + 16 hex of blake2b over the canonical JSON of all entries.
  const std::string& version() const { return version_; }

 private:
  // Compiles every entry's output_schema, keeping in `*first_error` (when not null) the first
  // failure in subnet id order.
  Snapshot(std::map<std::string, LedgerEntry> entries, std::optional<Error>* first_error);

  std::map<std::string, LedgerEntry> entries_;
  std::string version_;
};

using SnapshotPtr = std::shared_ptr<const Snapshot>;

// The version of a ledger document of our form ({"entries": {...}}) as it is written: for the
// ToJson() of a snapshot, that snapshot's version(). Lets a reader check a stated version
// against the document itself, whatever it makes of the entries.
std::string LedgerVersionOf(const Json& snapshot_json);

// The snapshot shipped with the binary (data/ledger/seed_snapshot.json).
Result<Snapshot> SeedSnapshot();

}  // namespace orchestra::ledger
