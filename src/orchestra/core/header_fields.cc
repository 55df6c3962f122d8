#include "orchestra/core/header_fields.h"

#include "orchestra/core/ascii.h"

namespace orchestra {

HeaderFields::HeaderFields(std::initializer_list<Field> fields) {
  size_t bytes = 0;
  for (const auto& [name, value] : fields) bytes += name.size() + value.size();
  Reserve(fields.size(), bytes);
  for (const auto& [name, value] : fields) Add(name, value);
}

void HeaderFields::Add(std::string_view name_prefix, std::string_view name,
                       std::string_view value) {
  const size_t begin = text_.size();
  text_.append(name_prefix).append(name).append(value);
  spans_.push_back(
      {.begin = begin, .name_size = name_prefix.size() + name.size(), .value_size = value.size()});
}

void HeaderFields::Reserve(size_t fields, size_t bytes) {
  spans_.reserve(spans_.size() + fields);
  text_.reserve(text_.size() + bytes);
}

void HeaderFields::Clear() {
  spans_.clear();
  text_.clear();
}

std::string_view HeaderFields::Find(std::string_view name) const {
  for (const auto& [field, value] : *this) {
    if (EqualsIgnoringAsciiCase(field, name)) return value;
  }
  return {};
}

bool operator==(const HeaderFields& a, const HeaderFields& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

}  // namespace orchestra
