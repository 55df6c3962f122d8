#include "orchestra/validator/collusion.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_set>

#include "orchestra/experts/adapters.h"

namespace orchestra::validator {
namespace {

uint64_t Mix(uint64_t x) {  // SplitMix64's finaliser
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

uint64_t HashBytes(std::string_view bytes, uint64_t seed) {
  uint64_t h = 0xcbf29ce484222325ULL ^ seed;  // FNV-1a, then mixed: FNV alone clusters
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return Mix(h);
}

bool IsWordByte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}
bool IsDigit(unsigned char c) { return c >= '0' && c <= '9'; }

// Feature hashes are seeded by kind, so the token "a" and the pair ("a", ...) never collide
// by construction.
constexpr uint64_t kUnigram = 1;
constexpr uint64_t kBigram = 2;

class FeatureSet {
 public:
  void AddText(std::string_view text) {
    const std::vector<std::string> tokens = NormalizedTokens(text);
    for (size_t i = 0; i < tokens.size(); ++i) {
      hashes_.insert(HashBytes(tokens[i], kUnigram));
      if (i + 1 < tokens.size()) {
        std::string pair = tokens[i];
        pair.push_back(' ');
        pair += tokens[i + 1];
        hashes_.insert(HashBytes(pair, kBigram));
      }
    }
  }

  void AddJson(const Json& value, int depth) {
    if (depth > kMaxJsonDepth) return;
    switch (value.kind()) {
      case boost::json::kind::object:
        for (const auto& [key, child] : value.get_object()) {
          AddText(std::string_view(key.data(), key.size()));
          AddJson(child, depth + 1);
        }
        break;
      case boost::json::kind::array:
        for (const Json& child : value.get_array()) AddJson(child, depth + 1);
        break;
      case boost::json::kind::string:
        AddText(std::string_view(value.get_string().data(), value.get_string().size()));
        break;
      case boost::json::kind::int64:
        AddText(std::to_string(value.get_int64()));
        break;
      case boost::json::kind::uint64:
        AddText(std::to_string(value.get_uint64()));
        break;
      case boost::json::kind::double_: {
        // 3.0 and 3 are the same figure written two ways.
        const double d = value.get_double();
        if (std::isfinite(d) && d == std::trunc(d) && std::fabs(d) < 1e15) {
          AddText(std::to_string(static_cast<int64_t>(d)));
        } else {
          AddText(FormatDouble(d));
        }
        break;
      }
      case boost::json::kind::bool_:
        AddText(value.get_bool() ? "true" : "false");
        break;
      case boost::json::kind::null:
        break;
    }
  }

  const std::unordered_set<uint64_t>& hashes() const { return hashes_; }

 private:
  std::unordered_set<uint64_t> hashes_;
};

// One-permutation MinHash: each feature goes to one bin (its top 7 bits) where the smallest
// value is kept; an empty bin borrows the next non-empty bin to its right, offset by the
// distance, so that two sets agree on a bin with probability their Jaccard index.
std::array<uint64_t, kMinHashBins> MinHash(const std::unordered_set<uint64_t>& features) {
  static_assert(kMinHashBins == 128, "the bin is the top 7 bits");
  constexpr uint64_t kEmpty = std::numeric_limits<uint64_t>::max();
  std::array<uint64_t, kMinHashBins> bins;
  bins.fill(kEmpty);
  for (uint64_t h : features) {
    uint64_t& bin = bins[h >> 57];
    bin = std::min(bin, h);
  }
  if (features.empty()) {
    bins.fill(0);
    return bins;
  }
  std::array<uint64_t, kMinHashBins> dense = bins;
  for (size_t i = 0; i < kMinHashBins; ++i) {
    if (bins[i] != kEmpty) continue;
    for (size_t distance = 1; distance < kMinHashBins; ++distance) {
      const uint64_t donor = bins[(i + distance) % kMinHashBins];
      if (donor != kEmpty) {
        dense[i] = donor + distance * 0x9e3779b97f4a7c15ULL;
        break;
      }
    }
  }
  return dense;
}

std::string JoinedTokens(std::string_view text) {
  std::string out;
  for (const std::string& token : NormalizedTokens(text)) {
    if (!out.empty()) out.push_back(' ');
    out += token;
  }
  return out;
}

}  // namespace

std::vector<std::string> NormalizedTokens(std::string_view text) {
  std::vector<std::string> tokens;
  std::string current;
  auto flush = [&] {
    if (!current.empty()) tokens.push_back(std::move(current));
    current.clear();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (IsWordByte(c)) {
      current.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a')
                                             : static_cast<char>(c));
      continue;
    }
    const bool after_digit = !current.empty() && IsDigit(current.back());
    const bool before_digit = i + 1 < text.size() && IsDigit(text[i + 1]);
    if (c == '.' && after_digit && before_digit) {
      current.push_back('.');  // a decimal point stays inside its number
      continue;
    }
    if (c == ',' && after_digit && i + 3 < text.size() && IsDigit(text[i + 1]) &&
        IsDigit(text[i + 2]) && IsDigit(text[i + 3]) &&
        (i + 4 >= text.size() || !IsDigit(text[i + 4]))) {
      continue;  // a digit-group separator: "1,000" is "1000"
    }
    flush();
  }
  flush();
  return tokens;
}

