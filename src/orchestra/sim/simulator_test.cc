#include "orchestra/sim/simulator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <optional>
#include <thread>

#include <fmt/format.h>

#include "orchestra/core/hash.h"
#include "orchestra/crypto/ss58.h"
#include "orchestra/experts/synapse_class.h"
#include "orchestra/net/dendrite.h"
#include "orchestra/net/http_client.h"
#include "orchestra/net/metagraph_source.h"
#include "orchestra/protocol/receipt.h"
#include "orchestra/schema/schema.h"

namespace orchestra::sim {
namespace {

using namespace std::chrono_literals;
using protocol::BittensorSynapse;
using ::testing::HasSubstr;

const crypto::Keypair kCaller = crypto::Keypair::FromMiniSecret(crypto::MiniSecret{7});

std::shared_ptr<const Corpus> TheCorpus() {
  static auto corpus = std::make_shared<const Corpus>(Corpus::LoadEmbedded().value());
  return corpus;
}

// A one-subnet manifest (SN22's contract) whose UIDs each fail every call with one fault kind,
// plus a clean UID 99.
Manifest FaultManifest() {
  Manifest m = Manifest::Default().value();
  SubnetSpec search = *m.Find(22);
  search.uids.clear();
  for (size_t k = 0; k < kFaultKinds; ++k) {
    UidSpec u{.uid = static_cast<int>(k), .p50_ms = 0, .p95_ms = 0, .reliability = 0};
    u.fault_weights[k] = 1;
    search.uids.push_back(u);
  }
  search.uids.push_back(UidSpec{.uid = 99});
  m.subnets = {search, *m.Find(1)};
  return m;
}

// `n` documents that all contain the words of kCommonWords, so that searching for them ranks
// every document: a query as slow as a common-word query over Debian's packages.
constexpr std::string_view kCommonWords = "orchard lantern meadow harbor";

std::shared_ptr<const Corpus> SlowToSearchCorpus(int n) {
  std::string json = R"({"topic": "bulk", "documents": [)";
  for (int i = 0; i < n; ++i) {
    if (i > 0) json += ',';
    json += fmt::format(
        R"({{"url": "https://bulk{0}.test/", "title": "{1} {0}", "kind": "homepage",)"
        R"( "snippet": "{1} page {0}", "text": "{1} {1} item {0} of the bulk corpus"}})",
        i, kCommonWords);
  }
  json += "]}";
  static std::string contents;  // EmbeddedFile points at it
  contents = std::move(json);
  auto corpus = Corpus::Load({EmbeddedFile{"bulk.json", contents}});
  EXPECT_TRUE(corpus.ok()) << corpus.error().ToString();
  return std::make_shared<const Corpus>(std::move(*corpus));
}

class SimulatorTest : public ::testing::Test {
 protected:
  void StartWith(Manifest manifest, uint64_t seed = 42,
                 std::shared_ptr<const Corpus> corpus = TheCorpus(),
                 SimulatorOptions options = {}) {
    options.seed = seed;
    options.latency_scale = 0;
    auto started = Simulator::Start(std::move(manifest), std::move(corpus), options);
    ASSERT_TRUE(started.ok()) << started.error().ToString();
    sim_ = std::move(*started);
  }

  const experts::Endpoint& Uid(const std::string& subnet, int uid) {
    for (const auto& e : sim_->directory().Find(subnet)) {
      if (e.uid == uid) return e;
    }
    ADD_FAILURE() << subnet << " uid " << uid;
    static experts::Endpoint none;
    return none;
  }

  // A signed Desearch synapse call, as the miner makes it.
  BittensorSynapse Search(int uid, std::string query, double timeout = 5.0,
                          std::string lock = "0xlock") {
    const ledger::LedgerEntry& entry = sim_->manifest().Find(22)->entry;
    const protocol::SynapseClass cls = experts::SynapseClassFor(entry);
    BittensorSynapse synapse;
    synapse.fields = JsonObject{{"query", std::move(query)},
                                {"max_results", 5},
                                {"search_type", "web"},
                                {std::string(experts::kLockField), std::move(lock)}};
    boost::asio::io_context io;
    net::Dendrite dendrite(io.get_executor(), kCaller);
    const experts::Endpoint& e = Uid("SN22", uid);
    auto done = boost::asio::co_spawn(
        io, dendrite.Call({e.host, e.port, e.hotkey}, cls, std::move(synapse), timeout),
        boost::asio::use_future);
    io.run();
    return done.get();
  }

