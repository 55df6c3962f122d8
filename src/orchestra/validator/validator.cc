#include "orchestra/validator/validator.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "orchestra/core/logfmt.h"
#include "orchestra/net/run_on_pool.h"
#include "orchestra/schema/schema.h"
#include "orchestra/validator/judge.h"
#include "orchestra/validator/weights.h"

namespace orchestra::validator {
namespace {

std::string Fixed3(double value) { return fmt::format("{:.3f}", value); }

Json WeightsJson(int mechanism, const EmitWeights& weights) {
  JsonArray uids, values;
  for (uint16_t u : weights.uids) uids.emplace_back(u);
  for (uint16_t v : weights.values) values.emplace_back(v);
  return JsonObject{
      {"mechanism", mechanism}, {"uids", std::move(uids)}, {"values", std::move(values)}};
}

}  // namespace

struct Validator::Metrics {
  explicit Metrics(obs::MetricsRegistry& r)
      : rounds(r.AddCounter("orchestra_validator_rounds_total",
                            "Synthetic challenge rounds, by outcome", {"outcome"})),
        answers(r.AddCounter("orchestra_validator_answers_total",
                             "Miner answers received, by outcome (scored, rejected, no_answer)",
                             {"outcome"})),
        receipts(r.AddCounter("orchestra_validator_receipts_total",
                              "Proofs judged, by verdict (valid, forged, replayed, ...)",
                              {"verdict"})),
        black_roomed(r.AddCounter("orchestra_validator_black_roomed_total",
                                  "Miners sent to the black room")),
        copies(r.AddCounter("orchestra_validator_copies_total",
                            "Answers found to copy an earlier answer")),
        organic(r.AddCounter("orchestra_validator_organic_total", "Organic requests, by outcome",
                             {"outcome"})),
        reward(r.AddHistogram("orchestra_validator_reward",
                              "Reward of each scored answer (0.7 mechanism 0 + 0.3 mechanism 1)",
                              {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0})) {}
  obs::CounterFamily& rounds;
  obs::CounterFamily& answers;
  obs::CounterFamily& receipts;
  obs::CounterFamily& black_roomed;
  obs::CounterFamily& copies;
  obs::CounterFamily& organic;
  obs::HistogramFamily& reward;
};

Validator::Validator(ValidatorDeps deps, ValidatorOptions options,
                     std::vector<ledger::LedgerEntry> base_ledger)
    : deps_(deps),
      options_(std::move(options)),
      base_ledger_(std::move(base_ledger)),
      rng_(DeriveSeed(options_.seed, "validator")),
      prober_(base_ledger_, *deps_.directory, *deps_.transport,
              ProberOptions{.validator_hotkey = options_.hotkey,
                            .now_ms = [time = deps_.time] { return time->UnixMillis(); }}),
      log_checker_(*deps_.client, *deps_.directory, options_.log_check_rate,
                   DeriveSeed(options_.seed, "receipt-log")),
      registry_(RegistryFromDirectory(*deps_.directory)) {
  if (options_.traps) {
    planter_ =
        std::make_unique<TrapPlanter>(*deps_.client, options_.traps->host,
                                      options_.traps->control_port, options_.traps->admin_token);
  } else {
    options_.generator.schema_trap_rate = 0;
    options_.generator.logic_trap_rate = 0;
  }
  if (deps_.metrics) metrics_ = std::make_unique<Metrics>(*deps_.metrics);
}

Validator::~Validator() = default;

void Validator::SetMiners(std::vector<MinerTarget> miners) { miners_ = std::move(miners); }

boost::asio::awaitable<void> Validator::RefreshExperts() {
  const ExpertView& view = co_await prober_.Probe(Deadline::After(options_.probe_deadline));
  measured_ = MeasuredEntries(view, base_ledger_);
  const ledger::LedgerEntry* search = MostReliable(measured_, "web_search");
  const ledger::LedgerEntry* scrape = MostReliable(measured_, "web_scraping");
  if (!search || !scrape) {
    spdlog::warn("validator: probes found no live {} subnet; challenges cannot be made",
                 search ? "scraping" : "search");
    co_return;
  }
  // The generator keeps its sequence (and so its challenge ids) while the subnets it reads
  // from stay the same; only its view of costs and latencies changes.
  if (retriever_ && retriever_->search_entry().subnet_id == search->subnet_id &&
      retriever_->scrape_entry().subnet_id == scrape->subnet_id) {
    generator_->set_ledger(measured_);
    co_return;
  }
  generator_.reset();
  retriever_ = std::make_unique<Retriever>(*deps_.transport, *search, *scrape,
                                           RetrieverOptions{.validator_hotkey = options_.hotkey});
  generator_ = std::make_unique<ChallengeGenerator>(*retriever_, measured_, options_.generator);
}

boost::asio::awaitable<Result<RoundReport>> Validator::RunRound() {
  if (rounds_ % static_cast<uint64_t>(std::max(1, options_.probe_every)) == 0 || !generator_) {
    co_await RefreshExperts();
  }
  ++rounds_;
  auto count_round = [this](std::string_view outcome) {
    if (metrics_) metrics_->rounds.WithLabels({outcome}).Inc();
  };
  if (!generator_) {
    count_round("no_challenge");
    co_return Error(ErrorCode::kUnavailable, "no live search and scraping subnets to build on");
  }
  auto generated = co_await generator_->Next(Deadline::After(options_.generate_deadline));
  if (!generated) {
    count_round("no_challenge");
    co_return Error(generated.error().code,
                    "could not make a challenge: " + generated.error().message);
  }
  std::set<std::string> black_room;
  {
    // Named: g++ 12 destroys a temporary inside co_await twice.
    auto work = [store = deps_.store] { return store->BlackRoomed(); };
    auto rows = co_await net::RunOnPool(deps_.blocking, std::move(work));
    if (rows) {
      for (const BlackRoomEntry& e : *rows) black_room.insert(e.hotkey);
    }
  }
  const std::vector<MinerTarget> sample =
      SampleMiners(miners_, options_.sample_size, rng_, options_.hotkey, black_room);
  if (sample.empty()) {
    count_round("no_miners");
    co_return Error(ErrorCode::kUnavailable, "no serving miner to query");
  }

  RoundReport report;
  report.challenge = std::move(*generated);
  const protocol::Challenge& challenge = report.challenge.challenge;
  const ChallengeReference& reference = report.challenge.reference;
  const bool has_traps = planter_ && (reference.schema_trap || reference.logic_trap);
  spdlog::info("validator: round {}: challenge {} ({} on \"{}\", {} miners){}{}", rounds_,
               challenge.challenge_id, reference.template_name, reference.topic, sample.size(),
               reference.schema_trap
                   ? fmt::format("; schema trap on {}: {}", reference.schema_trap->subnet_id,
                                 CompactJson(reference.schema_trap->drift))
                   : "",
               reference.logic_trap
                   ? fmt::format("; logic trap on {}: truth {} stale {}",
                                 reference.logic_trap->stale_subnet_id, reference.logic_trap->truth,
                                 reference.logic_trap->stale_value)
                   : "");
  if (has_traps) {
    Status planted = co_await planter_->Plant(reference, Deadline::After(std::chrono::seconds(5)));
    if (!planted) {
      report.trap_error = planted.error().message;
      spdlog::warn("validator: challenge {}: trap not planted: {}", challenge.challenge_id,
                   report.trap_error);
      // Whatever half of it did get planted must not outlive this round.
      Status removed =
          co_await planter_->Remove(reference, Deadline::After(std::chrono::seconds(5)));
      if (!removed) spdlog::warn("validator: trap not removed: {}", removed.error().message);
      report.challenge.reference.schema_trap.reset();
      report.challenge.reference.logic_trap.reset();
    }
  }

  const int64_t window_start = deps_.time->UnixMillis() - options_.clock_skew.count();
  const double ledger_timeout = std::min(10.0, static_cast<double>(challenge.deadline_ms) / 1000.0);
  std::vector<MinerReply> answers = co_await AskChallenge(*deps_.dendrite, sample, challenge);
  const int64_t window_end = deps_.time->UnixMillis() + options_.clock_skew.count();
  if (has_traps && report.trap_error.empty()) {
    Status removed = co_await planter_->Remove(reference, Deadline::After(std::chrono::seconds(5)));
    if (!removed) spdlog::warn("validator: trap not removed: {}", removed.error().message);
  }
  // The ledgers after the answers, not alongside: a miner's axon takes one dendrite's nonces in
  // order, so a ledger query overtaking the challenge would get the challenge refused (401).
  std::vector<MinerReply> ledgers =
      co_await AskLedger(*deps_.dendrite, sample, std::nullopt, ledger_timeout);

  // Judged in arrival order, so that of two identical answers the first keeps the credit.
  std::vector<size_t> order(answers.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const bool a_ok = answers[a].status_code == 200, b_ok = answers[b].status_code == 200;
    if (a_ok != b_ok) return a_ok;
    return answers[a].seconds < answers[b].seconds;
  });
  std::vector<MinerResult> results;
  results.reserve(answers.size());
  const auto target = schema::Schema::FromTarget(challenge.target_schema);
  for (size_t i : order) {
    results.push_back(co_await Judge(report.challenge, /*has_reference=*/true,
                                     target ? &*target : nullptr, answers[i], &ledgers[i],
                                     window_start, window_end));
  }
  Status settled = co_await Settle(challenge.challenge_id, results, /*organic=*/false);
  if (!settled) spdlog::error("validator: {}", settled.error().message);

