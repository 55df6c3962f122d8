#pragma once

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>
#include <vector>

#include "orchestra/core/deadline.h"
#include "orchestra/core/result.h"
#include "orchestra/core/rng.h"
#include "orchestra/ledger/entry.h"
#include "orchestra/net/http_client.h"
#include "orchestra/validator/reference.h"
#include "orchestra/validator/retriever.h"

// The validator's traps (issue 17): planning them for a challenge (pure, deterministic under
// the caller's Rng) and planting/removing them through the expert simulator's admin API.
namespace orchestra::validator {

// A schema trap on one synapse subnet of `ledger` serving a capability of `route` (drawn by
// `rng`, whether or not the route itself uses it; OpenAI-compatible subnets
// have no schema to drift): a rename or a retype of one output field (input renames are left
// out: the simulator cannot serve the renamed field, so nobody could pass them). The fields
// come from the subnet's ledger entry in `ledger` (shorthand or JSON Schema "properties").
// nullopt when no step of the route can be drifted.
std::optional<SchemaTrap> PlanSchemaTrap(const Route& route,
                                         const std::vector<ledger::LedgerEntry>& ledger, Rng& rng);

// A logic trap for a figure-bearing challenge: on the cheapest adequate search subnet
// (web_search, reliability >= min_reliability) the validator plants, for every query
// containing `match_word` (any case), the search results it retrieved itself from the reliable
// subnet (MostReliable) with one money figure of one snippet replaced by a stale one (scaled
// by a factor drawn from `rng`); the reliable subnet keeps the truth. truth and stale_value
// are the figures as written ("$2.69/hr", "$3.36/hr"). nullopt when the cheap and the
// reliable subnets are the same, or no document's snippet carries a money figure.
std::optional<LogicTrap> PlanLogicTrap(const std::vector<Document>& documents,
                                       std::string_view match_word,
                                       const std::vector<ledger::LedgerEntry>& ledger,
                                       double min_reliability, Rng& rng);

// Plants and removes traps on the simulator's control API (sim/simulator.h documents it):
// POST /admin/subnets/{netuid}/drift and /plant with `Authorization: Bearer <admin_token>`.
// Removing a schema trap resets the subnet's drift to none; removing a logic trap removes the
// plant with the same match. Errors: the HTTP client's (kUnavailable, kDeadline), and for an
// answer other than 200, kNotFound (404: no such subnet), kInvalidArgument (400, 401, 403:
// a trap or token the simulator refuses) or kUnavailable (anything else), each message naming
// the request and quoting the simulator's answer. Not thread-safe: call from coroutines on
// `client`'s executor.
class TrapPlanter {
 public:
  // `client` must outlive the planter.
  TrapPlanter(net::HttpClient& client, std::string host, uint16_t control_port,
              std::string admin_token);

  // Both traps of `reference` (those it has), schema trap first; stops at the first error.
  boost::asio::awaitable<Status> Plant(const ChallengeReference& reference, Deadline deadline);
  // Removes both (every removal is tried; the first error is returned).
  boost::asio::awaitable<Status> Remove(const ChallengeReference& reference, Deadline deadline);

  boost::asio::awaitable<Status> PlantSchemaTrap(const SchemaTrap& trap, Deadline deadline);
  boost::asio::awaitable<Status> RemoveSchemaTrap(const SchemaTrap& trap, Deadline deadline);
  boost::asio::awaitable<Status> PlantLogicTrap(const LogicTrap& trap, Deadline deadline);
  boost::asio::awaitable<Status> RemoveLogicTrap(const LogicTrap& trap, Deadline deadline);

 private:
  boost::asio::awaitable<Status> Post(std::string target, const Json& body, Deadline deadline);

  net::HttpClient& client_;
  std::string host_;
  uint16_t port_;
  std::string token_;
};

}  // namespace orchestra::validator
