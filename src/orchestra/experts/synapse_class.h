#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "orchestra/ledger/entry.h"
#include "orchestra/protocol/bittensor_synapse.h"

namespace orchestra::experts {

// Fields every expert synapse carries besides the subnet's own: the caller's hash lock
// (protocol::LockFor, committed before the call) and the expert's signed receipt over it
// (protocol::Receipt as JSON), filled in by the expert.
inline constexpr std::string_view kLockField = "orchestra_lock";
inline constexpr std::string_view kReceiptField = "orchestra_receipt";

// The Bittensor synapse class of a synapse-transport expert subnet, derived from its ledger
// entry so that the caller (the miner's transport) and the callee (a simulated or real UID)
// agree on the wire: name = entry.synapse; fields = the keys of input_schema (the request), then
// the keys of output_schema (the answer) not already declared, then kLockField and
// kReceiptField. Schemas may be the seed shorthand ({"query": "str"}) or JSON Schema (keys of
// "properties"). Every field is optional, nullable and untyped, so that a UID whose schema
// drifted still parses a request and answers 422 naming the field it misses; there are no
// required_hash_fields (the hash lock binds the request instead).
protocol::SynapseClass SynapseClassFor(const ledger::LedgerEntry& entry);

// The top-level field names a ledger schema declares, in declaration order: the keys of a
// shorthand object, or of "properties" for a JSON Schema object ({"type": "object",
// "properties": {...}}, or "properties" whose members are all schemas). Empty for a schema
// that is not an object.
std::vector<std::string> SchemaFieldNames(const Json& schema);

}  // namespace orchestra::experts