  // Weights from the moving averages, one mechanism at a time.
  std::map<std::string, int> uid_of_hotkey;
  for (const MinerTarget& m : miners_) uid_of_hotkey[m.axon.hotkey] = m.uid;
  for (int mechanism = 0; mechanism < ValidatorStore::kMechanisms; ++mechanism) {
    auto work = [store = deps_.store, mechanism, uid_of_hotkey,
                 now = deps_.time->UnixMillis()]() -> Result<EmitWeights> {
      auto averages = store->Averages(mechanism);
      if (!averages) return averages.error();
      auto emit = WeightsForEmit(*averages, uid_of_hotkey, [store](std::string_view hotkey) {
        return store->IsBlackRoomed(hotkey);
      });
      if (!emit) return emit.error();
      StoredWeights stored{mechanism, emit->uids, emit->values, now};
      if (Status saved = store->SaveWeights(stored); !saved) return saved.error();
      return emit;
    };
    auto weights = co_await net::RunOnPool(deps_.blocking, std::move(work));
    if (weights) {
      report.weights[mechanism] = std::move(*weights);
    } else {
      spdlog::error("validator: weights of mechanism {}: {}", mechanism, weights.error().message);
    }
  }

  std::sort(results.begin(), results.end(),
            [](const MinerResult& a, const MinerResult& b) { return a.miner.uid < b.miner.uid; });
  for (const MinerResult& r : results) Log(report.challenge, r);
  report.miners = std::move(results);
  count_round("done");

