#include "orchestra/experts/http_transport.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>
#include <mutex>
#include <optional>

#include "orchestra/core/hash.h"
#include "orchestra/crypto/ss58.h"
#include "orchestra/crypto/test_util.h"
#include "orchestra/experts/synapse_class.h"
#include "orchestra/net/axon.h"
#include "orchestra/net/metagraph_source.h"
#include "orchestra/net/server_thread.h"
#include "orchestra/protocol/receipt.h"

namespace orchestra::experts {
namespace {
namespace asio = boost::asio;
using namespace std::chrono_literals;
using protocol::BittensorSynapse;
using ::testing::HasSubstr;

using crypto::testing::AddressOf;
using crypto::testing::KeyFromByte;

const crypto::Keypair& MinerKey() {
  static const crypto::Keypair key = KeyFromByte(4);
  return key;
}

const crypto::Keypair& ExpertKey() {
  static const crypto::Keypair key = KeyFromByte(1);
  return key;
}

ledger::LedgerEntry SearchEntry() {
  ledger::LedgerEntry e;
  e.subnet_id = "SN22";
  e.synapse = "DesearchSynapse";
  e.transport = ledger::Transport::kSynapse;
  e.input_schema = JsonObject{{"query", "str"}, {"max_results", "int"}, {"search_type", "str"}};
  e.output_schema = JsonObject{{"results", "list[dict]"}, {"total_found", "int"}};
  e.cost_per_query = 0.002;
  return e;
}

ledger::LedgerEntry ChatEntry() {
  ledger::LedgerEntry e;
  e.subnet_id = "SN64";
  e.transport = ledger::Transport::kOpenAiChat;
  e.cost_per_query = 0.01;
  return e;
}

const Json& SearchPayload() {
  static const Json payload =
      JsonObject{{"query", "gpu prices"}, {"max_results", 3}, {"search_type", "web"}};
  return payload;
}

// The call the executor would make for step 2 of challenge "ch-1": hash-locked to the miner.
ExpertCall LockedCall(const ledger::LedgerEntry& entry, Json payload, int attempt = 0) {
  const std::string request_hash = CanonicalHash(payload);
  std::string lock = protocol::LockFor("ch-1", AddressOf(MinerKey()), 2, request_hash);
  return ExpertCall{&entry, std::move(payload), std::move(lock), request_hash, attempt};
}

Result<ExpertReply> CallOnce(const Directory& directory, ExpertCall call,
                             std::chrono::milliseconds budget = 5s) {
  asio::io_context io;
  net::HttpClient client(io.get_executor());
  HttpTransport transport(client, directory, MinerKey(), io.get_executor());
  std::optional<Result<ExpertReply>> out;
  const Deadline deadline = Deadline::After(budget);
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        out.emplace(co_await transport.Call(std::move(call), deadline));
      },
      [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
      });
  io.run();
  return std::move(*out);
}

// What the expert's axon saw of the calls that reached its handler (handlers run on the
// server's threads).
struct Seen {
  std::mutex mutex;
  int calls = 0;
  std::string dendrite_hotkey;
  JsonObject fields;
};

// A tiny Desearch UID, as the simulator plays one: reads its input fields, answers one result
// (and total_found unless `fill_total` is off) and signs a receipt over the caller's lock for
// what it received and answered (unless `sign` is off).
struct Expert {
  ledger::LedgerEntry entry;
  bool fill_total = true;
  bool sign = true;
};

asio::awaitable<Result<BittensorSynapse>> PlayDesearch(std::shared_ptr<const Expert> expert,
                                                       std::shared_ptr<Seen> seen,
                                                       BittensorSynapse request) {
  {
    std::lock_guard lock(seen->mutex);
    ++seen->calls;
    seen->dendrite_hotkey = request.dendrite.hotkey.value_or("");
    seen->fields = request.fields;
  }
  JsonObject input;
  for (const std::string& name : SchemaFieldNames(expert->entry.input_schema)) {
    const Json* value = request.fields.if_contains(name);
    if (value && !value->is_null()) input.emplace(name, *value);
  }
  const Json* query = input.if_contains("query");
  if (query == nullptr || !query->is_string()) {
    co_return Error(ErrorCode::kInvalidArgument, "query: field required");
  }
  JsonObject output;
  output["results"] = JsonArray{JsonObject{{"title", "About " + std::string(query->get_string())},
                                           {"link", "https://example.com/gpu"},
                                           {"snippet", "H100 at $2/h"}}};
  if (expert->fill_total) output["total_found"] = 1;
  for (const auto& [key, value] : output) request.fields.insert_or_assign(key, value);
  if (expert->sign) {
    const Json* lock = request.fields.if_contains(kLockField);
    const protocol::Receipt receipt = protocol::IssueReceipt(
        ExpertKey(), AddressOf(ExpertKey()),
        lock && lock->is_string() ? std::string(lock->get_string()) : std::string(),
        CanonicalHash(input), output, expert->entry.cost_per_query, UnixMillis());
    request.fields.insert_or_assign(kReceiptField, protocol::ToJson(receipt));
  }
  co_return request;
}

