#include "orchestra/schema/format.h"

#include <cctype>
#include <cstdlib>

namespace orchestra::schema {
namespace {

bool Digits(std::string_view s, size_t pos, size_t count) {
  if (pos + count > s.size()) return false;
  for (size_t i = pos; i < pos + count; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

int Number(std::string_view s, size_t pos, size_t count) {
  int v = 0;
  for (size_t i = pos; i < pos + count; ++i) v = v * 10 + (s[i] - '0');
  return v;
}

bool IsDate(std::string_view s) {
  if (s.size() != 10 || !Digits(s, 0, 4) || s[4] != '-' || !Digits(s, 5, 2) || s[7] != '-' ||
      !Digits(s, 8, 2)) {
    return false;
  }
  const int year = Number(s, 0, 4), month = Number(s, 5, 2), day = Number(s, 8, 2);
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1 || day > kDays[month - 1]) return false;
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return !(month == 2 && day == 29 && !leap);
}

bool IsTime(std::string_view s) {
  if (s.size() < 9 || !Digits(s, 0, 2) || s[2] != ':' || !Digits(s, 3, 2) || s[5] != ':' ||
      !Digits(s, 6, 2)) {
    return false;
  }
  if (Number(s, 0, 2) > 23 || Number(s, 3, 2) > 59 || Number(s, 6, 2) > 60) return false;
  size_t pos = 8;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    const size_t start = pos;
    while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) ++pos;
    if (pos == start) return false;
  }
  if (pos >= s.size()) return false;
  if (s[pos] == 'Z' || s[pos] == 'z') return pos + 1 == s.size();
  if (s[pos] != '+' && s[pos] != '-') return false;
  return s.size() == pos + 6 && Digits(s, pos + 1, 2) && s[pos + 3] == ':' &&
         Digits(s, pos + 4, 2) && Number(s, pos + 1, 2) <= 23 && Number(s, pos + 4, 2) <= 59;
}

bool IsEmail(std::string_view s) {
  const size_t at = s.find('@');
  if (at == 0 || at == std::string_view::npos || s.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  const std::string_view domain = s.substr(at + 1);
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c))) return false;
  }
  return !domain.empty() && domain.front() != '.' && domain.back() != '.';
}

bool IsUri(std::string_view s) {
  const size_t colon = s.find(':');
  if (colon == 0 || colon == std::string_view::npos) return false;
  if (!std::isalpha(static_cast<unsigned char>(s[0]))) return false;
  for (size_t i = 0; i < colon; ++i) {
    const char c = s[i];
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') {
      return false;
    }
  }
  for (char c : s) {
    if (static_cast<unsigned char>(c) <= ' ' || c == '"' || c == '<' || c == '>' || c == '\\' ||
        c == '^' || c == '`' || c == '{' || c == '|' || c == '}') {
      return false;
    }
  }
  return true;
}

bool IsUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (s[i] != '-') return false;
    } else if (!std::isxdigit(static_cast<unsigned char>(s[i]))) {
      return false;
    }
  }
  return true;
}

bool IsIpv4(std::string_view s) {
  int parts = 0;
  size_t pos = 0;
  while (true) {
    size_t end = pos;
    while (end < s.size() && s[end] >= '0' && s[end] <= '9') ++end;
    const size_t len = end - pos;
    if (len == 0 || len > 3 || (len > 1 && s[pos] == '0') || Number(s, pos, len) > 255) {
      return false;
    }
    ++parts;
    if (end == s.size()) break;
    if (s[end] != '.') return false;
    pos = end + 1;
  }
  return parts == 4;
}

}  // namespace

Format FormatFromName(std::string_view name) {
  if (name == "date") return Format::kDate;
  if (name == "date-time") return Format::kDateTime;
  if (name == "time") return Format::kTime;
  if (name == "email") return Format::kEmail;
  if (name == "uri") return Format::kUri;
  if (name == "uuid") return Format::kUuid;
  if (name == "ipv4") return Format::kIpv4;
  return Format::kNone;
}

bool CheckFormat(Format format, std::string_view text) {
  switch (format) {
    case Format::kNone:
      return true;
    case Format::kDate:
      return IsDate(text);
    case Format::kDateTime: {
      const size_t t = text.find_first_of("Tt ");
      return t == 10 && IsDate(text.substr(0, 10)) && IsTime(text.substr(11));
    }
    case Format::kTime:
      return IsTime(text);
    case Format::kEmail:
      return IsEmail(text);
    case Format::kUri:
      return IsUri(text);
    case Format::kUuid:
      return IsUuid(text);
    case Format::kIpv4:
      return IsIpv4(text);
  }
  return true;
}

}  // namespace orchestra::schema
