#include "orchestra/ledger/exchange.h"

#include <fmt/format.h>

#include <algorithm>

#include "orchestra/core/hash.h"
#include "orchestra/crypto/hex.h"
#include "orchestra/crypto/ss58.h"
#include "orchestra/ledger/timestamp.h"

namespace orchestra::ledger {
namespace {

constexpr std::string_view kHeaderMembers[] = {"format", "ledger_version", "ledger_hash",
                                               "exported_at", "signed_by"};

Error Refuse(std::string_view reason, std::string detail) {
  return Error(ErrorCode::kInvalidArgument, fmt::format("{}: {}", reason, detail));
}

// The string member `name` of `document`, or a "malformed" refusal naming it.
Result<std::string> RequiredString(const Json& document, std::string_view name) {
  const Json* value = JsonFind(document, name);
  if (value == nullptr) return Refuse("malformed", fmt::format("{}: missing", name));
  if (!value->is_string() || value->get_string().empty()) {
    return Refuse("malformed", fmt::format("{}: must be a non-empty string", name));
  }
  return std::string(value->get_string());
}

// Checks the signature of a signed export; returns the signer's address.
Result<std::string> VerifySignature(const Json& document) {
  auto signed_by = RequiredString(document, "signed_by");
  if (!signed_by) return signed_by.error();
  auto signature = RequiredString(document, "signature");
  if (!signature) return signature.error();
  auto account = crypto::Ss58Decode(*signed_by);
  if (!account) {
    return Refuse("bad signature",
                  fmt::format("signed_by \"{}\": {}", *signed_by, account.error().message));
  }
  auto bytes = crypto::DecodeHexFixed<64>(*signature, "signature");
  if (!bytes) return Refuse("bad signature", bytes.error().message);
  const std::string_view key(reinterpret_cast<const char*>(account->data()), account->size());
  if (auto ok = crypto::Verify(key, ExchangeSigningMessage(document), crypto::AsBytes(*bytes));
      !ok) {
    return Refuse("bad signature",
                  fmt::format("the signature does not verify for signed_by {} ({}): the header "
                              "was changed after signing, or another key signed it",
                              *signed_by, ok.error().message));
  }
  return std::move(*signed_by);
}

Result<ImportedLedger> ReadExport(const Json& document, const ImportPolicy& policy) {
  const Json* format = JsonFind(document, "format");
  if (!format->is_string() || format->get_string() != kExchangeFormat) {
    return Refuse("unsupported format", fmt::format("format {} is not one this build reads ({})",
                                                    CompactJson(*format), kExchangeFormat));
  }
  const Json* ledger = JsonFind(document, "ledger");
  if (ledger == nullptr) return Refuse("malformed", "ledger: missing");
  if (!ledger->is_object()) return Refuse("malformed", "ledger: must be an object");
  ImportedLedger imported;
  imported.is_export = true;
  auto version = RequiredString(document, "ledger_version");
  if (!version) return version.error();
  auto hash = RequiredString(document, "ledger_hash");
  if (!hash) return hash.error();
  auto exported_at = RequiredString(document, "exported_at");
  if (!exported_at) return exported_at.error();
  imported.ledger_version = std::move(*version);
  imported.exported_at = std::move(*exported_at);

  const bool has_signer = JsonFind(document, "signed_by") != nullptr;
  const bool has_signature = JsonFind(document, "signature") != nullptr;
  if (has_signer || has_signature) {
    auto signer = VerifySignature(document);
    if (!signer) return signer.error();
    const auto& trusted = policy.trusted_signers;
    if (!trusted.empty() && std::find(trusted.begin(), trusted.end(), *signer) == trusted.end()) {
      return Refuse("untrusted signer",
                    fmt::format("signed by {}, which is not among the {} trusted signer{}", *signer,
                                trusted.size(), trusted.size() == 1 ? "" : "s"));
    }
    imported.signed_by = std::move(*signer);
  } else if (!policy.allow_unsigned) {
    return Refuse("unsigned",
                  "the export carries no signature (signed_by, signature); it is imported only "
                  "when unsigned files are allowed");
  }

  const std::string actual_hash = CanonicalHash(*ledger);
  if (actual_hash != *hash) {
    return Refuse(
        "tampered",
        fmt::format("the entries hash to {}, the file states {}: they were changed "
                    "after export{}",
                    actual_hash, *hash, imported.signed_by.empty() ? "" : " and signing"));
  }
  const std::string actual_version = LedgerVersionOf(*ledger);
  if (actual_version != imported.ledger_version) {
    return Refuse("version mismatch", fmt::format("ledger_version is {}, the entries are {}",
                                                  imported.ledger_version, actual_version));
  }
  auto entries = ReadLedgerEntries(*ledger);
  if (!entries) return Refuse("malformed", entries.error().message);
  imported.ledger = std::move(*entries);
  return imported;
}

}  // namespace

std::string ExchangeSigningMessage(const Json& document) {
  JsonObject header;
  for (std::string_view name : kHeaderMembers) {
    const Json* value = JsonFind(document, name);
    header[name] = value ? *value : Json(nullptr);
  }
  std::string message(kExchangeDomain);
  AppendCanonicalJson(message, header);
  return message;
}

Json ExportDocument(const Snapshot& snapshot, const TimeSource& clock) {
  Json ledger = snapshot.ToJson();
  return JsonObject{{"format", kExchangeFormat},
                    {"ledger_version", snapshot.version()},
                    {"ledger_hash", CanonicalHash(ledger)},
                    {"exported_at", IsoUtcMillis(clock.UnixMillis())},
                    {"ledger", std::move(ledger)}};
}

void SignExport(Json& document, const crypto::Keypair& hotkey) {
  JsonObject& o = document.as_object();
  o["signed_by"] = crypto::Ss58Encode(hotkey.public_key().bytes());
  const crypto::SignatureBytes signature = crypto::Sign(hotkey, ExchangeSigningMessage(document));
  // The header first and the entries last, so that a reader of the file sees who signed it.
  JsonObject signed_document;
  for (std::string_view name : kHeaderMembers) {
    if (const Json* value = o.if_contains(name)) signed_document[name] = *value;
  }
  signed_document["signature"] = crypto::PrefixedHexOf(signature);
  for (const auto& member : o) {
    if (!signed_document.contains(member.key())) signed_document[member.key()] = member.value();
  }
  document = std::move(signed_document);
}

Json SignedExport(const Snapshot& snapshot, const crypto::Keypair& hotkey,
                  const TimeSource& clock) {
  Json document = ExportDocument(snapshot, clock);
  SignExport(document, hotkey);
  return document;
}

bool IsExchangeDocument(const Json& document) { return JsonFind(document, "format") != nullptr; }

const Json& LedgerOf(const Json& document) {
  static const Json kNull;
  if (!IsExchangeDocument(document)) return document;
  const Json* ledger = JsonFind(document, "ledger");
  return ledger ? *ledger : kNull;
}

Result<ImportedLedger> ReadImport(const Json& document, const ImportPolicy& policy) {
  if (!document.is_object()) {
    return Refuse("malformed", "expected a JSON object (a ledger export or a ledger)");
  }
  if (IsExchangeDocument(document)) return ReadExport(document, policy);
  if (!policy.allow_unsigned) {
    return Refuse("unsigned",
                  "a plain ledger file (no \"format\", no signature): it is imported only when "
                  "unsigned files are allowed");
  }
  auto entries = ReadLedgerEntries(document);
  if (!entries) return Refuse("malformed", entries.error().message);
  ImportedLedger imported;
  imported.ledger_version = Snapshot(entries->entries).version();
  imported.ledger = std::move(*entries);
  return imported;
}

Result<ImportedLedger> ReadImportText(std::string_view text, std::string_view origin,
                                      const ImportPolicy& policy) {
  auto json = ParseJson(text, origin);
  if (!json) return json.error();
  return ReadImport(*json, policy);
}

}  // namespace orchestra::ledger
