#include "orchestra/net/axon.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <future>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "orchestra/core/utf8.h"
#include "orchestra/net/axon_test_util.h"

namespace orchestra::net {
namespace {

using namespace std::chrono_literals;
using protocol::BittensorSynapse;
using testing::AddressOf;
using testing::AxonHarness;
using testing::Challenge;
using ::testing::HasSubstr;
using testing::MessageOf;
using testing::RunUntilDone;
using ::testing::StartsWith;

const protocol::SynapseClass& Orchestra() { return protocol::OrchestraSynapseClass(); }

TEST(AxonTest, AnswersSignedRequestWithTheWholeSynapse) {
  AxonHarness h;
  auto dendrite = h.MakeDendrite(h.keys.validator);
  BittensorSynapse answer = h.Call(*dendrite, Challenge("Find GPU prices"));
  EXPECT_EQ(answer.dendrite.status_code, 200) << answer.dendrite.status_message.value_or("");
  EXPECT_EQ(answer.dendrite.status_message, "Success");
  EXPECT_EQ(answer.axon.status_code, 200);
  EXPECT_EQ(answer.axon.status_message, "Success");
  ASSERT_TRUE(answer.axon.process_time.has_value());
  EXPECT_GE(*answer.axon.process_time, 0.0);
  EXPECT_EQ(answer.axon.hotkey, AddressOf(h.keys.axon));
  EXPECT_EQ(answer.axon.version, protocol::kBittensorVersion);
  EXPECT_EQ(answer.fields.at("final_synthesis"), "answer to Find GPU prices");
  EXPECT_EQ(answer.fields.at("challenge_id"), "0x4f2a");
  EXPECT_EQ(h.axon->answered(200), 1u);
}

TEST(AxonTest, SuccessBodyIsTheSynapseInDeclarationOrder) {
  AxonHarness h;
  auto dendrite = h.MakeDendrite(h.keys.validator);
  const BittensorSynapse prepared = dendrite->Prepare(h.Endpoint(), Orchestra(), Challenge(), 12.0);
  auto response = h.SendRaw(prepared);
  ASSERT_TRUE(response.ok()) << response.error().ToString();
  ASSERT_EQ(response->status, 200) << response->body;
  EXPECT_EQ(response->Header("content-type"), "application/json");
  EXPECT_EQ(response->Header("bt_header_axon_status_code"), "200");
  auto body = ParseJson(response->body);
  ASSERT_TRUE(body.ok());
  const auto& object = body->get_object();
  ASSERT_GE(object.size(), 8u);
  EXPECT_EQ(object.begin()->key(), "name");
  EXPECT_EQ(JsonString(*body, "name"), "OrchestraSynapse");
  const Json* axon = JsonFind(*body, "axon");
  ASSERT_NE(axon, nullptr);
  EXPECT_EQ(JsonInt(*axon, "status_code"), 200);
  EXPECT_EQ(JsonString(*axon, "status_message"), "Success");
}

TEST(AxonTest, RejectsReplayedNonceWith401) {
  AxonHarness h;
  auto dendrite = h.MakeDendrite(h.keys.validator);
  const BittensorSynapse prepared = dendrite->Prepare(h.Endpoint(), Orchestra(), Challenge(), 12.0);
  auto first = h.SendRaw(prepared);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->status, 200) << first->body;
  auto replay = h.SendRaw(prepared);
  ASSERT_TRUE(replay.ok());
  EXPECT_EQ(replay->status, 401);
  EXPECT_EQ(MessageOf(*replay),
            "Not Verified with error: Nonce is too old, a newer one was last processed");
  EXPECT_EQ(h.axon->answered(401), 1u);
}

TEST(AxonTest, RejectsOlderNonceFromTheSameDendriteWith401) {
  AxonHarness h;
  auto dendrite = h.MakeDendrite(h.keys.validator);
  const BittensorSynapse older = dendrite->Prepare(h.Endpoint(), Orchestra(), Challenge(), 12.0);
  const BittensorSynapse newer = dendrite->Prepare(h.Endpoint(), Orchestra(), Challenge(), 12.0);
  ASSERT_LT(*older.dendrite.nonce, *newer.dendrite.nonce);
  EXPECT_EQ(h.SendRaw(newer)->status, 200);
  auto late = h.SendRaw(older);
  ASSERT_TRUE(late.ok());
  EXPECT_EQ(late->status, 401);
}

TEST(AxonTest, AcceptsIncreasingNoncesFromOneDendrite) {
  AxonHarness h;
  auto dendrite = h.MakeDendrite(h.keys.validator);
  for (int i = 0; i < 3; ++i) {
    BittensorSynapse answer = h.Call(*dendrite, Challenge());
    EXPECT_EQ(answer.dendrite.status_code, 200) << answer.dendrite.status_message.value_or("");
  }
}

TEST(AxonTest, RejectsStaleFirstNonceWith401) {
  AxonHarness h;
  auto dendrite = h.MakeDendrite(h.keys.validator);
  // Signed 20 s ago; the window for a first request is 4 s + the 12 s timeout.
  h.clock.Advance(-20'000'000'000);
  const BittensorSynapse stale = dendrite->Prepare(h.Endpoint(), Orchestra(), Challenge(), 12.0);
  h.clock.Advance(20'000'000'000);
  auto response = h.SendRaw(stale);
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 401);
  EXPECT_EQ(MessageOf(*response),
            "Not Verified with error: Nonce is too old: acceptable delta is 16.00 seconds but "
            "request was 20.00 seconds old");
}

TEST(AxonTest, AcceptsFirstNonceInsideTheWindow) {
  AxonHarness h;
  auto dendrite = h.MakeDendrite(h.keys.validator);
  h.clock.Advance(-15'000'000'000);
  const BittensorSynapse recent = dendrite->Prepare(h.Endpoint(), Orchestra(), Challenge(), 12.0);
  h.clock.Advance(15'000'000'000);
  auto response = h.SendRaw(recent);
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 200) << response->body;
}

TEST(AxonTest, RejectsBadSignatureWith401) {
  AxonHarness h;
  auto dendrite = h.MakeDendrite(h.keys.validator);
  BittensorSynapse prepared = dendrite->Prepare(h.Endpoint(), Orchestra(), Challenge(), 12.0);
  std::string& signature = *prepared.dendrite.signature;
  signature[10] = signature[10] == 'a' ? 'b' : 'a';
  auto response = h.SendRaw(prepared);
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 401);
  EXPECT_THAT(MessageOf(*response), StartsWith("Not Verified with error: "));
  // A forged request does not consume the nonce: the genuine one still passes.
  BittensorSynapse genuine = dendrite->Prepare(h.Endpoint(), Orchestra(), Challenge(), 12.0);
  EXPECT_EQ(h.SendRaw(genuine)->status, 200);
}

// The axon keeps a returning caller's decoded key; each request's signature is still checked.
TEST(AxonTest, ARememberedCallerStillNeedsAValidSignatureEachTime) {
  AxonHarness h;
  auto dendrite = h.MakeDendrite(h.keys.validator);
  for (int round = 0; round < 3; ++round) {
    BittensorSynapse genuine = dendrite->Prepare(h.Endpoint(), Orchestra(), Challenge(), 12.0);
    EXPECT_EQ(h.SendRaw(genuine)->status, 200) << "round " << round;
    BittensorSynapse forged = dendrite->Prepare(h.Endpoint(), Orchestra(), Challenge(), 12.0);
    std::string& signature = *forged.dendrite.signature;
    signature[20] = signature[20] == 'a' ? 'b' : 'a';
    auto response = h.SendRaw(forged);
    ASSERT_TRUE(response.ok());
    EXPECT_EQ(response->status, 401) << "round " << round;
    EXPECT_THAT(MessageOf(*response), HasSubstr("Signature mismatch")) << "round " << round;
  }
  EXPECT_EQ(h.axon->answered(200), 3u);
  EXPECT_EQ(h.axon->answered(401), 3u);
}

TEST(AxonTest, RejectsSignatureOverAnotherObjectiveWith401) {
  AxonHarness h;
  auto dendrite = h.MakeDendrite(h.keys.validator);
  const BittensorSynapse signed_for_a =
      dendrite->Prepare(h.Endpoint(), Orchestra(), Challenge("objective A"), 12.0);
  // Swap the signed hash for the hash of another objective; the body matches the new hash.
  BittensorSynapse tampered = signed_for_a;
  tampered.fields["objective"] = "objective B";
  auto response = h.SendRaw(tampered);
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 401);
  EXPECT_THAT(MessageOf(*response), HasSubstr("Signature mismatch with"));
}

TEST(AxonTest, RejectsMissingSignatureWith401) {
  AxonHarness h;
  auto dendrite = h.MakeDendrite(h.keys.validator);
  BittensorSynapse prepared = dendrite->Prepare(h.Endpoint(), Orchestra(), Challenge(), 12.0);
  prepared.dendrite.signature.reset();
  auto response = h.SendRaw(prepared);
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 401);
  EXPECT_EQ(MessageOf(*response), "Not Verified with error: Missing Signature");
}

