#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "orchestra/core/clock.h"
#include "orchestra/core/json.h"
#include "orchestra/core/result.h"
#include "orchestra/crypto/sr25519.h"
#include "orchestra/ledger/reader.h"
#include "orchestra/ledger/snapshot.h"

namespace orchestra::ledger {

// Snapshot exchange: a ledger one miner publishes (seed 000, "Ledger Bootstrap": "Download
// published Ledger snapshots from top miners") and another imports, signed with the
// publisher's hotkey so that the importer knows who vouches for it and that nobody changed it
// on the way. The file (docs/ledger.md, "Snapshot exchange"):
//
//   {"format": "orchestra-ledger/1",
//    "ledger_version": "lv-…",        Snapshot::version() of "ledger" (LedgerVersionOf)
//    "ledger_hash": "0x…",            blake2b-256 of the canonical JSON of "ledger"
//    "exported_at": "2026-02-08T10:00:00.000Z",
//    "signed_by": "5F…",              SS58 of the hotkey that signed
//    "signature": "0x…",              sr25519, 64 bytes, over ExchangeSigningMessage
//    "ledger": {"entries": {…}}}      Snapshot::ToJson()
//
// The signature covers the header (format, ledger_version, ledger_hash, exported_at,
// signed_by), and through ledger_hash every byte of every entry.

inline constexpr std::string_view kExchangeFormat = "orchestra-ledger/1";
// Put in front of the signed header so that no other message a hotkey signs (a synapse's
// "nonce.sender.receiver.uuid.body_hash", a receipt) can pass for an export, or one for them.
inline constexpr std::string_view kExchangeDomain = "orchestra-ledger-export:";

// The bytes an export's signature is over: kExchangeDomain followed by the canonical JSON of
// {format, ledger_version, ledger_hash, exported_at, signed_by} as `document` holds them
// (a member it lacks is null). Signed in sr25519's "substrate" context, as Bittensor hotkeys
// sign, so `orchestra wallet verify --message` checks it too.
std::string ExchangeSigningMessage(const Json& document);

// The export document of `snapshot` as of `clock`'s now, unsigned (no signed_by, signature).
Json ExportDocument(const Snapshot& snapshot, const TimeSource& clock);

// Signs `document` (an ExportDocument) with `hotkey`: sets signed_by to its SS58 address, then
// signature over ExchangeSigningMessage.
void SignExport(Json& document, const crypto::Keypair& hotkey);

// ExportDocument signed with `hotkey`.
Json SignedExport(const Snapshot& snapshot, const crypto::Keypair& hotkey, const TimeSource& clock);

// What an importer accepts.
struct ImportPolicy {
  // Accept a document without a signature: an export without signed_by and signature, or a
  // plain ledger file (either form of reader.h). A signature that is there must still verify.
  bool allow_unsigned = false;
  // When not empty, a signed export must be signed by one of these (SS58 addresses). Does not
  // apply to an unsigned document that allow_unsigned admits.
  std::vector<std::string> trusted_signers;
};

// A document an import accepted, read entry by entry.
struct ImportedLedger {
  bool is_export = false;   // an exchange file, not a plain ledger
  std::string signed_by;    // SS58 of the verified signer; "" when unsigned
  std::string exported_at;  // "" for a plain ledger
  // The export's ledger_version (checked against its entries); for a plain ledger the version
  // of the snapshot of its readable entries.
  std::string ledger_version;
  LedgerDocument ledger;  // the entries read, and those rejected with their reasons
};

// Checks `document` against `policy` and reads its entries. A refusal (kInvalidArgument)
// starts with its reason, then says what and where:
//   "unsupported format: ..."  format is not kExchangeFormat
//   "malformed: <member>: ..." a member of the exchange file missing or of the wrong type, or
//                              a "ledger" that is no ledger (reader.h's errors)
//   "unsigned: ..."            no signature and !allow_unsigned
//   "bad signature: ..."       signed_by is not an SS58 address, signature is not 64 bytes of
//                              hex, or it does not verify: the header (format, version, hash,
//                              time, signer) was changed after signing, or another key signed
//   "untrusted signer: ..."    signed_by is not among policy.trusted_signers
//   "tampered: ..."            the entries do not hash to ledger_hash: they were changed after
//                              export (for a signed file: after signing)
//   "version mismatch: ..."    ledger_version is not the version of the entries
// Entries that cannot be read do not refuse the document: they are in ledger.rejected.
Result<ImportedLedger> ReadImport(const Json& document, const ImportPolicy& policy);

// Parses `text` (kParse naming `origin` and the position on bad JSON), then ReadImport.
Result<ImportedLedger> ReadImportText(std::string_view text, std::string_view origin,
                                      const ImportPolicy& policy);

// Whether `document` is an exchange file (it has a "format" member) rather than a plain
// ledger.
bool IsExchangeDocument(const Json& document);

// The ledger `document` holds, for reading its content without judging it (a diff): an
// exchange file's "ledger", else the document itself.
const Json& LedgerOf(const Json& document);

}  // namespace orchestra::ledger
