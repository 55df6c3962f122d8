#include "orchestra/schema/pattern.h"

#include <fmt/format.h>

#include <locale.h>
#include <clocale>
#include <cwctype>
#include <vector>

namespace orchestra::schema {
namespace {

constexpr size_t kMaxInstructions = 20000;
constexpr int kMaxCount = 1000;
constexpr int kMaxNesting = 128;

enum class Pred : uint8_t { kRange, kDigit, kWord, kSpace, kLetter };

struct ClassItem {
  Pred pred = Pred::kRange;
  bool negated = false;
  char32_t lo = 0;
  char32_t hi = 0;
};

struct CharClass {
  std::vector<ClassItem> items;
  bool negated = false;
};

enum class Op : uint8_t {
  kChar,
  kAny,
  kClass,
  kSplit,
  kJmp,
  kMatch,
  kBol,
  kEol,
  kWordB,
  kNotWordB
};

struct Inst {
  Op op;
  char32_t c = 0;
  uint32_t x = 0;  // kSplit/kJmp target, kClass index
  uint32_t y = 0;  // kSplit second target
};

bool IsLetter(char32_t c) {
  if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  static const locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(0));
  if (!utf8) return false;
  return iswalpha_l(static_cast<wint_t>(c), utf8) != 0 && !iswdigit_l(static_cast<wint_t>(c), utf8);
}

bool IsSpace(char32_t c) {
  switch (c) {
    case '\t':
    case '\n':
    case '\v':
    case '\f':
    case '\r':
    case ' ':
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
    case 0xFEFF:
      return true;
    default:
      return c >= 0x2000 && c <= 0x200A;
  }
}

bool IsWord(char32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool ItemMatches(const ClassItem& item, char32_t c) {
  bool in = false;
  switch (item.pred) {
    case Pred::kRange:
      in = c >= item.lo && c <= item.hi;
      break;
    case Pred::kDigit:
      in = c >= '0' && c <= '9';
      break;
    case Pred::kWord:
      in = IsWord(c);
      break;
    case Pred::kSpace:
      in = IsSpace(c);
      break;
    case Pred::kLetter:
      in = IsLetter(c);
      break;
  }
  return in != item.negated;
}

bool ClassMatches(const CharClass& cls, char32_t c) {
  bool in = false;
  for (const ClassItem& item : cls.items) {
    if (ItemMatches(item, c)) {
      in = true;
      break;
    }
  }
  return in != cls.negated;
}

// Regex syntax tree.
struct Ast {
  enum Kind { kEmpty, kChar, kAny, kClass, kConcat, kAlt, kRepeat, kBol, kEol, kWordB, kNotWordB };
  Kind kind = kEmpty;
  char32_t c = 0;
  uint32_t cls = 0;
  int min = 0;
  int max = -1;  // -1: unbounded
  std::vector<Ast> children;
};

// The code point starting at byte `*i` of `s` (U+FFFD for an invalid byte); advances `*i`.
char32_t DecodeOne(std::string_view s, size_t* i) {
  const auto b = static_cast<unsigned char>(s[*i]);
  const int len = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 0;
  char32_t cp = len == 1 ? b : len == 2 ? (b & 0x1F) : len == 3 ? (b & 0x0F) : (b & 0x07);
  bool ok = len > 0 && *i + static_cast<size_t>(len) <= s.size();
  for (int k = 1; ok && k < len; ++k) {
    const auto cb = static_cast<unsigned char>(s[*i + static_cast<size_t>(k)]);
    if ((cb & 0xC0) != 0x80) ok = false;
    cp = (cp << 6) | (cb & 0x3F);
  }
  if (!ok) {
    ++*i;
    return 0xFFFD;
  }
  *i += static_cast<size_t>(len);
  return cp;
}

std::vector<char32_t> DecodeUtf8(std::string_view s) {
  std::vector<char32_t> out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) out.push_back(DecodeOne(s, &i));
  return out;
}

class Parser {
 public:
  Parser(std::u32string_view source, std::vector<CharClass>* classes)
      : s_(source), classes_(classes) {}

  Result<Ast> Parse() {
    auto ast = ParseAlt(0);
    if (!ast.ok()) return ast;
    if (pos_ < s_.size()) return Fail("unmatched ')'");
    return ast;
  }