TEST(AxonTest, RejectsMissingNonceWith401) {
  AxonHarness h;
  auto dendrite = h.MakeDendrite(h.keys.validator);
  BittensorSynapse prepared = dendrite->Prepare(h.Endpoint(), Orchestra(), Challenge(), 12.0);
  prepared.dendrite.nonce.reset();
  auto response = h.SendRaw(prepared);
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 401);
  EXPECT_EQ(MessageOf(*response), "Not Verified with error: Missing Nonce");
}

TEST(AxonTest, RejectsSignatureForAnotherAxonWith401) {
  AxonHarness h;
  auto dendrite = h.MakeDendrite(h.keys.validator);
  AxonEndpoint elsewhere = h.Endpoint();
  elsewhere.hotkey = AddressOf(h.keys.miner);
  BittensorSynapse answer =
      RunUntilDone(h.io, dendrite->Call(elsewhere, Orchestra(), Challenge(), 12.0));
  EXPECT_EQ(answer.dendrite.status_code, 401);
}

TEST(AxonTest, RejectsUnknownHotkeyWith403) {
  AxonHarness h;
  auto dendrite = h.MakeDendrite(h.keys.stranger);
  BittensorSynapse answer = h.Call(*dendrite, Challenge());
  EXPECT_EQ(answer.dendrite.status_code, 403);
  EXPECT_EQ(answer.dendrite.status_message, "Forbidden. Key is blacklisted: Unrecognized hotkey.");
  EXPECT_EQ(h.axon->answered(403), 1u);
}

