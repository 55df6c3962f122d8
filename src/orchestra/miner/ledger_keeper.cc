#include "orchestra/miner/ledger_keeper.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <random>

#include "orchestra/core/hash.h"
#include "orchestra/experts/adapters.h"
#include "orchestra/protocol/receipt.h"

namespace orchestra::miner {
namespace asio = boost::asio;
using std::chrono::milliseconds;

namespace {

// The probe of `entry`'s capability family; null for a family the keeper cannot probe.
Json PayloadFor(const ledger::LedgerEntry& entry, const KeeperOptions& options,
                const std::string& found_url) {
  for (const std::string& capability : entry.capabilities) {
    switch (experts::FamilyOf(capability)) {
      case experts::Family::kSearch:
        return experts::SearchRequest(options.search_query, 3,
                                      capability == "news_search"     ? "news"
                                      : capability == "social_search" ? "social"
                                                                      : "web");
      case experts::Family::kScrape:
        return experts::ScrapeRequest({found_url.empty() ? options.scrape_url : found_url},
                                      {"title"});
      case experts::Family::kInference:
        return experts::ChatRequest("orchestra-probe", "Answer briefly.", options.chat_prompt,
                                    Json(), 64);
      case experts::Family::kUnknown:
        break;
    }
  }
  return Json();
}

}  // namespace

LedgerKeeper::LedgerKeeper(MinerService& service, experts::Transport& transport,
                           ledger::Learner* learner, ledger::Store* store, KeeperOptions options,
                           const TimeSource& time)
    : service_(service),
      transport_(transport),
      learner_(learner),
      store_(store),
      options_(std::move(options)),
      time_(time) {}

asio::awaitable<void> LedgerKeeper::ProbeOne(Probe probe, int index, RoundState state) {
  const std::string request_hash = CanonicalHash(probe.payload);
  const std::string lock = protocol::LockFor(fmt::format("probe-{}", state.round),
                                             options_.miner_hotkey, index, request_hash);
  // Named, not a temporary inside co_await: g++ 12 mis-destroys such temporaries.
  experts::ExpertCall call{probe.entry, probe.payload, lock, request_hash, 0, probe.uid};
  const Deadline probe_deadline = state.deadline.Within(options_.probe_timeout);
  const auto start = Deadline::Clock::now();
  auto reply = co_await transport_.Call(std::move(call), probe_deadline);
  const double latency = static_cast<double>(
      std::chrono::duration_cast<milliseconds>(Deadline::Clock::now() - start).count());
  ledger::ProbeRound& r = (*state.results)[probe.entry->subnet_id];
  ++r.probes;
  ++state.report->probes;
  const bool ok = reply.ok() && reply->output.is_object() && !reply->output.get_object().empty();
  std::optional<double> price;
  if (ok) {
    ++state.report->answered;
    r.answers.push_back(reply->output);
    r.latencies_ms.push_back(latency);
    if (auto receipt = protocol::ReceiptFromJson(reply->receipt); receipt.ok()) {
      r.receipts.push_back(receipt->Hash());
      price = receipt->price;
    }
    if (state.found_url->empty()) {
      if (auto hits = experts::ReadSearch(reply->output); hits.ok() && !hits->empty()) {
        *state.found_url = hits->front().url;
      }
    }
  } else {
    spdlog::debug("ledger probe {} uid {}: {}", probe.entry->subnet_id, probe.uid,
                  reply.ok() ? "empty answer" : reply.error().ToString());
  }
  if (learner_) {
    learner_->Record(ledger::CallOutcome{probe.entry->subnet_id, probe.uid, ok, latency, price,
                                         time_.UnixMillis(), true});
  }
}

asio::awaitable<KeeperRound> LedgerKeeper::RunRound() {
  auto executor = co_await asio::this_coro::executor;
  co_await asio::this_coro::throw_if_cancelled(false);
  const ledger::SnapshotPtr ledger = service_.ledger();
  KeeperRound report;
  report.at_ms = time_.UnixMillis();
  const uint64_t round = ++rounds_;
  const Deadline deadline = Deadline::After(options_.round_timeout);
  std::map<std::string, ledger::ProbeRound> results;
  for (const auto& [id, entry] : ledger->entries()) results[id].at_ms = report.at_ms;

  // Searches first: a scrape probe reads a page a search probe found.
  std::string found_url;
  for (const bool searches : {true, false}) {
    std::vector<Probe> probes;
    for (const auto& [id, entry] : ledger->entries()) {
      const bool search = !entry.capabilities.empty() &&
                          experts::FamilyOf(entry.capabilities.front()) == experts::Family::kSearch;
      if (search != searches) continue;
      Json payload = PayloadFor(entry, options_, found_url);
      if (payload.is_null()) continue;
      for (int uid : transport_.Uids(entry)) probes.push_back(Probe{&entry, uid, payload});
    }
    size_t pending = probes.size();
    if (pending == 0) continue;
    asio::steady_timer all_done(executor, Deadline::Clock::time_point::max());
    for (size_t i = 0; i < probes.size(); ++i) {
      RoundState state{&results, &report, &found_url, round, deadline};
      asio::co_spawn(executor, ProbeOne(probes[i], static_cast<int>(i), state),
                     [&](std::exception_ptr) {
                       if (--pending == 0) all_done.cancel();
                     });
    }
    // Until every probe is back, whatever else happens: they reference this frame. (A stop
    // wakes this wait early; the probes still end by their deadlines.)
    while (pending > 0) co_await all_done.async_wait(asio::as_tuple(asio::use_awaitable));
  }

  // What the round makes of each entry.
  std::map<std::string, ledger::LedgerEntry> entries = ledger->entries();
  for (auto& [id, entry] : entries) {
    ledger::Maintained m = ledger::ApplyProbes(entry, entry.compiled_output_schema(), results[id]);
    if (m.drift) {
      spdlog::warn("ledger drift: {} output schema changed ({} -> {}): {} fields changed", id,
                   m.drift->before, m.drift->after, m.drift->changes.size());
      for (const auto& c : m.drift->changes) {
        spdlog::debug("ledger drift: {} {}: {} -> {}", id, c.path,
                      c.before.empty() ? "-" : c.before, c.after.empty() ? "-" : c.after);
      }
      report.drifts.push_back(*m.drift);
    }
    if (m.was) {
      spdlog::warn("ledger: {} is now {} (was {})", id, ledger::StatusName(m.entry.status),
                   ledger::StatusName(*m.was));
      report.status_changes.emplace_back(id, *m.was, m.entry.status);
    }
    for (Json& proposal : m.proposals) {
      if (store_) {
        if (auto stored = store_->Append("proposal", id, proposal); !stored) {
          report.store_errors.push_back(stored.error().ToString());
        }
      }
      report.proposals.push_back(std::move(proposal));
    }
    if (m.drift && store_) {
      JsonArray changes;
      for (const auto& c : m.drift->changes) {
        changes.emplace_back(JsonObject{{"path", c.path}, {"old", c.before}, {"new", c.after}});
      }
      auto stored = store_->Append("drift", id,
                                   JsonObject{{"before", m.drift->before},
                                              {"after", m.drift->after},
                                              {"changes", std::move(changes)},
                                              {"old_schema", m.drift->old_schema},
                                              {"new_schema", m.drift->new_schema}});
      if (!stored) report.store_errors.push_back(stored.error().ToString());
    }
    entry = std::move(m.entry);
  }
  // Every round moves each entry's probe history on: a new ledger each time.
  auto snapshot = std::make_shared<const ledger::Snapshot>(std::move(entries));
  if (store_) {
    if (auto saved = store_->ReplaceAll(*snapshot); !saved) {
      report.store_errors.push_back(saved.error().ToString());
    }
  }
  service_.ReplaceLedger(snapshot);
  // What the probes taught about the UIDs, on top of the maintained entries.
  service_.PublishLearned();
  report.installed = true;
  for (const std::string& error : report.store_errors) {
    spdlog::warn("ledger store: {} (the ledger in memory is current)", error);
  }
  co_return report;
}

asio::awaitable<void> LedgerKeeper::Run() {
  auto executor = co_await asio::this_coro::executor;
  std::mt19937_64 rng(std::random_device{}());
  std::uniform_real_distribution<double> spread(1 - options_.jitter, 1 + options_.jitter);
  co_await asio::this_coro::throw_if_cancelled(false);
  for (;;) {
    if ((co_await asio::this_coro::cancellation_state).cancelled() !=
        asio::cancellation_type::none) {
      co_return;
    }
    asio::steady_timer wait(
        executor, milliseconds(static_cast<int64_t>(static_cast<double>(options_.interval.count()) *
                                                    spread(rng))));
    auto [error] = co_await wait.async_wait(asio::as_tuple(asio::use_awaitable));
    if (error) co_return;  // cancelled
    const KeeperRound round = co_await RunRound();
    spdlog::info("ledger round {}: {} of {} probes answered, {} drift, {} health changes{}",
                 rounds_, round.answered, round.probes, round.drifts.size(),
                 round.status_changes.size(), round.installed ? ", ledger updated" : "");
  }
}

}  // namespace orchestra::miner