 private:
  Error Fail(std::string_view what) const {
    return Error(ErrorCode::kInvalidArgument, fmt::format("{} at offset {}", what, pos_));
  }
  bool AtEnd() const { return pos_ >= s_.size(); }
  char32_t Peek(size_t ahead = 0) const { return pos_ + ahead < s_.size() ? s_[pos_ + ahead] : 0; }

  Result<Ast> ParseAlt(int depth) {
    if (depth > kMaxNesting) return Fail("groups nested too deeply");
    Ast alt;
    alt.kind = Ast::kAlt;
    while (true) {
      auto seq = ParseSeq(depth);
      if (!seq.ok()) return seq;
      alt.children.push_back(std::move(*seq));
      if (Peek() != '|' || AtEnd()) break;
      ++pos_;
    }
    if (alt.children.size() == 1) return std::move(alt.children[0]);
    return alt;
  }

  Result<Ast> ParseSeq(int depth) {
    Ast seq;
    seq.kind = Ast::kConcat;
    while (!AtEnd() && Peek() != '|' && Peek() != ')') {
      auto atom = ParseAtom(depth);
      if (!atom.ok()) return atom;
      auto quantified = ParseQuantifier(std::move(*atom));
      if (!quantified.ok()) return quantified;
      seq.children.push_back(std::move(*quantified));
    }
    return seq;
  }

  // Reads "{n}", "{n,}" or "{n,m}" at pos_; false (pos_ unchanged) when it is not one.
  bool ReadBraces(int* min, int* max) {
    size_t p = pos_ + 1;
    auto number = [&](int* out) {
      const size_t start = p;
      long long n = 0;
      while (p < s_.size() && s_[p] >= '0' && s_[p] <= '9') {
        n = std::min<long long>(n * 10 + (s_[p] - '0'), 1000000);
        ++p;
      }
      *out = static_cast<int>(n);
      return p > start;
    };
    if (!number(min)) return false;
    *max = *min;
    if (p < s_.size() && s_[p] == ',') {
      ++p;
      if (!number(max)) *max = -1;
    }
    if (p >= s_.size() || s_[p] != '}') return false;
    pos_ = p + 1;
    return true;
  }

  Result<Ast> ParseQuantifier(Ast atom) {
    int min = 0, max = -1;
    const char32_t c = Peek();
    if (AtEnd()) return atom;
    if (c == '*') {
      min = 0, max = -1, ++pos_;
    } else if (c == '+') {
      min = 1, max = -1, ++pos_;
    } else if (c == '?') {
      min = 0, max = 1, ++pos_;
    } else if (c == '{') {
      if (!ReadBraces(&min, &max)) return atom;  // Annex B: a literal '{'
      if (min > kMaxCount || max > kMaxCount) {
        return Fail(fmt::format("repetition count above {}", kMaxCount));
      }
      if (max >= 0 && max < min) return Fail("numbers out of order in {} quantifier");
    } else {
      return atom;
    }
    if (Peek() == '?' && !AtEnd()) ++pos_;  // lazy: same set of matches
    if (atom.kind == Ast::kBol || atom.kind == Ast::kEol || atom.kind == Ast::kWordB ||
        atom.kind == Ast::kNotWordB) {
      return Fail("nothing to repeat");
    }
    if (!AtEnd() && (Peek() == '*' || Peek() == '+' || Peek() == '?' ||
                     (Peek() == '{' && IsBraceQuantifier()))) {
      return Fail("nothing to repeat");
    }
    Ast repeat;
    repeat.kind = Ast::kRepeat;
    repeat.min = min;
    repeat.max = max;
    repeat.children.push_back(std::move(atom));
    return repeat;
  }

  bool IsBraceQuantifier() {
    const size_t saved = pos_;
    int a = 0, b = 0;
    const bool is = ReadBraces(&a, &b);
    pos_ = saved;
    return is;
  }

  uint32_t AddClass(CharClass cls) {
    classes_->push_back(std::move(cls));
    return static_cast<uint32_t>(classes_->size() - 1);
  }

  Ast ClassAst(CharClass cls) {
    Ast a;
    a.kind = Ast::kClass;
    a.cls = AddClass(std::move(cls));
    return a;
  }

