#include "orchestra/ledger/merge.h"

#include <fmt/format.h>

#include <algorithm>

#include "orchestra/ledger/timestamp.h"

namespace orchestra::ledger {
namespace {

// Why `ours` is kept instead of `theirs`, or "" when theirs is to be taken.
std::string KeepOursBecause(const LedgerEntry& ours, const LedgerEntry& theirs) {
  const auto our_time = ParseIsoMillis(ours.last_updated);
  if (!our_time) return "";
  const auto their_time = ParseIsoMillis(theirs.last_updated);
  if (!their_time) {
    return fmt::format("the import's last_updated \"{}\" is no ISO 8601 time; ours is {}",
                       theirs.last_updated, ours.last_updated);
  }
  if (*our_time > *their_time) {
    return fmt::format("ours was updated later ({}) than the import's ({})", ours.last_updated,
                       theirs.last_updated);
  }
  return "";
}

}  // namespace

std::string_view ImportOutcomeName(ImportOutcome outcome) {
  switch (outcome) {
    case ImportOutcome::kAdded:
      return "added";
    case ImportOutcome::kUpdated:
      return "updated";
    case ImportOutcome::kUnchanged:
      return "unchanged";
    case ImportOutcome::kKeptOurs:
      return "kept ours";
    case ImportOutcome::kRejected:
      return "rejected";
  }
  return "rejected";
}

bool ImportMerge::changed() const {
  return Count(ImportOutcome::kAdded) + Count(ImportOutcome::kUpdated) > 0;
}

size_t ImportMerge::Count(ImportOutcome outcome) const {
  return std::count_if(outcomes.begin(), outcomes.end(),
                       [outcome](const EntryImport& e) { return e.outcome == outcome; });
}

ImportMerge MergeImport(const Snapshot& current, const LedgerDocument& incoming) {
  ImportMerge merge;
  merge.entries = current.entries();
  for (const auto& [id, theirs] : incoming.entries) {
    EntryImport outcome;
    outcome.subnet_id = id;
    outcome.outcome = ImportOutcome::kAdded;
    const LedgerEntry* ours = current.Find(id);
    if (ours != nullptr) {
      outcome.changes = DiffEntries(*ours, theirs);
      if (outcome.changes.empty()) {
        outcome.outcome = ImportOutcome::kUnchanged;
      } else if (std::string why = KeepOursBecause(*ours, theirs); !why.empty()) {
        outcome.outcome = ImportOutcome::kKeptOurs;
        outcome.reason = std::move(why);
      } else {
        outcome.outcome = ImportOutcome::kUpdated;
      }
    }
    if (outcome.outcome == ImportOutcome::kAdded || outcome.outcome == ImportOutcome::kUpdated) {
      merge.entries.insert_or_assign(id, theirs);
    }
    merge.outcomes.push_back(std::move(outcome));
  }
  for (const RejectedEntry& rejected : incoming.rejected) {
    EntryImport outcome;
    outcome.subnet_id = rejected.subnet_id;
    outcome.outcome = ImportOutcome::kRejected;
    outcome.reason = rejected.error.message;
    merge.outcomes.push_back(std::move(outcome));
  }
  std::stable_sort(
      merge.outcomes.begin(), merge.outcomes.end(),
      [](const EntryImport& a, const EntryImport& b) { return a.subnet_id < b.subnet_id; });
  return merge;
}

}  // namespace orchestra::ledger