TEST(AxonTest, RejectsStakeBelowMinimumWith403) {
  AxonHarness h;  // minimum stake 10
  auto dendrite = h.MakeDendrite(h.keys.low_stake);
  BittensorSynapse answer = h.Call(*dendrite, Challenge());
  EXPECT_EQ(answer.dendrite.status_code, 403);
  EXPECT_EQ(answer.dendrite.status_message,
            "Forbidden. Key is blacklisted: Stake 1.0 below minimum 10.0.");
}

TEST(AxonTest, RejectsCallerWithoutValidatorPermitWith403) {
  AxonHarness h;
  auto dendrite = h.MakeDendrite(h.keys.miner);
  BittensorSynapse answer = h.Call(*dendrite, Challenge());
  EXPECT_EQ(answer.dendrite.status_code, 403);
  EXPECT_EQ(answer.dendrite.status_message, "Forbidden. Key is blacklisted: Non-validator hotkey.");
}

TEST(AxonTest, PermitRequirementIsConfigurable) {
  AxonOptions options;
  options.blacklist.require_validator_permit = false;
  AxonHarness h(options);
  auto dendrite = h.MakeDendrite(h.keys.miner);
  EXPECT_EQ(h.Call(*dendrite, Challenge()).dendrite.status_code, 200);
}

TEST(AxonTest, BlacklistIsCheckedBeforeVerify) {
  AxonHarness h;
  auto dendrite = h.MakeDendrite(h.keys.stranger);
  BittensorSynapse prepared = dendrite->Prepare(h.Endpoint(), Orchestra(), Challenge(), 12.0);
  prepared.dendrite.signature.reset();
  auto response = h.SendRaw(prepared);
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 403);
}

TEST(AxonTest, VerifyIsCheckedBeforeTheBody) {
  AxonHarness h;
  auto dendrite = h.MakeDendrite(h.keys.validator);
  BittensorSynapse prepared = dendrite->Prepare(h.Endpoint(), Orchestra(), Challenge(), 12.0);
  prepared.dendrite.signature.reset();
  auto response = h.SendRaw(prepared, "not json");
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 401);
}

TEST(AxonTest, UnknownSynapseIs404) {
  AxonHarness h;
  auto dendrite = h.MakeDendrite(h.keys.validator);
  const BittensorSynapse prepared = dendrite->Prepare(h.Endpoint(), Orchestra(), Challenge(), 12.0);
  auto response = h.SendRaw(prepared, "", "/NoSuchSynapse");
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 404);
  EXPECT_EQ(MessageOf(*response),
            "Synapse name 'NoSuchSynapse' not found. Available synapses ['Synapse', "
            "'OrchestraSynapse']");
}

TEST(AxonTest, BadRequestNameIs400) {
  AxonHarness h;
  auto dendrite = h.MakeDendrite(h.keys.validator);
  const BittensorSynapse prepared = dendrite->Prepare(h.Endpoint(), Orchestra(), Challenge(), 12.0);
  for (const char* target : {"/", "/9lives", "/bad-name", "/%41xon"}) {
    auto response = h.SendRaw(prepared, "", target);
    ASSERT_TRUE(response.ok());
    EXPECT_EQ(response->status, 400) << target;
    EXPECT_THAT(MessageOf(*response), HasSubstr("Could not parse request name")) << target;
  }
}

TEST(AxonTest, MalformedHeaderIs400NamingIt) {
  AxonHarness h;
  HttpRequest request;
  request.target = "/OrchestraSynapse";
  request.headers = {{"bt_header_dendrite_nonce", "soon"}};
  request.body = "{}";
  auto response = RunUntilDone(
      h.io, h.client.Send("127.0.0.1", h.port, std::move(request), Deadline::After(5s)));
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 400);
  EXPECT_THAT(MessageOf(*response),
              HasSubstr(R"(bt_header_dendrite_nonce: must be an integer, got "soon")"));
}

TEST(AxonTest, BodyNotMatchingTheClassIs422) {
  AxonHarness h;
  auto dendrite = h.MakeDendrite(h.keys.validator);
  const BittensorSynapse prepared = dendrite->Prepare(h.Endpoint(), Orchestra(), Challenge(), 12.0);
  auto response = h.SendRaw(prepared, R"({"challenge_id": "0x4f2a", "objective": 7})");
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 422);
  EXPECT_EQ(MessageOf(*response),
            "Body does not match OrchestraSynapse: objective: must be a string, got 7");
}

