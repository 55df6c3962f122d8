#include "orchestra/validator/scorer.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <unordered_set>

#include "orchestra/core/json.h"
#include "orchestra/schema/instance.h"
#include "orchestra/schema/schema.h"

namespace orchestra::validator {
namespace {

constexpr size_t kMaxResponseBytes = 32 << 20;
// Pairwise parallelism is judged on the first steps only: quadratic work stays bounded.
constexpr size_t kMaxPairSteps = 256;
constexpr double kSubSecondMs = 1000.0;

double Clamp01(double x) {
  if (!std::isfinite(x)) return 0.0;
  return std::clamp(x, 0.0, 1.0);
}

std::string Pct(double x) { return fmt::format("{:.2f}", x); }

// Lower-case ASCII words and digit runs; other ASCII is a separator, other bytes are kept.
std::vector<std::string> Tokens(std::string_view text) {
  std::vector<std::string> out;
  std::string cur;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c >= 0x80) {
      cur += static_cast<char>(std::tolower(c));
    } else if (!cur.empty()) {
      out.push_back(std::move(cur));
      cur.clear();
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

bool IsStopword(std::string_view t) {
  static const std::unordered_set<std::string_view> kStop = {
      "a",  "an",  "the", "and", "or",  "of",   "to",    "in",   "on",   "for",  "with",
      "by", "is",  "are", "be",  "as",  "at",   "it",    "its",  "from", "this", "that",
      "no", "not", "per", "vs",  "our", "your", "their", "more", "most", "very"};
  return t.size() < 2 || kStop.contains(t);
}

// Whether `needle` occurs as a contiguous run in `hay`.
bool ContainsRun(const std::vector<std::string>& hay, const std::vector<std::string>& needle) {
  if (needle.empty() || needle.size() > hay.size()) return false;
  return std::search(hay.begin(), hay.end(), needle.begin(), needle.end()) != hay.end();
}

// Decimal numbers written in `text` ("$2.49/hr" → 2.49).
void ExtractNumbers(std::string_view text, std::vector<double>* out) {
  size_t i = 0;
  while (i < text.size()) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < text.size() && std::isdigit(static_cast<unsigned char>(text[j]))) ++j;
    if (j + 1 < text.size() && text[j] == '.' &&
        std::isdigit(static_cast<unsigned char>(text[j + 1]))) {
      ++j;
      while (j < text.size() && std::isdigit(static_cast<unsigned char>(text[j]))) ++j;
    }
    const std::string number(text.substr(i, std::min<size_t>(j - i, 40)));
    out->push_back(std::strtod(number.c_str(), nullptr));
    i = j;
  }
}

// The leaves of standardized_data: every path (inner nodes too), the string leaves, the tokens
// of all leaves and the numbers they carry.
struct Leaves {
  std::set<std::string> all_paths;
  std::vector<std::string> leaf_paths;
  std::vector<std::string> strings;
  std::vector<std::string> tokens;
  std::vector<double> numbers;
};

void Walk(const Json& v, const std::string& path, Leaves* out) {
  out->all_paths.insert(path);
  if (v.is_object()) {
    for (const auto& [k, child] : v.as_object()) Walk(child, schema::MemberPath(path, k), out);
    return;
  }
  if (v.is_array()) {
    const auto& a = v.as_array();
    for (size_t i = 0; i < a.size(); ++i) Walk(a[i], schema::ElementPath(path, i), out);
    return;
  }
  if (v.is_null()) return;
  out->leaf_paths.push_back(path);
  if (v.is_string()) {
    const std::string_view s = v.as_string();
    out->strings.emplace_back(s);
    for (auto& t : Tokens(s)) out->tokens.push_back(std::move(t));
    ExtractNumbers(s, &out->numbers);
  } else if (v.is_int64()) {
    out->numbers.push_back(static_cast<double>(v.as_int64()));
  } else if (v.is_uint64()) {
    out->numbers.push_back(static_cast<double>(v.as_uint64()));
  } else if (v.is_double()) {
    out->numbers.push_back(v.as_double());
  }
}

bool HasNumber(const std::vector<double>& numbers, double x) {
  for (double n : numbers) {
    if (std::fabs(n - x) <= 1e-9 * std::max(1.0, std::fabs(x))) return true;
  }
  return false;
}

// Whether the answer carries `value`: its numbers all, when it has any, else its words in order.
bool Carries(const Leaves& leaves, std::string_view value) {
  std::vector<double> wanted;
  ExtractNumbers(value, &wanted);
  if (!wanted.empty()) {
    return std::all_of(wanted.begin(), wanted.end(),
                       [&](double x) { return HasNumber(leaves.numbers, x); });
  }
  return ContainsRun(leaves.tokens, Tokens(value));
}

struct Graph {
  std::map<int, size_t> index;  // step number → position
  std::vector<std::vector<size_t>> deps;
  bool dangling = false;  // a depends_on names no step
  bool duplicate_numbers = false;
  std::vector<size_t> order;   // topological; shorter than the steps when there is a cycle
  std::vector<double> finish;  // longest chain of latencies ending at each step
};

Graph BuildGraph(const std::vector<protocol::TaskStep>& steps) {
  Graph g;
  for (size_t i = 0; i < steps.size(); ++i) {
    if (!g.index.emplace(steps[i].step, i).second) g.duplicate_numbers = true;
  }
  g.deps.resize(steps.size());
  std::vector<std::vector<size_t>> users(steps.size());
  std::vector<size_t> pending(steps.size(), 0);
  for (size_t i = 0; i < steps.size(); ++i) {
    for (int d : steps[i].depends_on) {
      auto it = g.index.find(d);
      if (it == g.index.end()) {
        g.dangling = true;
        continue;
      }
      g.deps[i].push_back(it->second);
      users[it->second].push_back(i);
      ++pending[i];
    }
  }
  std::vector<size_t> ready;
  for (size_t i = 0; i < steps.size(); ++i) {
    if (pending[i] == 0) ready.push_back(i);
  }
  g.finish.assign(steps.size(), 0.0);
  while (!ready.empty()) {
    const size_t i = ready.back();
    ready.pop_back();
    g.order.push_back(i);
    double start = 0.0;
    for (size_t d : g.deps[i]) start = std::max(start, g.finish[d]);
    g.finish[i] = start + std::max<double>(0.0, static_cast<double>(steps[i].latency_ms));
    for (size_t u : users[i]) {
      if (--pending[u] == 0) ready.push_back(u);
    }
  }
  return g;
}

bool Acyclic(const Graph& g) { return g.order.size() == g.deps.size(); }

double CriticalPath(const Graph& g) {
  double best = 0.0;
  for (double f : g.finish) best = std::max(best, f);
  return best;
}

// Successful steps that repeat an earlier successful call: same subnet, same canonical query.
int RedundantCalls(const std::vector<protocol::TaskStep>& steps, std::string* first) {
  std::set<std::string> seen;
  int redundant = 0;
  for (const auto& s : steps) {
    if (s.error) continue;
    if (!seen.insert(s.subnet + "\n" + CanonicalJson(s.query)).second) {
      if (redundant++ == 0 && first)
        *first = fmt::format("step {} repeats a call to {}", s.step, s.subnet);
    }
  }
  return redundant;
}

struct Parallelism {
  int pairs = 0;
  int overlapping = 0;
};

// Independent successful steps (neither reaches the other through depends_on) should run at
// the same time: their [started, started + latency) intervals overlap.
Parallelism JudgeParallelism(const std::vector<protocol::TaskStep>& steps, const Graph& g) {
  Parallelism out;
  if (!Acyclic(g)) return out;
  const size_t n = std::min(steps.size(), kMaxPairSteps);
  // reach[i][j]: j is a transitive dependency of i (only among the first n steps).
  std::vector<std::vector<bool>> reach(steps.size());
  for (size_t i : g.order) {
    if (i >= n) continue;
    reach[i].assign(n, false);
    for (size_t d : g.deps[i]) {
      if (d >= n) continue;
      reach[i][d] = true;
      for (size_t k = 0; k < n; ++k) {
        if (!reach[d].empty() && reach[d][k]) reach[i][k] = true;
      }
    }
  }
  for (size_t i = 0; i < n; ++i) {
    if (steps[i].error || reach[i].empty()) continue;
    for (size_t j = i + 1; j < n; ++j) {
      if (steps[j].error || reach[j].empty() || reach[i][j] || reach[j][i]) continue;
      ++out.pairs;
      const double a0 = static_cast<double>(steps[i].started_ms);
      const double a1 = a0 + std::max<double>(1.0, static_cast<double>(steps[i].latency_ms));
      const double b0 = static_cast<double>(steps[j].started_ms);
      const double b1 = b0 + std::max<double>(1.0, static_cast<double>(steps[j].latency_ms));
      if (a0 < b1 && b0 < a1) ++out.overlapping;
    }
  }
  return out;
}

std::string Join(const std::vector<std::string>& items, size_t max = 3) {
  std::string out;
  for (size_t i = 0; i < items.size() && i < max; ++i) {
    if (i) out += ", ";
    out += items[i];
  }
  if (items.size() > max) out += fmt::format(" (+{})", items.size() - max);
  return out;
}

void NotChecked(ScoreCard* card, Dimension* d, std::string what) {
  d->checked = false;
  d->score = 0.0;
  d->explanation = "not checked: " + what;
  card->not_checked.push_back(std::move(what));
}

void JudgeHashes(const ProofReport& proofs, Dimension* d) {
  std::map<std::string_view, int> kinds;
  for (const auto& s : proofs.steps) ++kinds[ProofKindName(s.kind)];
  std::string tally;
  for (const auto& [k, n] : kinds) tally += fmt::format("{}{} {}", tally.empty() ? "" : ", ", n, k);
  if (proofs.successful_steps == 0) {
    d->score = 0.0;
    d->explanation = "no successful step to prove";
    return;
  }
  d->score = Clamp01(static_cast<double>(proofs.valid_successful) / proofs.successful_steps);
  d->explanation = fmt::format("{} of {} successful steps carry a valid proof ({})",
                               proofs.valid_successful, proofs.successful_steps, tally);
}

void JudgeRelevance(const AnswerKey& key, const Leaves& leaves, std::string_view synthesis,
                    ScoreCard* card) {
  Dimension* d = &card->relevance;
  if (key.entities.empty() && key.facts.empty() && key.topic_terms.empty()) {
    return NotChecked(card, d, "relevance: the reference has no answer key");
  }
  std::vector<std::string> text = leaves.tokens;
  for (auto& t : Tokens(synthesis)) text.push_back(std::move(t));
  if (!key.topic_terms.empty()) {
    const bool on_topic =
        std::any_of(key.topic_terms.begin(), key.topic_terms.end(),
                    [&](const std::string& t) { return ContainsRun(text, Tokens(t)); });
    if (!on_topic) {
      d->score = 0.0;
      d->explanation =
          "off-topic: the answer uses none of the topic terms (" + Join(key.topic_terms) + ")";
      return;
    }
  }
  std::vector<std::string> items = key.entities;
  items.insert(items.end(), key.facts.begin(), key.facts.end());
  std::vector<std::string> missed;
  int matched = 0;
  for (const auto& item : items) {
    if (Carries(leaves, item)) {
      ++matched;
    } else {
      missed.push_back(item);
    }
  }
  std::unordered_set<std::string> vocabulary;
  for (const auto& item : items) {
    for (auto& t : Tokens(item)) vocabulary.insert(std::move(t));
  }
  for (const auto& item : key.topic_terms) {
    for (auto& t : Tokens(item)) vocabulary.insert(std::move(t));
  }
  int leaves_judged = 0, supported = 0;
  for (const auto& s : leaves.strings) {
    bool any = false, hit = false;
    for (const auto& t : Tokens(s)) {
      if (IsStopword(t)) continue;
      any = true;
      if (vocabulary.contains(t)) {
        hit = true;
        break;
      }
    }
    if (!any) continue;
    ++leaves_judged;
    supported += hit;
  }
  const double recall = items.empty() ? 1.0 : static_cast<double>(matched) / items.size();
  const double precision =
      leaves_judged == 0 ? 0.0 : static_cast<double>(supported) / leaves_judged;
  d->score = Clamp01(items.empty() ? precision : 0.5 * recall + 0.5 * precision);
  d->explanation = fmt::format(
      "{} of {} key entities/facts found (recall {}), {} of {} text values supported by the key "
      "(precision {}){}",
      matched, items.size(), Pct(recall), supported, leaves_judged, Pct(precision),
      missed.empty() ? "" : "; missing " + Join(missed));
}

void JudgeRouting(const ScoringInput& in, const protocol::Response& r, const Graph& g,
                  ScoreCard* card) {
  const ChallengeReference& ref = in.generated.reference;
  std::vector<double> parts;
  std::vector<std::string> why;
  if (in.has_reference && !ref.capabilities.empty()) {
    int covered = 0;
    std::vector<std::string> missing;
    for (const auto& cap : ref.capabilities) {
      std::set<std::string> subnets;
      for (const auto& rs : ref.route.steps) {
        if (rs.capability == cap) subnets.insert(rs.subnet_id);
      }
      const bool hit = std::any_of(
          r.task_pipeline.begin(), r.task_pipeline.end(),
          [&](const auto& s) { return !s.error && (s.task == cap || subnets.contains(s.subnet)); });
      covered += hit;
      if (!hit) missing.push_back(cap);
    }
    const double c = static_cast<double>(covered) / ref.capabilities.size();
    parts.push_back(c);
    why.push_back(fmt::format("capabilities {}/{}{}", covered, ref.capabilities.size(),
                              missing.empty() ? "" : " (missing " + Join(missing) + ")"));
  } else {
    card->not_checked.push_back("routing: capabilities (no reference)");
  }
  double cost = 0.0;
  for (const auto& s : r.task_pipeline) cost += std::max(0.0, s.cost);
  if (in.has_reference && ref.route.cost > 0.0) {
    const double c = cost <= ref.route.cost ? 1.0 : ref.route.cost / cost;
    parts.push_back(Clamp01(c));
    why.push_back(fmt::format("cost {:.4f} vs {:.4f} TAO → {}", cost, ref.route.cost, Pct(c)));
  } else {
    card->not_checked.push_back("routing: cost (no reference route)");
  }
  const double path = CriticalPath(g);
  if (in.has_reference && ref.route.critical_path_ms > 0.0) {
    const double c = path <= ref.route.critical_path_ms ? 1.0 : ref.route.critical_path_ms / path;
    parts.push_back(Clamp01(c));
    why.push_back(fmt::format("critical path {:.0f} vs {:.0f} ms → {}", path,
                              ref.route.critical_path_ms, Pct(c)));
  } else {
    card->not_checked.push_back("routing: latency (no reference route)");
  }
  const int successful = static_cast<int>(std::count_if(
      r.task_pipeline.begin(), r.task_pipeline.end(), [](const auto& s) { return !s.error; }));
  std::string first;
  const int redundant = RedundantCalls(r.task_pipeline, &first);
  const double red = successful == 0 ? 0.0 : 1.0 - static_cast<double>(redundant) / successful;
  parts.push_back(Clamp01(red));
  why.push_back(
      fmt::format("{} redundant call(s){}", redundant, first.empty() ? "" : " (" + first + ")"));
  const Parallelism p = JudgeParallelism(r.task_pipeline, g);
  const double par = p.pairs == 0 ? 1.0 : static_cast<double>(p.overlapping) / p.pairs;
  parts.push_back(par);
  why.push_back(
      fmt::format("{} of {} independent step pairs ran in parallel", p.overlapping, p.pairs));
  double sum = 0.0;
  for (double x : parts) sum += x;
  card->routing_efficiency.score = Clamp01(sum / parts.size());
  card->routing_efficiency.explanation =
      fmt::format("mean of {} parts: ", parts.size()) + Join(why, 8);
}

void JudgeTraps(const ScoringInput& in, const protocol::Response& r, const Leaves& leaves,
                ScoreCard* card) {
  const ChallengeReference& ref = in.generated.reference;
  Dimension* d = &card->trap_performance;
  if (!in.has_reference) return NotChecked(card, d, "traps: no reference");
  if (!ref.schema_trap && !ref.logic_trap) {
    d->score = 1.0;
    d->explanation = "no trap in this challenge (neutral: 1)";
    return;
  }
  std::vector<double> parts;
  std::vector<std::string> why;
  if (ref.schema_trap) {
    const SchemaTrap& t = *ref.schema_trap;
    std::vector<std::string> old_keys;
    if (const Json* in_drift = JsonFind(t.drift, "input")) {
      if (const Json* rename = JsonFind(*in_drift, "rename"); rename && rename->is_object()) {
        for (const auto& [old_key, unused] : rename->as_object()) old_keys.emplace_back(old_key);
      }
    }
    int to_trap = 0, ok = 0, old_shape = 0;
    std::set<std::string> failed_tasks;
    for (const auto& s : r.task_pipeline) {
      if (s.subnet != t.subnet_id) continue;
      ++to_trap;
      bool stale = false;
      for (const auto& k : old_keys) stale |= JsonFind(s.query, k) != nullptr;
      old_shape += stale;
      if (!s.error && !stale) ++ok;
      if (s.error || stale) failed_tasks.insert(s.task);
    }
    bool rerouted = !failed_tasks.empty();
    for (const auto& task : failed_tasks) {
      rerouted &= std::any_of(r.task_pipeline.begin(), r.task_pipeline.end(), [&](const auto& s) {
        return !s.error && s.task == task && s.subnet != t.subnet_id;
      });
    }
    double score = 0.0;
    std::string reason;
    // How complete the answer is belongs to the completeness dimension; the trap asks only
    // whether the drifted subnet caught the miner out.
    if (to_trap == 0) {
      score = 1.0;
      reason = fmt::format("schema trap on {}: not called (routed elsewhere)", t.subnet_id);
    } else if (failed_tasks.empty()) {
      score = 1.0;
      reason = fmt::format("schema trap on {}: {} call(s) used the new shape", t.subnet_id, ok);
    } else if (rerouted) {
      score = 0.5;
      reason =
          fmt::format("schema trap on {}: a call failed on the drifted shape, then re-routed (0.5)",
                      t.subnet_id);
    } else {
      reason = fmt::format("schema trap on {}: {} of {} call(s) failed or used the old shape{}",
                           t.subnet_id, to_trap - ok, to_trap,
                           old_shape ? fmt::format(" ({} with old input fields)", old_shape) : "");
    }
    parts.push_back(score);
    why.push_back(std::move(reason));
  }
  if (ref.logic_trap) {
    const LogicTrap& t = *ref.logic_trap;
    const bool truth = Carries(leaves, t.truth);
    const bool stale = !t.stale_value.empty() && Carries(leaves, t.stale_value);
    parts.push_back(truth && !stale ? 1.0 : 0.0);
    why.push_back(fmt::format("logic trap: truth \"{}\" {}, stale \"{}\" {}", t.truth,
                              truth ? "present" : "absent", t.stale_value,
                              stale ? "present" : "absent"));
  }
  double sum = 0.0;
  for (double x : parts) sum += x;
  d->score = Clamp01(sum / parts.size());
  d->explanation = Join(why, 4);
}

void JudgeProvenance(const protocol::Response& r, const Leaves& leaves, ScoreCard* card) {
  Dimension* d = &card->provenance_fidelity;
  if (!r.provenance.is_object() || r.provenance.as_object().empty()) {
    d->score = 0.0;
    d->explanation = "no provenance: output paths are not mapped to steps";
    return;
  }
  std::map<int, bool> succeeded;
  for (const auto& s : r.task_pipeline) succeeded[s.step] = !s.error;
  int entries = 0, good = 0;
  std::string first_bad;
  for (const auto& [path, steps] : r.provenance.as_object()) {
    ++entries;
    std::string bad;
    if (!leaves.all_paths.contains(std::string(path))) {
      bad = "no such output path";
    } else if (!steps.is_array() || steps.as_array().empty()) {
      bad = "no steps listed";
    } else {
      for (const Json& n : steps.as_array()) {
        int64_t k = 0;
        if (!JsonInteger(n, &k)) {
          bad = "a step number is not an integer";
          break;
        }
        auto it = succeeded.find(static_cast<int>(k));
        if (k < INT32_MIN || k > INT32_MAX || it == succeeded.end()) {
          bad = fmt::format("step {} does not exist", k);
          break;
        }
        if (!it->second) {
          bad = fmt::format("step {} failed", k);
          break;
        }
      }
    }
    if (bad.empty()) {
      ++good;
    } else if (first_bad.empty()) {
      first_bad = fmt::format("{}: {}", std::string_view(path), bad);
    }
  }
  d->score = Clamp01(static_cast<double>(good) / entries);
  d->explanation = fmt::format("{} of {} provenance entries map to existing successful steps{}",
                               good, entries, first_bad.empty() ? "" : "; first bad " + first_bad);
}

void JudgeReasoning(const protocol::Response& r, const Graph& g, const Leaves& leaves,
                    ScoreCard* card) {
  std::vector<std::string> why;
  const double acyclic = Acyclic(g) && !g.dangling && !g.duplicate_numbers ? 1.0 : 0.0;
  why.push_back(acyclic ? "acyclic" : "not a DAG (cycle, unknown or duplicate step)");
  int deps = 0, respected = 0;
  for (size_t i = 0; i < r.task_pipeline.size(); ++i) {
    for (size_t d : g.deps[i]) {
      ++deps;
      const auto& dep = r.task_pipeline[d];
      const double ready =
          static_cast<double>(dep.started_ms) + static_cast<double>(dep.latency_ms);
      respected += static_cast<double>(r.task_pipeline[i].started_ms) >= ready;
    }
  }
  const double order = deps == 0 ? 1.0 : static_cast<double>(respected) / deps;
  why.push_back(fmt::format("{} of {} dependencies respected", respected, deps));
  int traced = 0;
  std::vector<std::string> prefixes;
  if (r.provenance.is_object()) {
    for (const auto& [path, unused] : r.provenance.as_object()) prefixes.emplace_back(path);
  }
  std::sort(prefixes.begin(), prefixes.end());
  for (const auto& leaf : leaves.leaf_paths) {
    // A provenance path traces a leaf when it is the leaf or one of its ancestors.
    bool hit = false;
    for (size_t len = leaf.size(); len > 0 && !hit; --len) {
      if (len != leaf.size() && leaf[len] != '.' && leaf[len] != '[') continue;
      hit = std::binary_search(prefixes.begin(), prefixes.end(), leaf.substr(0, len));
    }
    traced += hit;
  }
  const double trace =
      leaves.leaf_paths.empty() ? 0.0 : static_cast<double>(traced) / leaves.leaf_paths.size();
  why.push_back(fmt::format("{} of {} output fields traceable", traced, leaves.leaf_paths.size()));
  const int successful = static_cast<int>(std::count_if(
      r.task_pipeline.begin(), r.task_pipeline.end(), [](const auto& s) { return !s.error; }));
  const int redundant = RedundantCalls(r.task_pipeline, nullptr);
  const double red = successful == 0 ? 0.0 : 1.0 - static_cast<double>(redundant) / successful;
  why.push_back(fmt::format("{} redundant call(s)", redundant));
  card->reasoning.score = Clamp01((acyclic + order + trace + red) / 4.0);
  card->reasoning.explanation = "mean of: " + Join(why, 4);
}

void AddLlmGrade(const ScoringInput& in, ScoreCard* card) {
  if (!in.llm_reasoning) return;
  const double llm = Clamp01(*in.llm_reasoning);
  const double dag = card->reasoning.score;
  card->reasoning.score = Clamp01(0.5 * dag + 0.5 * llm);
  card->reasoning.explanation =
      fmt::format("0.5 × DAG judge {} + 0.5 × LLM judge {} ({}); DAG: {}", Pct(dag), Pct(llm),
                  in.llm_rationale, card->reasoning.explanation);
}

void JudgeVelocity(const ScoringInput& in, const protocol::Response& r, const Graph& g,
                   ScoreCard* card) {
  card->deadline_ms = in.generated.challenge.deadline_ms;
  card->latency_ms = in.observed_latency_ms.value_or(r.total_latency_ms);
  const double latency = std::max<double>(0.0, static_cast<double>(card->latency_ms));
  const double path = CriticalPath(g);
  card->critical_path_ms = static_cast<int64_t>(std::min(path, 9.0e18));
  const double overhead = std::max(0.0, latency - path);
  card->coordination_overhead_ms = static_cast<int64_t>(std::min(overhead, 9.0e18));
  const double overhead_score = overhead <= kSubSecondMs ? 1.0 : kSubSecondMs / overhead;
  const double deadline = static_cast<double>(std::max<int64_t>(1, card->deadline_ms));
  const double deadline_score = latency > deadline ? 0.0 : 1.0 - 0.5 * latency / deadline;
  card->velocity.score = Clamp01(overhead_score * deadline_score);
  card->velocity.explanation = fmt::format(
      "overhead {:.0f} ms over the {:.0f} ms critical path → {}; latency {:.0f} of {:.0f} ms "
      "deadline → {}",
      overhead, path, Pct(overhead_score), latency, deadline, Pct(deadline_score));
}

ScoreCard Reject(ScoreCard card, std::string reason) {
  card.accepted = false;
  card.reject_reason = reason;
  for (Dimension* d : {&card.hash_verification, &card.schema_compliance, &card.completeness,
                       &card.relevance, &card.routing_efficiency, &card.ledger_freshness,
                       &card.ledger_coverage, &card.trap_performance, &card.provenance_fidelity,
                       &card.velocity, &card.reasoning, &card.standardization}) {
    d->score = 0.0;
    d->explanation = "rejected: " + reason;
  }
  return card;
}

}  // namespace