  Result<net::HttpResponse> Http(uint16_t port, std::string method, std::string target,
                                 std::string body = "", net::HttpHeaders headers = {}) {
    boost::asio::io_context io;
    net::HttpClient client(io.get_executor());
    net::HttpRequest request{std::move(method), std::move(target), std::move(headers),
                             std::move(body)};
    std::optional<Result<net::HttpResponse>> out;
    boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<void> {
          out.emplace(
              co_await client.Send("127.0.0.1", port, std::move(request), Deadline::After(5s)));
        },
        boost::asio::detached);
    io.run();
    return std::move(*out);
  }

  Result<net::HttpResponse> Admin(std::string target, Json body, std::string token = "") {
    return Http(sim_->control_port(), "POST", std::move(target), CompactJson(body),
                {{"authorization", "Bearer " + (token.empty() ? sim_->admin_token() : token)}});
  }

  std::unique_ptr<Simulator> sim_;
};

TEST_F(SimulatorTest, SearchAnswersWithRelevantDocumentsAndAVerifiableReceipt) {
  StartWith(Manifest::Default().value());
  const std::string lock = protocol::LockFor(
      "0xchallenge", crypto::Ss58Encode(kCaller.public_key().bytes()), 1,
      CanonicalHash(JsonObject{{"query", "decentralized compute marketplace providers"},
                               {"max_results", 5},
                               {"search_type", "web"}}));
  // UID 0 of SN22 is clean on its first calls with the default seed; retry a few to be sure.
  BittensorSynapse answer;
  for (int i = 0; i < 5; ++i) {
    answer = Search(0, "decentralized compute marketplace providers", 5.0, lock);
    if (answer.dendrite.status_code == 200 && answer.fields.at("results").is_array() &&
        !answer.fields.at("results").as_array().empty()) {
      break;
    }
  }
  ASSERT_EQ(answer.dendrite.status_code, 200) << answer.dendrite.status_message.value_or("");
  const auto& results = answer.fields.at("results").as_array();
  ASSERT_FALSE(results.empty());
  std::string links;
  for (const Json& r : results) links += JsonString(r, "link") + " ";
  EXPECT_THAT(links, HasSubstr("akash"));

  auto receipt = protocol::ReceiptFromJson(answer.fields.at(std::string(experts::kReceiptField)));
  ASSERT_TRUE(receipt.ok()) << receipt.error().ToString();
  const Json output = JsonObject{{"results", answer.fields.at("results")},
                                 {"total_found", answer.fields.at("total_found")}};
  protocol::ReceiptExpectation expected;
  expected.challenge_id = "0xchallenge";
  expected.miner_hotkey = crypto::Ss58Encode(kCaller.public_key().bytes());
  expected.step = 1;
  expected.expert_hotkey = Uid("SN22", 0).hotkey;
  expected.query = JsonObject{{"query", "decentralized compute marketplace providers"},
                              {"max_results", 5},
                              {"search_type", "web"}};
  expected.response = output;
  expected.window_start_ms = receipt->issued_at_ms - 1000;
  expected.window_end_ms = receipt->issued_at_ms + 1000;
  EXPECT_TRUE(protocol::VerifyReceipt(*receipt, expected).ok());
  protocol::Receipt tampered = *receipt;
  tampered.price *= 2;
  EXPECT_FALSE(protocol::VerifyReceipt(tampered, expected).ok());

  // The UID answers for its receipt; other hashes are unknown.
  auto stored = Http(Uid("SN22", 0).port, "GET", "/receipts/" + receipt->Hash());
  ASSERT_TRUE(stored.ok());
  ASSERT_EQ(stored->status, 200) << stored->body;
  EXPECT_EQ(ParseJson(stored->body).value(), protocol::ToJson(*receipt));
  auto unknown = Http(Uid("SN22", 0).port, "GET", "/receipts/0x" + std::string(64, '0'));
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(unknown->status, 404);
  auto elsewhere = Http(Uid("SN22", 1).port, "GET", "/receipts/" + receipt->Hash());
  EXPECT_EQ(elsewhere->status, 404);
}

TEST_F(SimulatorTest, RequiresSignedRequests) {
  StartWith(Manifest::Default().value());
  auto unsigned_call = Http(Uid("SN22", 0).port, "POST", "/DesearchSynapse",
                            R"({"query": "gpu", "max_results": 3, "search_type": "web"})");
  ASSERT_TRUE(unsigned_call.ok());
  EXPECT_NE(unsigned_call->status, 200);
}

TEST_F(SimulatorTest, SameSeedSameSequenceOfOutcomesPerUid) {
  auto outcomes = [&](uint64_t seed) {
    Manifest m = Manifest::Default().value();
    StartWith(m, seed);
    std::vector<std::string> seen;
    for (int i = 0; i < 25; ++i) {
      BittensorSynapse s = Search(2, "cloud GPU pricing", 0.2);
      seen.push_back(
          fmt::format("{} {}", s.dendrite.status_code.value_or(0),
                      s.fields.contains("results") ? CompactJson(s.fields.at("results")) : "-"));
    }
    sim_.reset();
    return seen;
  };
  const auto first = outcomes(42);
  EXPECT_EQ(outcomes(42), first);
  EXPECT_NE(outcomes(43), first);
}

TEST_F(SimulatorTest, EveryFaultKindIsObservableByAClient) {
  StartWith(FaultManifest());
  const auto status = [](const BittensorSynapse& s) { return s.dendrite.status_code.value_or(0); };
  EXPECT_EQ(status(Search(static_cast<int>(Fault::kTimeout), "gpu", 0.3)), 408);
  EXPECT_EQ(status(Search(static_cast<int>(Fault::kHttp503), "gpu")), 503);
  EXPECT_EQ(status(Search(static_cast<int>(Fault::kHttp429), "gpu")), 429);
  EXPECT_EQ(status(Search(static_cast<int>(Fault::kHttp500), "gpu")), 500);
  EXPECT_EQ(status(Search(static_cast<int>(Fault::kMalformedJson), "gpu")), 422);
  EXPECT_EQ(status(Search(static_cast<int>(Fault::kTruncatedBody), "gpu")), 422);

  const BittensorSynapse violation = Search(static_cast<int>(Fault::kSchemaViolation), "gpu");
  ASSERT_EQ(status(violation), 200);
  auto output_schema = schema::Schema::FromTarget(sim_->manifest().Find(22)->entry.output_schema);
  ASSERT_TRUE(output_schema.ok());
  const Json output = JsonObject{{"results", violation.fields.at("results")},
                                 {"total_found", violation.fields.at("total_found")}};
  EXPECT_FALSE(output_schema->Validate(output).valid);

  const BittensorSynapse empty = Search(static_cast<int>(Fault::kEmptyResults), "gpu");
  ASSERT_EQ(status(empty), 200);
  EXPECT_TRUE(empty.fields.at("results").as_array().empty());

  const auto start = std::chrono::steady_clock::now();
  const BittensorSynapse slow = Search(static_cast<int>(Fault::kSlowTrickle), "gpu", 5.0);
  EXPECT_EQ(status(slow), 200);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 1s);
  // The head arrives at once, the body does not: a caller with a short timeout gives up.
  const BittensorSynapse cut = Search(static_cast<int>(Fault::kSlowTrickle), "gpu", 0.3);
  EXPECT_EQ(status(cut), 408);