  static Ast CharAst(char32_t c) {
    Ast a;
    a.kind = Ast::kChar;
    a.c = c;
    return a;
  }

  Result<Ast> ParseAtom(int depth) {
    const char32_t c = Peek();
    switch (c) {
      case '^': {
        ++pos_;
        Ast a;
        a.kind = Ast::kBol;
        return a;
      }
      case '$': {
        ++pos_;
        Ast a;
        a.kind = Ast::kEol;
        return a;
      }
      case '.': {
        ++pos_;
        Ast a;
        a.kind = Ast::kAny;
        return a;
      }
      case '*':
      case '+':
      case '?':
        return Fail("nothing to repeat");
      case '{':
        if (IsBraceQuantifier()) return Fail("nothing to repeat");
        ++pos_;
        return CharAst('{');
      case '(': {
        ++pos_;
        if (Peek() == '?') {
          if (Peek(1) == ':') {
            pos_ += 2;
          } else if (Peek(1) == '<' && Peek(2) != '=' && Peek(2) != '!') {
            pos_ += 2;
            while (!AtEnd() && Peek() != '>') ++pos_;
            if (AtEnd()) return Fail("unterminated group name");
            ++pos_;
          } else if (Peek(1) == '=' || Peek(1) == '!' || Peek(1) == '<') {
            return Fail("unsupported lookaround assertion");
          } else {
            return Fail("invalid group");
          }
        }
        auto inner = ParseAlt(depth + 1);
        if (!inner.ok()) return inner;
        if (Peek() != ')' || AtEnd()) return Fail("missing ')'");
        ++pos_;
        return inner;
      }
      case '[':
        return ParseClass();
      case '\\':
        return ParseEscape();
      default:
        ++pos_;
        return CharAst(c);
    }
  }

  Result<char32_t> ReadHex(size_t digits) {
    char32_t v = 0;
    for (size_t i = 0; i < digits; ++i) {
      const char32_t h = Peek();
      int d = h >= '0' && h <= '9'   ? static_cast<int>(h - '0')
              : h >= 'a' && h <= 'f' ? static_cast<int>(h - 'a' + 10)
              : h >= 'A' && h <= 'F' ? static_cast<int>(h - 'A' + 10)
                                     : -1;
      if (d < 0 || AtEnd()) return Fail("invalid hexadecimal escape");
      v = v * 16 + static_cast<char32_t>(d);
      ++pos_;
    }
    return v;
  }