double Reward(double mechanism0, double mechanism1, const ScoringWeights& w) {
  return w.mechanism0_share * mechanism0 + w.mechanism1_share * mechanism1;
}

ScoreCard Score(const ScoringInput& in) {
  ScoreCard card;
  card.challenge_id = in.generated.challenge.challenge_id;
  card.miner_hotkey = in.miner_hotkey;
  card.deadline_ms = in.generated.challenge.deadline_ms;
  card.proofs = in.proofs;
  card.black_room = in.proofs.black_room;
  card.black_room_reason = in.proofs.black_room_reason;
  if (in.response_json.size() > kMaxResponseBytes) {
    return Reject(std::move(card), fmt::format("response: {} bytes, over the {} byte limit",
                                               in.response_json.size(), kMaxResponseBytes));
  }
  std::optional<protocol::Response> read_here;
  if (!in.response) {
    auto json = ParseJson(in.response_json, "response");
    if (!json) return Reject(std::move(card), json.error().message);
    auto parsed = protocol::ResponseFromJson(*json);
    if (!parsed) return Reject(std::move(card), "response: " + parsed.error().message);
    read_here = std::move(*parsed);
  }
  const protocol::Response& r = in.response ? *in.response : *read_here;
  if (r.challenge_id != in.generated.challenge.challenge_id) {
    return Reject(std::move(card),
                  fmt::format("challenge_id: answers \"{}\", not this challenge \"{}\"",
                              r.challenge_id, in.generated.challenge.challenge_id));
  }
  card.accepted = true;
  const ScoringWeights& w = in.weights;
  const ChallengeReference& ref = in.generated.reference;

  JudgeHashes(in.proofs, &card.hash_verification);
  int partial = 0;
  std::string first_partial;
  for (const StepProof& s : in.proofs.steps) {
    if (s.not_checked.empty()) continue;
    if (partial++ == 0) first_partial = fmt::format("step {}: {}", s.step, s.not_checked[0]);
  }
  if (partial > 0) {
    card.not_checked.push_back(
        fmt::format("proofs: {} step(s) not fully checked ({})", partial, first_partial));
  }

  Leaves leaves;
  Walk(r.standardized_data, "$", &leaves);
  double schema_completeness = 0.0;
  auto target = in.target ? Result<schema::Schema>(*in.target)
                          : schema::Schema::FromTarget(in.generated.challenge.target_schema);
  if (!target) {
    NotChecked(&card, &card.schema_compliance,
               "schema: target_schema does not compile: " + target.error().message);
    card.completeness = card.schema_compliance;
    card.relevance.checked = false;
    card.relevance.explanation = "not checked: target_schema does not compile";
  } else {
    const schema::ValidationReport report = target->Validate(r.standardized_data);
    card.schema_compliance.score = Clamp01(report.compliance);
    card.schema_compliance.explanation =
        report.violations.empty()
            ? fmt::format("valid against target_schema ({} fields)", report.total_fields)
            : fmt::format("{} violation(s) over {} fields; first {}: {}", report.violations.size(),
                          report.total_fields, report.violations[0].path,
                          report.violations[0].message);
    schema_completeness = Clamp01(report.completeness);
    if (in.has_reference) {
      JudgeRelevance(ref.key, leaves, r.final_synthesis, &card);
    } else {
      NotChecked(&card, &card.relevance, "relevance: no reference");
    }
    const double factor = card.relevance.checked ? 0.5 + 0.5 * card.relevance.score : 1.0;
    card.completeness.score = Clamp01(schema_completeness * factor);
    card.completeness.explanation =
        fmt::format("{} of {} required fields populated ({} of {} fields) → {}{}",
                    report.required_populated, report.required_fields, report.populated_fields,
                    report.total_fields, Pct(schema_completeness),
                    card.relevance.checked
                        ? fmt::format(" × (0.5 + 0.5 × relevance {}) = {}",
                                      Pct(card.relevance.score), Pct(card.completeness.score))
                        : "; relevance not checked");
  }

  const Graph graph = BuildGraph(r.task_pipeline);
  JudgeRouting(in, r, graph, &card);

  if (in.ledger.checked) {
    card.ledger_freshness.score = Clamp01(in.ledger.freshness);
    card.ledger_coverage.score = Clamp01(in.ledger.coverage);
    const std::string findings = in.ledger.findings.empty() ? "" : "; " + Join(in.ledger.findings);
    card.ledger_freshness.explanation =
        fmt::format("share of ledger entries agreeing with the probes{}", findings);
    card.ledger_coverage.explanation = "share of the live subnets the ledger lists";
  } else {
    NotChecked(&card, &card.ledger_freshness, "ledger freshness: no ledger or no probes");
    NotChecked(&card, &card.ledger_coverage, "ledger coverage: no ledger or no probes");
  }

  JudgeTraps(in, r, leaves, &card);
  JudgeProvenance(r, leaves, &card);
  JudgeReasoning(r, graph, leaves, &card);
  AddLlmGrade(in, &card);
  JudgeVelocity(in, r, graph, &card);
  card.standardization.score =
      Clamp01((card.schema_compliance.score + card.completeness.score) / 2.0);
  card.standardization.explanation = "(compliance + completeness) / 2";

  const double p = card.hash_verification.score;
  card.total = w.hash_verification * p + w.schema_compliance * card.schema_compliance.score +
               w.completeness * card.completeness.score +
               w.routing_efficiency * card.routing_efficiency.score +
               w.ledger_freshness * card.ledger_freshness.score +
               w.ledger_coverage * card.ledger_coverage.score +
               w.trap_performance * card.trap_performance.score;
  const double m0_weight = w.hash_verification + w.routing_efficiency + w.ledger_freshness +
                           w.ledger_coverage + w.trap_performance + w.velocity;
  const double m1_weight = w.schema_compliance + w.completeness + w.provenance_fidelity;
  card.mechanism0 =
      m0_weight <= 0.0
          ? 0.0
          : (w.hash_verification * p + w.routing_efficiency * card.routing_efficiency.score +
             w.ledger_freshness * card.ledger_freshness.score +
             w.ledger_coverage * card.ledger_coverage.score +
             w.trap_performance * card.trap_performance.score + w.velocity * card.velocity.score) /
                m0_weight;
  card.mechanism1 = m1_weight <= 0.0 ? 0.0
                                     : (w.schema_compliance * card.schema_compliance.score +
                                        w.completeness * card.completeness.score +
                                        w.provenance_fidelity * card.provenance_fidelity.score) /
                                           m1_weight;
  card.oes = w.oes_reasoning * card.reasoning.score + w.oes_procurement * p +
             w.oes_data * card.standardization.score + w.oes_velocity * card.velocity.score;
  if (card.relevance.checked && card.relevance.score <= 0.0) {
    // An answer about another topic (none of the topic terms, nothing the key supports) is
    // worse than an honest "not found": its shape earns nothing.
    card.mechanism1 = 0.0;
  }
  if (in.proofs.valid == 0 || card.black_room) {
    // The procurement gate: without a valid proof nothing was hired, so nothing is earned.
    card.total = card.mechanism0 = card.mechanism1 = card.oes = 0.0;
  }
  card.total = Clamp01(card.total);
  card.mechanism0 = Clamp01(card.mechanism0);
  card.mechanism1 = Clamp01(card.mechanism1);
  card.oes = Clamp01(card.oes);
  card.reward = Clamp01(Reward(card.mechanism0, card.mechanism1, w));
  return card;
}

