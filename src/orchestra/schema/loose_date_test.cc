#include "orchestra/schema/loose_date.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace orchestra::schema {
namespace {

using ::testing::HasSubstr;

// "2024-03-05" for a date alone, the RFC 3339 form when time and offset are known, the date
// and time followed by "(no offset)" or "(zone CET)" otherwise, or "error: <why>".
std::string Read(std::string_view text) {
  auto date = ReadLooseDate(text);
  if (!date.ok()) return "error: " + date.error().message;
  if (!date->has_time) return FormatIsoDate(*date);
  if (date->has_offset) return FormatRfc3339(*date);
  LooseDate with_zero = *date;
  with_zero.utc = true;
  std::string out = FormatRfc3339(with_zero);
  out.pop_back();
  return out + (date->zone_name.empty() ? " (no offset)" : " (zone " + date->zone_name + ")");
}

TEST(ReadLooseDateTest, IsoDatesAndDateTimes) {
  EXPECT_EQ(Read("2024-03-05"), "2024-03-05");
  EXPECT_EQ(Read(" 2024-03-05 "), "2024-03-05");
  EXPECT_EQ(Read("2024-03-05T14:30:00Z"), "2024-03-05T14:30:00Z");
  EXPECT_EQ(Read("2024-03-05t14:30:00.250z"), "2024-03-05T14:30:00.250Z");
  EXPECT_EQ(Read("2024-03-05T14:30:00+02:00"), "2024-03-05T14:30:00+02:00");
  EXPECT_EQ(Read("2024-03-05T14:30:00-05:30"), "2024-03-05T14:30:00-05:30");
  EXPECT_EQ(Read("2024-03-05 14:30"), "2024-03-05T14:30:00 (no offset)");
  EXPECT_EQ(Read("2024-03-05 14:30 +0200"), "2024-03-05T14:30:00+02:00");
  EXPECT_EQ(Read("2024-03-05T14:30+02"), "2024-03-05T14:30:00+02:00");
  EXPECT_EQ(Read("2024-03-05 14:30Z"), "2024-03-05T14:30:00Z");
}

TEST(ReadLooseDateTest, YearFirstWithOtherSeparators) {
  EXPECT_EQ(Read("2024/03/05"), "2024-03-05");
  EXPECT_EQ(Read("2024.3.5"), "2024-03-05");
  EXPECT_EQ(Read("2024-Mar-05"), "2024-03-05");
  EXPECT_EQ(Read("2024/03-05"), "error: not a date in a known notation");
}

TEST(ReadLooseDateTest, MonthNameFirst) {
  EXPECT_EQ(Read("March 5, 2024"), "2024-03-05");
  EXPECT_EQ(Read("march 5 2024"), "2024-03-05");
  EXPECT_EQ(Read("Mar. 5th, 2024"), "2024-03-05");
  EXPECT_EQ(Read("Sept 30, 2024"), "2024-09-30");
  EXPECT_EQ(Read("Tuesday, March 5, 2024"), "2024-03-05");
  EXPECT_EQ(Read("March 5, 2024, 2:30 PM"), "2024-03-05T14:30:00 (no offset)");
  EXPECT_EQ(Read("March 5, 2024 at 12:05am UTC"), "2024-03-05T00:05:00Z");
  EXPECT_EQ(Read("March 5, 2024, 2:30 PM UTC"), "2024-03-05T14:30:00Z");
}

TEST(ReadLooseDateTest, DayNameFirst) {
  EXPECT_EQ(Read("5 Mar 2024"), "2024-03-05");
  EXPECT_EQ(Read("5 March, 2024"), "2024-03-05");
  EXPECT_EQ(Read("5th of March 2024"), "2024-03-05");
  EXPECT_EQ(Read("05-Mar-2024"), "2024-03-05");
  EXPECT_EQ(Read("05 MAR 2024"), "2024-03-05");
}

TEST(ReadLooseDateTest, Rfc2822AndJavaScriptDates) {
  EXPECT_EQ(Read("Tue, 05 Mar 2024 14:30:00 GMT"), "2024-03-05T14:30:00Z");
  EXPECT_EQ(Read("Tue, 5 Mar 2024 14:30:00 +0200"), "2024-03-05T14:30:00+02:00");
  EXPECT_EQ(Read("5 Mar 2024 14:30 UT"), "2024-03-05T14:30:00Z");
  EXPECT_EQ(Read("Tue Mar 05 2024 14:30:00 GMT+0200 (Central European Standard Time)"),
            "2024-03-05T14:30:00+02:00");
  EXPECT_EQ(Read("Tue, 05 Mar 2024 14:30:00 UTC+2"), "2024-03-05T14:30:00+02:00");
}

TEST(ReadLooseDateTest, ZoneAbbreviationsAreKeptUnresolved) {
  EXPECT_EQ(Read("Tue, 05 Mar 2024 14:30:00 CST"), "2024-03-05T14:30:00 (zone CST)");
  EXPECT_EQ(Read("2024-03-05 14:30 CET"), "2024-03-05T14:30:00 (zone CET)");
  EXPECT_EQ(Read("2024-03-05 14:30 soon"), "error: not a date in a known notation");
}

TEST(ReadLooseDateTest, NumericDayAndMonthOnlyWhenOneReadingIsADate) {
  EXPECT_EQ(Read("25/03/2024"), "2024-03-25");
  EXPECT_EQ(Read("03/25/2024"), "2024-03-25");
  EXPECT_EQ(Read("5.3.2024"),
            "error: ambiguous day and month: 5 and 3 could each be the day or "
            "the month");
  EXPECT_EQ(Read("03/03/2024"), "2024-03-03");
  EXPECT_EQ(Read("31-12-2024"), "2024-12-31");
  EXPECT_EQ(Read("31.12.2024"), "2024-12-31");
}

TEST(ReadLooseDateTest, AmbiguousDayAndMonthIsNotGuessed) {
  EXPECT_EQ(Read("03/05/2024"),
            "error: ambiguous day and month: 03 and 05 could each be the "
            "day or the month");
  EXPECT_THAT(Read("03/05/2024 14:30 UTC"), HasSubstr("ambiguous day and month"));
  EXPECT_THAT(Read("12-11-2024"), HasSubstr("ambiguous day and month"));
}

TEST(ReadLooseDateTest, TwoDigitYearIsNotGuessed) {
  EXPECT_EQ(Read("25/03/24"), "error: two-digit year (the century is not guessed)");
  EXPECT_EQ(Read("5 Mar 24"), "error: two-digit year (the century is not guessed)");
  EXPECT_EQ(Read("March 5, '24"), "error: not a date in a known notation");
}

TEST(ReadLooseDateTest, IncompleteDatesAreRejected) {
  EXPECT_EQ(Read("March 2024"), "error: no day of the month");
  EXPECT_EQ(Read("2024-03"), "error: no day of the month");
  EXPECT_EQ(Read("2024"), "error: a year alone, no month and day");
  EXPECT_EQ(Read("March 5"), "error: no year");
  EXPECT_EQ(Read("25/03"), "error: no year");
}

TEST(ReadLooseDateTest, ImpossibleDatesAndTimesAreRejected) {
  EXPECT_EQ(Read("2023-02-29"), "error: not a calendar date");
  EXPECT_EQ(Read("2024-02-29"), "2024-02-29");
  EXPECT_EQ(Read("February 30, 2024"), "error: not a calendar date");
  EXPECT_EQ(Read("31/31/2024"), "error: not a calendar date");
  EXPECT_EQ(Read("0000-01-01"), "error: not a calendar date");
  EXPECT_EQ(Read("2024-03-05 24:00"), "error: time of day out of range");
  EXPECT_EQ(Read("2024-03-05 13:00 PM"), "error: time of day out of range");
  EXPECT_EQ(Read("2024-03-05T14:30:00+24:00"), "error: UTC offset out of range");
}

TEST(ReadLooseDateTest, WeekdayMustMatchTheDate) {
  EXPECT_EQ(Read("Mon, 05 Mar 2024 14:30:00 GMT"),
            "error: the weekday (Monday) does not match 2024-03-05, a Tuesday");
  EXPECT_EQ(Read("Thurs 7 March 2024"), "2024-03-07");
}

TEST(ReadLooseDateTest, OtherTextIsNotADate) {
  for (std::string_view text :
       {"", "soon", "Q1 2024", "14:30", "yesterday", "5", "1709649000", "20240305",
        "2024-03-05 and more", "2024-W10-2", "March 5th, 2024 (tentative)", "5 Mär 2024"}) {
    EXPECT_EQ(Read(text), "error: not a date in a known notation") << text;
  }
  EXPECT_EQ(Read(std::string(200, '1')), "error: not a date in a known notation");
}

TEST(DateFromUnixSecondsTest, UtcCalendarTime) {
  auto date = DateFromUnixSeconds(1709649000);
  ASSERT_TRUE(date.ok());
  EXPECT_EQ(FormatRfc3339(*date), "2024-03-05T14:30:00Z");
  EXPECT_EQ(FormatRfc3339(*DateFromUnixSeconds(0)), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(*DateFromUnixSeconds(-1)), "1969-12-31T23:59:59Z");
  EXPECT_EQ(FormatRfc3339(*DateFromUnixSeconds(951782400)), "2000-02-29T00:00:00Z");
  EXPECT_FALSE(DateFromUnixSeconds(int64_t{1} << 40).ok());
}

}  // namespace
}  // namespace orchestra::schema