net::SynapseHandler DesearchHandler(Expert expert, std::shared_ptr<Seen> seen) {
  auto shared = std::make_shared<const Expert>(std::move(expert));
  return [shared, seen](BittensorSynapse request, Deadline) {
    return PlayDesearch(shared, seen, std::move(request));
  };
}

asio::awaitable<Result<BittensorSynapse>> AnswerAfter(std::chrono::milliseconds delay,
                                                      BittensorSynapse request) {
  asio::steady_timer timer(co_await asio::this_coro::executor, delay);
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  co_return request;
}

net::SynapseHandler SlowHandler(std::chrono::milliseconds delay) {
  return [delay](BittensorSynapse request, Deadline) {
    return AnswerAfter(delay, std::move(request));
  };
}

// Lets any signed caller in: an expert subnet serves miners, who hold no validator permit.
constexpr net::BlacklistPolicy kAnyCaller{
    .allow_unregistered = true, .require_validator_permit = false, .min_stake = 0.0};

// An expert UID on a real axon on 127.0.0.1:0 (its own threads), serving SynapseClassFor(entry)
// as ExpertKey(), with an empty metagraph.
class ExpertAxon {
 public:
  ExpertAxon(const ledger::LedgerEntry& entry, net::SynapseHandler handler,
             net::BlacklistPolicy blacklist = kAnyCaller) {
    net::AxonOptions options;
    options.hotkey = AddressOf(ExpertKey());
    options.blacklist = blacklist;
    axon_ = std::make_unique<net::Axon>(options, std::make_shared<net::StaticMetagraphSource>());
    EXPECT_TRUE(axon_->Attach(SynapseClassFor(entry), std::move(handler)).ok());
    server_ = std::make_unique<net::ServerThread>(options.server, axon_->AsHandler(), 2);
    auto bound = server_->Start();
    EXPECT_TRUE(bound.ok()) << bound.error().ToString();
    port_ = bound.ok() ? *bound : 0;
  }

  Directory DirectoryFor(const std::string& subnet_id, int uid = 0) const {
    Directory directory;
    directory.Add(subnet_id, Endpoint{uid, "127.0.0.1", port_, AddressOf(ExpertKey())});
    return directory;
  }
  const net::Axon& axon() const { return *axon_; }

 private:
  std::unique_ptr<net::Axon> axon_;
  std::unique_ptr<net::ServerThread> server_;
  uint16_t port_ = 0;
};

// A loopback port nobody listens on.
uint16_t ClosedPort() {
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();
}

TEST(ExpertStatusErrorTest, MapsStatusesToTheErrorModel) {
  EXPECT_EQ(ExpertStatusError(408, "", "x").code, ErrorCode::kDeadline);
  EXPECT_EQ(ExpertStatusError(504, "", "x").code, ErrorCode::kDeadline);
  EXPECT_EQ(ExpertStatusError(429, "", "x").code, ErrorCode::kUnavailable);
  EXPECT_EQ(ExpertStatusError(500, "", "x").code, ErrorCode::kUnavailable);
  EXPECT_EQ(ExpertStatusError(503, "", "x").code, ErrorCode::kUnavailable);
  EXPECT_EQ(ExpertStatusError(401, "", "x").code, ErrorCode::kUnavailable);
  EXPECT_EQ(ExpertStatusError(402, "", "x").code, ErrorCode::kUnavailable);
  EXPECT_EQ(ExpertStatusError(403, "", "x").code, ErrorCode::kUnavailable);
  EXPECT_EQ(ExpertStatusError(400, "", "x").code, ErrorCode::kMalformedAnswer);
  EXPECT_EQ(ExpertStatusError(404, "", "x").code, ErrorCode::kMalformedAnswer);
  EXPECT_EQ(ExpertStatusError(422, "", "x").code, ErrorCode::kMalformedAnswer);
  EXPECT_EQ(ExpertStatusError(0, "", "x").code, ErrorCode::kMalformedAnswer);
}

