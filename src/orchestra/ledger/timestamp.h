#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace orchestra::ledger {

// The ledger's timestamps (an entry's last_updated, an export's exported_at) are ISO 8601 in
// UTC, as seed 000 writes them ("2026-02-08T10:00:00Z") and as its Python maintenance loop
// would (datetime.utcnow().isoformat(): "2026-02-08T10:00:00.123456", no zone).

// `unix_ms` as "2026-02-08T10:00:00.123Z".
std::string IsoUtcMillis(int64_t unix_ms);

// The Unix time in ms of "YYYY-MM-DDTHH:MM:SS" (a space for the T also does) with an optional
// fraction of 1 to 9 digits (truncated to ms) and an optional zone: "Z", "+HH:MM" or "-HH:MM"
// (none: UTC). nullopt for anything else, an impossible date (2026-02-30) or time (24:00:00).
// Two spellings of one instant compare equal, which the text of them does not.
std::optional<int64_t> ParseIsoMillis(std::string_view text);

}  // namespace orchestra::ledger
