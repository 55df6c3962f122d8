#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "orchestra/ledger/diff.h"
#include "orchestra/ledger/entry.h"
#include "orchestra/ledger/reader.h"
#include "orchestra/ledger/snapshot.h"

namespace orchestra::ledger {

// Folding an imported ledger into ours without losing what we know better: an imported entry
// replaces ours unless ours was updated later.

enum class ImportOutcome {
  kAdded,      // a subnet we did not track
  kUpdated,    // replaces ours: it differs and is not older
  kUnchanged,  // equal to ours
  kKeptOurs,   // ours was updated later (or theirs has no readable last_updated and ours does)
  kRejected,   // the entry could not be read (reader.h): the reason says why
};
std::string_view ImportOutcomeName(ImportOutcome outcome);  // "added", ..., "kept ours"

// What became of one entry of the import.
struct EntryImport {
  std::string subnet_id;
  ImportOutcome outcome = ImportOutcome::kRejected;
  std::string reason;                // kKeptOurs and kRejected: why, naming times or the field
  std::vector<FieldChange> changes;  // kUpdated: ours -> theirs; kKeptOurs: ours -> theirs too
};

struct ImportMerge {
  // Our entries with those the import adds or updates; ours it does not mention are kept.
  std::map<std::string, LedgerEntry> entries;
  std::vector<EntryImport> outcomes;  // one per entry of the import, in subnet id order

  // Whether any entry was added or updated.
  bool changed() const;
  // How many entries had `outcome`.
  size_t Count(ImportOutcome outcome) const;
};

// Merges `incoming` into `current`. Times are compared as instants (timestamp.h: ParseIsoMillis),
// so "2026-02-08T10:00:00Z" and "2026-02-08T10:00:00.000Z" are the same time; an incoming entry
// as old as ours but different replaces it. Pure.
ImportMerge MergeImport(const Snapshot& current, const LedgerDocument& incoming);

}  // namespace orchestra::ledger