TEST(AxonTest, BodyWhoseHashDiffersFromTheSignedOneIs422) {
  AxonHarness h;
  auto dendrite = h.MakeDendrite(h.keys.validator);
  const BittensorSynapse prepared =
      dendrite->Prepare(h.Endpoint(), Orchestra(), Challenge("signed objective"), 12.0);
  BittensorSynapse swapped = prepared;
  swapped.fields["objective"] = "another objective";
  auto response = h.SendRaw(prepared, protocol::ToBody(Orchestra(), swapped));
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 422);
  EXPECT_THAT(MessageOf(*response), StartsWith("Hash mismatch between header body hash"));
}

asio::awaitable<Result<BittensorSynapse>> NeverAnswers(BittensorSynapse request, Deadline) {
  asio::steady_timer forever(co_await asio::this_coro::executor, 1h);
  co_await forever.async_wait(testing::kNoThrow);
  co_return request;
}

TEST(AxonTest, HandlerOverrunningTheTimeoutIs408) {
  AxonHarness h({}, NeverAnswers);
  auto dendrite = h.MakeDendrite(h.keys.validator);
  const BittensorSynapse prepared = dendrite->Prepare(h.Endpoint(), Orchestra(), Challenge(), 0.05);
  auto response = h.SendRaw(prepared);
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 408);
  EXPECT_EQ(MessageOf(*response), "Response timeout after: 0.05s");
  EXPECT_EQ(response->Header("bt_header_axon_status_code"), "408");
}

// FieldMemory: the fields a handler receives are on the call's arena or on the heap, and what
// it adds to them (here more than the arena's first 16 KiB) is written in the answer either way.
TEST(AxonTest, FieldMemoryDecidesWhereTheFieldsAre) {
  for (const FieldMemory memory : {FieldMemory::kHeap, FieldMemory::kCallArena}) {
    std::atomic<bool> on_heap{false};
    SynapseHandler handler = [&on_heap](BittensorSynapse request,
                                        Deadline) -> asio::awaitable<Result<BittensorSynapse>> {
      on_heap = request.fields.storage().get() == boost::json::storage_ptr().get();
      request.fields["final_synthesis"] =
          std::string(40000, 'a') + std::string(request.fields.at("objective").as_string());
      co_return request;
    };
    AxonHarness h({}, handler, 2, memory);
    auto dendrite = h.MakeDendrite(h.keys.validator);
    BittensorSynapse answer = h.Call(*dendrite, Challenge("Find GPU prices"));
    EXPECT_EQ(answer.dendrite.status_code, 200);
    EXPECT_EQ(answer.fields.at("final_synthesis").as_string(),
              std::string(40000, 'a') + "Find GPU prices");
    EXPECT_EQ(on_heap.load(), memory == FieldMemory::kHeap);
  }
}

// A handler that overruns its deadline still owns its request after the 408: the call's arena
// lives until the handler returns (the sanitizer build reports a use after free otherwise).
TEST(AxonTest, CallArenaOutlivesAHandlerPastItsDeadline) {
  std::promise<std::string> late;
  SynapseHandler handler = [&late](BittensorSynapse request,
                                   Deadline) -> asio::awaitable<Result<BittensorSynapse>> {
    asio::steady_timer forever(co_await asio::this_coro::executor, 1h);
    co_await forever.async_wait(testing::kNoThrow);  // cancelled at the deadline
    request.fields["final_synthesis"] = std::string(40000, 'b');
    late.set_value(std::string(request.fields.at("objective").as_string()));
    co_return request;
  };
  AxonHarness h({}, handler, 2, FieldMemory::kCallArena);
  auto dendrite = h.MakeDendrite(h.keys.validator);
  const BittensorSynapse prepared =
      dendrite->Prepare(h.Endpoint(), Orchestra(), Challenge("Find GPU prices"), 0.05);
  auto response = h.SendRaw(prepared);
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 408);
  auto objective = late.get_future();
  ASSERT_EQ(objective.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(objective.get(), "Find GPU prices");
}

asio::awaitable<Result<BittensorSynapse>> FailsInternally(BittensorSynapse, Deadline) {
  co_return Error(ErrorCode::kIo, "disk on fire");
}

TEST(AxonTest, HandlerInternalErrorIs500WithoutDetails) {
  AxonHarness h({}, FailsInternally);
  auto dendrite = h.MakeDendrite(h.keys.validator);
  BittensorSynapse answer = h.Call(*dendrite, Challenge());
  EXPECT_EQ(answer.dendrite.status_code, 500);
  EXPECT_THAT(answer.dendrite.status_message.value_or(""), StartsWith("Internal Server Error #"));
  EXPECT_THAT(answer.dendrite.status_message.value_or(""), ::testing::Not(HasSubstr("disk")));
}

asio::awaitable<Result<BittensorSynapse>> Throws(BittensorSynapse, Deadline) {
  throw std::runtime_error("bug");
  co_return Error(ErrorCode::kInternal, "unreachable");
}

TEST(AxonTest, HandlerThrowingIs500) {
  AxonHarness h({}, Throws);
  auto dendrite = h.MakeDendrite(h.keys.validator);
  EXPECT_EQ(h.Call(*dendrite, Challenge()).dendrite.status_code, 500);
}

asio::awaitable<Result<BittensorSynapse>> RejectsInput(BittensorSynapse, Deadline) {
  co_return Error(ErrorCode::kInvalidArgument, "target_schema: unknown type 'lst[str]'");
}

