#include "orchestra/validator/prober.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "orchestra/validator/output_shape.h"
#include "orchestra/validator/probe_test_util.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

namespace orchestra::validator {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::ProbedNetwork;
using Renames = std::map<std::string, std::string>;

const char* const kManifestSubnets[] = {"SN1", "SN13", "SN19", "SN22", "SN33", "SN42", "SN64"};

TEST(ProberTest, EveryManifestSubnetAnswersWithAStableFingerprint) {
  ProbedNetwork network;
  const ExpertView first = network.Round();
  const ExpertView second = network.Round();
  ASSERT_EQ(first.subnets.size(), std::size(kManifestSubnets));
  for (const char* id : kManifestSubnets) {
    const SubnetProbe* a = first.Find(id);
    const SubnetProbe* b = second.Find(id);
    ASSERT_NE(a, nullptr) << id;
    ASSERT_NE(b, nullptr) << id;
    EXPECT_TRUE(a->alive) << id << ": " << ::testing::PrintToString(a->errors);
    EXPECT_EQ(a->probes, 3) << id;
    EXPECT_EQ(a->answered, 3) << id;
    EXPECT_TRUE(a->output_shape.is_object()) << id;
    EXPECT_EQ(a->output_fingerprint, ShapeFingerprint(a->output_shape)) << id;
    EXPECT_EQ(a->output_fingerprint, b->output_fingerprint) << id;
    EXPECT_EQ(b->latency_history_ms.size(), 6u) << id;
    EXPECT_GT(a->cost, 0) << id;
  }
  const SubnetProbe& search = *second.Find("SN22");
  EXPECT_EQ(CompactJson(search.output_shape),
            R"({"results":[{"link":"str","published_date":"str","snippet":"str","title":"str"}],)"
            R"("total_found":"int"})");
  EXPECT_DOUBLE_EQ(search.cost, 0.002);  // the receipt's price, as the manifest sets it
  EXPECT_EQ(search.input_fields, (std::vector<std::string>{"query", "max_results", "search_type"}));
  EXPECT_TRUE(second.Find("SN13")->output_shape.as_object().contains("data"));
  EXPECT_TRUE(second.Find("SN1")->output_shape.as_object().contains("choices"));
}

TEST(ProberTest, OutputRenameOfAChatSubnetChangesTheFingerprintAndShowsTheNewKey) {
  ProbedNetwork network;
  const std::string before = network.Round().Find("SN1")->output_fingerprint;
  sim::SchemaDrift drift;
  drift.output_renames["usage"] = "token_usage";
  ASSERT_TRUE(network.sim().SetDrift(1, drift).ok());

  const ExpertView after = network.Round();
  const SubnetProbe& chat = *after.Find("SN1");
  EXPECT_TRUE(chat.alive);
  EXPECT_NE(chat.output_fingerprint, before);
  EXPECT_TRUE(chat.output_shape.as_object().contains("token_usage"));
  EXPECT_FALSE(chat.output_shape.as_object().contains("usage"));
  EXPECT_EQ(after.Find("SN64")->output_fingerprint,
            network.Round().Find("SN64")->output_fingerprint);
}

// A synapse answer carries only the fields its class declares (unknown keys are dropped, as
// Python's dendrite drops them), so the renamed key shows as missing, not under its new name.
TEST(ProberTest, OutputRenameOfASynapseSubnetChangesTheFingerprint) {
  ProbedNetwork network;
  const std::string before = network.Round().Find("SN22")->output_fingerprint;
  sim::SchemaDrift drift;
  drift.output_renames["total_found"] = "count";
  ASSERT_TRUE(network.sim().SetDrift(22, drift).ok());

  const SubnetProbe search = *network.Round().Find("SN22");
  EXPECT_TRUE(search.alive);
  EXPECT_NE(search.output_fingerprint, before);
  EXPECT_FALSE(search.output_shape.as_object().contains("total_found"));
  EXPECT_TRUE(search.output_shape.as_object().contains("results"));
}

TEST(ProberTest, OutputRetypeShowsInTheShape) {
  ProbedNetwork network;
  sim::SchemaDrift drift;
  drift.output_retypes["total_found"] = "str";
  ASSERT_TRUE(network.sim().SetDrift(42, drift).ok());
  EXPECT_EQ(network.Round().Find("SN42")->output_shape.at("total_found"), "str");
}

// The simulator's synapse axons parse requests with the class they started with, so a subnet
// whose input was renamed there refuses every caller; these tests play the drifted subnet
// in-process instead, answering as experts::HttpTransport reports a 422.
class DriftedSearch {
 public:
  explicit DriftedSearch(std::map<std::string, std::string> renames)
      : renames_(std::move(renames)),
        transport_(
            [this](const ledger::LedgerEntry&, const Json& payload) -> Result<Json> {
              ++calls_;
              for (const auto& [from, to] : renames_) {
                if (!payload.as_object().contains(to)) {
                  return Error(ErrorCode::kMalformedAnswer,
                               "SN22 uid 0: HTTP 422 " + to + ": field required");
                }
              }
              // As the simulator's search engine: the query is required under its own name.
              if (!renames_.contains("query") && !payload.as_object().contains("query")) {
                return Error(ErrorCode::kMalformedAnswer, "SN22 uid 0: HTTP 422 query: required");
              }
              return ParseJson(R"({"results": [{"title": "t", "link": "https://akash.network/"}],
                                   "total_found": 1})");
            },
            crypto::Keypair::FromMiniSecret(crypto::MiniSecret{})) {
    directory_.Add("SN22", experts::Endpoint{});
    for (const auto& entry : testing::SeedEntries()) {
      if (entry.subnet_id == "SN22") base_.push_back(entry);
    }
  }

