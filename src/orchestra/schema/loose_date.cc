#include "orchestra/schema/loose_date.h"

#include <fmt/format.h>

#include <array>
#include <cstddef>
#include <optional>
#include <vector>

namespace orchestra::schema {
namespace {

// Longer text is not a date; it also bounds the work on hostile input.
constexpr size_t kMaxDateText = 100;

struct Token {
  enum Kind : uint8_t { kNumber, kWord, kSymbol } kind = kSymbol;
  std::string_view text;
  bool space_before = false;
};

bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::vector<Token> Tokenize(std::string_view text) {
  std::vector<Token> tokens;
  size_t i = 0;
  bool space = false;
  while (i < text.size()) {
    const char c = text[i];
    if (IsSpace(c)) {
      space = true;
      ++i;
      continue;
    }
    size_t end = i + 1;
    Token::Kind kind = Token::kSymbol;
    if (IsDigit(c)) {
      kind = Token::kNumber;
      while (end < text.size() && IsDigit(text[end])) ++end;
    } else if (IsAsciiLetter(c)) {
      kind = Token::kWord;
      while (end < text.size() && IsAsciiLetter(text[end])) ++end;
    }
    tokens.push_back(Token{kind, text.substr(i, end - i), space});
    space = false;
    i = end;
  }
  return tokens;
}

bool IsUpperCase(std::string_view word) {
  for (char c : word) {
    if (c < 'A' || c > 'Z') return false;
  }
  return true;
}

bool EqualsIgnoringCase(std::string_view word, std::string_view lower) {
  if (word.size() != lower.size()) return false;
  for (size_t i = 0; i < word.size(); ++i) {
    const char c = word[i] >= 'A' && word[i] <= 'Z' ? static_cast<char>(word[i] + 32) : word[i];
    if (c != lower[i]) return false;
  }
  return true;
}

// 1..12 for "March", "mar", "Sept"; 0 for anything else.
int MonthFromName(std::string_view word) {
  static constexpr std::array<std::string_view, 12> kMonths = {
      "january", "february", "march",     "april",   "may",      "june",
      "july",    "august",   "september", "october", "november", "december"};
  for (size_t m = 0; m < kMonths.size(); ++m) {
    if (EqualsIgnoringCase(word, kMonths[m]) || EqualsIgnoringCase(word, kMonths[m].substr(0, 3))) {
      return static_cast<int>(m) + 1;
    }
  }
  return EqualsIgnoringCase(word, "sept") ? 9 : 0;
}

constexpr std::array<std::string_view, 7> kWeekdays = {"sunday",   "monday", "tuesday", "wednesday",
                                                       "thursday", "friday", "saturday"};

constexpr std::array<std::string_view, 7> kWeekdayNames = {
    "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};

// 0 (Sunday) .. 6 for "Tuesday", "tue", "Tues", "Thurs"; -1 for anything else.
int WeekdayFromName(std::string_view word) {
  for (size_t d = 0; d < kWeekdays.size(); ++d) {
    if (EqualsIgnoringCase(word, kWeekdays[d]) ||
        EqualsIgnoringCase(word, kWeekdays[d].substr(0, 3))) {
      return static_cast<int>(d);
    }
  }
  if (EqualsIgnoringCase(word, "tues")) return 2;
  if (EqualsIgnoringCase(word, "thur") || EqualsIgnoringCase(word, "thurs")) return 4;
  return -1;
}

bool IsLeap(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

bool IsCalendarDate(int year, int month, int day) {
  static constexpr std::array<int, 12> kDays = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1) return false;
  if (day > kDays[month - 1]) return false;
  return month != 2 || day != 29 || IsLeap(year);
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t DaysFromCivil(int year, int month, int day) {
  const int64_t y = year - (month <= 2 ? 1 : 0);
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t mp = (month + 9) % 12;
  const int64_t doy = (153 * mp + 2) / 5 + day - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// 0 (Sunday) .. 6.
int Weekday(int year, int month, int day) {
  const int64_t days = DaysFromCivil(year, month, day);
  return static_cast<int>(((days % 7) + 11) % 7);
}

int ToInt(std::string_view digits) {
  int v = 0;
  for (char c : digits) v = v * 10 + (c - '0');
  return v;
}

Error Problem(std::string message) {
  return Error(ErrorCode::kInvalidArgument, std::move(message));
}

Error NotADate() { return Problem("not a date in a known notation"); }

class DateReader {
 public:
  explicit DateReader(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  Result<LooseDate> Read() {
    int weekday = -1;
    if (const Token* t = Peek(); t && t->kind == Token::kWord) {
      weekday = WeekdayFromName(t->text);
      if (weekday >= 0) {
        ++pos_;
        AcceptSymbol(',');
      }
    }
    auto date = ReadDate();
    if (!date.ok()) return date;
    if (Status time = ReadTimeAndZone(&*date); !time.ok()) return time.error();
    if (!AtEnd()) return NotADate();
    if (weekday >= 0) {
      const int actual = Weekday(date->year, date->month, date->day);
      if (actual != weekday) {
        return Problem(fmt::format("the weekday ({}) does not match {}, a {}",
                                   kWeekdayNames[weekday], FormatIsoDate(*date),
                                   kWeekdayNames[actual]));
      }
    }
    return date;
  }

 private:
  const Token* Peek(size_t ahead = 0) const {
    return pos_ + ahead < tokens_.size() ? &tokens_[pos_ + ahead] : nullptr;
  }
  bool AtEnd() const { return pos_ >= tokens_.size(); }

  static bool IsSymbol(const Token* t, char c) {
    return t && t->kind == Token::kSymbol && t->text.size() == 1 && t->text[0] == c;
  }
  static bool IsNumber(const Token* t, size_t min_digits, size_t max_digits) {
    return t && t->kind == Token::kNumber && t->text.size() >= min_digits &&
           t->text.size() <= max_digits;
  }
  // A token written right after the previous one.
  static bool Adjacent(const Token* t) { return t && !t->space_before; }

  bool AcceptSymbol(char c) {
    if (!IsSymbol(Peek(), c)) return false;
    ++pos_;
    return true;
  }

  // "5th": an ordinal suffix written right after the day number.
  bool AcceptOrdinalSuffix() {
    const Token* t = Peek();
    if (!t || t->kind != Token::kWord || !Adjacent(t)) return false;
    for (std::string_view suffix : {"st", "nd", "rd", "th"}) {
      if (EqualsIgnoringCase(t->text, suffix)) {
        ++pos_;
        return true;
      }
    }
    return false;
  }

  static Result<LooseDate> MakeDate(int year, int month, int day) {
    if (!IsCalendarDate(year, month, day)) return Problem("not a calendar date");
    LooseDate date;
    date.year = year;
    date.month = month;
    date.day = day;
    return date;
  }

  // The year token that ends a day-month or month-day date.
  Result<int> ReadYear() {
    const Token* t = Peek();
    if (IsNumber(t, 4, 4)) {
      ++pos_;
      return ToInt(t->text);
    }
    if (IsNumber(t, 2, 2)) return Problem("two-digit year (the century is not guessed)");
    if (!t) return Problem("no year");
    return NotADate();
  }

  Result<LooseDate> ReadDate() {
    const Token* t = Peek();
    if (!t) return NotADate();
    if (IsNumber(t, 4, 4)) return ReadYearFirst();
    if (IsNumber(t, 1, 2)) return ReadDayFirst();
    if (t->kind == Token::kWord) {
      if (const int month = MonthFromName(t->text); month > 0) {
        ++pos_;
        return ReadMonthFirst(month);
      }
    }
    return NotADate();
  }

  // 2024-03-05, 2024/3/5, 2024.03.05, 2024-Mar-05.
  Result<LooseDate> ReadYearFirst() {
    const int year = ToInt(Peek()->text);
    ++pos_;
    if (AtEnd()) return Problem("a year alone, no month and day");
    const Token* sep = Peek();
    if (!Adjacent(sep) || !(IsSymbol(sep, '-') || IsSymbol(sep, '/') || IsSymbol(sep, '.'))) {
      return NotADate();
    }
    ++pos_;
    const Token* m = Peek();
    int month = 0;
    if (IsNumber(m, 1, 2) && Adjacent(m)) {
      month = ToInt(m->text);
    } else if (m && m->kind == Token::kWord && Adjacent(m)) {
      month = MonthFromName(m->text);
    }
    if (month == 0) return NotADate();
    ++pos_;
    if (AtEnd()) return Problem("no day of the month");
    const Token* sep2 = Peek();
    if (!Adjacent(sep2) || !IsSymbol(sep2, sep->text[0])) return NotADate();
    ++pos_;
    const Token* d = Peek();
    if (!IsNumber(d, 1, 2) || !Adjacent(d)) return NotADate();
    ++pos_;
    return MakeDate(year, month, ToInt(d->text));
  }

  // 5 March 2024, 5th of March, 2024, 05-Mar-2024, and the numeric 25/03/2024 (see header).
  Result<LooseDate> ReadDayFirst() {
    const Token* first = Peek();
    ++pos_;
    const bool ordinal = AcceptOrdinalSuffix();
    const Token* sep = Peek();
    const bool separator = !ordinal && Adjacent(sep) &&
                           (IsSymbol(sep, '/') || IsSymbol(sep, '-') || IsSymbol(sep, '.'));
    if (separator) {
      ++pos_;
      const Token* second = Peek();
      if (!Adjacent(second)) return NotADate();
      const bool numeric = IsNumber(second, 1, 2);
      const int month = second->kind == Token::kWord ? MonthFromName(second->text) : 0;
      if (!numeric && month == 0) return NotADate();
      ++pos_;
      const Token* sep2 = Peek();
      if (!Adjacent(sep2) || !IsSymbol(sep2, sep->text[0])) {
        return AtEnd() ? Problem("no year") : NotADate();
      }
      ++pos_;
      if (!Adjacent(Peek())) return NotADate();
      auto year = ReadYear();
      if (!year.ok()) return year.error();
      if (!numeric) return MakeDate(*year, month, ToInt(first->text));
      return DayAndMonth(*year, first->text, second->text);
    }
    if (const Token* of = Peek();
        of && of->kind == Token::kWord && EqualsIgnoringCase(of->text, "of")) {
      ++pos_;
    }
    const Token* m = Peek();
    if (!m || m->kind != Token::kWord || !m->space_before) return NotADate();
    const int month = MonthFromName(m->text);
    if (month == 0) return NotADate();
    ++pos_;
    if (Adjacent(Peek())) AcceptSymbol('.');
    AcceptSymbol(',');
    auto year = ReadYear();
    if (!year.ok()) return year.error();
    return MakeDate(*year, month, ToInt(first->text));
  }

  // March 5, 2024; Mar. 5th 2024; Mar 05 2024.
  Result<LooseDate> ReadMonthFirst(int month) {
    if (Adjacent(Peek())) AcceptSymbol('.');
    const Token* d = Peek();
    if (IsNumber(d, 4, 4)) return Problem("no day of the month");
    if (!IsNumber(d, 1, 2)) return AtEnd() ? Problem("no day of the month") : NotADate();
    ++pos_;
    AcceptOrdinalSuffix();
    AcceptSymbol(',');
    auto year = ReadYear();
    if (!year.ok()) return year.error();
    return MakeDate(*year, month, ToInt(d->text));
  }

  // Two numbers either of which may be the month: read only when that is not a guess.
  static Result<LooseDate> DayAndMonth(int year, std::string_view a, std::string_view b) {
    const int x = ToInt(a), y = ToInt(b);
    const bool month_first = IsCalendarDate(year, x, y);
    const bool day_first = IsCalendarDate(year, y, x);
    if (month_first && day_first && x != y) {
      return Problem(fmt::format(
          "ambiguous day and month: {} and {} could each be the day or the month", a, b));
    }
    if (month_first) return MakeDate(year, x, y);
    if (day_first) return MakeDate(year, y, x);
    return Problem("not a calendar date");
  }

  Status ReadTimeAndZone(LooseDate* date) {
    if (AtEnd()) return {};
    const Token* t = Peek();
    if (t->kind == Token::kWord && EqualsIgnoringCase(t->text, "t") && Adjacent(t)) {
      ++pos_;
      if (!Adjacent(Peek())) return NotADate();
    } else if (AcceptSymbol(',')) {
      if (const Token* at = Peek();
          at && at->kind == Token::kWord && EqualsIgnoringCase(at->text, "at")) {
        ++pos_;
      }
    } else if (t->kind == Token::kWord && EqualsIgnoringCase(t->text, "at")) {
      ++pos_;
    } else if (!t->space_before) {
      return NotADate();
    }
    const Token* h = Peek();
    if (!IsNumber(h, 1, 2)) return NotADate();
    ++pos_;
    if (!Adjacent(Peek()) || !AcceptSymbol(':')) return NotADate();
    const Token* m = Peek();
    if (!IsNumber(m, 2, 2) || !Adjacent(m)) return NotADate();
    ++pos_;
    date->has_time = true;
    date->hour = ToInt(h->text);
    date->minute = ToInt(m->text);
    if (Adjacent(Peek()) && AcceptSymbol(':')) {
      const Token* s = Peek();
      if (!IsNumber(s, 2, 2) || !Adjacent(s)) return NotADate();
      ++pos_;
      date->second = ToInt(s->text);
      if (Adjacent(Peek()) && AcceptSymbol('.')) {
        const Token* f = Peek();
        if (!IsNumber(f, 1, 12) || !Adjacent(f)) return NotADate();
        ++pos_;
        date->fraction = std::string(f->text);
      }
    }
    if (const Token* ampm = Peek();
        ampm && ampm->kind == Token::kWord &&
        (EqualsIgnoringCase(ampm->text, "am") || EqualsIgnoringCase(ampm->text, "pm"))) {
      if (date->hour < 1 || date->hour > 12) return Problem("time of day out of range");
      const bool pm = EqualsIgnoringCase(ampm->text, "pm");
      date->hour = date->hour % 12 + (pm ? 12 : 0);
      ++pos_;
    }
    if (date->hour > 23 || date->minute > 59 || date->second > 60) {
      return Problem("time of day out of range");
    }
    return ReadZone(date);
  }

  Status ReadZone(LooseDate* date) {
    const Token* t = Peek();
    if (!t) return {};
    if (t->kind == Token::kWord) {
      ++pos_;
      if (EqualsIgnoringCase(t->text, "z") || EqualsIgnoringCase(t->text, "utc") ||
          EqualsIgnoringCase(t->text, "gmt") || EqualsIgnoringCase(t->text, "ut")) {
        const bool named = !EqualsIgnoringCase(t->text, "z");
        if (named && Adjacent(Peek()) && (IsSymbol(Peek(), '+') || IsSymbol(Peek(), '-'))) {
          if (Status offset = ReadOffset(date, /*short_hours=*/true); !offset.ok()) return offset;
        } else {
          date->has_offset = true;
          date->utc = true;
        }
      } else if (t->text.size() >= 2 && t->text.size() <= 5 && IsUpperCase(t->text)) {
        date->zone_name = std::string(t->text);
      } else {
        return NotADate();
      }
    } else if (IsSymbol(t, '+') || IsSymbol(t, '-')) {
      if (Status offset = ReadOffset(date, /*short_hours=*/false); !offset.ok()) return offset;
    } else {
      return NotADate();
    }
    // A trailing "(Central European Summer Time)" names the zone already given.
    if (IsSymbol(Peek(), '(')) {
      ++pos_;
      while (const Token* c = Peek()) {
        if (c->kind == Token::kSymbol) break;
        ++pos_;
      }
      if (!AcceptSymbol(')')) return NotADate();
    }
    return {};
  }

  // "+02:00", "+0200", "+02" (and "+2" after UTC/GMT when `short_hours`).
  Status ReadOffset(LooseDate* date, bool short_hours) {
    date->negative = IsSymbol(Peek(), '-');
    ++pos_;
    const Token* n = Peek();
    if (!Adjacent(n) || !IsNumber(n, 1, 4) || n->text.size() == 3 ||
        (n->text.size() == 1 && !short_hours)) {
      return NotADate();
    }
    ++pos_;
    int hours = 0, minutes = 0;
    if (n->text.size() == 4) {
      hours = ToInt(n->text.substr(0, 2));
      minutes = ToInt(n->text.substr(2));
    } else {
      hours = ToInt(n->text);
      if (n->text.size() == 2 && Adjacent(Peek()) && AcceptSymbol(':')) {
        const Token* m = Peek();
        if (!IsNumber(m, 2, 2) || !Adjacent(m)) return NotADate();
        ++pos_;
        minutes = ToInt(m->text);
      }
    }
    if (hours > 23 || minutes > 59) return Problem("UTC offset out of range");
    date->has_offset = true;
    date->offset_minutes = hours * 60 + minutes;
    return {};
  }

  std::vector<Token> tokens_;
  size_t pos_ = 0;
};

}  // namespace

Result<LooseDate> ReadLooseDate(std::string_view text) {
  if (text.size() > kMaxDateText) return NotADate();
  return DateReader(Tokenize(text)).Read();
}

Result<LooseDate> DateFromUnixSeconds(int64_t seconds) {
  constexpr int64_t kFirst = -62135596800;  // 0001-01-01T00:00:00Z
  constexpr int64_t kLast = 253402300799;   // 9999-12-31T23:59:59Z
  if (seconds < kFirst || seconds > kLast) return Problem("outside the years 1 to 9999");
  const int64_t days = (seconds >= 0 ? seconds : seconds - 86399) / 86400;
  const int64_t rest = seconds - days * 86400;
  // H. Hinnant's civil_from_days.
  const int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  LooseDate date;
  date.year = static_cast<int>(year);
  date.month = static_cast<int>(month);
  date.day = static_cast<int>(day);
  date.has_time = true;
  date.hour = static_cast<int>(rest / 3600);
  date.minute = static_cast<int>(rest / 60 % 60);
  date.second = static_cast<int>(rest % 60);
  date.has_offset = true;
  date.utc = true;
  return date;
}

std::string FormatIsoDate(const LooseDate& date) {
  return fmt::format("{:04}-{:02}-{:02}", date.year, date.month, date.day);
}

std::string FormatRfc3339(const LooseDate& date) {
  std::string out =
      fmt::format("{}T{:02}:{:02}:{:02}", FormatIsoDate(date), date.hour, date.minute, date.second);
  if (!date.fraction.empty()) out += "." + date.fraction;
  if (date.utc) return out + "Z";
  return out + fmt::format("{}{:02}:{:02}", date.negative ? '-' : '+', date.offset_minutes / 60,
                           date.offset_minutes % 60);
}

}  // namespace orchestra::schema