  const BittensorSynapse clean = Search(99, "gpu");
  EXPECT_EQ(status(clean), 200);
  const UidCounters counters = sim_->Counters(22, static_cast<int>(Fault::kHttp503));
  EXPECT_EQ(counters.calls, 1u);
  EXPECT_EQ(counters.faults[static_cast<size_t>(Fault::kHttp503)], 1u);
}

TEST_F(SimulatorTest, SchemaDriftIsVisibleToClients) {
  StartWith(FaultManifest());
  auto drift =
      Admin("/admin/subnets/22/drift", *ParseJson(R"({"input": {"rename": {"query": "q"}}})"));
  ASSERT_TRUE(drift.ok());
  ASSERT_EQ(drift->status, 200) << drift->body;
  const BittensorSynapse renamed_input = Search(99, "gpu");
  EXPECT_EQ(renamed_input.dendrite.status_code, 422);
  EXPECT_THAT(renamed_input.dendrite.status_message.value_or(""), HasSubstr("q: field required"));

  ASSERT_EQ(
      Admin("/admin/subnets/22/drift", *ParseJson(R"({"output": {"rename": {"results": "items"},
                                            "retype": {"total_found": "str"}}})"))
          ->status,
      200);
  const BittensorSynapse drifted = Search(99, "gpu");
  ASSERT_EQ(drifted.dendrite.status_code, 200);
  EXPECT_TRUE(drifted.fields.at("results").is_null());
  EXPECT_TRUE(drifted.fields.at("total_found").is_string());

  ASSERT_EQ(Admin("/admin/subnets/22/drift", JsonObject{})->status, 200);
  EXPECT_TRUE(Search(99, "gpu").fields.at("results").is_array());
}

