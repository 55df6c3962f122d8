// Where our axon answers otherwise than Python's bittensor 10.2 axon on purpose (axon.h lists
// the differences and why), pinned without node. PythonAxonParityTest in
// dendrite_interop_test.cc holds the same cases against a Python-faithful axon.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "orchestra/net/axon_test_util.h"

namespace orchestra::net {
namespace {

using protocol::BittensorSynapse;
using testing::AxonHarness;
using testing::Challenge;
using testing::MessageOf;

constexpr int64_t kMinuteNs = 60'000'000'000;

const protocol::SynapseClass& Orchestra() { return protocol::OrchestraSynapseClass(); }

// A request signed now by the validator but carrying a nonce a minute old (re-signed over it),
// with `version` as its dendrite version.
BittensorSynapse StaleRequest(AxonHarness& h, std::optional<int64_t> version) {
  auto dendrite = h.MakeDendrite(h.keys.validator);
  BittensorSynapse s = dendrite->Prepare(h.Endpoint(), Orchestra(), Challenge(), 12.0);
  s.dendrite.nonce = h.clock.Now() - kMinuteNs;
  s.dendrite.version = version;
  s.dendrite.signature = protocol::SignMessage(
      h.keys.validator,
      protocol::SignatureMessage(s.dendrite.nonce, s.dendrite.hotkey, *s.axon.hotkey,
                                 s.dendrite.uuid, protocol::BodyHash(Orchestra(), s)));
  return s;
}

// Python's default_verify skips the window below V_7_2_0; the version is not signed, so that
// would make any captured request replayable with its version lowered.
TEST(AxonPythonDifferencesTest, DendriteOlderThan720StillGetsTheFirstNonceWindow) {
  AxonHarness h;
  auto response = h.SendRaw(StaleRequest(h, protocol::VersionAsInt(7, 1, 9)));
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 401);
  EXPECT_EQ(MessageOf(*response),
            "Not Verified with error: Nonce is too old: acceptable delta is 16.00 seconds but "
            "request was 60.00 seconds old");
}

TEST(AxonPythonDifferencesTest, DendriteWithoutVersionStillGetsTheFirstNonceWindow) {
  AxonHarness h;
  auto response = h.SendRaw(StaleRequest(h, std::nullopt));
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 401);
  EXPECT_THAT(MessageOf(*response), ::testing::HasSubstr("Nonce is too old: acceptable delta"));
}

TEST(AxonPythonDifferencesTest, CurrentVersionWithAFreshNonceIsServed) {
  AxonHarness h;
  BittensorSynapse s = StaleRequest(h, protocol::kBittensorVersion);
  h.clock.Advance(-kMinuteNs);  // the nonce is fresh again
  auto response = h.SendRaw(s);
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 200) << MessageOf(*response);
}

// Not a difference any more: the subnet template's words.
TEST(AxonPythonDifferencesTest, MissingHotkeyIsBlacklistedInTheTemplatesWords) {
  AxonHarness h;
  auto dendrite = h.MakeDendrite(h.keys.validator);
  BittensorSynapse s = dendrite->Prepare(h.Endpoint(), Orchestra(), Challenge(), 12.0);
  s.dendrite.hotkey.reset();
  auto response = h.SendRaw(s);
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 403);
  EXPECT_EQ(MessageOf(*response), "Forbidden. Key is blacklisted: Missing dendrite or hotkey.");
}

}  // namespace
}  // namespace orchestra::net