  JsonArray miners;
  for (const MinerResult& r : report.miners) {
    miners.emplace_back(JsonObject{{"uid", r.miner.uid},
                                   {"hotkey", r.miner.axon.hotkey},
                                   {"status", r.status_code},
                                   {"reward", r.card.reward},
                                   {"mechanism0", r.mechanism0},
                                   {"mechanism1", r.mechanism1},
                                   {"copy_of", r.copy ? r.copy->copied_from : ""},
                                   {"black_roomed_now", r.black_roomed_now}});
  }
  last_round_ = JsonObject{{"challenge_id", challenge.challenge_id},
                           {"template", reference.template_name},
                           {"topic", reference.topic},
                           {"schema_trap", reference.schema_trap.has_value()},
                           {"logic_trap", reference.logic_trap.has_value()},
                           {"miners", std::move(miners)}};
  co_return report;
}

boost::asio::awaitable<MinerResult> Validator::Judge(
    const GeneratedChallenge& generated, bool has_reference, const schema::Schema* target,
    const MinerReply& reply, const MinerReply* ledger, int64_t window_start, int64_t window_end) {
  MinerResult result;
  result.miner = reply.miner;
  result.status_code = reply.status_code;
  result.status_message = reply.status_message;
  // Hashes the store already knows are replays. They are looked up before judging; afterwards
  // only the hashes of valid proofs (whose locks bind this miner and this challenge) are
  // recorded, so presenting another miner's hash first cannot make that miner a replayer.
  Result<protocol::Response> response = protocol::ResponseFromJson(reply.fields);
  std::vector<std::string> hashes;
  if (reply.status_code == 200 && response) hashes = PresentedHashes(*response);
  auto work = [store = deps_.store, hashes]() -> Result<std::set<std::string, std::less<>>> {
    std::set<std::string, std::less<>> out;
    for (const std::string& h : hashes) {
      auto is_known = store->IsHashKnown(h);
      if (!is_known) return is_known.error();
      if (*is_known) out.insert(h);
    }
    return out;
  };
  auto known = co_await net::RunOnPool(deps_.blocking, std::move(work));
  if (!known) {
    result.card.reject_reason = "validator store unavailable: " + known.error().message;
    result.card.challenge_id = generated.challenge.challenge_id;
    result.card.miner_hotkey = reply.miner.axon.hotkey;
    co_return result;
  }
  JudgeContext context{.generated = &generated,
                       .has_reference = has_reference,
                       .window_start_ms = window_start,
                       .window_end_ms = window_end,
                       .registry = &registry_,
                       .presented_before = &*known,
                       .log_checker = &log_checker_,
                       .experts = &prober_.view(),
                       .weights = options_.weights,
                       .target = target};
  Judged judged = co_await JudgeReply(reply, std::move(response), ledger, context);
  result.card = std::move(judged.card);
  result.response = std::move(judged.response);

  std::vector<std::string> valid;
  for (const StepProof& p : result.card.proofs.steps) {
    if (CountsAsValid(p.kind)) valid.push_back(p.hash);
    if (metrics_) metrics_->receipts.WithLabels({ProofKindName(p.kind)}).Inc();
  }
  if (!valid.empty()) {
    auto work = [store = deps_.store, hotkey = reply.miner.axon.hotkey,
                 id = generated.challenge.challenge_id, valid, now = deps_.time->UnixMillis()] {
      return store->ClaimHashes(hotkey, id, valid, now);
    };
    auto claimed = co_await net::RunOnPool(deps_.blocking, std::move(work));
    if (!claimed) spdlog::error("validator: recording hashes: {}", claimed.error().message);
  }
  if (metrics_) {
    const std::string_view outcome = reply.status_code != 200 ? "no_answer"
                                     : result.card.accepted   ? "scored"
                                                              : "rejected";
    metrics_->answers.WithLabels({outcome}).Inc();
  }
  co_return result;
}