TEST_F(SimulatorTest, AdminApiNeedsTheTokenAndControlsUidsAndAnswers) {
  StartWith(FaultManifest());
  auto denied = Admin("/admin/subnets/22/offline", JsonObject{}, "wrong");
  ASSERT_TRUE(denied.ok());
  EXPECT_EQ(denied->status, 401);

  ASSERT_EQ(Admin("/admin/subnets/22/offline", *ParseJson(R"({"uids": [99]})"))->status, 200);
  EXPECT_EQ(Search(99, "gpu").dendrite.status_code, 503);  // unreachable
  ASSERT_EQ(Admin("/admin/subnets/22/online", *ParseJson(R"({"uids": [99]})"))->status, 200);
  EXPECT_EQ(Search(99, "gpu").dendrite.status_code, 200);

  // Make the clean UID always answer 429, then clean again.
  ASSERT_EQ(Admin("/admin/subnets/22/uids/99",
                  *ParseJson(R"({"reliability": 0, "faults": {"http_429": 1}})"))
                ->status,
            200);
  EXPECT_EQ(Search(99, "gpu").dendrite.status_code, 429);
  auto bad_patch = Admin("/admin/subnets/22/uids/99", *ParseJson(R"({"reliability": 3})"));
  EXPECT_EQ(bad_patch->status, 400);
  EXPECT_THAT(bad_patch->body, HasSubstr("reliability"));
  ASSERT_EQ(Admin("/admin/subnets/22/uids/99", *ParseJson(R"({"reliability": 1})"))->status, 200);

  // A planted answer for one query (a logic trap's known answer).
  ASSERT_EQ(Admin("/admin/subnets/22/plant", *ParseJson(R"({"match": {"query": "who won?"},
                                 "answer": {"results": [{"title": "Planted", "link": "https://x.test"}],
                                            "total_found": 1}})"))
                ->status,
            200);
  const BittensorSynapse planted = Search(99, "who won?");
  ASSERT_EQ(planted.dendrite.status_code, 200);
  EXPECT_EQ(JsonString(planted.fields.at("results").as_array().at(0), "title"), "Planted");
  EXPECT_NE(JsonString(Search(99, "gpu").fields.at("results").as_array().at(0), "title"),
            "Planted");

  EXPECT_EQ(Admin("/admin/subnets/77/offline", JsonObject{})->status, 404);
  EXPECT_EQ(Admin("/admin/subnets/22/drift", *ParseJson(R"({"output": {"retype": {"x": "blob"}}})"))
                ->status,
            400);
}

// A logic trap for queries the validator cannot know word for word: "match_contains" plants
// an answer for every query containing a text, in any letter case, and only those; the plant
// is removed with "answer": null; malformed plants are refused naming the field.
TEST_F(SimulatorTest, PlantMatchContainsAnswersEveryQueryContainingTheTextUntilRemoved) {
  StartWith(FaultManifest());
  const Json plant = *ParseJson(R"({"match_contains": {"query": "gpu"},
      "answer": {"results": [{"title": "Stale", "link": "https://stale.test"}], "total_found": 1}})");
  ASSERT_EQ(Admin("/admin/subnets/22/plant", plant)->status, 200);
  for (const char* query : {"gpu", "Cheapest GPU cloud prices", "rent a cloudgpu"}) {
    const BittensorSynapse hit = Search(99, query);
    ASSERT_EQ(hit.dendrite.status_code, 200) << query;
    EXPECT_EQ(JsonString(hit.fields.at("results").as_array().at(0), "title"), "Stale") << query;
  }
  const BittensorSynapse miss = Search(99, "decentralized compute");
  ASSERT_EQ(miss.dendrite.status_code, 200);
  EXPECT_NE(JsonString(miss.fields.at("results").as_array().at(0), "title"), "Stale");

  Json removal = plant;
  removal.as_object()["answer"] = nullptr;
  ASSERT_EQ(Admin("/admin/subnets/22/plant", removal)->status, 200);
  EXPECT_NE(JsonString(Search(99, "gpu").fields.at("results").as_array().at(0), "title"), "Stale");

  const struct {
    const char* body;
    const char* message;
  } bad[] = {
      {R"({"match_contains": {"query": ""}, "answer": {}})", "match_contains.query: "},
      {R"({"match_contains": {"query": 3}, "answer": {}})", "match_contains.query: "},
      {R"({"match_contains": "gpu", "answer": {}})", "match_contains: must be an object"},
      {R"({"match": [1], "answer": {}})", "match: must be an object"},
      {R"({"match": {"query": "x"}})", "answer: "},
      {R"({"answer": {}})", "plant: needs"},
  };
  for (const auto& c : bad) {
    auto refused = Admin("/admin/subnets/22/plant", *ParseJson(c.body));
    ASSERT_TRUE(refused.ok());
    EXPECT_EQ(refused->status, 400) << c.body;
    EXPECT_THAT(refused->body, HasSubstr(c.message)) << c.body;
  }
}