TEST(ExpertStatusErrorTest, NamesTheExpertTheStatusAndItsMessage) {
  EXPECT_EQ(
      ExpertStatusError(403, "Forbidden. Key is blacklisted: Unrecognized hotkey.", "SN22 uid 3")
          .message,
      "SN22 uid 3: HTTP 403 Forbidden. Key is blacklisted: Unrecognized hotkey.");
  EXPECT_EQ(ExpertStatusError(503, "", "SN22 uid 3").message, "SN22 uid 3: HTTP 503");
}

TEST(InterpretAnswerTest, MapsStatusesToTheErrorModel) {
  EXPECT_TRUE(InterpretAnswer(200, R"({"results": []})", "SN22 uid 0").ok());
  EXPECT_EQ(InterpretAnswer(408, "", "x").error().code, ErrorCode::kDeadline);
  EXPECT_EQ(InterpretAnswer(429, "", "x").error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(InterpretAnswer(503, "", "x").error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(InterpretAnswer(422, "", "x").error().code, ErrorCode::kMalformedAnswer);
  EXPECT_EQ(InterpretAnswer(200, "{oops", "x").error().code, ErrorCode::kMalformedAnswer);
  EXPECT_EQ(InterpretAnswer(200, "[1]", "x").error().code, ErrorCode::kMalformedAnswer);
}

TEST(HttpTransportTest, SynapseCallReturnsTheOutputAndAReceiptThatVerifies) {
  const ledger::LedgerEntry entry = SearchEntry();
  auto seen = std::make_shared<Seen>();
  ExpertAxon expert(entry, DesearchHandler({entry}, seen));
  const Directory directory = expert.DirectoryFor("SN22", 7);
  const int64_t before_ms = UnixMillis();

  auto reply = CallOnce(directory, LockedCall(entry, SearchPayload()));

  ASSERT_TRUE(reply.ok()) << reply.error().ToString();
  EXPECT_EQ(reply->uid, 7);
  EXPECT_EQ(reply->hotkey, AddressOf(ExpertKey()));
  EXPECT_DOUBLE_EQ(reply->cost, 0.002);
  ASSERT_TRUE(reply->output.is_object());
  const JsonObject& output = reply->output.get_object();
  EXPECT_EQ(output.size(), 2u);
  EXPECT_EQ(output.at("total_found"), 1);
  ASSERT_TRUE(output.at("results").is_array());
  EXPECT_EQ(output.at("results").get_array().at(0).at("title"), "About gpu prices");

  auto receipt = protocol::ReceiptFromJson(reply->receipt);
  ASSERT_TRUE(receipt.ok()) << receipt.error().ToString();
  const protocol::ReceiptExpectation expected{.challenge_id = "ch-1",
                                              .miner_hotkey = AddressOf(MinerKey()),
                                              .step = 2,
                                              .query = SearchPayload(),
                                              .response = reply->output,
                                              .expert_hotkey = AddressOf(ExpertKey()),
                                              .window_start_ms = before_ms - 1000,
                                              .window_end_ms = UnixMillis() + 1000};
  auto verified = protocol::VerifyReceipt(*receipt, expected);
  EXPECT_TRUE(verified.ok()) << verified.error().ToString();
}

TEST(HttpTransportTest, SynapseRequestIsSignedByTheMinerAndCarriesThePayloadAndTheLock) {
  const ledger::LedgerEntry entry = SearchEntry();
  auto seen = std::make_shared<Seen>();
  ExpertAxon expert(entry, DesearchHandler({entry}, seen));
  const ExpertCall call = LockedCall(entry, SearchPayload());

  auto reply = CallOnce(expert.DirectoryFor("SN22"), call);

  ASSERT_TRUE(reply.ok()) << reply.error().ToString();
  std::lock_guard lock(seen->mutex);
  EXPECT_EQ(seen->calls, 1);
  // The axon verified the signature against this hotkey before the handler ran.
  EXPECT_EQ(seen->dendrite_hotkey, AddressOf(MinerKey()));
  EXPECT_EQ(seen->fields.at("query"), "gpu prices");
  EXPECT_EQ(seen->fields.at("max_results"), 3);
  EXPECT_EQ(seen->fields.at("search_type"), "web");
  EXPECT_EQ(seen->fields.at(kLockField), Json(call.lock));
  EXPECT_TRUE(seen->fields.at(kReceiptField).is_null());
  EXPECT_EQ(expert.axon().answered(200), 1u);
}

TEST(HttpTransportTest, SynapseOutputHoldsOnlyTheOutputFieldsTheUidFilledIn) {
  const ledger::LedgerEntry entry = SearchEntry();
  auto seen = std::make_shared<Seen>();
  ExpertAxon expert(entry, DesearchHandler({entry, /*fill_total=*/false, /*sign=*/false}, seen));

  auto reply = CallOnce(expert.DirectoryFor("SN22"), LockedCall(entry, SearchPayload()));

  ASSERT_TRUE(reply.ok()) << reply.error().ToString();
  ASSERT_TRUE(reply->output.is_object());
  EXPECT_EQ(reply->output.get_object().size(), 1u) << CompactJson(reply->output);
  EXPECT_TRUE(reply->output.get_object().contains("results"));
  EXPECT_TRUE(reply->receipt.is_null());
}

TEST(HttpTransportTest, SynapseHandlerSlowerThanTheDeadlineIsDeadline) {
  const ledger::LedgerEntry entry = SearchEntry();
  ExpertAxon expert(entry, SlowHandler(3s));

  auto reply = CallOnce(expert.DirectoryFor("SN22", 5), LockedCall(entry, SearchPayload()), 300ms);

  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.error().code, ErrorCode::kDeadline) << reply.error().ToString();
  EXPECT_THAT(reply.error().message, HasSubstr("SN22 uid 5: HTTP 408"));
}

TEST(HttpTransportTest, SynapseUidNotListeningIsUnavailable) {
  const ledger::LedgerEntry entry = SearchEntry();
  Directory directory;
  directory.Add("SN22", Endpoint{4, "127.0.0.1", ClosedPort(), AddressOf(ExpertKey())});

  auto reply = CallOnce(directory, LockedCall(entry, SearchPayload()));

  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.error().code, ErrorCode::kUnavailable) << reply.error().ToString();
  EXPECT_THAT(reply.error().message, HasSubstr("SN22 uid 4: HTTP 503 Service unavailable at"));
}

