#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>
#include <vector>

#include "orchestra/core/deadline.h"
#include "orchestra/core/json.h"
#include "orchestra/core/result.h"
#include "orchestra/experts/transport.h"
#include "orchestra/ledger/entry.h"

// How the validator reads the expert world itself, to build its own answer keys: a search
// subnet (web_search) finds pages, a scraping subnet (web_scraping) reads them. The validator
// calls the experts as a miner would, through an experts::Transport (in production
// experts::HttpTransport signed with the validator's hotkey), every call hash-locked to the
// validator's own challenge id, so its calls are proved and billed like anyone's.
namespace orchestra::validator {

// One page as the validator saw it. Search fills url, title, snippet and published_date;
// Fetch adds text and `fields` (the structured facts the scraper extracted, a JSON object).
struct Document {
  std::string url;
  std::string title;
  std::string snippet;
  std::string text;
  std::string published_date;  // "" when unknown
  Json fields = JsonObject{};
};

// The subnet of `ledger` with `capability` the validator trusts most to tell the truth: the
// highest reliability, then the lowest cost, then the smallest subnet id (so the choice is
// deterministic). nullptr when none has the capability.
const ledger::LedgerEntry* MostReliable(const std::vector<ledger::LedgerEntry>& ledger,
                                        std::string_view capability);

struct RetrieverOptions {
  std::string validator_hotkey;  // SS58 address the locks bind (the transport signs with it)
  // Tries per call; a retry goes to the transport's next UID. Each try is bounded by three
  // times the subnet's p95 latency (at least 1 s), so a hung UID costs one try, not the call.
  int attempts = 3;
};

// Reads pages through `search` and `scrape` (ledger entries of the subnets to use, copied).
// Errors: kDeadline when no time is left; otherwise the last attempt's transport error
// (kUnavailable, kMalformedAnswer, kNotFound...) prefixed with the subnet; an answer that is
// not the subnet's output shape is kMalformedAnswer naming the field. A search that finds
// nothing is a success with no documents; a URL the scraper cannot read is left out.
// Not thread-safe: use from one event loop (the transport's).
class Retriever {
 public:
  // `transport` must outlive the retriever.
  Retriever(experts::Transport& transport, ledger::LedgerEntry search, ledger::LedgerEntry scrape,
            RetrieverOptions options);

  // The challenge id the next calls' hash locks bind (the validator's own challenge).
  void set_challenge_id(std::string challenge_id) { challenge_id_ = std::move(challenge_id); }

  // Up to `max_results` (1..100) pages for `query`, best first, with url, title and snippet.
  boost::asio::awaitable<Result<std::vector<Document>>> Search(std::string query, int max_results,
                                                               Deadline deadline);

  // The pages at `urls` (1..20), in the order given, with their text and structured fields;
  // a URL the scraper could not read is missing from the result.
  boost::asio::awaitable<Result<std::vector<Document>>> Fetch(std::vector<std::string> urls,
                                                              Deadline deadline);

  const ledger::LedgerEntry& search_entry() const { return search_; }
  const ledger::LedgerEntry& scrape_entry() const { return scrape_; }
  // Calls made so far (each attempt counts), for tests and metrics.
  int calls() const { return calls_; }

 private:
  boost::asio::awaitable<Result<Json>> Call(const ledger::LedgerEntry& entry, Json payload,
                                            Deadline deadline);

  experts::Transport& transport_;
  ledger::LedgerEntry search_;
  ledger::LedgerEntry scrape_;
  RetrieverOptions options_;
  std::string challenge_id_;
  int step_ = 0;
  int calls_ = 0;
};

}  // namespace orchestra::validator
