#include "orchestra/ledger/store.h"

namespace orchestra::ledger {

Result<SnapshotPtr> LoadOrSeed(Store& store) {
  auto count = store.Count();
  if (!count) return count.error();
  if (*count == 0) {
    auto seed = SeedSnapshot();
    if (!seed) return seed.error();
    if (auto seeded = store.SeedIfEmpty(*seed); !seeded) return seeded.error();
  }
  auto snapshot = store.Load();
  if (!snapshot) return snapshot.error();
  return std::make_shared<const Snapshot>(std::move(*snapshot));
}

}  // namespace orchestra::ledger
