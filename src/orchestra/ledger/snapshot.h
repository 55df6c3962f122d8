#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "orchestra/core/json.h"
#include "orchestra/core/result.h"
#include "orchestra/ledger/entry.h"

namespace orchestra::ledger {

// An immutable view of the whole ledger, shared by readers as shared_ptr<const Snapshot> and
// replaced (never mutated) when the ledger changes. `version()` identifies the content: equal
// entries give equal versions, whatever order they were written in.
class Snapshot {
 public:
  explicit Snapshot(std::map<std::string, LedgerEntry> entries);

  // Reads {"entries": {subnet_id: entry, ...}}; errors name the entry and field.
  static Result<Snapshot> FromJson(const Json& json);
  Json ToJson() const;

  const std::map<std::string, LedgerEntry>& entries() const { return entries_; }
  const LedgerEntry* Find(std::string_view subnet_id) const;
  // Entries offering `capability`, in subnet id order.
  std::vector<const LedgerEntry*> WithCapability(std::string_view capability) const;
  // "lv-" + 16 hex of blake2b over the canonical JSON of all entries.
  const std::string& version() const { return version_; }

 private:
  std::map<std::string, LedgerEntry> entries_;
  std::string version_;
};

using SnapshotPtr = std::shared_ptr<const Snapshot>;

// The snapshot shipped with the binary (data/ledger/seed_snapshot.json).
Result<Snapshot> SeedSnapshot();

}  // namespace orchestra::ledger
