#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "orchestra/core/header_fields.h"
#include "orchestra/core/json.h"
#include "orchestra/core/result.h"
#include "orchestra/crypto/sr25519.h"

namespace orchestra::protocol {

// The Bittensor synapse wire format (PROTOCOL.md §1): what a Python dendrite sends to an axon
// and what the axon answers, byte-compatible with opentensor/bittensor v10.2 (the wire is
// unchanged since v9.12.2).

// HTTP header fields in wire order. The same type as net::HttpHeaders; protocol opens no sockets
// and so does not include net.
using WireHeaders = HeaderFields;

// Bittensor's version as an int: major·10⁶ + minor·10³ + patch.
constexpr int64_t VersionAsInt(int64_t major, int64_t minor, int64_t patch) {
  return major * 1000000 + minor * 1000 + patch;
}
// The version our dendrite and axon state (bt_header_*_version), as bittensor 10.2's
// settings.version_as_int computes it from __version__ "10.2.0". The one place it is set;
// net::DendriteOptions::bittensor_version overrides it per dendrite. Python axons apply their
// first-nonce window only to versions from 7.2.0 on, so it must never go below that.
inline constexpr int64_t kBittensorVersion = VersionAsInt(10, 2, 0);  // 10002000
inline constexpr double kDefaultSynapseTimeout = 12.0;
// sha3-256 hex of "": the body hash of a class without required_hash_fields.
inline constexpr std::string_view kEmptyBodyHash =
    "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a";

// One end of a call (Python's TerminalInfo). Every field is nullable; null fields are left out
// of headers and written as null in bodies.
struct TerminalInfo {
  std::optional<int64_t> status_code;
  std::optional<std::string> status_message;
  std::optional<double> process_time;  // seconds
  std::optional<std::string> ip;
  std::optional<int64_t> port;
  std::optional<int64_t> version;
  std::optional<int64_t> nonce;  // Unix time in ns
  std::optional<std::string> uuid;
  std::optional<std::string> hotkey;     // SS58
  std::optional<std::string> signature;  // "0x" + 128 hex
};

// {"status_code": ..., ..., "signature": ...}: all ten keys, in declaration order.
Json ToJson(const TerminalInfo& info);
// Reads a TerminalInfo as Pydantic does (numbers may come as numeric strings, unknown keys are
// ignored). Errors name the key: "status_code: must be an integer, got \"x\"".
Result<TerminalInfo> TerminalInfoFromJson(const Json& json);

// The type of a subclass field; decides validation and the "empty default" sent in
// bt_header_input_obj_<field> (str → "", int → 0, float → 0.0, bool → false, list → [],
// dict → {}).
enum class FieldType { kString, kInt, kFloat, kBool, kList, kDict, kAny };

struct SynapseField {
  std::string name;
  FieldType type = FieldType::kAny;
  // No default in the Python class: Pydantic lists it as required, the body must carry it and
  // to_headers() sends its bt_header_input_obj_ header.
  bool required = false;
  bool nullable = true;  // `T | None`
  Json default_value;    // for a field a synapse does not set; null unless given
};

// A synapse subclass as the wire sees it: its name (the URL path and the `name` field), its
// fields in declaration order, and the fields its body hash covers, in order.
struct SynapseClass {
  std::string name;
  std::vector<SynapseField> fields;
  std::vector<std::string> required_hash_fields;
  // Pydantic's extra="allow": a body's keys the class does not declare (nor the base class)
  // are kept in `fields` as they came, instead of being ignored, and written after the
  // declared ones.
  bool extra_allowed = false;

  const SynapseField* Find(std::string_view field) const;
};

// One synapse instance: the base fields of Python's Synapse, and the subclass fields by name
// (absent ones take their class default).
struct BittensorSynapse {
  std::string name;
  double timeout = kDefaultSynapseTimeout;  // seconds
  int64_t total_size = 0;
  int64_t header_size = 0;
  TerminalInfo dendrite;
  TerminalInfo axon;
  std::string computed_body_hash;  // as received in headers; "" in bodies
  JsonObject fields;