  // One escape after '\\' (pos_ at the backslash). Sets *item for class escapes (\d, \p{L},
  // ...) or *c for a single character; `in_class` makes \b a backspace.
  Status ReadEscape(bool in_class, ClassItem* item, bool* is_item, char32_t* c, Ast* assertion) {
    ++pos_;
    if (AtEnd()) return Fail("'\\' at end of pattern");
    const char32_t e = Peek();
    ++pos_;
    *is_item = false;
    switch (e) {
      case 'd':
      case 'D':
      case 'w':
      case 'W':
      case 's':
      case 'S':
        *is_item = true;
        item->pred = (e == 'd' || e == 'D')   ? Pred::kDigit
                     : (e == 'w' || e == 'W') ? Pred::kWord
                                              : Pred::kSpace;
        item->negated = e == 'D' || e == 'W' || e == 'S';
        return {};
      case 'p':
      case 'P': {
        if (Peek() != '{') return Fail("expected '{' after \\p");
        const size_t start = pos_ + 1;
        while (!AtEnd() && Peek() != '}') ++pos_;
        if (AtEnd()) return Fail("unterminated \\p{...}");
        std::u32string_view name = s_.substr(start, pos_ - start);
        ++pos_;
        if (name != U"L" && name != U"Letter" && name != U"General_Category=Letter" &&
            name != U"gc=L") {
          return Fail("unsupported Unicode property (only \\p{L} / \\p{Letter})");
        }
        *is_item = true;
        item->pred = Pred::kLetter;
        item->negated = e == 'P';
        return {};
      }
      case 'b':
      case 'B':
        if (in_class) {
          if (e == 'B') return Fail("invalid escape \\B in a class");
          *c = 0x08;
          return {};
        }
        assertion->kind = e == 'b' ? Ast::kWordB : Ast::kNotWordB;
        return {};
      case 't':
        *c = '\t';
        return {};
      case 'n':
        *c = '\n';
        return {};
      case 'v':
        *c = '\v';
        return {};
      case 'f':
        *c = '\f';
        return {};
      case 'r':
        *c = '\r';
        return {};
      case '0':
        if (Peek() >= '0' && Peek() <= '9' && !AtEnd()) return Fail("unsupported octal escape");
        *c = 0;
        return {};
      case 'c': {
        const char32_t l = Peek();
        if (AtEnd() || !((l >= 'a' && l <= 'z') || (l >= 'A' && l <= 'Z'))) {
          return Fail("invalid \\c escape");
        }
        ++pos_;
        *c = l % 32;
        return {};
      }
      case 'x': {
        auto v = ReadHex(2);
        if (!v.ok()) return v.error();
        *c = *v;
        return {};
      }
      case 'u': {
        if (Peek() == '{') {
          ++pos_;
          char32_t v = 0;
          size_t n = 0;
          while (!AtEnd() && Peek() != '}') {
            auto d = ReadHex(1);
            if (!d.ok()) return d.error();
            v = v * 16 + *d;
            if (++n > 6 || v > 0x10FFFF) return Fail("invalid \\u{...} escape");
          }
          if (AtEnd() || n == 0) return Fail("invalid \\u{...} escape");
          ++pos_;
          *c = v;
          return {};
        }
        auto v = ReadHex(4);
        if (!v.ok()) return v.error();
        *c = *v;
        // A surrogate pair written as two escapes is one code point.
        if (*c >= 0xD800 && *c <= 0xDBFF && Peek() == '\\' && Peek(1) == 'u') {
          const size_t saved = pos_;
          pos_ += 2;
          auto low = ReadHex(4);
          if (low.ok() && *low >= 0xDC00 && *low <= 0xDFFF) {
            *c = 0x10000 + ((*c - 0xD800) << 10) + (*low - 0xDC00);
          } else {
            pos_ = saved;
          }
        }
        return {};
      }
      default:
        if (e >= '1' && e <= '9') return Fail("unsupported backreference");
        if (IsWord(e)) return Fail(fmt::format("invalid escape \\{}", static_cast<char>(e)));
        *c = e;
        return {};
    }
  }

  Result<Ast> ParseEscape() {
    ClassItem item;
    bool is_item = false;
    char32_t c = 0;
    Ast assertion;
    if (auto s = ReadEscape(false, &item, &is_item, &c, &assertion); !s.ok()) return s.error();
    if (assertion.kind != Ast::kEmpty) return assertion;
    if (is_item) {
      CharClass cls;
      cls.items.push_back(item);
      return ClassAst(std::move(cls));
    }
    return CharAst(c);
  }

  Result<Ast> ParseClass() {
    ++pos_;  // '['
    CharClass cls;
    if (Peek() == '^' && !AtEnd()) {
      cls.negated = true;
      ++pos_;
    }
    while (true) {
      if (AtEnd()) return Fail("unterminated character class");
      if (Peek() == ']') {
        ++pos_;
        break;
      }
      ClassItem lo_item;
      bool lo_is_item = false;
      char32_t lo = 0;
      if (auto s = ReadClassAtom(&lo_item, &lo_is_item, &lo); !s.ok()) return s.error();
      if (Peek() == '-' && Peek(1) != ']' && pos_ + 1 < s_.size()) {
        ++pos_;
        ClassItem hi_item;
        bool hi_is_item = false;
        char32_t hi = 0;
        if (auto s = ReadClassAtom(&hi_item, &hi_is_item, &hi); !s.ok()) return s.error();
        if (lo_is_item || hi_is_item) {
          // Annex B: [\d-z] is \d, '-' and 'z'.
          if (lo_is_item)
            cls.items.push_back(lo_item);
          else
            cls.items.push_back({Pred::kRange, false, lo, lo});
          cls.items.push_back({Pred::kRange, false, '-', '-'});
          if (hi_is_item)
            cls.items.push_back(hi_item);
          else
            cls.items.push_back({Pred::kRange, false, hi, hi});
          continue;
        }
        if (hi < lo) return Fail("range out of order in character class");
        cls.items.push_back({Pred::kRange, false, lo, hi});
        continue;
      }
      if (lo_is_item) {
        cls.items.push_back(lo_item);
      } else {
        cls.items.push_back({Pred::kRange, false, lo, lo});
      }
    }
    return ClassAst(std::move(cls));
  }

