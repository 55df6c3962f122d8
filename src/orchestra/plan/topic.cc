#include "orchestra/plan/topic.h"

#include <algorithm>
#include <set>

#include "orchestra/core/text.h"

namespace orchestra::plan {
namespace {

void AppendText(const Json& value, std::string& out) {
  if (value.is_string()) {
    if (!out.empty()) out += ' ';
    out += value.get_string();
  } else if (value.is_array()) {
    for (const Json& v : value.get_array()) AppendText(v, out);
  } else if (value.is_object()) {
    for (const auto& kv : value.get_object()) AppendText(kv.value(), out);
  }
}

}  // namespace

bool IsInstructionWord(std::string_view word) {
  return IsOneOf(
      word, {"analyze",   "analyse",   "assess",   "build",       "check",    "choose",  "compare",
             "describe",  "determine", "evaluate", "explain",     "fill",     "find",    "give",
             "good",      "help",      "identify", "investigate", "list",     "look",    "need",
             "please",    "provide",   "rank",     "recommend",   "research", "review",  "show",
             "summarize", "summarise", "tell",     "us",          "use",      "want",    "write",
             "you",       "your",      "could",    "product",     "detail",   "briefly", "pick",
             "select",    "adopt",     "say",      "decide",      "besides",  "across",  "among",
             "between",   "versus",    "vs",       "against",     "which"});
}

bool IsGenericWord(std::string_view word) {
  return IsOneOf(
      word, {"open",      "source",    "opensource", "free",       "tool",        "software",
             "platform",  "solution",  "service",    "system",     "application", "app",
             "library",   "framework", "project",    "option",     "alternative", "best",
             "top",       "popular",   "leading",    "major",      "main",        "key",
             "modern",    "new",       "recent",     "latest",     "current",     "competitive",
             "landscape", "market",    "overview",   "comparison", "state",       "trend",
             "analysis",  "report",    "company",    "provider",   "vendor",      "gap",
             "way",       "work",      "thing",      "today",      "2024",        "2025",
             "2026",      "format",    "based",      "support",    "largest",     "biggest",
             "cheapest",  "fastest",   "small",      "large",      "big"});
}

bool IsAccessoryWord(std::string_view word) {
  return IsOneOf(word, {"library", "binding", "wrapper", "module", "plugin", "plug", "extension",
                        "sdk", "documentation", "doc"});
}

bool WordsMatch(std::string_view a, std::string_view b) {
  if (a == b) return true;
  const size_t shorter = std::min(a.size(), b.size());
  size_t common = 0;
  while (common < shorter && a[common] == b[common]) ++common;
  if (common < 5) return false;
  // What is left of each word after the shared stem must be an inflection.
  auto inflection = [](std::string_view tail) {
    return IsOneOf(tail, {"",     "s",   "es",   "e",     "ed",     "er",   "ers",   "ing",
                          "ings", "ion", "ions", "ation", "ations", "ment", "ments", "al",
                          "ally", "ly",  "y",    "ies",   "ity",    "ic",   "ics",   "ive"});
  };
  return inflection(a.substr(common)) && inflection(b.substr(common));
}

std::string TextOf(const Json& value) {
  std::string out;
  AppendText(value, out);
  return out;
}

Topic Topic::FromObjective(std::string_view objective, std::string_view extra) {
  Topic topic;
  std::set<std::string> seen;
  for (std::string_view source : {objective, extra}) {
    for (std::string& word : Words(source)) {
      if (IsStopWord(word) || IsInstructionWord(word)) continue;
      std::string stem = Stem(word);
      if (!seen.insert(stem).second) continue;
      if (!topic.query_.empty()) topic.query_ += ' ';
      topic.query_ += word;
      const double weight = IsGenericWord(stem) ? kGenericWeight : 1.0;
      topic.terms_.push_back(Term{std::move(stem), weight});
    }
  }
  return topic;
}

std::vector<bool> Topic::TermsIn(std::string_view text) const {
  std::vector<bool> in(terms_.size(), false);
  std::vector<std::string> words = ContentWords(text);
  std::sort(words.begin(), words.end());
  words.erase(std::unique(words.begin(), words.end()), words.end());
  for (size_t t = 0; t < terms_.size(); ++t) {
    const std::string& term = terms_[t].word;
    const size_t prefix = std::min<size_t>(5, term.size());
    // Words sharing the term's first 5 letters sit together in sorted order.
    for (auto it =
             std::lower_bound(words.begin(), words.end(), std::string_view(term).substr(0, prefix));
         it != words.end() && it->compare(0, prefix, term, 0, prefix) == 0; ++it) {
      if (WordsMatch(term, *it)) {
        in[t] = true;
        break;
      }
    }
  }
  return in;
}

double Topic::Matched(std::string_view text, bool* specific) const {
  return Matched(TermsIn(text), specific);
}

double Topic::Matched(const std::vector<bool>& in, bool* specific) const {
  *specific = false;
  if (terms_.empty()) return 0.0;
  double total = 0, matched = 0;
  for (size_t t = 0; t < terms_.size(); ++t) {
    total += terms_[t].weight;
    if (!in[t]) continue;
    matched += terms_[t].weight;
    if (terms_[t].weight >= 1.0) *specific = true;
  }
  return matched / total;
}

double Topic::Score(std::string_view text) const {
  bool specific;
  return Matched(text, &specific);
}

std::string Topic::SpecificQuery() const {
  // query_ holds one word per term, in the terms' order.
  const std::vector<std::string> words = Words(query_);
  std::string out;
  for (size_t i = 0; i < terms_.size() && i < words.size(); ++i) {
    if (terms_[i].weight >= 1.0) out += (out.empty() ? "" : " ") + words[i];
  }
  return out.empty() ? query_ : out;
}

double Topic::Score(const std::vector<bool>& terms_in) const {
  bool specific;
  return Matched(terms_in, &specific);
}

bool Topic::MentionsSpecific(std::string_view text) const {
  bool specific;
  Matched(text, &specific);
  return specific;
}

bool Topic::Admits(std::string_view text) const { return Admits(TermsIn(text)); }

bool Topic::Admits(const std::vector<bool>& terms_in) const {
  bool specific;
  const double score = Matched(terms_in, &specific);
  if (specific && score >= kMinScore) return true;
  return std::any_of(named_.begin(), named_.end(), [&](const std::vector<size_t>& name) {
    return std::all_of(name.begin(), name.end(), [&](size_t t) { return terms_in[t]; });
  });
}

void Topic::AddNamed(std::string_view name) {
  std::vector<size_t> indices;
  for (const std::string& word : ContentWords(name)) {
    auto it = std::find_if(terms_.begin(), terms_.end(),
                           [&](const Term& t) { return t.word == word && t.weight >= 1.0; });
    if (it == terms_.end()) return;  // a word of the name that is not a specific term
    indices.push_back(static_cast<size_t>(it - terms_.begin()));
  }
  if (!indices.empty()) named_.push_back(std::move(indices));
}

}  // namespace orchestra::plan
