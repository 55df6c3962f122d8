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

EntryImport Rejected(const RejectedEntry& rejected) {
  EntryImport outcome;
  outcome.subnet_id = rejected.subnet_id;
  outcome.outcome = ImportOutcome::kRejected;
  outcome.reason = rejected.error.message;
  return outcome;
}

void SortBySubnet(std::vector<EntryImport>& outcomes) {
  std::stable_sort(
      outcomes.begin(), outcomes.end(),
      [](const EntryImport& a, const EntryImport& b) { return a.subnet_id < b.subnet_id; });
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

bool ImportReport::changed() const {
  return Count(ImportOutcome::kAdded) + Count(ImportOutcome::kUpdated) > 0;
}

size_t ImportReport::Count(ImportOutcome outcome) const {
  return std::count_if(outcomes.begin(), outcomes.end(),
                       [outcome](const EntryImport& e) { return e.outcome == outcome; });
}

EntryImport MergeEntry(const LedgerEntry* ours, const LedgerEntry& theirs, LedgerEntry* kept) {
  EntryImport outcome;
  outcome.subnet_id = theirs.subnet_id;
  LedgerEntry candidate = theirs;
  candidate.uids = ours ? ours->uids : std::vector<UidFigures>();
  if (ours == nullptr) {
    outcome.outcome = ImportOutcome::kAdded;
    *kept = std::move(candidate);
    return outcome;
  }
  outcome.changes = DiffEntries(*ours, candidate);
  if (outcome.changes.empty()) {
    outcome.outcome = ImportOutcome::kUnchanged;
    *kept = *ours;
  } else if (std::string why = KeepOursBecause(*ours, candidate); !why.empty()) {
    outcome.outcome = ImportOutcome::kKeptOurs;
    outcome.reason = std::move(why);
    *kept = *ours;
  } else {
    outcome.outcome = ImportOutcome::kUpdated;
    *kept = std::move(candidate);
  }
  return outcome;
}

ImportMerge MergeImport(const Snapshot& current, const LedgerDocument& incoming) {
  ImportMerge merge;
  merge.entries = current.entries();
  for (const auto& [id, theirs] : incoming.entries) {
    LedgerEntry kept;
    merge.report.outcomes.push_back(MergeEntry(current.Find(id), theirs, &kept));
    merge.entries.insert_or_assign(id, std::move(kept));
  }
  for (const RejectedEntry& rejected : incoming.rejected) {
    merge.report.outcomes.push_back(Rejected(rejected));
  }
  SortBySubnet(merge.report.outcomes);
  return merge;
}

Result<ImportReport> ApplyImport(Store& store, const LedgerDocument& incoming) {
  auto current = LoadOrSeed(store);
  if (!current) return current.error();
  ImportReport report;
  for (const auto& item : incoming.entries) {
    // Named, not structurally bound: clang 14 cannot capture a structured binding.
    const std::string& id = item.first;
    const LedgerEntry& theirs = item.second;
    LedgerEntry kept;
    EntryImport outcome = MergeEntry((*current)->Find(id), theirs, &kept);
    if (outcome.outcome == ImportOutcome::kAdded || outcome.outcome == ImportOutcome::kUpdated) {
      // Judged again on the value the store holds when it writes, which another writer may have
      // changed since the load above.
      auto written = store.Update(
          id, [&theirs, &outcome](std::optional<LedgerEntry> now) -> Result<LedgerEntry> {
            LedgerEntry next;
            outcome = MergeEntry(now ? &*now : nullptr, theirs, &next);
            return next;
          });
      if (!written) {
        return Error(written.error().code,
                     fmt::format("{}: {} (entries before it in subnet id order were written)", id,
                                 written.error().message));
      }
    }
    report.outcomes.push_back(std::move(outcome));
  }
  for (const RejectedEntry& rejected : incoming.rejected) {
    report.outcomes.push_back(Rejected(rejected));
  }
  SortBySubnet(report.outcomes);
  return report;
}

}  // namespace orchestra::ledger