  Status ReadClassAtom(ClassItem* item, bool* is_item, char32_t* c) {
    *is_item = false;
    if (Peek() == '\\') {
      Ast unused;
      return ReadEscape(true, item, is_item, c, &unused);
    }
    *c = Peek();
    ++pos_;
    return {};
  }

  std::u32string_view s_;
  size_t pos_ = 0;
  std::vector<CharClass>* classes_;
};

class Emitter {
 public:
  explicit Emitter(std::vector<Inst>* code) : code_(code) {}

  Status Emit(const Ast& ast) {
    if (code_->size() > kMaxInstructions) {
      return Error(ErrorCode::kInvalidArgument,
                   fmt::format("pattern too large (over {} instructions)", kMaxInstructions));
    }
    switch (ast.kind) {
      case Ast::kEmpty:
        return {};
      case Ast::kChar:
        Push({Op::kChar, ast.c});
        return {};
      case Ast::kAny:
        Push({Op::kAny});
        return {};
      case Ast::kClass:
        Push({Op::kClass, 0, ast.cls});
        return {};
      case Ast::kBol:
        Push({Op::kBol});
        return {};
      case Ast::kEol:
        Push({Op::kEol});
        return {};
      case Ast::kWordB:
        Push({Op::kWordB});
        return {};
      case Ast::kNotWordB:
        Push({Op::kNotWordB});
        return {};
      case Ast::kConcat:
        for (const Ast& child : ast.children) {
          if (auto s = Emit(child); !s.ok()) return s;
        }
        return {};
      case Ast::kAlt: {
        std::vector<size_t> jumps;
        for (size_t i = 0; i < ast.children.size(); ++i) {
          const bool last = i + 1 == ast.children.size();
          size_t split = 0;
          if (!last) split = Push({Op::kSplit});
          if (auto s = Emit(ast.children[i]); !s.ok()) return s;
          if (!last) {
            jumps.push_back(Push({Op::kJmp}));
            (*code_)[split].x = static_cast<uint32_t>(split + 1);
            (*code_)[split].y = Here();
          }
        }
        for (size_t j : jumps) (*code_)[j].x = Here();
        return {};
      }
      case Ast::kRepeat: {
        const Ast& body = ast.children[0];
        for (int i = 0; i < ast.min; ++i) {
          if (auto s = Emit(body); !s.ok()) return s;
        }
        if (ast.max < 0) {
          const size_t split = Push({Op::kSplit});
          if (auto s = Emit(body); !s.ok()) return s;
          Push({Op::kJmp, 0, static_cast<uint32_t>(split)});
          (*code_)[split].x = static_cast<uint32_t>(split + 1);
          (*code_)[split].y = Here();
          return {};
        }
        std::vector<size_t> splits;
        for (int i = ast.min; i < ast.max; ++i) {
          splits.push_back(Push({Op::kSplit}));
          (*code_)[splits.back()].x = static_cast<uint32_t>(splits.back() + 1);
          if (auto s = Emit(body); !s.ok()) return s;
        }
        for (size_t split : splits) (*code_)[split].y = Here();
        return {};
      }
    }
    return {};
  }

  size_t Push(Inst inst) {
    code_->push_back(inst);
    return code_->size() - 1;
  }

 private:
  uint32_t Here() const { return static_cast<uint32_t>(code_->size()); }
  std::vector<Inst>* code_;
};

}  // namespace

struct Pattern::Program {
  std::string source;
  std::vector<Inst> code;
  std::vector<CharClass> classes;
};

Pattern::Pattern(std::shared_ptr<const Program> program) : program_(std::move(program)) {}

size_t Pattern::program_size() const { return program_->code.size() + program_->classes.size(); }

