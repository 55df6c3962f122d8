#include "orchestra/ledger/timestamp.h"

#include <gtest/gtest.h>

namespace orchestra::ledger {
namespace {

constexpr int64_t k20260208T10 = 1770544800000;  // 2026-02-08T10:00:00Z

TEST(TimestampTest, FormatsUtcWithMilliseconds) {
  EXPECT_EQ(IsoUtcMillis(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(IsoUtcMillis(k20260208T10 + 123), "2026-02-08T10:00:00.123Z");
  EXPECT_EQ(IsoUtcMillis(-1), "1969-12-31T23:59:59.999Z");
}

TEST(TimestampTest, ReadsTheSpellingsOfTheSeedAndOfPython) {
  EXPECT_EQ(ParseIsoMillis("2026-02-08T10:00:00Z"), k20260208T10);
  EXPECT_EQ(ParseIsoMillis("2026-02-08T10:00:00"), k20260208T10);
  EXPECT_EQ(ParseIsoMillis("2026-02-08 10:00:00"), k20260208T10);
  EXPECT_EQ(ParseIsoMillis("2026-02-08T10:00:00.123456"), k20260208T10 + 123);
  EXPECT_EQ(ParseIsoMillis("2026-02-08T10:00:00.5Z"), k20260208T10 + 500);
  EXPECT_EQ(ParseIsoMillis("2026-02-08T11:30:00+01:30"), k20260208T10);
  EXPECT_EQ(ParseIsoMillis("2026-02-08T08:00:00-02:00"), k20260208T10);
  EXPECT_EQ(ParseIsoMillis("2024-02-29T00:00:00Z"), 1709164800000);
  EXPECT_EQ(ParseIsoMillis(IsoUtcMillis(k20260208T10 + 7)), k20260208T10 + 7);
}

TEST(TimestampTest, RefusesWhatIsNoInstant) {
  for (std::string_view bad :
       {"", "yesterday", "2026-02-08", "2026-02-30T00:00:00Z", "2025-02-29T00:00:00Z",
        "2026-13-01T00:00:00Z", "2026-02-08T24:00:00Z", "2026-02-08T10:00:00.Z",
        "2026-02-08T10:00:00.1234567890Z", "2026-02-08T10:00:00ZZ", "2026-02-08T10:00:00+0100",
        "2026-2-08T10:00:00Z", "2026-02-08T10:00:00 "}) {
    EXPECT_EQ(ParseIsoMillis(bad), std::nullopt) << bad;
  }
}

}  // namespace
}  // namespace orchestra::ledger