AnswerPrint MakeAnswerPrint(std::string hotkey, std::string challenge_id,
                            const Json& standardized_data,
                            const std::vector<protocol::TaskStep>& task_pipeline) {
  AnswerPrint print;
  print.hotkey = std::move(hotkey);
  print.challenge_id = std::move(challenge_id);
  FeatureSet data;
  data.AddJson(standardized_data, 0);
  print.data_features = data.hashes().size();
  print.data_minhash = MinHash(data.hashes());
  for (const protocol::TaskStep& step : task_pipeline) {
    std::string key = JoinedTokens(step.subnet);
    key.push_back('\x1f');
    key += JoinedTokens(step.task);
    key.push_back('\x1f');
    key += JoinedTokens(CanonicalJson(step.query));
    print.path_features.push_back(HashBytes(key, 0));
    // The kind of task, by what was asked (search, scrape, inference), not the miner's own
    // task names, which number items and follow-ups differently from run to run.
    if (!step.hash.empty() && !step.error) {
      print.tasks.push_back(experts::FamilyName(experts::FamilyOfRequest(step.query)));
    }
  }
  std::sort(print.tasks.begin(), print.tasks.end());
  print.tasks.erase(std::unique(print.tasks.begin(), print.tasks.end()), print.tasks.end());
  std::sort(print.path_features.begin(), print.path_features.end());
  print.path_features.erase(std::unique(print.path_features.begin(), print.path_features.end()),
                            print.path_features.end());
  return print;
}

double DataSimilarity(const AnswerPrint& a, const AnswerPrint& b) {
  if (a.data_features == 0 || b.data_features == 0) return 0.0;
  size_t same = 0;
  for (size_t i = 0; i < kMinHashBins; ++i) same += a.data_minhash[i] == b.data_minhash[i];
  return static_cast<double>(same) / kMinHashBins;
}

double PathSimilarity(const AnswerPrint& a, const AnswerPrint& b) {
  if (a.path_features.empty() || b.path_features.empty()) return 0.0;
  size_t common = 0;
  auto x = a.path_features.begin();
  auto y = b.path_features.begin();
  while (x != a.path_features.end() && y != b.path_features.end()) {
    if (*x < *y) {
      ++x;
    } else if (*y < *x) {
      ++y;
    } else {
      ++common;
      ++x;
      ++y;
    }
  }
  const size_t either = a.path_features.size() + b.path_features.size() - common;
  return static_cast<double>(common) / static_cast<double>(either);
}

std::vector<CopyFinding> FindCopies(const std::vector<AnswerPrint>& in_arrival_order,
                                    const CopyThresholds& thresholds) {
  std::vector<CopyFinding> findings;
  // finding_of[i]: index into `findings` of answer i's finding, or -1.
  std::vector<long> finding_of(in_arrival_order.size(), -1);
  for (size_t j = 0; j < in_arrival_order.size(); ++j) {
    const AnswerPrint& later = in_arrival_order[j];
    for (size_t i = 0; i < j; ++i) {
      const AnswerPrint& earlier = in_arrival_order[i];
      if (earlier.hotkey == later.hotkey || earlier.challenge_id != later.challenge_id) continue;
      const bool comparable_data = earlier.data_features >= thresholds.min_data_features &&
                                   later.data_features >= thresholds.min_data_features;
      const double data = comparable_data ? DataSimilarity(earlier, later) : 0.0;
      const double path = PathSimilarity(earlier, later);
      const bool data_crossed = comparable_data && data >= thresholds.data;
      const bool path_crossed = path >= thresholds.path && !later.path_features.empty();
      if (!data_crossed && !(path_crossed && thresholds.path_alone_flags)) continue;
      const bool twins = data_crossed && std::includes(later.tasks.begin(), later.tasks.end(),
                                                       earlier.tasks.begin(), earlier.tasks.end());
      if (twins && !thresholds.twins_flag) continue;
      CopyFinding finding;
      finding.index = j;
      finding.hotkey = later.hotkey;
      finding.copied_from_index = i;
      finding.copied_from = earlier.hotkey;
      finding.first_responder =
          finding_of[i] >= 0 ? findings[finding_of[i]].first_responder : earlier.hotkey;
      finding.data_similarity = data;
      finding.path_similarity = path;
      finding.data_crossed = data_crossed;
      finding.path_crossed = path_crossed;
      finding_of[j] = static_cast<long>(findings.size());
      findings.push_back(std::move(finding));
      break;
    }
  }
  return findings;
}

Json ToJson(const CopyFinding& finding) {
  JsonObject out;
  out["hotkey"] = finding.hotkey;
  out["index"] = finding.index;
  out["copied_from"] = finding.copied_from;
  out["copied_from_index"] = finding.copied_from_index;
  out["first_responder"] = finding.first_responder;
  out["data_similarity"] = finding.data_similarity;
  out["path_similarity"] = finding.path_similarity;
  out["data_crossed"] = finding.data_crossed;
  out["path_crossed"] = finding.path_crossed;
  return out;
}

}  // namespace orchestra::validator
