#pragma once

#include <filesystem>
#include <memory>
#include <string_view>

#include "orchestra/core/clock.h"
#include "orchestra/core/result.h"
#include "orchestra/ledger/store.h"

namespace orchestra::ledger {

// Opens the ledger store a configuration option names:
//   "" or "sqlite"                  the SQLite file <data_dir>/ledger.db (OpenLedger's)
//   "sqlite:PATH"                   the SQLite file PATH
//   "redis://HOST[:PORT][/PREFIX]"  a Redis server (ParseRedisUrl), shared by a fleet
// kInvalidArgument naming the option for anything else or a malformed URL; the store's own
// errors (kIo for a file, kUnavailable naming host:port for an unreachable server) otherwise.
// Start-up code: LoadOrSeed(store) then gives the first snapshot. `clock` must outlive the
// store.
Result<std::unique_ptr<Store>> OpenStore(std::string_view spec,
                                         const std::filesystem::path& data_dir,
                                         const TimeSource& clock = RealTime());

}  // namespace orchestra::ledger
