// `orchestra ledger show|export|import|diff` end to end: the real binary, real SQLite ledgers
// in temporary data dirs, real sr25519 signatures by wallet hotkeys, an export served over
// loopback HTTP.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "e2e/subprocess.h"
#include "orchestra/core/json.h"
#include "orchestra/ledger/reader.h"
#include "orchestra/ledger/snapshot.h"
#include "orchestra/net/server_thread.h"

namespace orchestra {
namespace {

using testing::OrchestraBinary;
using testing::ProcessResult;
using testing::RunProcess;
using testing::TempDir;

// The hotkey `orchestra wallet regen-hotkey` makes of this phrase (wallet_command_test.cc).
constexpr const char* kPhrase =
    "bottom drive obey lake curtain smoke basket hold race lonely fit walk";
constexpr const char* kAddress = "5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV";

// SN22 of the seed's own example, as seed 000 writes a ledger (no wrapper, netuid or synapse),
// measured later and slower than the shipped figures.
constexpr const char* kSlowerDesearch = R"({
  "SN22": {
    "name": "Desearch",
    "capabilities": ["web_search", "news_search", "social_search"],
    "input_schema": {"query": "str", "max_results": "int", "search_type": "str"},
    "output_schema": {"results": "list[dict]", "total_found": "int"},
    "avg_latency_ms": 410,
    "p95_latency_ms": 700,
    "reliability": 0.95,
    "cost_per_query": 0.002,
    "last_updated": "2026-02-09T10:00:00Z"
  }
})";

ProcessResult Ledger(std::vector<std::string> args) {
  args.insert(args.begin(), {OrchestraBinary(), "ledger"});
  return RunProcess(args);
}

std::string WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
  return path;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// The data dir's ledger, through `orchestra ledger show --json`.
ledger::Snapshot ShowLedger(const std::string& data_dir) {
  auto show = Ledger({"show", "--json", "--data-dir", data_dir});
  EXPECT_EQ(show.exit_code, 0) << show.err;
  auto snapshot = ledger::ReadLedgerText(show.out, "ledger show --json");
  EXPECT_TRUE(snapshot.ok()) << snapshot.error().ToString() << show.out;
  return snapshot.ok() ? *snapshot : ledger::Snapshot({});
}

// A data dir whose ledger took kSlowerDesearch, and a wallet with the kPhrase hotkey.
class LedgerCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto regen =
        RunProcess({OrchestraBinary(), "wallet", "regen-hotkey", "--wallet.path", wallets_.path(),
                    "--wallet.name", "miner", "--wallet.hotkey", "hk", "--mnemonic", kPhrase});
    ASSERT_EQ(regen.exit_code, 0) << regen.err;
    const std::string seed_form = WriteFile(files_.path() + "/slower.json", kSlowerDesearch);
    auto edit = Ledger({"import", seed_form, "--allow-unsigned", "--data-dir", publisher_.path()});
    ASSERT_EQ(edit.exit_code, 0) << edit.err << edit.out;
  }

  // Exports the publisher's ledger, signed with the kPhrase hotkey, to `name` in files_.
  std::string Export(const std::string& name) {
    const std::string path = files_.path() + "/" + name;
    auto run = Ledger({"export", path, "--data-dir", publisher_.path(), "--wallet.path",
                       wallets_.path(), "--wallet.name", "miner", "--wallet.hotkey", "hk"});
    EXPECT_EQ(run.exit_code, 0) << run.err;
    EXPECT_NE(run.out.find(fmt::format("signed by {} to {}", kAddress, path)), std::string::npos)
        << run.out;
    return path;
  }

  TempDir wallets_, files_, publisher_, importer_;
};