boost::asio::awaitable<Status> Validator::Settle(const std::string& challenge_id,
                                                 std::vector<MinerResult>& results, bool organic) {
  // Copies, compared in arrival order (the order of `results`): the first keeps the credit.
  std::vector<AnswerPrint> prints;
  std::vector<size_t> owner;
  for (size_t i = 0; i < results.size(); ++i) {
    const MinerResult& r = results[i];
    // An answer without a valid proof of its own earns nothing anyway; it must not make the
    // honest answer it imitates look like the copy.
    if (!r.card.accepted || !r.response || r.card.black_room || r.card.proofs.valid == 0) {
      continue;
    }
    prints.push_back(MakeAnswerPrint(r.miner.axon.hotkey, challenge_id,
                                     r.response->standardized_data, r.response->task_pipeline));
    owner.push_back(i);
  }
  for (CopyFinding& finding : FindCopies(prints, options_.collusion)) {
    MinerResult& copy = results[owner[finding.index]];
    spdlog::warn("validator: challenge {}: uid {} copies an earlier answer: {}", challenge_id,
                 copy.miner.uid, CompactJson(ToJson(finding)));
    copy.copy = std::move(finding);
    if (metrics_) metrics_->copies.Get().Inc();
  }

  const int64_t now = deps_.time->UnixMillis();
  std::vector<ScoreSample> samples;
  std::vector<ScoreLogRow> rows;
  struct Offence {
    size_t index;
    std::string reason;
    std::string evidence;
  };
  std::vector<Offence> offences;
  for (size_t i = 0; i < results.size(); ++i) {
    MinerResult& r = results[i];
    const bool credited = r.card.accepted && !r.copy && !r.card.black_room;
    r.mechanism0 = credited ? r.card.mechanism0 : 0.0;
    r.mechanism1 = credited ? r.card.mechanism1 : 0.0;
    if (r.card.black_room) {
      offences.push_back(Offence{i, r.card.black_room_reason,
                                 CompactJson(JsonObject{{"challenge_id", challenge_id},
                                                        {"uid", r.miner.uid},
                                                        {"proofs", ToJson(r.card.proofs)}})});
    }
    if (metrics_ && r.card.accepted) metrics_->reward.Get().Observe(r.card.reward);
    samples.push_back(ScoreSample{r.miner.axon.hotkey, r.miner.uid, 0, r.mechanism0});
    samples.push_back(ScoreSample{r.miner.axon.hotkey, r.miner.uid, 1, r.mechanism1});
    JsonObject card = ToJson(r.card).as_object();
    if (r.copy) card["copy"] = ToJson(*r.copy);
    card["organic"] = organic;
    rows.push_back(
        ScoreLogRow{challenge_id, r.miner.axon.hotkey, now, r.card.reward, CompactJson(card)});
  }

  // Organic answers are judged without a reference (no answer key, no traps, no ledger): they
  // black-room offenders and keep their proofs out of later challenges, but do not move the
  // moving averages, which only the validator's own challenges set.
  struct Settled {
    Status status;
    std::vector<bool> newly_black_roomed;
    std::vector<double> averages;
  };
  auto work = [store = deps_.store, offences, samples, rows, organic, now,
               alpha = options_.ema_alpha, &results]() -> Settled {
    Settled out;
    for (const Offence& o : offences) {
      const std::string& hotkey = results[o.index].miner.axon.hotkey;
      const bool before = store->IsBlackRoomed(hotkey);
      if (Status s = store->BlackRoom(hotkey, o.reason, o.evidence, now); !s && out.status) {
        out.status = s;
      }
      out.newly_black_roomed.push_back(!before);
    }
    if (!organic) {
      auto averages = store->UpdateAverages(samples, alpha, now);
      if (averages) {
        out.averages = std::move(*averages);
      } else if (out.status) {
        out.status = averages.error();
      }
    }
    if (Status s = store->LogScores(rows); !s && out.status) out.status = s;
    return out;
  };
  Settled settled = co_await net::RunOnPool(deps_.blocking, std::move(work));
  for (size_t k = 0; k < offences.size() && k < settled.newly_black_roomed.size(); ++k) {
    MinerResult& r = results[offences[k].index];
    r.black_roomed_now = settled.newly_black_roomed[k];
    if (r.black_roomed_now) {
      spdlog::warn("validator: black-roomed uid {} hotkey {}: {}", r.miner.uid, r.miner.axon.hotkey,
                   offences[k].reason);
      if (metrics_) metrics_->black_roomed.Get().Inc();
    }
  }
  for (size_t i = 0; i < results.size() && 2 * i + 1 < settled.averages.size(); ++i) {
    results[i].average0 = settled.averages[2 * i];
    results[i].average1 = settled.averages[2 * i + 1];
  }
  co_return settled.status;
}