Result<Pattern> Pattern::Compile(std::string_view source) {
  auto program = std::make_shared<Program>();
  program->source = std::string(source);
  const std::vector<char32_t> decoded = DecodeUtf8(source);
  const std::u32string text(decoded.begin(), decoded.end());
  Parser parser(text, &program->classes);
  auto ast = parser.Parse();
  if (!ast.ok()) return ast.error();
  Emitter emitter(&program->code);
  if (auto s = emitter.Emit(*ast); !s.ok()) return s.error();
  emitter.Push({Op::kMatch});
  if (program->code.size() > kMaxInstructions) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("pattern too large (over {} instructions)", kMaxInstructions));
  }
  return Pattern(std::move(program));
}

const std::string& Pattern::source() const { return program_->source; }

namespace {

// The sets of a search, kept per thread between searches so that a search allocates nothing
// once they have grown to the largest program run on the thread (at most kMaxInstructions).
struct SearchScratch {
  std::vector<uint32_t> current, next, stack;
  std::vector<size_t> mark;  // mark[pc] == generation: already in the set
};

// What the assertions (^ $ \b \B) see at one position of the text.
struct Position {
  bool start = false;
  bool end = false;
  bool word_before = false;
  bool word_after = false;
};

}  // namespace

bool Pattern::Search(std::string_view utf8) const {
  const Program& p = *program_;
  thread_local SearchScratch scratch;
  // Sparse sets of program counters (current and next step) plus a work stack.
  std::vector<uint32_t>& current = scratch.current;
  std::vector<uint32_t>& next = scratch.next;
  std::vector<uint32_t>& stack = scratch.stack;
  std::vector<size_t>& mark = scratch.mark;
  current.clear();
  next.clear();
  stack.clear();
  mark.assign(p.code.size(), SIZE_MAX);
  size_t generation = 0;

  // Adds the epsilon closure of `start` at position `at` to `set`; true when it reaches kMatch.
  auto add = [&](std::vector<uint32_t>& set, uint32_t start, const Position& at) {
    stack.push_back(start);
    while (!stack.empty()) {
      const uint32_t pc = stack.back();
      stack.pop_back();
      if (mark[pc] == generation) continue;
      mark[pc] = generation;
      const Inst& inst = p.code[pc];
      switch (inst.op) {
        case Op::kJmp:
          stack.push_back(inst.x);
          break;
        case Op::kSplit:
          stack.push_back(inst.y);
          stack.push_back(inst.x);
          break;
        case Op::kBol:
          if (at.start) stack.push_back(pc + 1);
          break;
        case Op::kEol:
          if (at.end) stack.push_back(pc + 1);
          break;
        case Op::kWordB:
        case Op::kNotWordB:
          if ((at.word_before != at.word_after) == (inst.op == Op::kWordB)) {
            stack.push_back(pc + 1);
          }
          break;
        case Op::kMatch:
          stack.clear();
          return true;
        default:
          set.push_back(pc);
      }
    }
    return false;
  };

  // The text is decoded one code point ahead of the position being tried: `c` starts at the
  // current position and ends at byte `after_c`.
  size_t after_c = 0;
  bool has_c = !utf8.empty();
  char32_t c = has_c ? DecodeOne(utf8, &after_c) : 0;
  Position here{true, !has_c, false, has_c && IsWord(c)};
  while (true) {
    if (add(current, 0, here)) return true;
    if (!has_c) break;
    ++generation;
    next.clear();
    size_t after_n = after_c;
    const bool has_n = after_c < utf8.size();
    const char32_t n = has_n ? DecodeOne(utf8, &after_n) : 0;
    const Position there{false, !has_n, IsWord(c), has_n && IsWord(n)};
    for (uint32_t pc : current) {
      const Inst& inst = p.code[pc];
      bool step = false;
      switch (inst.op) {
        case Op::kChar:
          step = inst.c == c;
          break;
        case Op::kAny:
          step = c != '\n' && c != '\r' && c != 0x2028 && c != 0x2029;
          break;
        case Op::kClass:
          step = ClassMatches(p.classes[inst.x], c);
          break;
        default:
          break;
      }
      if (step && add(next, pc + 1, there)) return true;
    }
    std::swap(current, next);
    c = n;
    has_c = has_n;
    after_c = after_n;
    here = there;
  }
  return false;
}

}  // namespace orchestra::schema