TEST(HttpTransportTest, SynapseRequestTheUidRejectsIsMalformedNamingItsMessage) {
  const ledger::LedgerEntry entry = SearchEntry();
  auto seen = std::make_shared<Seen>();
  ExpertAxon expert(entry, DesearchHandler({entry}, seen));

  auto reply = CallOnce(expert.DirectoryFor("SN22"),
                        LockedCall(entry, JsonObject{{"max_results", 3}, {"search_type", "web"}}));

  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.error().code, ErrorCode::kMalformedAnswer) << reply.error().ToString();
  EXPECT_THAT(reply.error().message, HasSubstr("SN22 uid 0: HTTP 422 query: field required"));
}

TEST(HttpTransportTest, SynapseCallerBlacklistedByTheUidIsUnavailable) {
  const ledger::LedgerEntry entry = SearchEntry();
  auto seen = std::make_shared<Seen>();
  // The default policy: registered hotkeys only, and the metagraph is empty.
  ExpertAxon expert(entry, DesearchHandler({entry}, seen), net::BlacklistPolicy{});

  auto reply = CallOnce(expert.DirectoryFor("SN22"), LockedCall(entry, SearchPayload()));

  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.error().code, ErrorCode::kUnavailable) << reply.error().ToString();
  EXPECT_THAT(reply.error().message,
              HasSubstr("SN22 uid 0: HTTP 403 Forbidden. Key is blacklisted: Unrecognized hotkey"));
  std::lock_guard lock(seen->mutex);
  EXPECT_EQ(seen->calls, 0);
}

TEST(HttpTransportTest, SynapseCallWithNoTimeLeftIsDeadlineWithoutCalling) {
  const ledger::LedgerEntry entry = SearchEntry();
  auto seen = std::make_shared<Seen>();
  ExpertAxon expert(entry, DesearchHandler({entry}, seen));

  auto reply = CallOnce(expert.DirectoryFor("SN22"), LockedCall(entry, SearchPayload()), 0ms);

  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.error().code, ErrorCode::kDeadline);
  std::lock_guard lock(seen->mutex);
  EXPECT_EQ(seen->calls, 0);
}