  // The subclass field `field` as the class sees it: its value, or the class default when
  // unset. Null for fields the class does not declare. Valid while the synapse and the class
  // are, and until `fields` changes.
  const Json& Field(const SynapseClass& cls, std::string_view field) const;
};

// Python's str(value) for a JSON value: strings as they are, integers in decimal, floats as
// repr() writes them, true/false/null as True/False/None, lists and dicts as Python's repr
// (exact for ASCII text; other characters are kept as they are, except C1 controls, U+00A0,
// U+2028 and U+2029, which are escaped as Python does).
std::string PythonStr(const Json& value);

// computed_body_hash: sha3-256 hex of the concatenation of the sha3-256 hex of PythonStr of
// each required_hash_field, in order. kEmptyBodyHash for a class without such fields.
std::string BodyHash(const SynapseClass& cls, const BittensorSynapse& synapse);

// An optional text as Python prints it: the text, or "None" when absent.
inline std::string_view OrNone(const std::optional<std::string>& text) {
  return text ? std::string_view(*text) : std::string_view("None");
}

// "{nonce}.{dendrite_hotkey}.{axon_hotkey}.{uuid}.{body_hash}", the bytes a dendrite signs.
// Absent values print as Python prints None: "None".
std::string SignatureMessage(const std::optional<int64_t>& nonce,
                             const std::optional<std::string>& dendrite_hotkey,
                             std::string_view axon_hotkey, const std::optional<std::string>& uuid,
                             std::string_view body_hash);

// The request/response body: every field in declaration order (name, timeout, total_size,
// header_size, dendrite, axon, computed_body_hash, subclass fields, then, when the class
// allows extra fields, the synapse's others in their order), computed_body_hash "", as
// compact JSON.
std::string ToBody(const SynapseClass& cls, const BittensorSynapse& synapse);

// Reads a body as the Python class would validate it: base fields leniently (numbers may be
// numeric strings), subclass fields by type, required ones must be present, unknown keys are
// ignored (kept as they came when cls.extra_allowed). `name` becomes cls.name. Errors
// (kInvalidArgument) name the field: "objective: must be a string, got 42", "challenge_id: field
// required". The subclass fields are built on `storage` (default: the heap); with an arena there,
// the arena must outlive the synapse's `fields`.
Result<BittensorSynapse> SynapseFromBody(const SynapseClass& cls, std::string_view body,
                                         boost::json::storage_ptr storage = {});

// The request headers, all lower-case, in Python's order: name, timeout,
// bt_header_axon_<k> and bt_header_dendrite_<k> for every non-null TerminalInfo value,
// bt_header_input_obj_<field> (base64 of the JSON of the field type's empty default) for each
// required field whose value is not null, header_size, total_size (synapse.total_size) and
// computed_body_hash (BodyHash, computed afresh).
WireHeaders ToHeaders(const SynapseClass& cls, const BittensorSynapse& synapse);

// Reads the synapse fields carried by headers (names matched case-insensitively). Never
// crashes on any input; errors (kParse) name the header and what is wrong with it:
// "bt_header_dendrite_nonce: must be an integer, got \"12x\"", "duplicate header 'timeout'",
// "bt_header_input_obj_objective: not valid base64", "bt_header_dendrite_uuid: not valid
// UTF-8" (text fields of a TerminalInfo must be). Missing headers leave defaults; unknown
// headers and unknown TerminalInfo keys are ignored; a missing timeout is 12.0 and a present
// one must be a finite number > 0.
Result<BittensorSynapse> SynapseFromHeaders(const SynapseClass& cls, const WireHeaders& headers);

// The signature a dendrite sends: "0x" + 128 lower-case hex of the sr25519 signature of
// `message` (context "substrate") made with `hotkey`.
std::string SignMessage(const crypto::Keypair& hotkey, std::string_view message);

// Checks `signature` ("0x" + 128 hex, or 128 hex) over `message` against the public key of the
// SS58 address `ss58_hotkey`; retries with the message wrapped as "<Bytes>…</Bytes>" as
// Substrate wallets sign. kInvalidArgument naming what is wrong: a malformed address or
// signature encoding, or "Signature mismatch with <message> and <signature>".
Status VerifyMessageSignature(std::string_view ss58_hotkey, std::string_view message,
                              std::string_view signature);

// The two halves of the above, for a caller that keeps its callers' decoded keys (decoding an
// address costs a quarter of a verification): the public key of an SS58 hotkey
// (kInvalidArgument naming the address), and the check against an already decoded key.
Result<crypto::PublicKey> HotkeyPublicKey(std::string_view ss58_hotkey);
Status VerifyMessageSignature(const crypto::PublicKey& hotkey, std::string_view message,
                              std::string_view signature);

// Python's base `Synapse` class: name "Synapse", no fields, no hash fields (body hash
// kEmptyBodyHash). Python's axon always serves it (its `ping`), and validators ping miners with
// it (PROTOCOL.md §3).
const SynapseClass& BaseSynapseClass();

// Our synapse classes (PROTOCOL.md §3).
const SynapseClass& OrchestraSynapseClass();  // required_hash_fields: challenge_id, objective
const SynapseClass& LedgerSynapseClass();

}  // namespace orchestra::protocol