namespace {

Json DimensionJson(const Dimension& d) {
  return JsonObject{{"score", d.score}, {"checked", d.checked}, {"explanation", d.explanation}};
}

struct Row {
  const char* name;
  const Dimension* dim;
  double weight;  // seed 000 weight; 0 when not in the total
  const char* mechanism;
};

std::vector<Row> Rows(const ScoreCard& c, const ScoringWeights& w) {
  return {{"hash_verification", &c.hash_verification, w.hash_verification, "M0"},
          {"schema_compliance", &c.schema_compliance, w.schema_compliance, "M1"},
          {"completeness", &c.completeness, w.completeness, "M1"},
          {"relevance", &c.relevance, 0.0, "in completeness"},
          {"routing_efficiency", &c.routing_efficiency, w.routing_efficiency, "M0"},
          {"ledger_freshness", &c.ledger_freshness, w.ledger_freshness, "M0"},
          {"ledger_coverage", &c.ledger_coverage, w.ledger_coverage, "M0"},
          {"trap_performance", &c.trap_performance, w.trap_performance, "M0"},
          {"provenance_fidelity", &c.provenance_fidelity, 0.0, "M1"},
          {"velocity", &c.velocity, 0.0, "M0, OES V"},
          {"reasoning", &c.reasoning, 0.0, "OES R"},
          {"standardization", &c.standardization, 0.0, "OES D"}};
}

}  // namespace