// An imported entry replaces ours whole: the seed's form has no notes, so ours go.
TEST_F(LedgerCommandTest, ImportingTheSeedsOwnFormatReportsEachFieldThatChanged) {
  TempDir fresh;
  auto run = Ledger(
      {"import", files_.path() + "/slower.json", "--allow-unsigned", "--data-dir", fresh.path()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("slower.json: unsigned"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find(
                "SN22    updated    avg_latency_ms: 340.0 -> 410.0; last_updated: "
                "\"2026-02-08T10:00:00Z\" -> \"2026-02-09T10:00:00Z\"; notes: \"Per-request cost "
                "also reported in the X-Desearch-Cost-Usd header.\" -> \"\"; p95_latency_ms: "
                "620.0 -> 700.0; reliability: 0.97 -> 0.95"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("1 updated, 0 unchanged, 0 kept ours, 0 rejected"), std::string::npos)
      << run.out;
  EXPECT_EQ(ShowLedger(fresh.path()).Find("SN22")->avg_latency_ms, 410);
}

TEST_F(LedgerCommandTest, ExportThenImportCarriesTheLedgerToAnotherMinerUnderItsSignature) {
  const std::string path = Export("export.json");
  auto document = ParseJson(ReadFile(path), path);
  ASSERT_TRUE(document.ok()) << document.error().message;
  EXPECT_EQ(JsonString(*document, "format"), "orchestra-ledger/1");
  EXPECT_EQ(JsonString(*document, "signed_by"), kAddress);

  auto run = Ledger({"import", path, "--trust", kAddress, "--data-dir", importer_.path()});
  ASSERT_EQ(run.exit_code, 0) << run.err << run.out;
  EXPECT_NE(run.out.find(fmt::format("signed by {} at ", kAddress)), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("SN22    updated    avg_latency_ms: 340.0 -> 410.0"), std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("SN13    unchanged"), std::string::npos) << run.out;
  EXPECT_EQ(ShowLedger(importer_.path()).version(), ShowLedger(publisher_.path()).version());

  // The same file again changes nothing.
  auto again = Ledger({"import", path, "--data-dir", importer_.path()});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("0 added, 0 updated, 7 unchanged"), std::string::npos) << again.out;

  auto diff = Ledger({"diff", path, "current", "--data-dir", importer_.path()});
  EXPECT_EQ(diff.exit_code, 0) << diff.err << diff.out;
  EXPECT_NE(diff.out.find("are identical"), std::string::npos) << diff.out;
}

// docs/ledger.md: the signature is the hotkey's, in the substrate context, over the domain and
// the canonical header, so the wallet command checks it as it checks any hotkey signature.
TEST_F(LedgerCommandTest, AnExportsSignatureChecksWithWalletVerify) {
  auto document = ParseJson(ReadFile(Export("export.json")), "export");
  ASSERT_TRUE(document.ok()) << document.error().message;
  JsonObject header;
  for (const char* name : {"format", "ledger_version", "ledger_hash", "exported_at", "signed_by"}) {
    header[name] = *JsonFind(*document, name);
  }
  const std::string message = "orchestra-ledger-export:" + CanonicalJson(header);
  auto verify = [&](const std::string& text) {
    return RunProcess({OrchestraBinary(), "wallet", "verify", "--ss58", kAddress, "--message", text,
                       "--signature", JsonString(*document, "signature")})
        .exit_code;
  };
  EXPECT_EQ(verify(message), 0);
  EXPECT_EQ(verify(CanonicalJson(header)), 1);  // without the domain it is no export
}

TEST_F(LedgerCommandTest, AnExportPublishedOverHttpImports) {
  const std::string text = ReadFile(Export("export.json"));
  net::ServerThread publisher(
      net::ServerOptions{},
      [text](net::HttpRequest request) -> boost::asio::awaitable<net::HttpResponse> {
        net::HttpResponse response;
        if (request.target != "/ledger.json") co_return net::MessageResponse(404, "no");
        response.body = text;
        co_return response;
      });
  auto port = publisher.Start();
  ASSERT_TRUE(port.ok()) << port.error().ToString();
  const std::string url = fmt::format("http://127.0.0.1:{}/ledger.json", *port);
  auto run = Ledger({"import", url, "--json", "--data-dir", importer_.path()});
  ASSERT_EQ(run.exit_code, 0) << run.err << run.out;
  auto report = ParseJson(run.out, "import --json");
  ASSERT_TRUE(report.ok()) << report.error().message << run.out;
  EXPECT_EQ(JsonString(*report, "signed_by"), kAddress);
  EXPECT_EQ(JsonString(*report, "source"), url);
  EXPECT_EQ(JsonString(*report, "after"), ShowLedger(publisher_.path()).version());

  auto missing = Ledger({"import", fmt::format("http://127.0.0.1:{}/none.json", *port),
                         "--data-dir", importer_.path()});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("/none.json: HTTP 404"), std::string::npos) << missing.err;
}

TEST_F(LedgerCommandTest, ATamperedExportIsRefusedAndNothingIsWritten) {
  const std::string path = Export("export.json");
  std::string text = ReadFile(path);
  const std::string figure = "\"reliability\": 0.95";
  ASSERT_NE(text.find(figure), std::string::npos) << text;
  text.replace(text.find(figure), figure.size(), "\"reliability\": 0.99");
  WriteFile(path, text);
  const std::string before = ShowLedger(importer_.path()).version();

  auto run = Ledger({"import", path, "--data-dir", importer_.path()});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("refused, nothing imported: tampered: the entries hash to"),
            std::string::npos)
      << run.err;
  // Allowing unsigned files does not let a changed signed one in.
  auto allowed = Ledger({"import", path, "--allow-unsigned", "--data-dir", importer_.path()});
  EXPECT_EQ(allowed.exit_code, 1);
  EXPECT_EQ(ShowLedger(importer_.path()).version(), before);
}