TEST(HttpTransportTest, SynapsePayloadThatIsNotAnObjectIsInvalidArgument) {
  const ledger::LedgerEntry entry = SearchEntry();
  Directory directory;
  directory.Add("SN22", Endpoint{0, "127.0.0.1", ClosedPort(), AddressOf(ExpertKey())});

  auto reply = CallOnce(directory, LockedCall(entry, JsonArray{"gpu prices"}));

  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(reply.error().message, HasSubstr("SN22 uid 0"));
}

TEST(HttpTransportTest, AttemptsRotateOverTheSubnetsUids) {
  const ledger::LedgerEntry entry = SearchEntry();
  auto seen = std::make_shared<Seen>();
  ExpertAxon expert(entry, DesearchHandler({entry}, seen));
  Directory directory = expert.DirectoryFor("SN22", 0);
  directory.Add("SN22", Endpoint{9, "127.0.0.1", ClosedPort(), AddressOf(ExpertKey())});

  auto first = CallOnce(directory, LockedCall(entry, SearchPayload(), /*attempt=*/0));
  auto second = CallOnce(directory, LockedCall(entry, SearchPayload(), /*attempt=*/1));
  auto third = CallOnce(directory, LockedCall(entry, SearchPayload(), /*attempt=*/2));

  ASSERT_TRUE(first.ok()) << first.error().ToString();
  EXPECT_EQ(first->uid, 0);
  ASSERT_FALSE(second.ok());
  EXPECT_THAT(second.error().message, HasSubstr("SN22 uid 9"));
  ASSERT_TRUE(third.ok()) << third.error().ToString();
  EXPECT_EQ(third->uid, 0);
}

TEST(HttpTransportTest, OpenAiChatPostsToChatCompletionsWithTheLockAndReadsTheReceiptHeader) {
  std::string seen_target, seen_lock, seen_body;
  const Json receipt = JsonObject{{"lock", "0xlock"}};
  net::ServerThread server({}, [&](net::HttpRequest r) -> asio::awaitable<net::HttpResponse> {
    seen_target = r.target;
    seen_lock = std::string(r.Header("orchestra-lock"));
    seen_body = r.body;
    co_return net::HttpResponse{200,
                                {{"orchestra-receipt", CompactJson(receipt)}},
                                R"({"choices": [{"message": {"content": "hi"}}], "usage": {}})"};
  });
  auto port = server.Start();
  ASSERT_TRUE(port.ok());
  Directory directory;
  directory.Add("SN64", Endpoint{7, "127.0.0.1", *port, "hotkey-7"});
  const ledger::LedgerEntry entry = ChatEntry();
  auto reply =
      CallOnce(directory, ExpertCall{&entry, JsonObject{{"model", "m"}}, "0xlock", "0xrequest", 0});
  ASSERT_TRUE(reply.ok()) << reply.error().ToString();
  EXPECT_EQ(seen_target, "/v1/chat/completions");
  EXPECT_EQ(seen_lock, "0xlock");
  EXPECT_EQ(seen_body, R"({"model":"m"})");
  EXPECT_EQ(reply->uid, 7);
  EXPECT_EQ(reply->hotkey, "hotkey-7");
  EXPECT_DOUBLE_EQ(reply->cost, 0.01);
  EXPECT_TRUE(reply->output.get_object().contains("choices"));
  EXPECT_EQ(reply->receipt, receipt);
}

TEST(HttpTransportTest, OpenAiChatOverloadedIsUnavailable) {
  net::ServerThread server({}, [](net::HttpRequest) -> asio::awaitable<net::HttpResponse> {
    co_return net::HttpResponse{429, {}, R"({"detail": "overloaded"})"};
  });
  auto port = server.Start();
  ASSERT_TRUE(port.ok());
  Directory directory;
  directory.Add("SN64", Endpoint{1, "127.0.0.1", *port, "hotkey-1"});
  const ledger::LedgerEntry entry = ChatEntry();
  auto reply = CallOnce(directory, ExpertCall{&entry, JsonObject{}, "0xlock", "0xrequest", 0});
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.error().code, ErrorCode::kUnavailable);
  EXPECT_THAT(reply.error().message, HasSubstr("SN64 uid 1: HTTP 429"));
}

TEST(HttpTransportTest, SubnetWithoutUidsIsNotFound) {
  const ledger::LedgerEntry entry = SearchEntry();
  auto reply = CallOnce(Directory{}, ExpertCall{&entry, JsonObject{}, "", "", 0});
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace orchestra::experts
