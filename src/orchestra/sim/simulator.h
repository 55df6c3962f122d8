#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "orchestra/core/json.h"
#include "orchestra/core/result.h"
#include "orchestra/experts/directory.h"
#include "orchestra/sim/corpus.h"
#include "orchestra/sim/manifest.h"
#include "orchestra/sim/receipt_store.h"

namespace orchestra::sim {

struct SimulatorOptions {
  std::optional<uint64_t> seed;  // overrides the manifest's seed
  std::string host = "127.0.0.1";
  // The control API listens on base_port and the UIDs on base_port + 1, + 2, ... in manifest
  // order; 0 gives every server an ephemeral port.
  uint16_t base_port = 0;
  // receipts.db and the admin token file (experts.token, mode 0600) live here; empty keeps
  // receipts in a temporary directory removed on destruction and the token only in
  // admin_token().
  std::filesystem::path data_dir;
  double latency_scale = 1.0;  // 0: answers at once; 1: the manifest's latencies
  int threads = 2;
  // Threads that run full-text searches off the I/O threads, so that a slow query (20-45 ms
  // over Debian's packages) delays only its own call and not every UID sharing its I/O
  // thread. -1: 2 when the corpus holds Debian documents, else 0 (a query over the curated
  // corpus takes microseconds, less than the hand-off would cost).
  int search_threads = -1;
  ReceiptStoreOptions receipts;  // retention and batching of receipts.db
};

// A subnet's schemas as changed at run time (schema traps, fault injection): input fields the
// UIDs now expect under another name (a caller using the old name gets 422 naming the new
// one), output fields renamed, and output fields given another type ("str", "int", "float",
// "bool", "list", "dict").
struct SchemaDrift {
  std::map<std::string, std::string> input_renames;
  std::map<std::string, std::string> output_renames;
  std::map<std::string, std::string> output_retypes;
  // {"input": {"rename": {...}}, "output": {"rename": {...}, "retype": {...}}}; {} means none.
  static Result<SchemaDrift> FromJson(const Json& json);
  Json ToJson() const;
};

// Counters of one UID since start.
struct UidCounters {
  uint64_t calls = 0;
  uint64_t faults[kFaultKinds] = {};
};

// The expert-network simulator: every UID of the manifest serves its subnet on its own loopback
// port — the subnet's synapse over a Bittensor axon (signed requests required; the class is
// experts::SynapseClassFor(entry)), and for LLM subnets also POST /v1/chat/completions — and
// answers with content from `corpus`, after a latency and with a fault drawn from the
// manifest for (seed, netuid, uid, call number): same seed, same sequence per UID. Every answer
// carries a Receipt signed by the UID's hotkey over the caller's lock (the orchestra_lock
// field, or the orchestra-lock header), kept in receipts.db and served at
// GET /receipts/{hash} on that UID (404 when unknown).
// The control API (control_port()) serves GET /metagraph/{netuid}, GET /manifest, and the
// admin API guarded by `Authorization: Bearer <admin_token()>`:
//   POST /admin/subnets/{netuid}/drift            SchemaDrift JSON ({} resets)
//   POST /admin/subnets/{netuid}/offline|online   {"uids": [..]} (absent: every UID)
//   POST /admin/subnets/{netuid}/uids/{uid}       {"p50_ms", "p95_ms", "reliability",
//                                                  "faults", "quality"} (any subset)
//   POST /admin/subnets/{netuid}/plant            {"match": {input field: value, ...},
//                                                  "match_contains": {input field: text},
//                                                  "answer": {...}} (the output for matching
//                                                  requests; "answer": null removes the plant
//                                                  with the same match and match_contains)
// A plant matches a request whose input fields equal every "match" value and whose string
// fields contain every "match_contains" text, letter case ignored ({"query": "gpu"} matches
// "Cheapest GPU cloud?"): a logic trap for queries the validator cannot know word for word.
// At least one of the two is required; "match_contains" values must be non-empty strings.
// Netuids and uids (in the path or in "uids") are whole decimal integers from 0 to 65535 and
// values are checked as the manifest's (UidSpecFromJson): anything else is a 400 whose
// message names the field ("netuid: must be an integer from 0 to 65535, got '22abc'"); an
// unknown netuid or uid is a 404.
// Servers run on `threads` threads, each with an io_context of its own (a UID is served by one
// of them), and full-text searches on `search_threads` more; the destructor stops them.
class Simulator {
 public:
  static Result<std::unique_ptr<Simulator>> Start(Manifest manifest,
                                                  std::shared_ptr<const Corpus> corpus,
                                                  SimulatorOptions options);
  virtual ~Simulator() = default;

  virtual const Manifest& manifest() const = 0;
  // Where each subnet's UIDs listen ("SN22" → endpoints with uid, port and hotkey).
  virtual const experts::Directory& directory() const = 0;
  virtual uint16_t control_port() const = 0;
  virtual const std::string& admin_token() const = 0;

  // The body of GET /metagraph/{netuid} (net::NeuronsFromJson reads it); kNotFound for an
  // unknown netuid.
  virtual Result<Json> Metagraph(int netuid) const = 0;

  // The admin operations, also reachable over HTTP. kNotFound for an unknown netuid or uid.
  virtual Status SetDrift(int netuid, SchemaDrift drift) = 0;
  virtual Status SetOnline(int netuid, std::optional<int> uid, bool online) = 0;
  virtual Status PatchUid(int netuid, int uid, const Json& patch) = 0;
  virtual Status Plant(int netuid, JsonObject match, Json answer,
                       JsonObject match_contains = {}) = 0;

  virtual UidCounters Counters(int netuid, int uid) const = 0;
};

}  // namespace orchestra::sim