TEST_F(LedgerCommandTest, UnsignedAndUntrustedFilesAreRefusedSayingWhy) {
  auto unsigned_run =
      Ledger({"import", files_.path() + "/slower.json", "--data-dir", importer_.path()});
  EXPECT_EQ(unsigned_run.exit_code, 1);
  EXPECT_NE(unsigned_run.err.find("unsigned: a plain ledger file"), std::string::npos)
      << unsigned_run.err;

  const std::string path = Export("export.json");
  auto untrusted =
      Ledger({"import", path, "--trust", "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY",
              "--data-dir", importer_.path()});
  EXPECT_EQ(untrusted.exit_code, 1);
  EXPECT_NE(untrusted.err.find(fmt::format("untrusted signer: signed by {}", kAddress)),
            std::string::npos)
      << untrusted.err;

  auto bad_trust = Ledger({"import", path, "--trust", "nobody", "--data-dir", importer_.path()});
  EXPECT_EQ(bad_trust.exit_code, 2);
  EXPECT_NE(bad_trust.err.find("--trust nobody: "), std::string::npos) << bad_trust.err;
}

TEST_F(LedgerCommandTest, AnEntryThatCannotBeReadIsRejectedAloneWithItsReason) {
  Json json = *ParseJson(kSlowerDesearch);
  Json broken = json.as_object()["SN22"];
  broken.as_object()["name"] = "Pretrain";
  broken.as_object()["reliability"] = 2;
  json.as_object()["SN9"] = broken;
  const std::string path = WriteFile(files_.path() + "/mixed.json", PrettyJson(json));
  auto run = Ledger({"import", path, "--allow-unsigned", "--data-dir", importer_.path()});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.out.find("SN9     rejected   SN9.reliability: must be in [0, 1]"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("SN22    updated"), std::string::npos) << run.out;
  const ledger::Snapshot after = ShowLedger(importer_.path());
  EXPECT_EQ(after.Find("SN9"), nullptr);
  EXPECT_EQ(after.Find("SN22")->avg_latency_ms, 410);
}

TEST_F(LedgerCommandTest, AnOlderEntryDoesNotOverwriteANewerOne) {
  Json json = *ParseJson(kSlowerDesearch);
  json.as_object()["SN22"].as_object()["last_updated"] = "2026-02-01T00:00:00Z";
  const std::string path = WriteFile(files_.path() + "/older.json", PrettyJson(json));
  auto run = Ledger({"import", path, "--allow-unsigned", "--data-dir", importer_.path()});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("SN22    kept ours  ours was updated later (2026-02-08T10:00:00Z) than "
                         "the import's (2026-02-01T00:00:00Z)"),
            std::string::npos)
      << run.out;
  EXPECT_EQ(ShowLedger(importer_.path()).Find("SN22")->avg_latency_ms, 340);
}