  void Rename(std::map<std::string, std::string> renames) { renames_ = std::move(renames); }
  int calls() const { return calls_; }

  SubnetProbe Round(Prober& prober) {
    boost::asio::io_context io;
    auto done = boost::asio::co_spawn(io, prober.Probe(Deadline::After(std::chrono::seconds(5))),
                                      boost::asio::use_future);
    io.run();
    return *done.get().Find("SN22");
  }

  Prober MakeProber() { return Prober(base_, directory_, transport_, {}); }

 private:
  std::map<std::string, std::string> renames_;
  int calls_ = 0;
  experts::Directory directory_;
  std::vector<ledger::LedgerEntry> base_;
  experts::InProcessTransport transport_;
};

TEST(ProberTest, InputRenameIsLearnedFromThe422AndReported) {
  DriftedSearch subnet(Renames{{"query", "q"}});
  Prober prober = subnet.MakeProber();
  const SubnetProbe search = subnet.Round(prober);
  EXPECT_TRUE(search.alive) << ::testing::PrintToString(search.errors);
  EXPECT_EQ(search.answered, 3);
  EXPECT_EQ(search.input_renames, (std::map<std::string, std::string>{{"query", "q"}}));
  EXPECT_THAT(search.input_fields, Contains("q"));
  EXPECT_THAT(search.input_fields, Not(Contains("query")));
  // The first probe learns the rename with one resend; the others of the round use it.
  EXPECT_EQ(subnet.calls(), 4);

  // The next round sends the new name at once; once the subnet takes the old name again, the
  // rename is forgotten.
  subnet.Round(prober);
  EXPECT_EQ(subnet.calls(), 7);
  subnet.Rename({});
  const SubnetProbe reset = subnet.Round(prober);
  EXPECT_TRUE(reset.alive) << ::testing::PrintToString(reset.errors);
  EXPECT_TRUE(reset.input_renames.empty());
  EXPECT_THAT(reset.input_fields, Contains("query"));
}

