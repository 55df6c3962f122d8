#include "orchestra/ledger/exchange.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "orchestra/core/hash.h"
#include "orchestra/crypto/test_util.h"

namespace orchestra::ledger {
namespace {

using crypto::testing::AddressOf;
using crypto::testing::KeyFromByte;

constexpr int64_t kExportedAtMs = 1770544800123;  // 2026-02-08T10:00:00.123Z

ImportPolicy AllowingUnsigned() {
  ImportPolicy policy;
  policy.allow_unsigned = true;
  return policy;
}

Snapshot Seed() {
  auto seed = SeedSnapshot();
  EXPECT_TRUE(seed.ok());
  return *seed;
}

Json SignedSeedExport(const crypto::Keypair& key) {
  return SignedExport(Seed(), key, ManualTime(kExportedAtMs));
}

// Recomputes ledger_hash and ledger_version from the document's "ledger", as someone who
// changed the entries and wants the file to look consistent would.
void Reseal(Json& document) {
  JsonObject& o = document.as_object();
  o["ledger_hash"] = CanonicalHash(o["ledger"]);
  o["ledger_version"] = LedgerVersionOf(o["ledger"]);
}

JsonObject& EntryOf(Json& document, std::string_view subnet) {
  return document.as_object()["ledger"].as_object()["entries"].as_object()[subnet].as_object();
}

std::string RefusalOf(const Result<ImportedLedger>& read) {
  return read.ok() ? "(accepted)" : read.error().message;
}

bool StartsWith(const std::string& text, std::string_view prefix) {
  return text.rfind(prefix, 0) == 0;
}

TEST(LedgerExchangeTest, ASignedExportImportsWithItsSignerTimeAndEveryEntry) {
  const auto key = KeyFromByte(1);
  const Json document = SignedSeedExport(key);
  auto imported = ReadImportText(PrettyJson(document), "export.json", ImportPolicy{});
  ASSERT_TRUE(imported.ok()) << imported.error().ToString();
  EXPECT_TRUE(imported->is_export);
  EXPECT_EQ(imported->signed_by, AddressOf(key));
  EXPECT_EQ(imported->exported_at, "2026-02-08T10:00:00.123Z");
  EXPECT_EQ(imported->ledger_version, Seed().version());
  EXPECT_TRUE(imported->ledger.rejected.empty());
  EXPECT_EQ(Snapshot(imported->ledger.entries).version(), Seed().version());
}

TEST(LedgerExchangeTest, TheSignatureIsTheHotkeysOverTheDomainAndTheCanonicalHeader) {
  const auto key = KeyFromByte(1);
  const Json document = SignedSeedExport(key);
  const std::string message = ExchangeSigningMessage(document);
  EXPECT_EQ(message,
            fmt::format("orchestra-ledger-export:{{\"exported_at\":\"2026-02-08T10:00:00.123Z\","
                        "\"format\":\"orchestra-ledger/1\",\"ledger_hash\":\"{}\","
                        "\"ledger_version\":\"{}\",\"signed_by\":\"{}\"}}",
                        CanonicalHash(Seed().ToJson()), Seed().version(), AddressOf(key)));
  auto signature = crypto::DecodeHexFixed<64>(JsonString(document, "signature"), "signature");
  ASSERT_TRUE(signature.ok());
  EXPECT_TRUE(crypto::Verify(key.public_key(), message, crypto::AsBytes(*signature)).ok());
}

TEST(LedgerExchangeTest, AnUnsignedExportIsRefusedUnlessAllowed) {
  const Json document = ExportDocument(Seed(), ManualTime(kExportedAtMs));
  const std::string refusal = RefusalOf(ReadImport(document, ImportPolicy{}));
  EXPECT_TRUE(StartsWith(refusal, "unsigned: the export carries no signature")) << refusal;
  auto allowed = ReadImport(document, AllowingUnsigned());
  ASSERT_TRUE(allowed.ok()) << allowed.error().ToString();
  EXPECT_EQ(allowed->signed_by, "");
  EXPECT_EQ(allowed->ledger.entries.size(), Seed().entries().size());
}

TEST(LedgerExchangeTest, APlainLedgerFileIsRefusedUnlessAllowed) {
  const Json plain = Seed().ToJson();
  const std::string refusal = RefusalOf(ReadImport(plain, ImportPolicy{}));
  EXPECT_TRUE(StartsWith(refusal, "unsigned: a plain ledger file")) << refusal;
  auto allowed = ReadImport(plain, AllowingUnsigned());
  ASSERT_TRUE(allowed.ok()) << allowed.error().ToString();
  EXPECT_FALSE(allowed->is_export);
  EXPECT_EQ(allowed->ledger_version, Seed().version());
}

TEST(LedgerExchangeTest, AnEntryChangedAfterSigningIsRefusedAsTampered) {
  Json document = SignedSeedExport(KeyFromByte(1));
  EntryOf(document, "SN42")["reliability"] = 0.99;
  const std::string refusal = RefusalOf(ReadImport(document, ImportPolicy{}));
  EXPECT_TRUE(StartsWith(refusal, "tampered: the entries hash to 0x")) << refusal;
  EXPECT_NE(refusal.find("changed after export and signing"), std::string::npos) << refusal;
  // Allowing unsigned files does not excuse a signed one that was changed.
  EXPECT_TRUE(StartsWith(RefusalOf(ReadImport(document, AllowingUnsigned())), "tampered: "));
}

TEST(LedgerExchangeTest, AChangedFileWhoseHeaderWasMadeToMatchFailsTheSignature) {
  const auto key = KeyFromByte(1);
  Json document = SignedSeedExport(key);
  EntryOf(document, "SN42")["reliability"] = 0.99;
  Reseal(document);
  const std::string refusal = RefusalOf(ReadImport(document, ImportPolicy{}));
  EXPECT_TRUE(StartsWith(
      refusal, "bad signature: the signature does not verify for signed_by " + AddressOf(key)))
      << refusal;
}

TEST(LedgerExchangeTest, ASignatureByAnotherKeyThanSignedByIsRefused) {
  Json document = SignedSeedExport(KeyFromByte(2));
  document.as_object()["signed_by"] = AddressOf(KeyFromByte(1));
  EXPECT_TRUE(StartsWith(RefusalOf(ReadImport(document, ImportPolicy{})), "bad signature: "));
}

TEST(LedgerExchangeTest, TheSameHeaderSignedWithoutTheDomainDoesNotVerify) {
  const auto key = KeyFromByte(1);
  Json document = SignedSeedExport(key);
  const std::string message = ExchangeSigningMessage(document);
  const std::string without_domain = message.substr(kExchangeDomain.size());
  document.as_object()["signature"] = crypto::PrefixedHexOf(crypto::Sign(key, without_domain));
  EXPECT_TRUE(StartsWith(RefusalOf(ReadImport(document, ImportPolicy{})), "bad signature: "));
}

TEST(LedgerExchangeTest, AMalformedSignatureOrSignerIsRefusedNamingTheMember) {
  Json short_signature = SignedSeedExport(KeyFromByte(1));
  short_signature.as_object()["signature"] = "0x1234";
  std::string refusal = RefusalOf(ReadImport(short_signature, ImportPolicy{}));
  EXPECT_TRUE(StartsWith(refusal, "bad signature: signature")) << refusal;

  Json bad_signer = SignedSeedExport(KeyFromByte(1));
  bad_signer.as_object()["signed_by"] = "5NotAnAddress";
  refusal = RefusalOf(ReadImport(bad_signer, ImportPolicy{}));
  EXPECT_TRUE(StartsWith(refusal, "bad signature: signed_by \"5NotAnAddress\": ")) << refusal;

  Json no_signer = SignedSeedExport(KeyFromByte(1));
  no_signer.as_object().erase("signed_by");
  EXPECT_EQ(RefusalOf(ReadImport(no_signer, AllowingUnsigned())), "malformed: signed_by: missing");
}

TEST(LedgerExchangeTest, AStatedVersionThatIsNotTheEntriesIsRefusedEvenWhenSigned) {
  const auto key = KeyFromByte(1);
  Json document = ExportDocument(Seed(), ManualTime(kExportedAtMs));
  document.as_object()["ledger_version"] = "lv-0000000000000000";
  SignExport(document, key);
  EXPECT_EQ(RefusalOf(ReadImport(document, ImportPolicy{})),
            "version mismatch: ledger_version is lv-0000000000000000, the entries are " +
                Seed().version());
}

TEST(LedgerExchangeTest, AnotherFormatVersionIsRefused) {
  Json document = SignedSeedExport(KeyFromByte(1));
  document.as_object()["format"] = "orchestra-ledger/2";
  EXPECT_EQ(RefusalOf(ReadImport(document, ImportPolicy{})),
            "unsupported format: format \"orchestra-ledger/2\" is not one this build reads "
            "(orchestra-ledger/1)");
}

TEST(LedgerExchangeTest, ASignerOutsideTheTrustedListIsRefused) {
  const Json document = SignedSeedExport(KeyFromByte(1));
  ImportPolicy policy;
  policy.trusted_signers = {AddressOf(KeyFromByte(2))};
  EXPECT_EQ(RefusalOf(ReadImport(document, policy)),
            "untrusted signer: signed by " + AddressOf(KeyFromByte(1)) +
                ", which is not among the 1 trusted signer");
  policy.trusted_signers.push_back(AddressOf(KeyFromByte(1)));
  EXPECT_TRUE(ReadImport(document, policy).ok());
}

TEST(LedgerExchangeTest, AnEntryThatCannotBeReadIsRejectedAloneWithItsReason) {
  Json document = ExportDocument(Seed(), ManualTime(kExportedAtMs));
  EntryOf(document, "SN13")["output_schema"] = *ParseJson(R"({"data": "lst[dict]"})");
  EntryOf(document, "SN33")["reliability"] = 7;
  Reseal(document);
  SignExport(document, KeyFromByte(1));
  auto imported = ReadImport(document, ImportPolicy{});
  ASSERT_TRUE(imported.ok()) << imported.error().ToString();
  EXPECT_EQ(imported->ledger.entries.size(), Seed().entries().size() - 2);
  ASSERT_EQ(imported->ledger.rejected.size(), 2u);
  EXPECT_EQ(imported->ledger.rejected[0].subnet_id, "SN13");
  EXPECT_TRUE(StartsWith(imported->ledger.rejected[0].error.message, "SN13.output_schema.data: "));
  EXPECT_EQ(imported->ledger.rejected[1].error.message, "SN33.reliability: must be in [0, 1]");
}

TEST(LedgerExchangeTest, MissingMembersAndNoLedgerAreMalformed) {
  Json document = SignedSeedExport(KeyFromByte(1));
  document.as_object().erase("ledger_hash");
  EXPECT_EQ(RefusalOf(ReadImport(document, ImportPolicy{})), "malformed: ledger_hash: missing");
  document.as_object()["ledger"] = JsonArray{};
  EXPECT_EQ(RefusalOf(ReadImport(document, ImportPolicy{})),
            "malformed: ledger: must be an object");
  EXPECT_EQ(RefusalOf(ReadImport(Json("ledger"), ImportPolicy{})),
            "malformed: expected a JSON object (a ledger export or a ledger)");
}

TEST(LedgerExchangeTest, TruncatedTextIsAParseErrorNamingWhereItCameFrom) {
  const std::string text = PrettyJson(SignedSeedExport(KeyFromByte(1)));
  auto read = ReadImportText(std::string_view(text).substr(0, text.size() - 40), "export.json",
                             ImportPolicy{});
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code, ErrorCode::kParse);
  EXPECT_TRUE(StartsWith(read.error().message, "export.json: ")) << read.error().message;
}

}  // namespace
}  // namespace orchestra::ledger
