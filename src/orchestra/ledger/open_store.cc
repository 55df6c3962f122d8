#include "orchestra/ledger/open_store.h"

#include <fmt/format.h>

#include "orchestra/ledger/redis_store.h"
#include "orchestra/ledger/sqlite_store.h"

namespace orchestra::ledger {

Result<std::unique_ptr<Store>> OpenStore(std::string_view spec,
                                         const std::filesystem::path& data_dir,
                                         const TimeSource& clock) {
  auto Opened = [](auto store) -> Result<std::unique_ptr<Store>> {
    if (!store) return store.error();
    return std::unique_ptr<Store>(std::move(*store));
  };
  if (spec.empty() || spec == "sqlite") {
    return Opened(SqliteStore::Open(data_dir / "ledger.db", clock));
  }
  constexpr std::string_view kSqlite = "sqlite:";
  if (spec.substr(0, kSqlite.size()) == kSqlite) {
    const std::string_view path = spec.substr(kSqlite.size());
    if (path.empty()) {
      return Error(ErrorCode::kInvalidArgument,
                   fmt::format("ledger store \"{}\": no file after \"sqlite:\"", spec));
    }
    return Opened(SqliteStore::Open(std::filesystem::path(path), clock));
  }
  if (spec.substr(0, 6) == "redis:") {
    auto options = ParseRedisUrl(spec);
    if (!options) return options.error();
    return Opened(RedisStore::Open(std::move(*options), clock));
  }
  return Error(ErrorCode::kInvalidArgument,
               fmt::format("ledger store \"{}\": expected \"sqlite\", \"sqlite:PATH\" or "
                           "redis://HOST[:PORT][/PREFIX]",
                           spec));
}

}  // namespace orchestra::ledger