// The control API reads a number whole and checks its range: "22abc" is not subnet 22, uid
// 4294967296 is not uid 0, and 1e300 ms is not a latency. Each answer names the field.
TEST_F(SimulatorTest, ControlApiRefusesMalformedOrOutOfRangeNumbersNamingTheField) {
  StartWith(FaultManifest());
  const struct {
    const char* target;
    const char* body;
    const char* field;
  } cases[] = {
      {"/admin/subnets/22abc/offline", "{}", "netuid: must be an integer from 0 to 65535"},
      {"/admin/subnets/-22/offline", "{}", "netuid: "},
      {"/admin/subnets/22/uids/99x", R"({"reliability": 1})", "uid: "},
      {"/admin/subnets/22/uids/4294967395", R"({"reliability": 1})", "uid: "},
      {"/admin/subnets/22/offline", R"({"uids": [4294967296]})", "uids[0]: "},
      {"/admin/subnets/22/offline", R"({"uids": [99, -1]})", "uids[1]: "},
      {"/admin/subnets/22/uids/99", R"({"p50_ms": 1e300, "p95_ms": 1e300})", "p50_ms: "},
      {"/admin/subnets/22/uids/99", R"({"p95_ms": 1e300})", "p95_ms: "},
      {"/admin/subnets/22/uids/99", R"({"stake": 1e300})", "stake: "},
  };
  for (const auto& c : cases) {
    auto response = Admin(c.target, *ParseJson(c.body));
    ASSERT_TRUE(response.ok()) << response.error().ToString();
    EXPECT_EQ(response->status, 400) << c.target << " " << c.body << ": " << response->body;
    EXPECT_THAT(response->body, HasSubstr(c.field)) << c.target << " " << c.body;
  }
  auto metagraph = Http(sim_->control_port(), "GET", "/metagraph/22abc");
  ASSERT_TRUE(metagraph.ok());
  EXPECT_EQ(metagraph->status, 400);
  EXPECT_THAT(metagraph->body, HasSubstr("netuid: "));

  // A list naming an unknown UID changes none of them.
  EXPECT_EQ(Admin("/admin/subnets/22/offline", *ParseJson(R"({"uids": [99, 4242]})"))->status, 404);

  // Nothing was changed: the UID still answers, the control API still serves.
  EXPECT_EQ(Search(99, "gpu").dendrite.status_code, 200);
  EXPECT_EQ(Http(sim_->control_port(), "GET", "/metagraph/22")->status, 200);
}