boost::asio::awaitable<Result<MinerResult>> Validator::Organic(protocol::Challenge challenge) {
  auto count = [this](std::string_view outcome) {
    if (metrics_) metrics_->organic.WithLabels({outcome}).Inc();
  };
  if (challenge.challenge_id.empty()) {
    challenge.challenge_id = protocol::NewChallengeId(challenge.objective);
  }
  // The best miners by what the reward would give them on their moving averages.
  struct Ranked {
    std::map<std::string, double> score;
    std::set<std::string> black_room;
  };
  auto work = [store = deps_.store]() -> Result<Ranked> {
    Ranked out;
    for (int mechanism = 0; mechanism < ValidatorStore::kMechanisms; ++mechanism) {
      auto averages = store->Averages(mechanism);
      if (!averages) return averages.error();
      const double share =
          mechanism == 0 ? ScoringWeights{}.mechanism0_share : ScoringWeights{}.mechanism1_share;
      for (const MinerAverage& a : *averages) out.score[a.hotkey] += share * a.average;
    }
    auto rooms = store->BlackRoomed();
    if (!rooms) return rooms.error();
    for (const BlackRoomEntry& e : *rooms) out.black_room.insert(e.hotkey);
    return out;
  };
  auto ranked = co_await net::RunOnPool(deps_.blocking, std::move(work));
  if (!ranked) {
    count("error");
    co_return ranked.error();
  }
  std::vector<MinerTarget> candidates;
  for (const MinerTarget& m : miners_) {
    if (m.serving && m.axon.hotkey != options_.hotkey &&
        !ranked->black_room.contains(m.axon.hotkey))
      candidates.push_back(m);
  }
  std::stable_sort(candidates.begin(), candidates.end(),
                   [&](const MinerTarget& a, const MinerTarget& b) {
                     return ranked->score[a.axon.hotkey] > ranked->score[b.axon.hotkey];
                   });
  if (candidates.size() > options_.organic_miners) candidates.resize(options_.organic_miners);
  if (candidates.empty()) {
    count("no_miners");
    co_return Error(ErrorCode::kUnavailable, "no serving miner to ask");
  }

  GeneratedChallenge generated{challenge, {}};
  const int64_t window_start = deps_.time->UnixMillis() - options_.clock_skew.count();
  std::vector<MinerReply> answers = co_await AskChallenge(*deps_.dendrite, candidates, challenge);
  const int64_t window_end = deps_.time->UnixMillis() + options_.clock_skew.count();
  std::vector<size_t> order(answers.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return answers[a].seconds < answers[b].seconds; });
  std::vector<MinerResult> results;
  const auto target = schema::Schema::FromTarget(challenge.target_schema);
  for (size_t i : order) {
    results.push_back(co_await Judge(generated, /*has_reference=*/false,
                                     target ? &*target : nullptr, answers[i], nullptr, window_start,
                                     window_end));
    results.back().answer = std::move(answers[i].fields);
  }
  if (Status s = co_await Settle(challenge.challenge_id, results, /*organic=*/true); !s) {
    spdlog::error("validator: organic {}: {}", challenge.challenge_id, s.error().message);
  }
  const MinerResult* best = nullptr;
  for (const MinerResult& r : results) {
    if (!r.card.accepted || r.card.black_room || r.copy || r.card.proofs.valid == 0) continue;
    if (!best || r.card.reward > best->card.reward) best = &r;
  }
  if (!best) {
    count("no_answer");
    std::string why;
    for (const MinerResult& r : results) {
      why += fmt::format("{}uid {}: {}", why.empty() ? "" : "; ", r.miner.uid,
                         r.card.accepted ? "no valid proof" : r.card.reject_reason);
    }
    co_return Error(ErrorCode::kUnavailable, "no miner gave a verified answer: " + why);
  }
  count("ok");
  co_return *best;
}

