// Hostile miners: answers no honest miner sends, played by raw loopback servers and asked
// through the validator's own dendrite (AskChallenge) and judge (JudgeReply). Whatever a miner
// sends, or fails to send, it earns nothing, its score card says why, and the rest of the
// round goes on: the validator neither crashes nor waits past the challenge's timeout.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cctype>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "orchestra/core/utf8.h"
#include "orchestra/crypto/test_util.h"
#include "orchestra/experts/transport.h"
#include "orchestra/miner/miner_test_util.h"
#include "orchestra/net/net_test_util.h"
#include "orchestra/net/server_thread.h"
#include "orchestra/validator/judge.h"
#include "orchestra/validator/local_miner_test_util.h"
#include "orchestra/validator/miner_client.h"

namespace orchestra::validator {
namespace {

namespace asio = boost::asio;
using crypto::testing::AddressOf;
using crypto::testing::KeyFromByte;
using net::testing::RawServer;
using net::testing::RunUntilDone;
using ::testing::HasSubstr;
using testing::LocalMiner;
using ::testing::StartsWith;
using tcp = asio::ip::tcp;

// The dendrite's answer limit here, as the validator command sets it (8 MiB there).
constexpr size_t kAnswerLimit = 1 << 20;

MinerTarget HostileAt(uint16_t port, int uid) {
  return MinerTarget{
      .uid = uid, .axon = {"127.0.0.1", port, AddressOf(KeyFromByte(5))}, .serving = true};
}

// A "miner" that answers every request as `handler` says, on its own thread.
class HostileMiner {
 public:
  explicit HostileMiner(net::Handler handler) : server_(net::ServerOptions{}, std::move(handler)) {
    auto port = server_.Start();
    EXPECT_TRUE(port.ok()) << port.error().ToString();
    port_ = port.ok() ? *port : 0;
  }
  MinerTarget Target(int uid = 7) const { return HostileAt(port_, uid); }

