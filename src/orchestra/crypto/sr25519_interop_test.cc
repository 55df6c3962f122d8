// Interop with independent implementations on node (tests/interop/sr25519_tool.mjs):
// @scure/sr25519, @polkadot/util-crypto and schnorrkel itself (Rust, via @polkadot/wasm-crypto).
// A reference test (core/reference_test_util.h): without node or tests/interop/node_modules
// (scripts/setup installs them) it fails in CI and skips elsewhere, saying why.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "orchestra/core/json.h"
#include "orchestra/core/reference_test_util.h"
#include "orchestra/core/rng.h"
#include "orchestra/crypto/bip39.h"
#include "orchestra/crypto/derive.h"
#include "orchestra/crypto/sr25519.h"
#include "orchestra/crypto/ss58.h"
#include "orchestra/crypto/test_util.h"

namespace orchestra::crypto {
namespace {

namespace fs = std::filesystem;
using testing::HexOf;
using testing::Unhex;
using testing::UnhexArray;

constexpr int kMessagesEachWay = 1000;

fs::path InteropDir() { return orchestra::testing::SourceDir() / "tests" / "interop"; }

#define SKIP_WITHOUT_NODE() \
  ORCHESTRA_REQUIRE_REFERENCE(orchestra::testing::NodeInteropUnavailable())

// Sends `requests` to the node tool in one run and returns its answers, one per request.
std::vector<JsonObject> AskNode(const std::vector<JsonObject>& requests) {
  const fs::path dir = InteropDir();
  char in_path[] = "/tmp/orchestra_interop_in_XXXXXX";
  const int fd = mkstemp(in_path);
  EXPECT_GE(fd, 0);
  if (fd < 0) return {};
  close(fd);
  {
    std::ofstream in(in_path);
    for (const JsonObject& request : requests) in << boost::json::serialize(request) << '\n';
  }
  const std::string command = "node '" + (dir / "sr25519_tool.mjs").string() + "' < '" + in_path +
                              "' 2> '" + in_path + ".err'";
  std::vector<JsonObject> answers;
  FILE* pipe = popen(command.c_str(), "r");
  EXPECT_NE(pipe, nullptr);
  if (pipe) {
    std::string output;
    char buffer[65536];
    size_t n;
    while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) output.append(buffer, n);
    const int status = pclose(pipe);
    std::ifstream err(std::string(in_path) + ".err");
    std::stringstream err_text;
    err_text << err.rdbuf();
    EXPECT_EQ(status, 0) << "node failed: " << err_text.str();
    std::istringstream lines(output);
    for (std::string line; std::getline(lines, line);) {
      auto parsed = ParseJson(line, "node answer");
      EXPECT_TRUE(parsed.ok() && parsed->is_object()) << line;
      if (parsed.ok() && parsed->is_object()) answers.push_back(parsed->as_object());
    }
  }
  fs::remove(in_path);
  fs::remove(std::string(in_path) + ".err");
  EXPECT_EQ(answers.size(), requests.size());
  return answers;
}

std::string Str(const JsonObject& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  return value && value->is_string() ? std::string(value->as_string())
                                     : "<missing " + std::string(key) + ">";
}

// A verifier's verdict as the tool reports it: true, false, or "error: ...".
std::string Verdict(const JsonObject& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  if (!value) return "<missing>";
  if (value->is_bool()) return value->as_bool() ? "true" : "false";
  return value->is_string() ? std::string(value->as_string()) : "<other>";
}

std::string RandomBytes(Rng& rng, size_t size) {
  std::string out(size, '\0');
  for (char& c : out) c = static_cast<char>(rng.Next());
  return out;
}

template <size_t N>
std::array<uint8_t, N> RandomArray(Rng& rng) {
  std::array<uint8_t, N> out;
  for (uint8_t& b : out) b = static_cast<uint8_t>(rng.Next());
  return out;
}

std::string Bytes(const SignatureBytes& signature) {
  return std::string(reinterpret_cast<const char*>(signature.data()), signature.size());
}

JsonObject VerifyRequest(const PublicKey& key, std::string_view message,
                         std::string_view signature) {
  return {{"op", "verify"},
          {"public", HexOf(key.bytes())},
          {"message", HexOf(message)},
          {"signature", HexOf(signature)}};
}

void ExpectAllAccept(const JsonObject& answer, const std::string& what) {
  for (const char* verifier : {"scure", "polkadot", "schnorrkel"}) {
    EXPECT_EQ(Verdict(answer, verifier), "true") << verifier << " rejected " << what;
  }
}

void ExpectAllReject(const JsonObject& answer, const std::string& what) {
  for (const char* verifier : {"scure", "polkadot", "schnorrkel"}) {
    EXPECT_NE(Verdict(answer, verifier), "true") << verifier << " accepted " << what;
  }
}

TEST(Sr25519InteropTest, CppSignaturesVerifyInJavaScript) {
  SKIP_WITHOUT_NODE();
  Rng rng(20240601);
  std::vector<Keypair> keys;
  for (int i = 0; i < 16; ++i) keys.push_back(Keypair::FromMiniSecret(RandomArray<32>(rng)));
  std::vector<JsonObject> requests;
  for (int i = 0; i < kMessagesEachWay; ++i) {
    const Keypair& key = keys[i % keys.size()];
    const std::string message = RandomBytes(rng, rng.Next() % 300);
    requests.push_back(VerifyRequest(key.public_key(), message, Bytes(Sign(key, message))));
  }
  const auto answers = AskNode(requests);
  ASSERT_EQ(answers.size(), requests.size());
  int accepted = 0;
  for (size_t i = 0; i < answers.size(); ++i) {
    ExpectAllAccept(answers[i], "C++ signature #" + std::to_string(i));
    accepted += Verdict(answers[i], "scure") == "true" &&
                Verdict(answers[i], "polkadot") == "true" &&
                Verdict(answers[i], "schnorrkel") == "true";
  }
  EXPECT_EQ(accepted, kMessagesEachWay);
  std::cout << "[ interop  ] " << accepted << " of " << kMessagesEachWay
            << " C++ signatures accepted by @scure/sr25519, @polkadot/util-crypto and "
               "schnorrkel (wasm)\n";
}

TEST(Sr25519InteropTest, JavaScriptSignaturesVerifyInCpp) {
  SKIP_WITHOUT_NODE();
  Rng rng(20240602);
  std::vector<JsonObject> requests;
  std::vector<std::pair<MiniSecret, std::string>> inputs;
  for (int i = 0; i < kMessagesEachWay; ++i) {
    inputs.emplace_back(RandomArray<32>(rng), RandomBytes(rng, rng.Next() % 300));
    requests.push_back({{"op", "sign"},
                        {"seed", HexOf(inputs.back().first)},
                        {"message", HexOf(inputs.back().second)}});
  }
  const auto answers = AskNode(requests);
  ASSERT_EQ(answers.size(), requests.size());
  int accepted = 0;
  for (size_t i = 0; i < answers.size(); ++i) {
    const PublicKey key = Keypair::FromMiniSecret(inputs[i].first).public_key();
    for (const char* signer : {"scure", "schnorrkel"}) {
      const Status status = Verify(key, inputs[i].second, Unhex(Str(answers[i], signer)));
      EXPECT_TRUE(status.ok()) << signer << " signature #" << i << ": " << status.error().message;
      accepted += status.ok();
    }
  }
  EXPECT_EQ(accepted, 2 * kMessagesEachWay);
  std::cout << "[ interop  ] " << accepted << " of " << 2 * kMessagesEachWay
            << " JavaScript signatures (" << kMessagesEachWay
            << " messages, each signed by @scure/sr25519 and schnorrkel) accepted by C++\n";
}

// Same key, message and outside randomness: @scure/sr25519 and we make identical signatures.
TEST(Sr25519InteropTest, SignaturesAreByteIdenticalToScureForTheSameEntropy) {
  SKIP_WITHOUT_NODE();
  Rng rng(20240603);
  std::vector<JsonObject> requests;
  std::vector<std::string> expected;
  for (int i = 0; i < 100; ++i) {
    const auto seed = RandomArray<32>(rng);
    const auto entropy = RandomArray<32>(rng);
    const std::string message = RandomBytes(rng, rng.Next() % 200);
    expected.push_back(
        HexOf(SignWithEntropy(Keypair::FromMiniSecret(seed), message, kSubstrateContext, entropy)));
    requests.push_back({{"op", "sign"},
                        {"seed", HexOf(seed)},
                        {"message", HexOf(message)},
                        {"random", HexOf(entropy)}});
  }
  const auto answers = AskNode(requests);
  ASSERT_EQ(answers.size(), requests.size());
  for (size_t i = 0; i < answers.size(); ++i) EXPECT_EQ(Str(answers[i], "scure"), expected[i]) << i;
}

TEST(Sr25519InteropTest, TamperedSignaturesMessagesAndKeysFailEverywhere) {
  SKIP_WITHOUT_NODE();
  Rng rng(20240604);
  const Keypair key = Keypair::FromMiniSecret(RandomArray<32>(rng));
  const Keypair stranger = Keypair::FromMiniSecret(RandomArray<32>(rng));
  std::vector<JsonObject> requests;
  std::vector<std::string> what;
  for (int i = 0; i < 100; ++i) {
    const std::string message = RandomBytes(rng, 1 + rng.Next() % 100);
    const std::string signature = Bytes(Sign(key, message));

    std::string bad_signature = signature;
    const size_t byte = rng.Next() % 63;  // byte 63 holds the marker: tested below
    bad_signature[byte] = static_cast<char>(bad_signature[byte] ^ (1 << (rng.Next() % 8)));
    std::string bad_message = message;
    bad_message[rng.Next() % bad_message.size()] ^= 0x20;
    std::string unmarked = signature;
    unmarked[63] = static_cast<char>(unmarked[63] & 0x7f);

    const std::vector<std::pair<std::string, JsonObject>> cases = {
        {"flipped signature bit", VerifyRequest(key.public_key(), message, bad_signature)},
        {"changed message", VerifyRequest(key.public_key(), bad_message, signature)},
        {"other key", VerifyRequest(stranger.public_key(), message, signature)},
        {"marker cleared", VerifyRequest(key.public_key(), message, unmarked)},
    };
    for (const auto& [name, request] : cases) {
      requests.push_back(request);
      what.push_back(name + " #" + std::to_string(i));
    }
    EXPECT_FALSE(Verify(key.public_key(), message, bad_signature).ok());
    EXPECT_FALSE(Verify(key.public_key(), bad_message, signature).ok());
    EXPECT_FALSE(Verify(stranger.public_key(), message, signature).ok());
    EXPECT_FALSE(Verify(key.public_key(), message, unmarked).ok());
  }
  const auto answers = AskNode(requests);
  ASSERT_EQ(answers.size(), requests.size());
  for (size_t i = 0; i < answers.size(); ++i) ExpectAllReject(answers[i], what[i]);
}

TEST(Sr25519InteropTest, KeypairsFromSeedsMatch) {
  SKIP_WITHOUT_NODE();
  Rng rng(20240605);
  std::vector<JsonObject> requests;
  std::vector<MiniSecret> seeds;
  for (int i = 0; i < 50; ++i) {
    seeds.push_back(RandomArray<32>(rng));
    requests.push_back({{"op", "keypair"}, {"seed", HexOf(seeds.back())}});
  }
  const auto answers = AskNode(requests);
  ASSERT_EQ(answers.size(), requests.size());
  for (size_t i = 0; i < answers.size(); ++i) {
    const Keypair keypair = Keypair::FromMiniSecret(seeds[i]);
    const std::string public_hex = HexOf(keypair.public_key().bytes());
    EXPECT_EQ(Str(answers[i], "scure_public"), public_hex);
    EXPECT_EQ(Str(answers[i], "schnorrkel_public"), public_hex);
    EXPECT_EQ(Str(answers[i], "polkadot_public"), public_hex);
    EXPECT_EQ(Str(answers[i], "scure_secret"), HexOf(keypair.Ed25519Bytes()));
    EXPECT_EQ(Str(answers[i], "schnorrkel_secret"), HexOf(keypair.Ed25519Bytes()));
    EXPECT_EQ(Str(answers[i], "ss58"), Ss58Encode(keypair.public_key().bytes()));
  }
}

TEST(Sr25519InteropTest, MnemonicsGiveIdenticalKeysAndAddresses) {
  SKIP_WITHOUT_NODE();
  std::vector<std::pair<std::string, std::string>> cases = {
      {std::string(kDevPhrase), ""},
      {std::string(kDevPhrase), "hunter2"},
      {"legal winner thank year wave sausage worth useful legal winner thank yellow", "TREZOR"},
  };
  for (int words : {12, 15, 18, 21, 24, 12, 24, 12}) {
    auto phrase = GenerateMnemonic(words);
    ASSERT_TRUE(phrase.ok());
    cases.emplace_back(*phrase, words == 24 ? "pass word" : "");
  }
  std::vector<JsonObject> requests;
  for (const auto& [phrase, password] : cases) {
    requests.push_back({{"op", "mnemonic"}, {"phrase", phrase}, {"password", password}});
  }
  const auto answers = AskNode(requests);
  ASSERT_EQ(answers.size(), requests.size());
  for (size_t i = 0; i < answers.size(); ++i) {
    const auto& [phrase, password] = cases[i];
    auto entropy = MnemonicToEntropy(phrase);
    auto mini = MiniSecretFromMnemonic(phrase, password);
    ASSERT_TRUE(entropy.ok() && mini.ok()) << phrase;
    const Keypair keypair = Keypair::FromMiniSecret(*mini);
    EXPECT_EQ(Verdict(answers[i], "valid"), "true") << phrase;
    EXPECT_EQ(Str(answers[i], "entropy"), HexOf(std::string(entropy->begin(), entropy->end())));
    EXPECT_EQ(Str(answers[i], "mini_secret"), HexOf(*mini)) << phrase;
    EXPECT_EQ(Str(answers[i], "mini_secret_js"), HexOf(*mini)) << phrase;
    EXPECT_EQ(Str(answers[i], "public"), HexOf(keypair.public_key().bytes())) << phrase;
    EXPECT_EQ(Str(answers[i], "ss58"), Ss58Encode(keypair.public_key().bytes())) << phrase;
  }
}

TEST(Sr25519InteropTest, DerivationPathsMatchPolkadotJsAndSchnorrkel) {
  SKIP_WITHOUT_NODE();
  const std::string dev(kDevPhrase);
  // Numbers beyond u64 are left out: Substrate encodes them as text, polkadot-js as a
  // 256-bit number.
  const std::vector<std::string> uris = {
      dev + "//Alice",
      dev + "//Alice//stash",
      dev + "/soft",
      dev + "//0/1//2",
      dev + "//18446744073709551615",
      dev + "//a-very-long-junction-name-that-needs-hashing-to-32-bytes",
      dev + "/soft/softer//hard",
      dev + "//Alice///pw",
      dev + "///only-a-password",
      "0x5cb9063bc28a07f7444dbb29b6fc15b802b141a4e7dd5c932f2981be69e127e7//hard/soft",
  };
  std::vector<JsonObject> requests;
  for (const std::string& uri : uris) requests.push_back({{"op", "uri"}, {"uri", uri}});
  const auto answers = AskNode(requests);
  ASSERT_EQ(answers.size(), requests.size());
  for (size_t i = 0; i < answers.size(); ++i) {
    auto keypair = KeypairFromUri(uris[i]);
    ASSERT_TRUE(keypair.ok()) << uris[i] << ": " << keypair.error().message;
    const std::string public_hex = HexOf(keypair->public_key().bytes());
    EXPECT_EQ(Str(answers[i], "public"), public_hex) << uris[i];
    EXPECT_EQ(Str(answers[i], "schnorrkel_public"), public_hex) << uris[i];
    EXPECT_EQ(Str(answers[i], "ss58"), Ss58Encode(keypair->public_key().bytes())) << uris[i];
  }
}

TEST(Sr25519InteropTest, SoftPublicDerivationMatches) {
  SKIP_WITHOUT_NODE();
  Rng rng(20240606);
  std::vector<JsonObject> requests;
  std::vector<std::pair<PublicKey, ChainCode>> inputs;
  for (int i = 0; i < 50; ++i) {
    inputs.emplace_back(Keypair::FromMiniSecret(RandomArray<32>(rng)).public_key(),
                        RandomArray<32>(rng));
    requests.push_back({{"op", "soft_public"},
                        {"public", HexOf(inputs.back().first.bytes())},
                        {"chain_code", HexOf(inputs.back().second)}});
  }
  const auto answers = AskNode(requests);
  ASSERT_EQ(answers.size(), requests.size());
  for (size_t i = 0; i < answers.size(); ++i) {
    const std::string expected = HexOf(DeriveSoftPublic(inputs[i].first, inputs[i].second).bytes());
    EXPECT_EQ(Str(answers[i], "scure"), expected);
    EXPECT_EQ(Str(answers[i], "schnorrkel"), expected);
  }
}

TEST(Sr25519InteropTest, Ss58DecodingAgreesOnValidAndInvalidAddresses) {
  SKIP_WITHOUT_NODE();
  const std::vector<std::string> addresses = {
      "5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV",  // valid
      "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY",  // valid
      "5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzW",  // checksum
      "5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRz",   // truncated
      "5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRz0",  // bad character
  };
  std::vector<JsonObject> requests;
  for (const std::string& a : addresses)
    requests.push_back({{"op", "ss58_decode"}, {"address", a}});
  const auto answers = AskNode(requests);
  ASSERT_EQ(answers.size(), requests.size());
  for (size_t i = 0; i < answers.size(); ++i) {
    auto decoded = Ss58Decode(addresses[i]);
    EXPECT_EQ(decoded.ok(), answers[i].contains("public")) << addresses[i];
    if (decoded.ok()) {
      EXPECT_EQ(Str(answers[i], "public"), HexOf(*decoded));
    }
  }
}

}  // namespace
}  // namespace orchestra::crypto
