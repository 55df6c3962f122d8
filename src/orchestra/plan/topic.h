#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "orchestra/core/json.h"

namespace orchestra::plan {

// What an objective is about, as terms to search with and to judge expert answers by: the
// lead architect's relevance audit. An item (a search hit, a scraped record, a sentence) is
// on topic when it mentions enough of the objective's specific terms; generic words
// ("open-source", "tools", "landscape") count for little, so "Compare open-source message
// brokers" does not admit a page about open-source container orchestration. Pure, immutable,
// thread-safe.
class Topic {
 public:
  struct Term {
    std::string word;   // lower case, stemmed (core/text.h Stem)
    double weight = 1;  // 1 for a specific term, kGenericWeight for a generic one
  };
  static constexpr double kGenericWeight = 0.2;
  // An item scoring below this share of the topic's weight is off topic, whatever else did.
  static constexpr double kMinScore = 0.3;

  // The terms of `objective` (and of `extra`, e.g. the hints' keywords): its content words
  // without instruction words ("compare", "explain", "identify", ...), each once, in order.
  static Topic FromObjective(std::string_view objective, std::string_view extra = "");

  // The share of the topic's weight whose terms `text` mentions, in [0, 1]. A term matches a
  // word equal to it or sharing a stem of at least 5 letters after which both end in an
  // inflection ("message" ~ "messaging", "compression" ~ "compressed", but not "market" ~
  // "marketplace" or "broker" ~ "broken").
  double Score(std::string_view text) const;
  // The same, from TermsIn(text) already computed.
  double Score(const std::vector<bool>& terms_in) const;
  // For each term, in order, whether `text` mentions it.
  std::vector<bool> TermsIn(std::string_view text) const;
  // Whether `text` mentions a specific (non-generic) term.
  bool MentionsSpecific(std::string_view text) const;
  // On topic on its own: mentions a specific term and scores at least kMinScore, or names one
  // of the things the objective names (AddNamed).
  bool Admits(std::string_view text) const;
  // The same, from TermsIn(text) already computed.
  bool Admits(const std::vector<bool>& terms_in) const;

  // The topic as a search query: its words in order, the objective's spelling kept.
  const std::string& query() const { return query_; }
  // The same without generic words ("open source ocr engine" -> "ocr engine"); query() when
  // every word is generic.
  std::string SpecificQuery() const;
  const std::vector<Term>& terms() const { return terms_; }

  // A thing the objective names ("MQTT", "Apache Kafka"): a text mentioning every term of its
  // name is on topic however little else it shares ("MQTT client class" for "how MQTT and AMQP
  // differ"). Names without a term of the topic are ignored.
  void AddNamed(std::string_view name);
  bool empty() const { return terms_.empty(); }

 private:
  double Matched(std::string_view text, bool* specific) const;
  double Matched(const std::vector<bool>& terms_in, bool* specific) const;

  std::vector<Term> terms_;
  std::string query_;
  std::vector<std::vector<size_t>> named_;  // term indices of each named thing
};

// Whether a word (lower case) tells what to do rather than what about ("find", "compare",
// "explain", "recommend", "our").
bool IsInstructionWord(std::string_view word);
// Whether a word (lower case, stemmed) is too common in objectives to tell topics apart
// ("tool", "platform", "open", "source", "landscape", "recent").
bool IsGenericWord(std::string_view word);

// Whether a word (lower case, stemmed) names a thing made for another thing rather than the
// thing itself: a library, binding, wrapper, plugin or its documentation ("Python wrapper for
// OCR engines" is not an OCR engine).
bool IsAccessoryWord(std::string_view word);

// Whether two words match as Topic::Score matches a term and a word.
bool WordsMatch(std::string_view a, std::string_view b);

// Every string in `value` (object values, array items, nested), joined by spaces: the text an
// item offers to the relevance audit.
std::string TextOf(const Json& value);

}  // namespace orchestra::plan