TEST_F(LedgerCommandTest, DiffNamesAddedRemovedAndChangedFieldsWithOldAndNewValues) {
  // Only SN22 (changed) and SN9 (new): every other subnet of the current ledger is removed.
  Json json = *ParseJson(kSlowerDesearch);
  Json sn9 = json.as_object()["SN22"];
  sn9.as_object()["name"] = "Pretrain";
  json.as_object()["SN9"] = sn9;
  const std::string path = WriteFile(files_.path() + "/other.json", PrettyJson(json));

  auto run = Ledger({"diff", "current", path, "--data-dir", importer_.path()});
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_NE(run.out.find("1 added, 6 removed, 1 changed"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("+ SN9  Pretrain  added"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("- SN1  Apex  removed"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("~ SN22  Desearch\n    avg_latency_ms: 340.0 -> 410.0\n"),
            std::string::npos)
      << run.out;

  auto as_json = Ledger({"diff", "current", path, "--json", "--data-dir", importer_.path()});
  EXPECT_EQ(as_json.exit_code, 1) << as_json.err;
  auto diff = ParseJson(as_json.out, "diff --json");
  ASSERT_TRUE(diff.ok()) << diff.error().message << as_json.out;
  EXPECT_EQ(JsonString(*JsonFind(*diff, "to"), "source"), path);
  size_t changed = 0;
  for (const Json& subnet : JsonFind(*diff, "subnets")->as_array()) {
    if (JsonString(subnet, "change") != "changed") continue;
    ++changed;
    EXPECT_EQ(JsonString(subnet, "subnet"), "SN22");
    EXPECT_EQ(CanonicalJson(JsonFind(subnet, "fields")->as_array()[0]),
              R"({"field":"avg_latency_ms","new":410.0,"old":340.0})");
  }
  EXPECT_EQ(changed, 1u);

  auto bad =
      Ledger({"diff", "current", files_.path() + "/none.json", "--data-dir", importer_.path()});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("cannot read ledger file"), std::string::npos) << bad.err;
}

TEST_F(LedgerCommandTest, TheLedgerIsTheOneTheStoreFlagNamesAsForTheMiner) {
  const std::string spec = "sqlite:" + files_.path() + "/fleet.db";
  auto run = Ledger({"import", files_.path() + "/slower.json", "--allow-unsigned", "--ledger.store",
                     spec, "--data-dir", importer_.path()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto show = Ledger({"show", "--ledger.store", spec, "--data-dir", importer_.path()});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find("(sqlite " + files_.path() + "/fleet.db)"), std::string::npos)
      << show.out;
  EXPECT_NE(show.out.find("    410     700"), std::string::npos) << show.out;
  EXPECT_EQ(ShowLedger(importer_.path()).Find("SN22")->avg_latency_ms, 340);  // not the data dir's

  auto bad = Ledger({"show", "--ledger.store", "mysql://h/x", "--data-dir", importer_.path()});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("orchestra ledger show: --ledger.store: "), std::string::npos) << bad.err;
}

TEST_F(LedgerCommandTest, ShowPrintsATableAndOneSubnetsWholeEntry) {
  auto table = Ledger({"show", "--data-dir", publisher_.path()});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("subnet  name"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("web_search, news_search, social_search"), std::string::npos)
      << table.out;
  EXPECT_NE(table.out.find("    410     700    95.0%    0.0020  2026-02-09T10:00:00Z"),
            std::string::npos)
      << table.out;

  auto one = Ledger({"show", "SN22", "--data-dir", publisher_.path()});
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_NE(one.out.find("  synapse          DesearchSynapse\n"), std::string::npos) << one.out;
  EXPECT_NE(one.out.find("  input_schema     {\"max_results\":\"int\",\"query\":\"str\""),
            std::string::npos)
      << one.out;

  auto missing = Ledger({"show", "SN99", "--data-dir", publisher_.path()});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("no subnet SN99 in the ledger (it holds SN1, SN13"), std::string::npos)
      << missing.err;
}

}  // namespace
}  // namespace orchestra
