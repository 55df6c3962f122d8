#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "orchestra/core/json.h"
#include "orchestra/protocol/orchestra_synapse.h"

// Collusion detection: which answers of a window are near-duplicates of an earlier answer by
// another miner (a copier relaying someone else's work, or a ring sharing one solver).
//
// Each answer is reduced once to an AnswerPrint (MakeAnswerPrint), then prints are compared
// pairwise, cheaply (FindCopies: 128 integer comparisons per pair, so the 32,640 pairs of 256
// miners cost a few million comparisons):
// - data: a MinHash (one-permutation hashing, 128 bins, rotation densification) of the
//   features of standardized_data: the normalised tokens of every key and value, and the pairs
//   of adjacent tokens inside each string value. Normalised tokens are lower-case runs of
//   letters and digits (bytes beyond ASCII kept as letters); punctuation and whitespace split
//   tokens and are dropped, but a number keeps its decimal point ("$2.49/hr" -> "2.49",
//   "hr") and loses its digit-group commas ("1,000" -> "1000"). Key order,
//   array order, case, whitespace and punctuation therefore do not change a print.
//   The similarity estimates the Jaccard index of the two feature sets.
// - path: the exact Jaccard index of the sets of steps of task_pipeline, a step being its
//   subnet, its task and its canonical query (normalised tokens of CanonicalJson(query)).
//
// Credit rule (documented here as the contract): the earliest answer of a group of
// near-duplicates keeps its full credit; every later near-duplicate gets none. Splitting one
// credit among the k copies was rejected: it would let a copier cut the original author's
// reward just by copying it, so copying would still pay (as a weapon); with "later copies get
// 0" copying never pays and never hurts the original.
//
// Pure functions; no state, thread-safe.
namespace orchestra::validator {

inline constexpr size_t kMinHashBins = 128;

struct AnswerPrint {
  std::string hotkey;
  std::string challenge_id;
  std::array<uint64_t, kMinHashBins> data_minhash{};
  size_t data_features = 0;             // distinct features of standardized_data
  std::vector<uint64_t> path_features;  // sorted, distinct: one per distinct step
  std::vector<std::string> tasks;       // sorted, distinct: the kinds of task (search, scrape,
                                        // inference) of the steps with a proof hash
};

// Lower-cases and splits `text` into tokens (the rule above).
std::vector<std::string> NormalizedTokens(std::string_view text);

AnswerPrint MakeAnswerPrint(std::string hotkey, std::string challenge_id,
                            const Json& standardized_data,
                            const std::vector<protocol::TaskStep>& task_pipeline);

// In [0, 1]; 0 when either side has no features.
double DataSimilarity(const AnswerPrint& a, const AnswerPrint& b);
double PathSimilarity(const AnswerPrint& a, const AnswerPrint& b);

struct CopyThresholds {
  // A later answer is a copy when its data similarity with an earlier one reaches `data`.
  double data = 0.85;
  // Path similarity reaching `path` is reported as corroboration; it flags on its own only
  // with path_alone_flags, off by default: honest miners that find the same cheapest route
  // legitimately make the same calls, while their answers, assembled independently, differ.
  double path = 0.9;
  bool path_alone_flags = false;
  // "Twins": a later answer whose data matches an earlier one but whose own proven calls cover
  // every kind of task the earlier answer's did (each ran search, scraping, synthesis... and
  // paid for it under its own proofs): the same solver, or the same world seen through other
  // subnets, not a relay. Honest miners running the reference miner against the same experts
  // are twins. Not a copy unless twins_flag. A copy is an answer whose own calls cannot explain
  // its data, as a relay's single search cannot.
  bool twins_flag = false;
  // Answers with fewer data features are never compared on data (two near-empty answers are
  // alike without anyone copying; they score nothing anyway).
  size_t min_data_features = 8;
};

// A later answer found to be a near-duplicate of an earlier one.
struct CopyFinding {
  size_t index = 0;  // of the copy, in the input
  std::string hotkey;
  size_t copied_from_index = 0;  // the earliest earlier answer it matches
  std::string copied_from;       // that answer's hotkey
  std::string first_responder;   // who keeps the credit: copied_from, or the answer it copied
  double data_similarity = 0.0;  // with copied_from
  double path_similarity = 0.0;
  bool data_crossed = false;
  bool path_crossed = false;
};

// Compares each answer of `in_arrival_order` with every earlier answer to the same challenge by
// another hotkey, and reports each answer that crosses the thresholds with one of them (the
// earliest such), in input order. The first answer of a group is never reported; an answer
// matching only a copy is attributed to the copy's first responder. O(n^2) comparisons of
// kMinHashBins integers.
std::vector<CopyFinding> FindCopies(const std::vector<AnswerPrint>& in_arrival_order,
                                    const CopyThresholds& thresholds = {});

// The finding as evidence for the log and the black room.
Json ToJson(const CopyFinding& finding);

}  // namespace orchestra::validator