TEST(AxonTest, HandlerInputErrorIs422WithItsMessage) {
  AxonHarness h({}, RejectsInput);
  auto dendrite = h.MakeDendrite(h.keys.validator);
  BittensorSynapse answer = h.Call(*dendrite, Challenge());
  EXPECT_EQ(answer.dendrite.status_code, 422);
  EXPECT_EQ(answer.dendrite.status_message, "target_schema: unknown type 'lst[str]'");
}

asio::awaitable<Result<BittensorSynapse>> FailsAtLengthOnRequest(BittensorSynapse request,
                                                                 Deadline deadline) {
  if (request.fields["objective"] == "fail at length") {
    co_return Error(ErrorCode::kInvalidArgument, std::string(60000, 'x'));
  }
  if (request.fields["objective"] == "fail with bad bytes") {
    co_return Error(ErrorCode::kInvalidArgument, "bad \xff\xfe bytes");
  }
  co_return co_await testing::AnswerObjective(std::move(request), deadline);
}

// Python's aiohttp refuses header lines over 8,190 bytes: the header gets a prefix.
TEST(AxonTest, LongErrorMessageIsCappedInTheStatusHeaderAndWholeInTheBody) {
  AxonHarness h({}, FailsAtLengthOnRequest);
  auto dendrite = h.MakeDendrite(h.keys.validator);
  const BittensorSynapse prepared =
      dendrite->Prepare(h.Endpoint(), Orchestra(), Challenge("fail at length"), 12.0);
  auto response = h.SendRaw(prepared);
  ASSERT_TRUE(response.ok()) << response.error().ToString();
  EXPECT_EQ(response->status, 422);
  EXPECT_EQ(MessageOf(*response), std::string(60000, 'x'));
  const std::string_view header = response->Header("bt_header_axon_status_message");
  EXPECT_EQ(header, std::string(1024, 'x') + "...");
  // Our dendrite reports the whole message, from the body.
  EXPECT_EQ(h.Call(*dendrite, Challenge("fail at length")).dendrite.status_message,
            std::string(60000, 'x'));

  EXPECT_EQ(h.Call(*dendrite, Challenge()).dendrite.status_code, 200);
}

TEST(AxonTest, ErrorMessageWithInvalidUtf8IsSentAsValidUtf8) {
  AxonHarness h({}, FailsAtLengthOnRequest);
  auto dendrite = h.MakeDendrite(h.keys.validator);
  const BittensorSynapse prepared =
      dendrite->Prepare(h.Endpoint(), Orchestra(), Challenge("fail with bad bytes"), 12.0);
  auto response = h.SendRaw(prepared);
  ASSERT_TRUE(response.ok()) << response.error().ToString();
  EXPECT_EQ(response->status, 422);
  EXPECT_TRUE(IsValidUtf8(response->body)) << response->body;
  EXPECT_EQ(MessageOf(*response), "bad \xef\xbf\xbd\xef\xbf\xbd bytes");
}

// A signed uuid is echoed in the answer's JSON, which must be UTF-8: refused, named.
TEST(AxonTest, DendriteUuidThatIsNotUtf8Is400NamingIt) {
  AxonHarness h;
  auto dendrite = h.MakeDendrite(h.keys.validator);
  BittensorSynapse prepared = dendrite->Prepare(h.Endpoint(), Orchestra(), Challenge(), 12.0);
  prepared.dendrite.uuid = "\xff\xfe-not-utf8";
  testing::Resign(prepared, h.keys.validator, h.Endpoint().hotkey);
  auto response = h.SendRaw(prepared);
  ASSERT_TRUE(response.ok()) << response.error().ToString();
  EXPECT_EQ(response->status, 400);
  EXPECT_TRUE(IsValidUtf8(response->body)) << response->body;
  EXPECT_THAT(MessageOf(*response), HasSubstr("bt_header_dendrite_uuid: not valid UTF-8"));

  EXPECT_EQ(h.Call(*dendrite, Challenge()).dendrite.status_code, 200);
}

// A nonce hours ahead makes an entry that cannot be forgotten before the clock reaches it
// (else its request could be replayed): the axon takes such nonces only while the table has
// room, and still refuses their replays.
TEST(AxonTest, FarFutureNoncesCannotGrowTheNonceTableAndTheirReplaysAreRefused) {
  AxonOptions options;
  options.max_nonce_entries = 16;
  AxonHarness h(options);
  constexpr int64_t kHourNs = 3'600'000'000'000;
  std::vector<BittensorSynapse> accepted;
  for (int i = 0; i < 40; ++i) {
    auto hostile = h.MakeDendrite(h.keys.validator);  // a uuid of its own: a new endpoint
    BittensorSynapse far = hostile->Prepare(h.Endpoint(), Orchestra(), Challenge(), 12.0);
    far.dendrite.nonce = testing::kEpochNs + kHourNs * (i + 1);
    testing::Resign(far, h.keys.validator, h.Endpoint().hotkey);
    auto response = h.SendRaw(far);
    ASSERT_TRUE(response.ok()) << response.error().ToString();
    if (response->status == 200) {
      accepted.push_back(far);
    } else {
      EXPECT_EQ(response->status, 401);
      EXPECT_THAT(MessageOf(*response), HasSubstr("Nonce is too far in the future"));
    }
  }
  EXPECT_EQ(accepted.size(), 16u);
  EXPECT_LE(h.axon->remembered_nonces(), 16u);
  for (const BittensorSynapse& replay : {accepted.front(), accepted.back()}) {
    auto response = h.SendRaw(replay);
    ASSERT_TRUE(response.ok()) << response.error().ToString();
    EXPECT_EQ(response->status, 401);
    EXPECT_THAT(MessageOf(*response), HasSubstr("a newer one was last processed"));
  }
  // A dendrite whose clock is right is not affected.
  auto honest = h.MakeDendrite(h.keys.validator);
  EXPECT_EQ(h.Call(*honest, Challenge()).dendrite.status_code, 200);
}