Json ToJson(const ScoreCard& c) {
  JsonObject dims;
  for (const Row& row : Rows(c, ScoringWeights{})) dims[row.name] = DimensionJson(*row.dim);
  JsonArray not_checked;
  for (const auto& n : c.not_checked) not_checked.emplace_back(n);
  return JsonObject{{"accepted", c.accepted},
                    {"reject_reason", c.reject_reason},
                    {"challenge_id", c.challenge_id},
                    {"miner_hotkey", c.miner_hotkey},
                    {"dimensions", std::move(dims)},
                    {"total", c.total},
                    {"mechanism0", c.mechanism0},
                    {"mechanism1", c.mechanism1},
                    {"reward", c.reward},
                    {"oes", c.oes},
                    {"latency_ms", c.latency_ms},
                    {"deadline_ms", c.deadline_ms},
                    {"critical_path_ms", c.critical_path_ms},
                    {"coordination_overhead_ms", c.coordination_overhead_ms},
                    {"black_room", c.black_room},
                    {"black_room_reason", c.black_room_reason},
                    {"proofs", ToJson(c.proofs)},
                    {"not_checked", std::move(not_checked)}};
}

std::string RenderScoreCard(const ScoreCard& c, const ScoringWeights& w) {
  std::string out = fmt::format("challenge {}\nminer     {}\n", c.challenge_id, c.miner_hotkey);
  if (!c.accepted) out += "REJECTED: " + c.reject_reason + "\n";
  if (c.black_room) out += "BLACK-ROOM OFFENCE: " + c.black_room_reason + "\n";
  out += fmt::format("\n{:<20} {:<5}  {:<5} {:<16} {}\n", "dimension", "score", "w", "counts in",
                     "why");
  for (const Row& row : Rows(c, w)) {
    out += fmt::format("{:<20} {:.3f}  {:<5} {:<16} {}\n", row.name, row.dim->score,
                       row.weight > 0 ? fmt::format("{:.0f}%", row.weight * 100) : "-",
                       row.mechanism, row.dim->explanation);
  }
  out += fmt::format(
      "\ntotal (seed 000)     {:.3f}\nmechanism 0          {:.3f}\nmechanism 1          {:.3f}\n"
      "reward               {:.3f} = {:.2f} × {:.3f} + {:.2f} × {:.3f}\nOES (seed 004)       "
      "{:.3f} = {:.2f}·R {:.3f} + {:.2f}·P {:.3f} + {:.2f}·D {:.3f} + {:.2f}·V {:.3f}\n",
      c.total, c.mechanism0, c.mechanism1, c.reward, w.mechanism0_share, c.mechanism0,
      w.mechanism1_share, c.mechanism1, c.oes, w.oes_reasoning, c.reasoning.score,
      w.oes_procurement, c.hash_verification.score, w.oes_data, c.standardization.score,
      w.oes_velocity, c.velocity.score);
  if (c.accepted && c.proofs.valid == 0) out += "zero valid proofs: both mechanisms are 0\n";
  out += fmt::format("latency {} ms, deadline {} ms, critical path {} ms, overhead {} ms\n",
                     c.latency_ms, c.deadline_ms, c.critical_path_ms, c.coordination_overhead_ms);
  if (!c.proofs.steps.empty()) out += "\nproofs\n";
  for (const StepProof& s : c.proofs.steps) {
    out += fmt::format("  step {:<3} {:<6} uid {:<3} {:<13} {}\n", s.step, s.subnet, s.uid,
                       ProofKindName(s.kind), s.reason);
    for (const auto& n : s.not_checked) out += "           not checked: " + n + "\n";
  }
  if (!c.not_checked.empty()) {
    out += "\nnot checked\n";
    for (const auto& n : c.not_checked) out += "  " + n + "\n";
  }
  return out;
}

}  // namespace orchestra::validator
