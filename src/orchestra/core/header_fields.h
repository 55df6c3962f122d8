#pragma once

#include <cstddef>
#include <initializer_list>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace orchestra {

// An ordered list of (name, value) text fields: HTTP header fields, Bittensor's synapse headers.
// Names keep the case they were given and may repeat; order is kept.
//
// Stored flat: every name and value in one buffer, plus one small record per field. A synapse
// request or answer carries about twenty fields with names like `bt_header_dendrite_hotkey`,
// past std::string's inline capacity; as a vector of string pairs they cost some forty
// allocations per message, here two.
//
// Fields are read as pairs of views into the buffer; the views stay valid until the next
// Add(), Reserve(), Clear(), assignment or move.
class HeaderFields {
 public:
  using Field = std::pair<std::string_view, std::string_view>;

  class Iterator {
   public:
    using iterator_category = std::random_access_iterator_tag;
    using value_type = Field;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = Field;

    Iterator() = default;
    Field operator*() const { return (*fields_)[index_]; }
    Field operator[](difference_type n) const { return (*fields_)[index_ + n]; }
    Iterator& operator++() { return ++index_, *this; }
    Iterator operator++(int) { return {fields_, index_++}; }
    Iterator& operator--() { return --index_, *this; }
    Iterator operator--(int) { return {fields_, index_--}; }
    Iterator& operator+=(difference_type n) { return index_ += n, *this; }
    Iterator& operator-=(difference_type n) { return index_ -= n, *this; }
    friend Iterator operator+(Iterator it, difference_type n) { return it += n; }
    friend Iterator operator+(difference_type n, Iterator it) { return it += n; }
    friend Iterator operator-(Iterator it, difference_type n) { return it -= n; }
    friend difference_type operator-(const Iterator& a, const Iterator& b) {
      return static_cast<difference_type>(a.index_) - static_cast<difference_type>(b.index_);
    }
    friend bool operator==(const Iterator& a, const Iterator& b) { return a.index_ == b.index_; }
    friend auto operator<=>(const Iterator& a, const Iterator& b) { return a.index_ <=> b.index_; }

   private:
    friend class HeaderFields;
    Iterator(const HeaderFields* fields, size_t index) : fields_(fields), index_(index) {}
    const HeaderFields* fields_ = nullptr;
    size_t index_ = 0;
  };

  HeaderFields() = default;
  HeaderFields(std::initializer_list<Field> fields);

  // Appends a field. The name is `name_prefix` followed by `name` (a synapse header such as
  // `bt_header_axon_` + `nonce` needs no concatenation of its own). The arguments must not view
  // into this object's own fields.
  void Add(std::string_view name, std::string_view value) { Add({}, name, value); }
  void Add(std::string_view name_prefix, std::string_view name, std::string_view value);

  // Room for `fields` more fields holding `bytes` more bytes of names and values.
  void Reserve(size_t fields, size_t bytes);
  void Clear();

  size_t size() const { return spans_.size(); }
  bool empty() const { return spans_.empty(); }
  // Bytes of all names and values together.
  size_t text_size() const { return text_.size(); }
  Field operator[](size_t i) const {
    const Span& s = spans_[i];
    const std::string_view text = text_;
    return {text.substr(s.begin, s.name_size), text.substr(s.begin + s.name_size, s.value_size)};
  }
  Iterator begin() const { return {this, 0}; }
  Iterator end() const { return {this, spans_.size()}; }

  // Value of the first field named `name` (ASCII case-insensitive); "" when absent.
  std::string_view Find(std::string_view name) const;

  // Same fields, same order, names compared exactly.
  friend bool operator==(const HeaderFields& a, const HeaderFields& b);

 private:
  struct Span {
    size_t begin;
    size_t name_size;
    size_t value_size;
  };
  std::string text_;
  std::vector<Span> spans_;
};

}  // namespace orchestra