// The same bound for an endpoint the axon knows: an in-window nonce first, which a full table
// takes, then a far-future one, which would move the entry out of the pruner's reach.
TEST(AxonTest, KnownEndpointsCannotMoveTheirNonceFarAheadOnAFullTable) {
  AxonOptions options;
  options.max_nonce_entries = 16;
  AxonHarness h(options);
  constexpr int64_t kHourNs = 3'600'000'000'000;
  int far_accepted = 0;
  for (int i = 0; i < 40; ++i) {
    auto hostile = h.MakeDendrite(h.keys.validator);
    const BittensorSynapse first = hostile->Prepare(h.Endpoint(), Orchestra(), Challenge(), 12.0);
    auto in_window = h.SendRaw(first);
    ASSERT_TRUE(in_window.ok());
    ASSERT_EQ(in_window->status, 200) << in_window->body;
    BittensorSynapse far = first;
    far.dendrite.nonce = testing::kEpochNs + kHourNs * (i + 1);
    testing::Resign(far, h.keys.validator, h.Endpoint().hotkey);
    auto response = h.SendRaw(far);
    ASSERT_TRUE(response.ok());
    if (response->status == 200) {
      ++far_accepted;
    } else {
      EXPECT_EQ(response->status, 401);
      EXPECT_THAT(MessageOf(*response), HasSubstr("Nonce is too far in the future"));
    }
  }
  EXPECT_LE(far_accepted, 16);
  auto honest = h.MakeDendrite(h.keys.validator);
  EXPECT_EQ(h.Call(*honest, Challenge()).dendrite.status_code, 200);
}

TEST(AxonTest, BodyOverTheLimitIs413) {
  AxonOptions options;
  options.server.max_body_bytes = 1024;
  AxonHarness h(options);
  auto dendrite = h.MakeDendrite(h.keys.validator);
  const BittensorSynapse prepared =
      dendrite->Prepare(h.Endpoint(), Orchestra(), Challenge(std::string(4096, 'x')), 12.0);
  auto response = h.SendRaw(prepared);
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 413);
}

