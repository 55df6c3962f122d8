#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "orchestra/core/deadline.h"
#include "orchestra/core/json.h"
#include "orchestra/experts/directory.h"
#include "orchestra/experts/transport.h"
#include "orchestra/ledger/entry.h"

// The validator's own view of the expert subnets: it probes every subnet it knows itself, so
// that it can judge a miner's ledger (ledger_audit.h) and price the cheapest route of a
// challenge without trusting any miner.
namespace orchestra::validator {

// What the validator's probes found about one subnet.
struct SubnetProbe {
  std::string subnet_id;  // "SN22"
  int netuid = 0;
  // At least one probe of the last round got an answer: a JSON object with at least one field.
  bool alive = false;
  // Median of latency_history_ms (0 while it is empty).
  double latency_ms = 0;
  // Latencies of the answered probes of the last rounds, oldest first (ProberOptions::history).
  std::vector<double> latency_history_ms;
  // The price on the last answer's receipt (the transport's figure when it carried none), TAO.
  double cost = 0;
  // The input fields of the last answered probe, as the subnet accepted them, and the renames
  // learned from the subnet's 422s: base ledger field → the field the subnet now expects.
  std::vector<std::string> input_fields;
  std::map<std::string, std::string> input_renames;
  // The shape of the last round's answers, merged (output_shape.h), and its fingerprint. Kept
  // from an earlier round when the last one got no answer; "None" / "" before any answer.
  Json output_shape = "None";
  std::string output_fingerprint;
  int64_t last_probe_ms = 0;  // Unix ms when the last round probed it
  int probes = 0;             // probes sent in the last round
  int answered = 0;           // of which answered
  // Why the last round's other probes failed, one line each ("web_search: SN22 uid 1: HTTP
  // 503 ...", "no UID in the metagraph").
  std::vector<std::string> errors;
};

// Every subnet the prober knows, by subnet id, as its last round left them.
struct ExpertView {
  std::map<std::string, SubnetProbe> subnets;
  int64_t probed_at_ms = 0;  // Unix ms when the last round started

  const SubnetProbe* Find(std::string_view subnet_id) const;
  // {"probed_at_ms": .., "subnets": {id: {"alive", "latency_ms", "latency_history_ms", "cost",
  // "input_fields", "input_renames", "output_shape", "output_fingerprint", "last_probe_ms",
  // "probes", "answered", "errors", "netuid"}}}
  Json ToJson() const;
};

// The live subnets of `view` as ledger entries, for routing decisions of the validator's own
// (the challenge generator's cheapest route): each is its `base` entry (subnets without one are
// left out) with the measured cost (cost_per_query), latency (avg_latency_ms = the median,
// p95_latency_ms = the 95th percentile of the history, both at least 1 ms), reliability
// (answered / probes of the last round), last_updated (ISO 8601 of last_probe_ms), input
// fields renamed as the subnet now expects them, and output_schema = the probed shape. In
// subnet id order.
std::vector<ledger::LedgerEntry> MeasuredEntries(const ExpertView& view,
                                                 const std::vector<ledger::LedgerEntry>& base);

struct ProberOptions {
  // SS58 of the validator's hotkey: each probe's hash lock binds it (protocol::LockFor) with a
  // per-round probe id, as a miner's call binds its challenge.
  std::string validator_hotkey;
  size_t max_concurrency = 8;                     // probes in flight at once
  std::chrono::milliseconds probe_timeout{5000};  // per probe, within the round's deadline
  size_t history = 8;                             // latencies kept per subnet
  // The payloads: a search probe asks `search_query`; a scrape probe fetches the first link a
  // search probe of the same round found, else `scrape_url`; a chat probe asks `chat_prompt`.
  std::string search_query = "decentralized compute marketplace";
  std::string scrape_url = "https://akash.network/";
  std::string chat_prompt =
      "Objective: Summarise in one sentence what a decentralized compute marketplace offers.\n"
      "Context (JSON):\n"
      "[{\"title\": \"Akash Network\", \"snippet\": \"Akash is an open marketplace where anyone "
      "can rent out or lease cloud compute.\"}]";
  std::function<int64_t()> now_ms = experts::UnixMillis;  // injectable clock for last_probe_ms
};

// Probes the expert subnets of a base ledger: per subnet, one probe per capability it lists (a
// search query for *_search capabilities, a scrape for web_scraping / structured_extraction /
// pdf_parsing, a chat completion for an OpenAI-compatible subnet or text_generation / synthesis
// / reasoning; probe i goes to UID i modulo the subnet's UIDs), search and chat probes first,
// then scrapes of what the searches found. A 422 whose message names a field the subnet now
// requires and the payload lacks ("q: field required", "query: required") is an input rename:
// the probe resends with that field in place of the payload field it most resembles (by name,
// then in payload order), remembers the rename for later rounds (and forgets it when the
// subnet asks for the old name again), and reports it. Failures are data, never errors: they end up
// in SubnetProbe::errors. Threading: Probe runs on the executor the transport belongs to
// (experts::HttpTransport is single-threaded); one round at a time. `directory` and `transport`
// must outlive the prober.
class Prober {
 public:
  // A base entry whose subnet has no UID in `directory` is reported dead without a call.
  Prober(std::vector<ledger::LedgerEntry> base, const experts::Directory& directory,
         experts::Transport& transport, ProberOptions options);

  // One round over every subnet, finished by `deadline` (probes still running then fail with
  // the transport's kDeadline). Returns the view, also kept in view().
  boost::asio::awaitable<ExpertView> Probe(Deadline deadline);

  const ExpertView& view() const { return view_; }
  const std::vector<ledger::LedgerEntry>& base() const { return base_; }

 private:
  struct Round;
  struct Task;
  boost::asio::awaitable<void> RunTask(Round& round, const Task& task, Deadline deadline);

  std::vector<ledger::LedgerEntry> base_;
  const experts::Directory& directory_;
  experts::Transport& transport_;
  ProberOptions options_;
  ExpertView view_;
  uint64_t rounds_ = 0;
};

}  // namespace orchestra::validator
