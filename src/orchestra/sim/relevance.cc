#include "orchestra/sim/relevance.h"

#include <algorithm>
#include <unordered_set>

#include "orchestra/sim/text.h"

namespace orchestra::sim {
namespace {

constexpr size_t kMinStemLength = 4;
constexpr size_t kMinPrefixLength = 5;
constexpr size_t kMinRequiredTerms = 2;
constexpr size_t kMaxRequiredTerms = 3;

bool EndsWith(std::string_view word, std::string_view suffix) {
  return word.size() >= suffix.size() && word.substr(word.size() - suffix.size()) == suffix;
}

bool AllDigits(std::string_view word) {
  return std::all_of(word.begin(), word.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Stems of the words that tell how to answer rather than what about (see relevance.h).
const std::unordered_set<std::string>& NonTopicStems() {
  static const std::unordered_set<std::string> stems = [] {
    static constexpr std::string_view kWords[] = {
        // Instructions.
        "analyse", "analyze", "assess", "choose", "collect", "compare", "describe", "determine",
        "discover", "estimate", "evaluate", "explain", "fill", "find", "gather", "get", "give",
        "help", "identify", "investigate", "know", "list", "look", "make", "need", "outline",
        "pick", "please", "propose", "provide", "rank", "recommend", "report", "research", "review",
        "search", "select", "show", "suggest", "summarise", "summarize", "tell", "understand",
        "use", "using", "want", "write", "offer", "support", "work",
        // Framing: how recent, how good, what shape of answer, who asks.
        "alternative", "analysis", "best", "better", "between", "both", "brief", "company",
        "comparison", "competitive", "current", "detail", "differ", "difference", "different",
        "example", "fact", "few", "free", "good", "great", "here", "information", "just", "key",
        "landscape", "latest", "leading", "like", "lot", "main", "major", "many", "may", "might",
        "much", "must", "new", "now", "only", "open", "opensource", "option", "overall", "overview",
        "own", "popular", "product", "recent", "short", "small", "some", "source", "state",
        "summary", "team", "there", "thing", "today", "top", "trend", "us", "various", "versus",
        "very", "way", "well", "year", "you", "your",
        // Function and number words the stop list leaves in.
        "around", "besides", "down", "each", "either", "every", "off", "one", "other", "out",
        "three", "two", "up", "within", "without",
        // Kinds of software, said of every package: the topic is what kind.
        "app", "application", "package", "platform", "program", "service", "software", "solution",
        "system", "tool",
        // Pieces of a URL named in the objective; its distinctive words stay.
        "com", "http", "https", "net", "org", "www"};
    std::unordered_set<std::string> out;
    for (std::string_view word : kWords) out.insert(MatchStem(Stem(std::string(word))));
    return out;
  }();
  return stems;
}

// Whether `a` and `b` (stems) count as the same term: equal, or the shorter, of at least
// kMinPrefixLength characters, starts the longer.
bool SameTerm(std::string_view a, std::string_view b) {
  if (a.size() > b.size()) std::swap(a, b);
  if (a.size() < kMinPrefixLength) return a == b;
  return b.substr(0, a.size()) == a;
}

}  // namespace

std::string MatchStem(std::string_view word) {
  std::string out(word);
  for (std::string_view suffix : {"ing", "ed"}) {
    if (EndsWith(out, suffix) && out.size() >= kMinStemLength + suffix.size()) {
      out.resize(out.size() - suffix.size());
      break;
    }
  }
  if (EndsWith(out, "e") && out.size() >= kMinStemLength + 1) out.pop_back();
  return out;
}

std::vector<std::string> TextTerms(std::string_view text) {
  std::vector<std::string> terms;
  for (std::string& word : Words(text)) {
    if (word.size() < 2 || AllDigits(word) || IsStopWord(word)) continue;
    terms.push_back(MatchStem(Stem(std::move(word))));
  }
  std::sort(terms.begin(), terms.end());
  terms.erase(std::unique(terms.begin(), terms.end()), terms.end());
  return terms;
}

TopicFilter::TopicFilter(std::string_view objective) {
  for (std::string& term : TextTerms(objective)) {
    if (!NonTopicStems().contains(term)) topic_terms_.push_back(std::move(term));
  }
  const size_t n = topic_terms_.size();
  required_terms_ =
      n <= 1 ? n : std::min(n, std::clamp((n + 2) / 3, kMinRequiredTerms, kMaxRequiredTerms));
}

size_t TopicFilter::SharedTerms(const std::vector<std::string>& text_terms) const {
  size_t shared = 0;
  for (const std::string& topic : topic_terms_) {
    // Same-stem and longer terms sort right at or after `topic`; shorter ones are its prefixes.
    bool found = false;
    for (auto it = std::lower_bound(text_terms.begin(), text_terms.end(), topic);
         it != text_terms.end() && it->compare(0, topic.size(), topic) == 0; ++it) {
      if (SameTerm(topic, *it)) {
        found = true;
        break;
      }
    }
    for (size_t length = kMinPrefixLength; !found && length < topic.size(); ++length) {
      found = std::binary_search(text_terms.begin(), text_terms.end(), topic.substr(0, length));
    }
    if (found) ++shared;
  }
  return shared;
}

}  // namespace orchestra::sim
