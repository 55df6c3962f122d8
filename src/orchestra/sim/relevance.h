#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

// Whether a piece of context is about the objective: the gate the simulated LLM puts in front
// of every record, search result and sentence it quotes, so that off-topic context is left out
// instead of filling a field. Pure and thread-safe.
//
// The rule:
//  - Terms of a text: its Words (text.h; "IoT" and "RunPod" stay one word) of two or more
//    characters, without stop words and bare numbers, plural-stemmed (Stem) and reduced by
//    MatchStem.
//  - Topic terms of an objective: its terms without instruction verbs ("compare", "explain",
//    "research", "identify", ...), framing words that say how to answer, not what about
//    ("recent", "landscape", "overview", "trend", "open", "source", "differ", ...), function
//    and number words the stop list leaves in ("off", "up", "two"), kinds of
//    software said of every package ("tool", "software", "system", ...) and the scheme and
//    top-level pieces of URLs ("https", "www", "org"). "Compare open-source message brokers
//    for IoT telemetry" has {broker, iot, messag, telemetry}.
//  - A text shares a topic term when one of its terms equals it, or when one of the two, being
//    at least 5 characters long, is a prefix of the other ("market" / "marketplace").
//  - A text is relevant when it shares a third of the topic terms, rounded up, but at least two
//    (or the only one) and at most three: one shared word is too often a coincidence ("open",
//    "data", "cloud"; "command line" for "starting line-ups"), and requiring more would drop
//    pages that name the topic in two words ("message broker"). An objective without topic
//    terms gives nothing to judge by: every text is relevant.
namespace orchestra::sim {

// `word` (lower case) without a trailing "ing" or "ed" and then a trailing "e", when at least 4
// characters remain: "pricing" and "price" both give "pric", "messaging" and "message"
// "messag".
std::string MatchStem(std::string_view word);

// The terms of `text`, sorted and unique.
std::vector<std::string> TextTerms(std::string_view text);

class TopicFilter {
 public:
  explicit TopicFilter(std::string_view objective);

  // The objective's topic terms, sorted and unique.
  const std::vector<std::string>& topic_terms() const { return topic_terms_; }

  // How many topic terms `text_terms` (a TextTerms result) shares.
  size_t SharedTerms(const std::vector<std::string>& text_terms) const;

  // Shared topic terms a relevant text needs: n <= 1 topic terms need n; more need
  // ceil(n / 3) clamped to [2, 3] (and at most n).
  size_t required_terms() const { return required_terms_; }

  bool IsRelevant(const std::vector<std::string>& text_terms) const {
    return SharedTerms(text_terms) >= required_terms_;
  }

 private:
  std::vector<std::string> topic_terms_;
  size_t required_terms_ = 0;
};

}  // namespace orchestra::sim