boost::asio::awaitable<Json> Validator::StatusJson() const {
  // Taken before the store is read: a round that ends while it is read would otherwise show as
  // the last round next to averages, black room and weights from before it.
  const uint64_t rounds = rounds_;
  const Json last_round = last_round_;
  struct Stored {
    std::vector<MinerAverage> averages[ValidatorStore::kMechanisms];
    std::vector<BlackRoomEntry> black_room;
    std::optional<StoredWeights> weights[ValidatorStore::kMechanisms];
    int64_t known_hashes = 0;
    std::string error;
  };
  auto work = [store = deps_.store] {
    Stored out;
    for (int m = 0; m < ValidatorStore::kMechanisms; ++m) {
      auto averages = store->Averages(m);
      auto weights = store->LastWeights(m);
      if (!averages || !weights) {
        out.error = !averages ? averages.error().message : weights.error().message;
        return out;
      }
      out.averages[m] = std::move(*averages);
      out.weights[m] = std::move(*weights);
    }
    auto rooms = store->BlackRoomed();
    auto known = store->KnownHashCount();
    if (!rooms || !known) {
      out.error = !rooms ? rooms.error().message : known.error().message;
      return out;
    }
    out.black_room = std::move(*rooms);
    out.known_hashes = *known;
    return out;
  };
  Stored stored = co_await net::RunOnPool(deps_.blocking, std::move(work));
  JsonObject status{{"hotkey", options_.hotkey}, {"rounds", rounds}};
  if (!stored.error.empty()) status["store_error"] = stored.error;
  std::map<std::string, JsonObject> by_hotkey;
  for (int m = 0; m < ValidatorStore::kMechanisms; ++m) {
    for (const MinerAverage& a : stored.averages[m]) {
      JsonObject& row = by_hotkey[a.hotkey];
      row["hotkey"] = a.hotkey;
      row["uid"] = a.uid;
      row[m == 0 ? "average0" : "average1"] = a.average;
      row["samples"] = a.samples;
    }
  }
  JsonArray miners;
  for (auto& [hotkey, row] : by_hotkey) miners.emplace_back(std::move(row));
  status["miners"] = std::move(miners);
  JsonArray rooms;
  for (const BlackRoomEntry& e : stored.black_room) {
    auto evidence = ParseJson(e.evidence_json);
    rooms.emplace_back(JsonObject{{"hotkey", e.hotkey},
                                  {"reason", e.reason},
                                  {"at_ms", e.at_ms},
                                  {"evidence", evidence ? *evidence : Json()}});
  }
  status["black_room"] = std::move(rooms);
  JsonArray weights;
  for (int m = 0; m < ValidatorStore::kMechanisms; ++m) {
    if (!stored.weights[m]) continue;
    weights.emplace_back(
        WeightsJson(m, EmitWeights{stored.weights[m]->uids, stored.weights[m]->values}));
    weights.back().as_object()["at_ms"] = stored.weights[m]->at_ms;
  }
  status["weights"] = std::move(weights);
  status["known_hashes"] = stored.known_hashes;
  status["experts"] = prober_.view().ToJson();
  status["last_round"] = last_round;
  co_return status;
}