// A handler whose calls block until the test releases them, recording the order of entry.
class Gate {
 public:
  SynapseHandler Handler() {
    return [this](BittensorSynapse request, Deadline) -> asio::awaitable<Result<BittensorSynapse>> {
      auto timer = std::make_shared<asio::steady_timer>(co_await asio::this_coro::executor, 1h);
      {
        std::lock_guard lock(mu_);
        order_.push_back(std::string(request.fields["objective"].as_string()));
        timers_.push_back(timer);
      }
      entered_.fetch_add(1);
      co_await timer->async_wait(testing::kNoThrow);
      co_return request;
    };
  }
  int entered() const { return entered_.load(); }
  // Lets every blocked call finish.
  void OpenAll() {
    std::lock_guard lock(mu_);
    for (auto& timer : timers_) {
      asio::post(timer->get_executor(), [timer] { timer->cancel(); });
    }
    timers_.clear();
  }
  std::vector<std::string> order() {
    std::lock_guard lock(mu_);
    return order_;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> order_;
  std::vector<std::shared_ptr<asio::steady_timer>> timers_;
  std::atomic<int> entered_{0};
};

void WaitUntil(const std::function<bool()>& condition) {
  while (!condition()) std::this_thread::yield();
}

TEST(AxonTest, FullQueueIs503) {
  Gate gate;
  AxonOptions options;
  options.max_concurrent_handlers = 1;
  options.max_queued_requests = 0;
  AxonHarness h(options, gate.Handler());
  auto dendrite = h.MakeDendrite(h.keys.validator);

  // The first call occupies the only slot; it runs on a thread of its own.
  asio::io_context first_io;
  auto first_dendrite = std::make_unique<Dendrite>(first_io.get_executor(), h.keys.validator);
  auto first = std::async(std::launch::async, [&] {
    return RunUntilDone(first_io,
                        first_dendrite->Call(h.Endpoint(), Orchestra(), Challenge("first"), 12.0));
  });
  WaitUntil([&] { return gate.entered() == 1; });

  BittensorSynapse second = h.Call(*dendrite, Challenge("second"));
  EXPECT_EQ(second.dendrite.status_code, 503);
  EXPECT_EQ(second.dendrite.status_message, "Service unavailable: request queue is full");
  gate.OpenAll();
  EXPECT_EQ(first.get().dendrite.status_code, 200);
}

TEST(AxonTest, HigherStakeIsServedFirst) {
  Gate gate;
  AxonOptions options;
  options.max_concurrent_handlers = 1;
  options.max_queued_requests = 4;
  options.blacklist.min_stake = 0.5;  // the low-stake validator (stake 1) may call
  AxonHarness h(options, gate.Handler());

  // Each caller on its own thread: the blocker, then low stake, then high stake.
  struct Caller {
    asio::io_context io;
    std::unique_ptr<Dendrite> dendrite;
    std::future<BittensorSynapse> result;
  };
  auto start = [&](Caller& caller, const crypto::Keypair& key, std::string objective) {
    caller.dendrite = std::make_unique<Dendrite>(caller.io.get_executor(), key);
    caller.result = std::async(std::launch::async, [&caller, &h, objective] {
      return RunUntilDone(
          caller.io, caller.dendrite->Call(h.Endpoint(), Orchestra(), Challenge(objective), 12.0));
    });
  };
  Caller blocker, low, high;
  start(blocker, h.keys.validator, "blocker");
  WaitUntil([&] { return gate.entered() == 1; });
  start(low, h.keys.low_stake, "low");
  WaitUntil([&] { return h.axon->queued_requests() == 1; });
  start(high, h.keys.validator, "high");
  WaitUntil([&] { return h.axon->queued_requests() == 2; });

  gate.OpenAll();  // the blocker finishes; "high" gets the slot
  WaitUntil([&] { return gate.entered() == 2; });
  gate.OpenAll();
  WaitUntil([&] { return gate.entered() == 3; });
  gate.OpenAll();
  EXPECT_EQ(blocker.result.get().dendrite.status_code, 200);
  EXPECT_EQ(high.result.get().dendrite.status_code, 200);
  EXPECT_EQ(low.result.get().dendrite.status_code, 200);
  EXPECT_EQ(gate.order(), (std::vector<std::string>{"blocker", "high", "low"}));
}

TEST(AxonTest, HigherStakeDisplacesTheLowestWaiterFromAFullQueue) {
  Gate gate;
  AxonOptions options;
  options.max_concurrent_handlers = 1;
  options.max_queued_requests = 1;
  options.blacklist.min_stake = 0.5;
  AxonHarness h(options, gate.Handler());

  struct Caller {
    asio::io_context io;
    std::unique_ptr<Dendrite> dendrite;
    std::future<BittensorSynapse> result;
  };
  auto start = [&](Caller& caller, const crypto::Keypair& key, std::string objective) {
    caller.dendrite = std::make_unique<Dendrite>(caller.io.get_executor(), key);
    caller.result = std::async(std::launch::async, [&caller, &h, objective] {
      return RunUntilDone(
          caller.io, caller.dendrite->Call(h.Endpoint(), Orchestra(), Challenge(objective), 12.0));
    });
  };
  Caller blocker, low, high;
  start(blocker, h.keys.validator, "blocker");
  WaitUntil([&] { return gate.entered() == 1; });
  start(low, h.keys.low_stake, "low");
  WaitUntil([&] { return h.axon->queued_requests() == 1; });
  start(high, h.keys.validator, "high");
  const BittensorSynapse displaced = low.result.get();
  EXPECT_EQ(displaced.dendrite.status_code, 503);
  EXPECT_THAT(displaced.dendrite.status_message.value_or(""), HasSubstr("displaced"));
  gate.OpenAll();
  WaitUntil([&] { return gate.entered() == 2; });
  gate.OpenAll();
  EXPECT_EQ(blocker.result.get().dendrite.status_code, 200);
  EXPECT_EQ(high.result.get().dendrite.status_code, 200);
}

// --- The base Synapse: Python's ping, which validators send to check an axon is alive ---------

const protocol::SynapseClass& Base() { return protocol::BaseSynapseClass(); }

// A ping as `key`'s dendrite prepares it (signed over the empty body hash).
BittensorSynapse PreparedPing(AxonHarness& h, const crypto::Keypair& key) {
  auto dendrite = h.MakeDendrite(key);
  return dendrite->Prepare(h.Endpoint(), Base(), BittensorSynapse{}, 12.0);
}

TEST(AxonTest, SignedPingIsAnswered200EvenFromCallersTheBlacklistRefuses) {
  AxonHarness h;  // minimum stake 10, validator permit required, unregistered refused
  const testing::Keys& k = h.keys;
  for (const crypto::Keypair* key : {&k.validator, &k.stranger, &k.low_stake, &k.miner}) {
    auto response = h.SendRaw(PreparedPing(h, *key), "", "/Synapse", Base());
    ASSERT_TRUE(response.ok()) << response.error().ToString();
    EXPECT_EQ(response->status, 200) << AddressOf(*key) << ": " << response->body;
    auto body = ParseJson(response->body);
    ASSERT_TRUE(body.ok());
    EXPECT_EQ(JsonString(*body, "name"), "Synapse");
    EXPECT_EQ(body->get_object().size(), 7u) << response->body;  // the base fields only
    EXPECT_EQ(response->Header("bt_header_axon_status_code"), "200");
  }
  // The same strangers are still refused the synapses that do their work.
  auto stranger = h.MakeDendrite(k.stranger);
  EXPECT_EQ(h.Call(*stranger, Challenge()).dendrite.status_code, 403);
}

TEST(AxonTest, PingWithABadSignatureIs401) {
  AxonHarness h;
  for (const crypto::Keypair* key : {&h.keys.validator, &h.keys.stranger}) {
    BittensorSynapse ping = PreparedPing(h, *key);
    std::string& signature = *ping.dendrite.signature;
    signature[10] = signature[10] == 'a' ? 'b' : 'a';
    auto response = h.SendRaw(ping, "", "/Synapse", Base());
    ASSERT_TRUE(response.ok());
    EXPECT_EQ(response->status, 401);
    EXPECT_THAT(MessageOf(*response), StartsWith("Not Verified with error: Signature mismatch"));
  }
  BittensorSynapse unsigned_ping = PreparedPing(h, h.keys.stranger);
  unsigned_ping.dendrite.signature.reset();
  auto response = h.SendRaw(unsigned_ping, "", "/Synapse", Base());
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 401);
  EXPECT_EQ(MessageOf(*response), "Not Verified with error: Missing Signature");
}

