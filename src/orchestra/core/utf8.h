#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace orchestra {

// The length of the well-formed UTF-8 sequence starting at text[at] (1 to 4), or 0 when none
// starts there (a stray or truncated byte).
size_t Utf8SequenceLength(std::string_view text, size_t at);

// Whether `text` is well-formed UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing
// above U+10FFFF, no truncated sequence. JSON text must be (RFC 8259 section 8.1).
bool IsValidUtf8(std::string_view text);

// `text` with each byte that is not part of a well-formed sequence replaced by U+FFFD, so
// that it can go into JSON whatever a peer sent.
std::string ToValidUtf8(std::string_view text);

// The longest prefix of `text` of at most `max_bytes` bytes that does not end inside a
// multi-byte character: a prefix of valid UTF-8 stays valid.
std::string_view Utf8Prefix(std::string_view text, size_t max_bytes);

}  // namespace orchestra
