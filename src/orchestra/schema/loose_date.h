#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "orchestra/core/result.h"

// Reading dates written in the notations people and web APIs use, so that the standardizer can
// rewrite them as ISO 8601 without guessing.
namespace orchestra::schema {

// A date read from text, with the time of day and the UTC offset only when the text gave them.
struct LooseDate {
  int year = 0;   // 1..9999
  int month = 0;  // 1..12
  int day = 0;    // valid for the month (leap years included)

  bool has_time = false;
  int hour = 0;          // 0..23 (12-hour clock times are converted)
  int minute = 0;        // 0..59
  int second = 0;        // 0..60 (0 when the text gave minutes only)
  std::string fraction;  // digits after the seconds' decimal point as written, "" when none

  // The offset is known when the text gave "Z", "UT", "UTC", "GMT" (optionally followed by an
  // offset) or a numeric offset (+02:00, +0200, +02). A zone abbreviation such as "CET" or "CST"
  // says nothing certain (CST is UTC-6, UTC+8 or UTC-5 depending on who wrote it): it is kept
  // in `zone_name` and has_offset stays false.
  bool has_offset = false;
  bool utc = false;        // written as Z/UT/UTC/GMT with no offset: formatted "Z"
  bool negative = false;   // the offset's sign ("-00:00" is RFC 3339's "offset unknown")
  int offset_minutes = 0;  // magnitude of the offset, 0..23*60+59
  std::string zone_name;   // an unresolved zone abbreviation as written, "" when none
};

// Reads `text` (surrounding whitespace allowed) as a date in one of these notations; English
// month and weekday names, full or abbreviated, in any letter case:
//   ISO 8601 / RFC 3339     2024-03-05, 2024-03-05T14:30:00.250+02:00, 2024-03-05 14:30
//   year first              2024/03/05, 2024.3.5, 2024-Mar-05
//   month name              March 5, 2024; Mar. 5th 2024; 5 March 2024; 5th of March, 2024;
//                           05-Mar-2024; Tue Mar 05 2024 14:30:00 GMT+0200 (CEST)
//   RFC 2822 / HTTP         Tue, 05 Mar 2024 14:30:00 GMT; 5 Mar 2024 14:30 +0200
//   numeric day and month   25/03/2024, 03/25/2024, 5.3.2024 -- only when exactly one order
//                           gives a calendar date, or both orders give the same date
// A time of day may follow the date (after "T", a space, a comma or "at"): H:MM, H:MM:SS or
// H:MM:SS.fff, optionally with AM/PM, then optionally a zone: Z, UT, UTC, GMT, GMT+2, +hh:mm,
// +hhmm, +hh, or an abbreviation (kept unresolved), optionally followed by a "(comment)".
// A leading weekday must be the date's weekday.
// kInvalidArgument saying why anything else is not read: "ambiguous day and month: ...",
// "two-digit year ...", "not a calendar date", "no day of the month", "the weekday ... does
// not match ...", "time of day out of range", "not a date in a known notation".
Result<LooseDate> ReadLooseDate(std::string_view text);

// The UTC moment `seconds` after 1970-01-01T00:00:00Z; kInvalidArgument outside years
// 1..9999.
Result<LooseDate> DateFromUnixSeconds(int64_t seconds);

// "2024-03-05": the calendar date as written (the time and offset are ignored).
std::string FormatIsoDate(const LooseDate& date);

// RFC 3339 "2024-03-05T14:30:00Z", "2024-03-05T14:30:00.25+02:00". Requires has_time and
// has_offset (the caller checks: a missing part would have to be invented).
std::string FormatRfc3339(const LooseDate& date);

}  // namespace orchestra::schema
