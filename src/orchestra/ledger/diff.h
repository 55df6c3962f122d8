#pragma once

#include <string>
#include <vector>

#include "orchestra/core/json.h"
#include "orchestra/ledger/entry.h"
#include "orchestra/ledger/snapshot.h"

namespace orchestra::ledger {

// What changed between two ledgers, subnet by subnet and field by field. Fields are compared
// in the entries' JSON form (ToJson(LedgerEntry)), so every field an entry carries takes part,
// those added to entries later included; values are equal when their canonical JSON is.

// One field whose value differs; a side where the field is absent holds null.
struct FieldChange {
  std::string field;
  Json old_value;
  Json new_value;
};

// The fields of `from` and `to` (one subnet's entries) that differ, in field name order.
std::vector<FieldChange> DiffEntries(const LedgerEntry& from, const LedgerEntry& to);

enum class SubnetChange { kAdded, kRemoved, kChanged };
std::string_view SubnetChangeName(SubnetChange change);  // "added", "removed", "changed"

struct SubnetDiff {
  std::string subnet_id;
  SubnetChange change = SubnetChange::kChanged;
  std::vector<FieldChange> fields;  // kChanged: what differs
  Json entry;                       // kAdded: the new entry; kRemoved: the old one (JSON form)
};

struct LedgerDiff {
  std::string from_version;
  std::string to_version;
  std::vector<SubnetDiff> subnets;  // in subnet id order; only subnets that differ

  bool identical() const { return subnets.empty(); }
};

// The changes that turn `from` into `to`.
LedgerDiff DiffLedgers(const Snapshot& from, const Snapshot& to);

// {"from": {"version"}, "to": {"version"}, "identical": bool, "subnets": [{"subnet",
// "change", "fields": [{"field", "old", "new"}]} (changed) or {"subnet", "change", "entry"}
// (added, removed)]}.
Json ToJson(const LedgerDiff& diff);

}  // namespace orchestra::ledger