TEST(AxonTest, ReplayedPingIs401) {
  AxonHarness h;
  const BittensorSynapse ping = PreparedPing(h, h.keys.stranger);
  EXPECT_EQ(h.SendRaw(ping, "", "/Synapse", Base())->status, 200);
  EXPECT_EQ(h.SendRaw(ping, "", "/Synapse", Base())->status, 401);
}

TEST(AxonTest, DendritePingsWithTheBaseSynapse) {
  AxonHarness h;
  auto dendrite = h.MakeDendrite(h.keys.stranger);
  const BittensorSynapse answer =
      RunUntilDone(h.io, dendrite->Call(h.Endpoint(), Base(), BittensorSynapse{}, 5.0));
  EXPECT_EQ(answer.dendrite.status_code, 200) << answer.dendrite.status_message.value_or("");
  EXPECT_EQ(answer.axon.status_code, 200);
  EXPECT_EQ(answer.axon.status_message, "Success");
  EXPECT_EQ(answer.axon.hotkey, AddressOf(h.keys.axon));
  EXPECT_EQ(answer.name, "Synapse");
  EXPECT_TRUE(answer.fields.empty());
  EXPECT_EQ(h.axon->answered(200), 1u);
}

TEST(AxonTest, GetRouteIsServedWithoutTheSynapseProtocol) {
  testing::Keys keys;
  AxonOptions options;
  options.hotkey = AddressOf(keys.axon);
  Axon axon(options, testing::TestMetagraph(keys));
  ASSERT_TRUE(axon.AttachGet("/metrics",
                             [](HttpRequest) -> asio::awaitable<HttpResponse> {
                               HttpResponse response;
                               response.status = 200;
                               response.headers.Add("Content-Type", "text/plain; version=0.0.4");
                               response.body = "up 1\n";
                               co_return response;
                             })
                  .ok());
  EXPECT_FALSE(
      axon.AttachGet("metrics",
                     [](HttpRequest) -> asio::awaitable<HttpResponse> { co_return HttpResponse{}; })
          .ok());
  EXPECT_FALSE(axon.AttachGet("/x", nullptr).ok());
  ServerThread server(ServerOptions{}, axon.AsHandler(), 1);
  auto port = server.Start();
  ASSERT_TRUE(port.ok());
  asio::io_context io;
  HttpClient client(io.get_executor());
  auto send = [&](std::string method, std::string target) {
    HttpRequest request;
    request.method = std::move(method);
    request.target = std::move(target);
    return RunUntilDone(io, client.Send("127.0.0.1", *port, std::move(request),
                                        Deadline::After(std::chrono::seconds(10))));
  };
  for (const char* target : {"/metrics", "/metrics?name=up"}) {
    auto response = send("GET", target);
    ASSERT_TRUE(response.ok()) << response.error().ToString();
    EXPECT_EQ(response->status, 200) << target;
    EXPECT_EQ(response->body, "up 1\n");
    EXPECT_EQ(response->Header("content-type"), "text/plain; version=0.0.4");
  }
  // POST to the same path is a synapse request (and there is no class called "metrics").
  auto post = send("POST", "/metrics");
  ASSERT_TRUE(post.ok());
  EXPECT_EQ(post->status, 404);
  EXPECT_EQ(axon.answered(200), 2u);
}

TEST(AxonTest, AttachRejectsNamesThatAreNotIdentifiers) {
  testing::Keys keys;
  Axon axon(AxonOptions{}, testing::TestMetagraph(keys));
  protocol::SynapseClass bad = Orchestra();
  bad.name = "bad/name";
  EXPECT_FALSE(axon.Attach(bad, testing::AnswerObjective).ok());
  EXPECT_FALSE(axon.Attach(Orchestra(), nullptr).ok());
}

}  // namespace
}  // namespace orchestra::net