TEST(ProberTest, InputRenameToALongerNameFindsTheFieldItReplaces) {
  DriftedSearch subnet(Renames{{"search_type", "type"}, {"query", "search_query"}});
  Prober prober = subnet.MakeProber();
  const SubnetProbe search = subnet.Round(prober);
  EXPECT_TRUE(search.alive) << ::testing::PrintToString(search.errors);
  EXPECT_EQ(search.input_renames, (std::map<std::string, std::string>{{"query", "search_query"},
                                                                      {"search_type", "type"}}));
}

TEST(ProberTest, SubnetThatKeepsRefusingIsDeadWithTheReason) {
  std::vector<ledger::LedgerEntry> base;
  for (const auto& entry : testing::SeedEntries()) {
    if (entry.subnet_id == "SN22") base.push_back(entry);
  }
  experts::Directory directory;
  directory.Add("SN22", experts::Endpoint{});
  int calls = 0;
  // Asks for a field the probe already sends: nothing left to rename.
  experts::InProcessTransport refusing(
      [&](const ledger::LedgerEntry&, const Json&) -> Result<Json> {
        ++calls;
        return Error(ErrorCode::kMalformedAnswer,
                     "SN22 uid 0: HTTP 422 max_results: field required");
      },
      crypto::Keypair::FromMiniSecret(crypto::MiniSecret{}));
  Prober prober(base, directory, refusing, {});
  boost::asio::io_context io;
  auto done = boost::asio::co_spawn(io, prober.Probe(Deadline::After(std::chrono::seconds(5))),
                                    boost::asio::use_future);
  io.run();
  const SubnetProbe search = *done.get().Find("SN22");
  EXPECT_FALSE(search.alive);
  EXPECT_EQ(calls, 3);
  EXPECT_THAT(search.errors, Contains(HasSubstr("HTTP 422 max_results: field required")));
}

// Answers every call after yielding to the event loop once, counting the calls in flight.
class CountingTransport : public experts::Transport {
 public:
  boost::asio::awaitable<Result<experts::ExpertReply>> Call(experts::ExpertCall,
                                                            Deadline) override {
    max_in_flight_ = std::max(max_in_flight_, ++in_flight_);
    co_await boost::asio::post(co_await boost::asio::this_coro::executor,
                               boost::asio::use_awaitable);
    --in_flight_;
    ++calls_;
    experts::ExpertReply reply;
    reply.output = JsonObject{{"ok", true}};
    co_return reply;
  }
  int max_in_flight() const { return max_in_flight_; }
  int calls() const { return calls_; }

 private:
  int in_flight_ = 0;
  int max_in_flight_ = 0;
  int calls_ = 0;
};

TEST(ProberTest, ProbesRunConcurrentlyUpToTheLimit) {
  experts::Directory directory;
  const std::vector<ledger::LedgerEntry> base = testing::SeedEntries();
  for (const auto& entry : base) directory.Add(entry.subnet_id, experts::Endpoint{});
  for (size_t limit : {1, 2, 5}) {
    CountingTransport transport;
    ProberOptions options;
    options.max_concurrency = limit;
    Prober prober(base, directory, transport, options);
    boost::asio::io_context io;
    auto done = boost::asio::co_spawn(io, prober.Probe(Deadline::After(std::chrono::seconds(5))),
                                      boost::asio::use_future);
    io.run();
    const ExpertView view = done.get();
    EXPECT_EQ(transport.calls(), 21) << limit;  // 7 subnets, 3 capabilities each
    EXPECT_EQ(transport.max_in_flight(), static_cast<int>(limit));
    EXPECT_TRUE(view.Find("SN13")->alive);
  }
}

TEST(ProberTest, SubnetTakenOfflineIsReportedDead) {
  ProbedNetwork network;
  ASSERT_TRUE(network.Round().Find("SN13")->alive);
  ASSERT_TRUE(network.sim().SetOnline(13, std::nullopt, false).ok());

  const ExpertView view = network.Round();
  const SubnetProbe& scrape = *view.Find("SN13");
  EXPECT_FALSE(scrape.alive);
  EXPECT_EQ(scrape.answered, 0);
  EXPECT_EQ(scrape.errors.size(), 3u);
  EXPECT_TRUE(view.Find("SN33")->alive);
  // What the earlier round learned about its shape is kept.
  EXPECT_TRUE(scrape.output_shape.is_object());
}