// With a search pool, a UID running a slow search (26 ms here) does not hold up the other UIDs
// served by the same (here the only) I/O thread: another UID keeps answering while the search
// runs. Without the pool (search_threads = 0) only the requests that slip in before the search
// starts or after it ends get through (0-2 in five trials, against 135-181 with the pool).
TEST_F(SimulatorTest, ASlowSearchDoesNotHoldUpOtherUidsOnItsThread) {
  Manifest manifest = Manifest::Default().value();
  SubnetSpec search = *manifest.Find(22);
  for (UidSpec& u : search.uids) {
    u.p50_ms = u.p95_ms = 0;
    u.reliability = 1;
  }
  manifest.subnets = {search};
  SimulatorOptions options;
  options.threads = 1;
  options.search_threads = 1;
  StartWith(std::move(manifest), 42, SlowToSearchCorpus(20'000), options);

  std::atomic<bool> slow_answered = false;
  BittensorSynapse slow;
  std::thread slow_caller([&] {
    slow = Search(0, std::string(kCommonWords));
    slow_answered = true;
  });
  // From when UID 0 takes the slow call (its counter moves as the call starts) until its answer
  // is back, ask UID 1 for an unknown receipt again and again.
  const auto give_up = std::chrono::steady_clock::now() + 30s;
  while (sim_->Counters(22, 0).calls == 0 && !slow_answered &&
         std::chrono::steady_clock::now() < give_up) {
    std::this_thread::yield();
  }
  int answered_meanwhile = 0;
  while (!slow_answered) {
    auto quick = Http(Uid("SN22", 1).port, "GET", "/receipts/0x" + std::string(64, '0'));
    if (!quick.ok() || quick->status != 404) {
      ADD_FAILURE() << "UID 1: " << (quick.ok() ? quick->body : quick.error().ToString());
      break;
    }
    if (!slow_answered) ++answered_meanwhile;
  }
  slow_caller.join();
  EXPECT_GE(answered_meanwhile, 15) << "UID 1 waited for UID 0's search";
  ASSERT_EQ(slow.dendrite.status_code, 200) << slow.dendrite.status_message.value_or("");
  EXPECT_EQ(slow.fields.at("results").as_array().size(), 5u);
}

TEST_F(SimulatorTest, MetagraphListsEveryUidWithItsAxon) {
  StartWith(Manifest::Default().value());
  auto response = Http(sim_->control_port(), "GET", "/metagraph/22");
  ASSERT_TRUE(response.ok());
  ASSERT_EQ(response->status, 200);
  auto json = ParseJson(response->body);
  ASSERT_TRUE(json.ok());
  auto neurons = net::NeuronsFromJson(*json);
  ASSERT_TRUE(neurons.ok()) << neurons.error().ToString();
  ASSERT_EQ(neurons->size(), sim_->directory().Find("SN22").size());
  for (const auto& neuron : *neurons) {
    EXPECT_EQ(neuron.hotkey, Uid("SN22", neuron.uid).hotkey);
    EXPECT_GT(neuron.stake, 0);
  }
  const Json& first = json->at("neurons").as_array().at(0);
  EXPECT_EQ(JsonInt(first.at("axon"), "port"), Uid("SN22", JsonInt(first, "uid")).port);
  EXPECT_EQ(Http(sim_->control_port(), "GET", "/metagraph/999")->status, 404);
}

TEST_F(SimulatorTest, LlmSubnetsAnswerOpenAiChatCompletionsWithAReceiptHeader) {
  StartWith(FaultManifest());
  // The record must be about the objective: the simulated LLM quotes nothing off-topic.
  const std::string context = R"([{"step": 1, "kind": "record", "data": {"name": "RunPod",
      "description": "GPU cloud with per-second prices"}}])";
  const std::string body = CompactJson(JsonObject{
      {"model", "sim"},
      {"messages", JsonArray{JsonObject{
                       {"role", "user"},
                       {"content", "Objective: compare GPU prices\nContext (JSON):\n" + context}}}},
      {"response_format",
       *ParseJson(R"({"type": "json_schema", "json_schema": {"schema": {"type": "object",
                      "properties": {"name": {"type": "string"}}, "required": ["name"]}}})")}});
  // SN1's UIDs have faults in the default manifest: take the first 200 of a few calls.
  for (int i = 0; i < 10; ++i) {
    auto response = Http(sim_->directory().Find("SN1").front().port, "POST", "/v1/chat/completions",
                         body, {{"orchestra-lock", "0xabc"}});
    ASSERT_TRUE(response.ok());
    if (response->status != 200) continue;  // a fault of the UID
    auto json = ParseJson(response->body);
    if (!json.ok()) continue;  // a malformed or truncated answer
    const std::string content =
        JsonString(json->at("choices").as_array().at(0).at("message"), "content");
    EXPECT_EQ(ParseJson(content).value(), *ParseJson(R"({"name": "RunPod"})"));
    auto receipt = ParseJson(response->Header("orchestra-receipt"));
    ASSERT_TRUE(receipt.ok());
    EXPECT_EQ(JsonString(*receipt, "lock"), "0xabc");
    return;
  }
  FAIL() << "no clean answer in 10 calls";
}

}  // namespace
}  // namespace orchestra::sim