void Validator::Log(const GeneratedChallenge& generated, const MinerResult& r) const {
  const ScoreCard& c = r.card;
  std::string line = fmt::format(
      "validator_score challenge={} template={} uid={} miner={} status={} reward={} m0={} m1={} "
      "oes={} total={} proofs={}/{} hash={} compliance={} completeness={} relevance={} "
      "routing={} freshness={} coverage={} trap={} velocity={} provenance={} copy_of={} "
      "black_room={}",
      generated.challenge.challenge_id, LogfmtValue(generated.reference.template_name), r.miner.uid,
      r.miner.axon.hotkey, r.status_code, Fixed3(c.reward), Fixed3(r.mechanism0),
      Fixed3(r.mechanism1), Fixed3(c.oes), Fixed3(c.total), c.proofs.valid_successful,
      c.proofs.successful_steps, Fixed3(c.hash_verification.score),
      Fixed3(c.schema_compliance.score), Fixed3(c.completeness.score), Fixed3(c.relevance.score),
      Fixed3(c.routing_efficiency.score), Fixed3(c.ledger_freshness.score),
      Fixed3(c.ledger_coverage.score), Fixed3(c.trap_performance.score), Fixed3(c.velocity.score),
      Fixed3(c.provenance_fidelity.score), r.copy ? r.copy->copied_from : "",
      r.black_roomed_now ? "true" : "false");
  if (!c.accepted) line += " reason=" + LogfmtValue(c.reject_reason);
  if (c.black_room) line += " offence=" + LogfmtValue(c.black_room_reason);
  spdlog::info("{}", line);
}

}  // namespace orchestra::validator