 private:
  net::ServerThread server_;
  uint16_t port_ = 0;
};

// What an axon sends back: `body` as is, with the status header a real axon sets.
net::HttpResponse AxonAnswer(std::string body, int status = 200) {
  net::HttpResponse response;
  response.status = status;
  response.headers.Add("content-type", "application/json");
  response.headers.Add("bt_header_axon_status_code", std::to_string(status));
  response.body = std::move(body);
  return response;
}

// A miner answering every request with `body`.
net::Handler Answers(std::string body, int status = 200) {
  return [body = std::move(body), status](net::HttpRequest) -> asio::awaitable<net::HttpResponse> {
    co_return AxonAnswer(body, status);
  };
}

// A miner that sends the request's own synapse back after `edit` changed its fields, as an
// axon does, so that only what `edit` did is wrong with it.
net::Handler Echoes(std::function<void(JsonObject&)> edit) {
  return [edit = std::move(edit)](net::HttpRequest request) -> asio::awaitable<net::HttpResponse> {
    auto synapse = ParseJson(request.body, "request");
    if (!synapse || !synapse->is_object()) co_return net::MessageResponse(400, "not a synapse");
    edit(synapse->as_object());
    co_return AxonAnswer(CompactJson(*synapse));
  };
}

// Reads one whole request (head and Content-Length body), so that closing afterwards sends a
// plain end of stream rather than a reset for unread bytes.
asio::awaitable<void> ReadRequest(tcp::socket& socket) {
  std::string data = co_await net::testing::ReadHead(socket);
  const size_t head_end = data.find("\r\n\r\n");
  if (head_end == std::string::npos) co_return;
  size_t length = 0;
  std::string lower = data.substr(0, head_end);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (const size_t at = lower.find("content-length:"); at != std::string::npos) {
    length = std::stoul(lower.substr(at + 15));
  }
  const size_t have = data.size() - head_end - 4;
  if (length > have) {
    std::string rest(length - have, '\0');
    co_await asio::async_read(socket, asio::buffer(rest), net::testing::kNoThrow);
  }
}

// `depth` arrays one inside the other.
std::string Nested(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

// What the validator made of one miner: the dendrite's reply and the judge's card.
struct Verdict {
  MinerReply reply;
  ScoreCard card;
};

class HostileMinerTest : public ::testing::Test {
 protected:
  HostileMinerTest() {
    auto challenge = protocol::ChallengeFromJson(
        miner::testing::WorkedExampleFields("0x" + std::string(64, 'a')));
    EXPECT_TRUE(challenge.ok()) << challenge.error().ToString();
    generated_.challenge = *challenge;
  }

  // Asks every miner at once, as a round does, then judges each reply.
  std::vector<Verdict> AskAll(const std::vector<MinerTarget>& miners,
                              double slack_seconds = kTransferSlackSeconds) {
    asio::io_context io;
    net::DendriteOptions options;
    options.client.max_response_bytes = kAnswerLimit;
    net::Dendrite dendrite(io.get_executor(), testing::kLocalValidatorKey, options);
    const int64_t window_start = experts::UnixMillis() - 2000;
    std::vector<MinerReply> replies =
        RunUntilDone(io, AskChallenge(dendrite, miners, generated_.challenge, slack_seconds));
    JudgeContext context;
    context.generated = &generated_;
    context.has_reference = false;  // relevance unjudged: the other dimensions still count
    context.window_start_ms = window_start;
    context.window_end_ms = experts::UnixMillis() + 2000;
    std::vector<Verdict> out;
    for (MinerReply& reply : replies) {
      Judged judged = RunUntilDone(io, JudgeReply(reply, nullptr, context));
      out.push_back(Verdict{.reply = std::move(reply), .card = std::move(judged.card)});
    }
    return out;
  }

  Verdict Ask(const MinerTarget& miner, double slack_seconds = kTransferSlackSeconds) {
    std::vector<Verdict> verdicts = AskAll({miner}, slack_seconds);
    EXPECT_EQ(verdicts.size(), 1u);
    return std::move(verdicts.at(0));
  }

  // A deadline short enough for the miners that never answer to cost the test little.
  void UseShortDeadline() { generated_.challenge.deadline_ms = 200; }

  GeneratedChallenge generated_;
};

// A card that earns nothing: rejected with a reason naming `problem`, every figure 0.
void ExpectRejected(const ScoreCard& card, std::string_view problem) {
  EXPECT_FALSE(card.accepted);
  EXPECT_THAT(card.reject_reason, HasSubstr(problem));
  EXPECT_EQ(card.reward, 0.0);
  EXPECT_EQ(card.mechanism0, 0.0);
  EXPECT_EQ(card.mechanism1, 0.0);
  EXPECT_EQ(card.total, 0.0);
}

// The dendrite refused the answer as unparsable, and the card says so.
void ExpectUnparsable(const Verdict& v, std::string_view problem) {
  EXPECT_EQ(v.reply.status_code, 422) << v.reply.status_message;
  EXPECT_THAT(v.reply.status_message, StartsWith("Failed to parse response: "));
  EXPECT_THAT(v.reply.status_message, HasSubstr(problem));
  EXPECT_TRUE(v.reply.fields.is_null());
  ExpectRejected(v.card, "no answer: 422 Failed to parse response");
  EXPECT_THAT(v.card.reject_reason, HasSubstr(problem));
}

TEST_F(HostileMinerTest, ABodyThatIsNotJsonIsUnparsableAndEarnsNothing) {
  HostileMiner miner(Answers("<html>miner busy</html>"));
  ExpectUnparsable(Ask(miner.Target()), "body: syntax error at line 1, column 1");
}

TEST_F(HostileMinerTest, AJsonArrayInsteadOfTheSynapseIsUnparsable) {
  HostileMiner miner(Answers(R"([{"task_pipeline": []}])"));
  ExpectUnparsable(Ask(miner.Target()), "must be a JSON object");
}

TEST_F(HostileMinerTest, ATaskPipelineThatIsAStringIsUnparsable) {
  HostileMiner miner(Echoes([](JsonObject& s) { s["task_pipeline"] = "search then scrape"; }));
  ExpectUnparsable(Ask(miner.Target()), "task_pipeline");
}

TEST_F(HostileMinerTest, StandardizedDataThatIsANumberIsUnparsable) {
  HostileMiner miner(Echoes([](JsonObject& s) {
    s["task_pipeline"] = JsonArray{};
    s["standardized_data"] = 42;
  }));
  ExpectUnparsable(Ask(miner.Target()), "standardized_data");
}

TEST_F(HostileMinerTest, ATotalCostThatIsNotANumberIsUnparsable) {
  HostileMiner miner(Echoes([](JsonObject& s) { s["total_cost"] = "cheap"; }));
  ExpectUnparsable(Ask(miner.Target()), "total_cost");
}

TEST_F(HostileMinerTest, AnAnswerWithoutTheChallengeFieldsIsUnparsable) {
  HostileMiner miner(Echoes([](JsonObject& s) { s.erase("challenge_id"); }));
  ExpectUnparsable(Ask(miner.Target()), "challenge_id");
}

TEST_F(HostileMinerTest, AnAnswerWithoutAPipelineIsRejectedByTheJudge) {
  HostileMiner miner(Echoes([](JsonObject&) {}));  // the challenge back, nothing answered
  const Verdict v = Ask(miner.Target());
  EXPECT_EQ(v.reply.status_code, 200) << v.reply.status_message;
  ExpectRejected(v.card, "task_pipeline");
}

TEST_F(HostileMinerTest, StepsOfTheWrongShapeAreRejectedByTheJudge) {
  HostileMiner miner(Echoes([](JsonObject& s) {
    s["task_pipeline"] = JsonArray{"search", JsonObject{{"step", "one"}}};
    s["standardized_data"] = JsonObject{{"recommendation", "trust me"}};
  }));
  const Verdict v = Ask(miner.Target());
  EXPECT_EQ(v.reply.status_code, 200) << v.reply.status_message;
  ExpectRejected(v.card, "task_pipeline[0]");
}

TEST_F(HostileMinerTest, NestingDeeperThanTheJsonLimitIsUnparsable) {
  HostileMiner miner(Answers(fmt::format(
      R"({{"challenge_id": "x", "standardized_data": {{"a": {}}}}})", Nested(kMaxJsonDepth + 10))));
  ExpectUnparsable(Ask(miner.Target()), "body: too deep");
}

TEST_F(HostileMinerTest, NestingJustWithinTheLimitIsJudgedAndEarnsNothingWithoutProofs) {
  HostileMiner miner(Echoes([](JsonObject& s) {
    s["task_pipeline"] = JsonArray{};
    s["standardized_data"] = JsonObject{{"competitors", *ParseJson(Nested(kMaxJsonDepth - 8))}};
  }));
  const Verdict v = Ask(miner.Target());
  EXPECT_EQ(v.reply.status_code, 200) << v.reply.status_message;
  EXPECT_TRUE(v.card.accepted) << v.card.reject_reason;
  EXPECT_EQ(v.card.proofs.valid, 0);
  EXPECT_EQ(v.card.hash_verification.explanation, "no successful step to prove");
  EXPECT_EQ(v.card.reward, 0.0);
  EXPECT_EQ(v.card.mechanism0, 0.0);
  EXPECT_EQ(v.card.mechanism1, 0.0);
}

TEST_F(HostileMinerTest, ANonUtf8ByteInAStringIsUnparsable) {
  HostileMiner miner([](net::HttpRequest request) -> asio::awaitable<net::HttpResponse> {
    // The request's own synapse with one Latin-1 byte spliced into the objective.
    std::string body = request.body;
    const size_t at = body.find("competitive landscape");
    if (at != std::string::npos) body[at] = '\xe9';
    co_return AxonAnswer(std::move(body));
  });
  ExpectUnparsable(Ask(miner.Target()), "body: syntax error");
}

TEST_F(HostileMinerTest, ALoneSurrogateEscapeIsUnparsable) {
  // Valid ASCII on the wire, but no Unicode text: Python's json would keep it, we refuse it.
  HostileMiner miner(Answers(R"({"challenge_id": "x", "final_synthesis": "caf\ud800"})"));
  ExpectUnparsable(Ask(miner.Target()), "body: syntax error");
}

TEST_F(HostileMinerTest, AnAnswerLargerThanTheLimitIsRefusedUnread) {
  HostileMiner miner(Echoes([](JsonObject& s) {
    s["task_pipeline"] = JsonArray{};
    s["final_synthesis"] = std::string(2 * kAnswerLimit, 'x');
  }));
  ExpectUnparsable(Ask(miner.Target()), fmt::format("larger than {} bytes", kAnswerLimit));
}

TEST_F(HostileMinerTest, AMinerThatNeverAnswersTimesOutAs408) {
  UseShortDeadline();
  HostileMiner miner([](net::HttpRequest) -> asio::awaitable<net::HttpResponse> {
    // Until the server stops (the end of the test): the dendrite's timeout comes first.
    asio::steady_timer never(co_await asio::this_coro::executor,
                             asio::steady_timer::time_point::max());
    co_await never.async_wait(asio::as_tuple(asio::use_awaitable));
    co_return net::MessageResponse(503, "stopped");
  });
  const Verdict v = Ask(miner.Target(), /*slack_seconds=*/0.2);
  EXPECT_EQ(v.reply.status_code, 408) << v.reply.status_message;
  EXPECT_EQ(v.reply.status_message, "Request timeout after 0.4 seconds");
  ExpectRejected(v.card, "no answer: 408 Request timeout");
}

TEST_F(HostileMinerTest, AMinerThatStartsAnsweringButNeverFinishesTimesOutAs408) {
  UseShortDeadline();
  HostileMiner miner([](net::HttpRequest) -> asio::awaitable<net::HttpResponse> {
    net::HttpResponse slow = AxonAnswer(std::string(4096, ' ') + "{}");
    slow.trickle = std::chrono::hours(1);
    co_return slow;
  });
  const Verdict v = Ask(miner.Target(), /*slack_seconds=*/0.2);
  EXPECT_EQ(v.reply.status_code, 408) << v.reply.status_message;
  ExpectRejected(v.card, "no answer: 408 Request timeout");
}

TEST_F(HostileMinerTest, AMinerThatClosesTheConnectionWithoutAnsweringIs503) {
  RawServer miner([](tcp::socket socket, int) -> asio::awaitable<void> {
    co_await ReadRequest(socket);
    // Returning closes the socket: no status line ever goes out.
  });
  const Verdict v = Ask(HostileAt(miner.port(), 7));
  EXPECT_EQ(v.reply.status_code, 503) << v.reply.status_message;
  EXPECT_EQ(v.reply.status_message,
            fmt::format("Service unavailable at 127.0.0.1:{}/OrchestraSynapse", miner.port()));
  ExpectRejected(v.card, "no answer: 503 Service unavailable");
}

TEST_F(HostileMinerTest, AMinerThatClosesTheConnectionMidAnswerIsUnparsable) {
  RawServer miner([](tcp::socket socket, int) -> asio::awaitable<void> {
    co_await ReadRequest(socket);
    co_await net::testing::WriteAll(
        socket, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n{\"task_pipeline\": [");
    socket.shutdown(tcp::socket::shutdown_send);
    co_await net::testing::ReadToEnd(socket);  // until the dendrite gives up on the rest
  });
  ExpectUnparsable(Ask(HostileAt(miner.port(), 7)), "malformed answer");
}

TEST_F(HostileMinerTest, A500WithGarbageIsUnparsable) {
  HostileMiner miner(Answers("\x01\x02 segfault \xff", 500));
  ExpectUnparsable(Ask(miner.Target()), "HTTP 500 answer");
}

TEST_F(HostileMinerTest, A500WithAMessageIsTheMinersErrorAndEarnsNothing) {
  HostileMiner miner([](net::HttpRequest) -> asio::awaitable<net::HttpResponse> {
    net::HttpResponse error = net::MessageResponse(500, "Internal Server Error #1");
    error.headers.Add("bt_header_axon_status_code", "500");
    co_return error;
  });
  const Verdict v = Ask(miner.Target());
  EXPECT_EQ(v.reply.status_code, 500) << v.reply.status_message;
  EXPECT_EQ(v.reply.status_message, "Internal Server Error #1");
  ExpectRejected(v.card, "no answer: 500 Internal Server Error #1");
}

TEST_F(HostileMinerTest, AHugeErrorMessageIsCutShortBeforeItReachesTheReason) {
  const std::string message = "caf\u00e9 " + std::string(1 << 19, 'x');
  HostileMiner miner(Answers(CompactJson(JsonObject{{"message", message}}), 500));
  const Verdict v = Ask(miner.Target());
  EXPECT_EQ(v.reply.status_code, 500);
  EXPECT_LE(v.reply.status_message.size(), kMaxMinerMessageBytes);
  EXPECT_THAT(v.reply.status_message, StartsWith("caf\u00e9 xxx"));
  EXPECT_THAT(v.reply.status_message, ::testing::EndsWith("(cut)"));
  EXPECT_TRUE(IsValidUtf8(v.reply.status_message));
  ExpectRejected(v.card, "no answer: 500 caf\u00e9 xxx");
  EXPECT_LT(v.card.reject_reason.size(), 2 * kMaxMinerMessageBytes);
}

TEST_F(HostileMinerTest, HostileMinersInTheSampleDoNotSpoilTheHonestAnswer) {
  // Long enough for the honest miner's whole pipeline, short for the hung miner to wait out.
  generated_.challenge.deadline_ms = 3000;
  LocalMiner honest;
  HostileMiner hung([](net::HttpRequest) -> asio::awaitable<net::HttpResponse> {
    asio::steady_timer never(co_await asio::this_coro::executor,
                             asio::steady_timer::time_point::max());
    co_await never.async_wait(asio::as_tuple(asio::use_awaitable));
    co_return net::MessageResponse(503, "stopped");
  });
  RawServer closer(
      [](tcp::socket socket, int) -> asio::awaitable<void> { co_await ReadRequest(socket); });
  HostileMiner garbage(Answers("not json at all"));
  HostileMiner huge(Answers(std::string(2 * kAnswerLimit, '[')));
  HostileMiner wrong_type(Echoes([](JsonObject& s) { s["task_pipeline"] = 17; }));

  const std::vector<MinerTarget> sample{hung.Target(10),    HostileAt(closer.port(), 11),
                                        garbage.Target(12), honest.Target(13),
                                        huge.Target(14),    wrong_type.Target(15)};
  const std::vector<Verdict> v = AskAll(sample, /*slack_seconds=*/0.5);
  ASSERT_EQ(v.size(), sample.size());
  for (size_t i = 0; i < v.size(); ++i) EXPECT_EQ(v[i].reply.miner.uid, sample[i].uid);

  EXPECT_EQ(v[0].reply.status_code, 408) << v[0].reply.status_message;
  EXPECT_EQ(v[1].reply.status_code, 503) << v[1].reply.status_message;
  EXPECT_EQ(v[2].reply.status_code, 422) << v[2].reply.status_message;
  EXPECT_EQ(v[4].reply.status_code, 422) << v[4].reply.status_message;
  EXPECT_EQ(v[5].reply.status_code, 422) << v[5].reply.status_message;
  for (size_t i : {0, 1, 2, 4, 5}) {
    SCOPED_TRACE(fmt::format("uid {}", sample[i].uid));
    ExpectRejected(v[i].card, fmt::format("no answer: {}", v[i].reply.status_code));
  }

  const Verdict& ok = v[3];
  ASSERT_EQ(ok.reply.status_code, 200) << ok.reply.status_message;
  EXPECT_TRUE(ok.card.accepted) << ok.card.reject_reason;
  EXPECT_GT(ok.card.proofs.valid, 0);
  EXPECT_FALSE(ok.card.black_room) << ok.card.black_room_reason;
  EXPECT_GT(ok.card.mechanism0, 0.0);
  EXPECT_GT(ok.card.mechanism1, 0.0);
  EXPECT_GT(ok.card.reward, 0.0);
}

}  // namespace
}  // namespace orchestra::validator