TEST(ProberTest, OneUidAnsweringOutOfShapeIsOutvoted) {
  sim::Manifest manifest = testing::CleanManifest();
  for (auto& subnet : manifest.subnets) {
    if (subnet.entry.netuid != 22) continue;
    subnet.uids[1].reliability = 0;
    subnet.uids[1].fault_weights[static_cast<size_t>(sim::Fault::kSchemaViolation)] = 1;
  }
  ProbedNetwork network(std::move(manifest));
  const SubnetProbe search = *network.Round().Find("SN22");
  EXPECT_TRUE(search.alive);
  EXPECT_TRUE(search.output_shape.at("results").is_array());
}

TEST(ProberTest, SubnetWithoutUidsIsDeadWithoutACall) {
  std::vector<ledger::LedgerEntry> base = testing::SeedEntries();
  ledger::LedgerEntry unknown = base.front();
  unknown.subnet_id = "SN99";
  unknown.netuid = 99;
  base.push_back(unknown);
  experts::Directory empty;
  experts::InProcessTransport never(
      [](const ledger::LedgerEntry&, const Json&) -> Result<Json> {
        ADD_FAILURE() << "called";
        return Error(ErrorCode::kInternal, "called");
      },
      crypto::Keypair::FromMiniSecret(crypto::MiniSecret{}));
  Prober prober(base, empty, never, {});
  boost::asio::io_context io;
  auto done = boost::asio::co_spawn(io, prober.Probe(Deadline::After(std::chrono::seconds(5))),
                                    boost::asio::use_future);
  io.run();
  const ExpertView view = done.get();
  ASSERT_NE(view.Find("SN99"), nullptr);
  EXPECT_FALSE(view.Find("SN99")->alive);
  EXPECT_THAT(view.Find("SN99")->errors, Contains(HasSubstr("no UID")));
}

TEST(ProberTest, MeasuredEntriesCarryTheProbedCostLatencyAndShape) {
  ProbedNetwork network;
  ASSERT_TRUE(network.sim().SetOnline(19, std::nullopt, false).ok());
  const ExpertView view = network.Round();

  const auto entries = MeasuredEntries(view, network.prober().base());
  ASSERT_EQ(entries.size(), 6u);  // SN19 is down
  for (const auto& entry : entries) {
    EXPECT_NE(entry.subnet_id, "SN19");
    const SubnetProbe& probe = *view.Find(entry.subnet_id);
    EXPECT_DOUBLE_EQ(entry.cost_per_query, probe.cost);
    EXPECT_GE(entry.avg_latency_ms, 1.0);
    EXPECT_GE(entry.p95_latency_ms, entry.avg_latency_ms);
    EXPECT_DOUBLE_EQ(entry.reliability, 1.0);
    EXPECT_EQ(entry.output_schema, probe.output_shape);
    // Each reads back as a ledger entry.
    auto back = ledger::EntryFromJson(entry.subnet_id, ledger::ToJson(entry));
    EXPECT_TRUE(back.ok()) << back.error().ToString();
  }
}

TEST(ProberTest, ViewToJsonCarriesEverySubnet) {
  ProbedNetwork network;
  const Json json = network.Round().ToJson();
  const Json& search = json.at("subnets").at("SN22");
  EXPECT_EQ(search.at("alive"), true);
  EXPECT_EQ(search.at("netuid"), 22);
  EXPECT_TRUE(search.at("output_shape").is_object());
  EXPECT_TRUE(search.at("output_fingerprint").as_string().starts_with("0x"));
  EXPECT_EQ(json.at("subnets").as_object().size(), std::size(kManifestSubnets));
}

}  // namespace
}  // namespace orchestra::validator
