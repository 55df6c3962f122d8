#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "orchestra/core/result.h"
#include "orchestra/ledger/diff.h"
#include "orchestra/ledger/entry.h"
#include "orchestra/ledger/reader.h"
#include "orchestra/ledger/snapshot.h"
#include "orchestra/ledger/store.h"

namespace orchestra::ledger {

// Folding an imported ledger into ours without losing what we know better: an imported entry
// replaces ours unless ours was updated later. What this miner learned from its own calls (an
// entry's per-UID figures, "uid_figures") is its own: an import never replaces it, and a subnet
// it adds starts with none.

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
  std::vector<FieldChange> changes;  // kUpdated and kKeptOurs: ours -> theirs
};

struct ImportReport {
  std::vector<EntryImport> outcomes;  // one per entry of the import, in subnet id order

  // Whether any entry was added or updated.
  bool changed() const;
  // How many entries had `outcome`.
  size_t Count(ImportOutcome outcome) const;
};

// What becomes of `theirs` given `ours` (nullptr: a subnet we do not track), and in *kept the
// entry the ledger holds afterwards: theirs (with our uid_figures) when added or updated, else
// ours. Times are compared as instants (timestamp.h: ParseIsoMillis), so
// "2026-02-08T10:00:00Z" and "2026-02-08T11:00:00+01:00" are the same time; an entry as old as
// ours but different replaces it. Pure.
EntryImport MergeEntry(const LedgerEntry* ours, const LedgerEntry& theirs, LedgerEntry* kept);

// Every entry of `incoming` merged into `current` (MergeEntry), plus its rejected entries.
// Pure: what an import would do.
struct ImportMerge {
  // Our entries with those the import adds or updates; ours it does not mention are kept.
  std::map<std::string, LedgerEntry> entries;
  ImportReport report;
};
ImportMerge MergeImport(const Snapshot& current, const LedgerDocument& incoming);

// Writes `incoming` into `store`: each entry that adds or updates is written with
// Store::Update, judged again (MergeEntry) against the store's value at that moment, so a
// concurrent writer's newer entry is kept and never lost; an empty store is seeded first
// (LoadOrSeed). Each entry is written atomically; the entries together are not: an error
// (naming the subnet and the store) leaves those before it written, and importing again
// finishes the job (what is there already is unchanged).
Result<ImportReport> ApplyImport(Store& store, const LedgerDocument& incoming);

}  // namespace orchestra::ledger
