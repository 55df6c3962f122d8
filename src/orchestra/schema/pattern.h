#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "orchestra/core/result.h"

namespace orchestra::schema {

// A JSON Schema "pattern": an ECMA-262 regular expression, compiled to a Pike VM so that a
// search takes time linear in the text times the program size, whatever the pattern (no
// catastrophic backtracking, no step budget to run out of). Searches run on Unicode code
// points of UTF-8 text (invalid bytes count as U+FFFD).
//
// Supported: literals, ".", character classes with ranges and negation, \d \D \w \W \s \S,
// \p{L} \p{Letter} \P{...} (letters as the C.UTF-8 locale classifies them), \t \n \v \f \r \0
// \cX \xHH \uHHHH \u{H...}, identity escapes, anchors ^ $ \b \B (no multiline flag), groups
// (capturing, (?:...), (?<name>...)), alternation, and the greedy or lazy quantifiers
// * + ? {n} {n,} {n,m} (counts up to 1000). Backreferences and lookaround assertions are
// rejected, as is a pattern that compiles to more than 20,000 instructions.
class Pattern {
 public:
  // kInvalidArgument saying what is wrong and at which character ("unsupported lookahead at
  // offset 3"), for syntax errors and unsupported constructs.
  static Result<Pattern> Compile(std::string_view source);

  // Whether the pattern matches somewhere in `text` (like RegExp.prototype.test).
  bool Search(std::string_view text) const;

  // The pattern as written.
  const std::string& source() const;

  // Instructions and character classes of the compiled program (what it costs to hold and
  // run): at most about 20,000.
  size_t program_size() const;

  struct Program;

 private:
  explicit Pattern(std::shared_ptr<const Program> program);
  std::shared_ptr<const Program> program_;
};

}  // namespace orchestra::schema
