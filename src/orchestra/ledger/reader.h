#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "orchestra/core/json.h"
#include "orchestra/core/result.h"
#include "orchestra/ledger/entry.h"
#include "orchestra/ledger/snapshot.h"

namespace orchestra::ledger {

// Reading a ledger document written by us or by someone following seed 000's "Subnet Ledger"
// section. Two forms are read:
//   ours:  {"ledger_format": 1, "entries": {"SN22": {entry with netuid, transport, synapse}}}
//          ("ledger_format" and any other top-level member besides "entries" are optional;
//          a ledger_format other than 1 is refused);
//   seed:  {"SN22": {"name", "capabilities", "input_schema", "output_schema",
//          "avg_latency_ms", ["p95_latency_ms"], "reliability", "cost_per_query",
//          ["last_updated"], ["notes"]}}: no wrapper, no netuid, no transport, no synapse.
// What the seed's form leaves out is filled in (SeedDefaults) before the entry is read by
// EntryFromJson, so both forms obey the same rules; an entry of ours that omits a field gets
// the same defaults. Errors say what and where: "SN22.reliability: must be in [0, 1]",
// "SN13.output_schema.data: unknown type ...", "ledger: expected a JSON object ...".

enum class LedgerForm {
  kOrchestra,  // {"entries": {...}}
  kSeed,       // {subnet_id: entry}
};

std::string_view LedgerFormName(LedgerForm form);  // "orchestra", "seed"

// The netuid a seed-style subnet id names: "SN22" -> 22, "SN0" -> 0; nullopt for an id of
// any other shape ("sn22", "SN", "SN-1", "SN22a", "Desearch").
std::optional<int> NetuidFromSubnetId(std::string_view subnet_id);

// The Bittensor synapse class name an entry that names none is given, following the names the
// shipped ledger and the simulator's manifest use: the subnet's name in PascalCase ("Data
// Universe" -> "DataUniverse", "ReadyAI" -> "ReadyAi"), then the word of the kind of service
// its first capability offers ("Search" for *_search, "Extraction" for structured_extraction
// and pdf_parsing, "Chat" for text_generation, synthesis and reasoning, nothing for scraping
// and anything else) unless the name already ends with it, then "Synapse":
// DesearchSynapse, MasaSearchSynapse, DataUniverseSynapse, ReadyAiExtractionSynapse,
// ApexChatSynapse. A real subnet's class may be called anything: a ledger that knows it
// should say so in "synapse".
std::string DefaultSynapseName(std::string_view name, const std::vector<std::string>& capabilities);

// `entry` (one member of a ledger document, keyed `subnet_id`) with what the seed's form leaves
// out filled in: "netuid" from the subnet id when absent, "transport" "synapse" when absent,
// and for a synapse transport without "synapse", DefaultSynapseName. Members present are kept
// as they are (EntryFromJson judges them). kInvalidArgument when the entry is not an object
// ("SN22: entry must be an object, got array") or has no netuid and its id names none
// ("Desearch.netuid: absent, and the subnet id names no netuid (expected SN<netuid>, e.g.
// SN22)").
Result<Json> SeedDefaults(std::string_view subnet_id, const Json& entry);

// One entry of a document that could not be read, and why.
struct RejectedEntry {
  std::string subnet_id;
  Error error;
};

// A ledger document read entry by entry: what could be read, and what not.
struct LedgerDocument {
  LedgerForm form = LedgerForm::kOrchestra;
  // Read entries whose output_schema compiles, by subnet id.
  std::map<std::string, LedgerEntry> entries;
  // Entries that could not be read, in document order, each with the error naming it.
  std::vector<RejectedEntry> rejected;
};

// Reads every entry of `json` (either form), keeping the good ones and the reason for each bad
// one. Errors only for a document that is not a ledger at all: not an object
// ("ledger: expected a JSON object ({\"SN22\": {...}} or {\"entries\": {...}}), got array"),
// "entries" that is not an object, or an unsupported ledger_format.
Result<LedgerDocument> ReadLedgerEntries(const Json& json);

// Reads `json` (either form) as one snapshot: the first entry that cannot be read (in document
// order) fails the whole read with its error.
Result<Snapshot> ReadLedger(const Json& json);

// Parses `text` and reads it as ReadLedger does. `what` names the document in parse errors
// ("ledger.json: syntax error at line 3, column 14"); entry errors name the entry.
Result<Snapshot> ReadLedgerText(std::string_view text, std::string_view what);

}  // namespace orchestra::ledger
