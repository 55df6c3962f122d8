#include "orchestra/protocol/receipt.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "orchestra/core/hash.h"
#include "orchestra/crypto/hex.h"
#include "orchestra/crypto/ss58.h"

namespace orchestra::protocol {
namespace {

struct Fixture {
  crypto::Keypair expert = crypto::Keypair::FromMiniSecret(crypto::MiniSecret{7});
  std::string expert_ss58 = crypto::Ss58Encode(expert.public_key().bytes());
  Json query = JsonObject{{"query", "decentralized compute"}, {"max_results", 20}};
  Json response = JsonObject{{"results", JsonArray{}}, {"total_found", 0}};
  ReceiptExpectation expectation{"0xchallenge", "5Miner", 1, query, response, "", 1000, 2000};

  Receipt Issue() {
    const std::string request_hash = CanonicalHash(query);
    return IssueReceipt(expert, expert_ss58, LockFor("0xchallenge", "5Miner", 1, request_hash),
                        request_hash, response, 0.002, 1500);
  }
};

TEST(ReceiptTest, IssuedReceiptVerifiesAndRoundTripsThroughJson) {
  Fixture f;
  Receipt r = f.Issue();
  EXPECT_TRUE(IsPrefixedHash256(r.Hash()));
  ASSERT_TRUE(VerifyReceipt(r, f.expectation).ok())
      << VerifyReceipt(r, f.expectation).error().message;
  auto back = ReceiptFromJson(ToJson(r));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->Hash(), r.Hash());
  EXPECT_TRUE(VerifyReceipt(*back, f.expectation).ok());
}

// The signed hash is the canonical hash of five of the fields; Hash() writes that form
// directly, so it must agree with CanonicalHash on prices, escapes and extreme values.
TEST(ReceiptTest, HashIsTheCanonicalHashOfTheSignedFields) {
  for (double price : {0.0, 0.002, 1.0, 1e-05, 123456.789, 1e16}) {
    for (const char* hotkey : {"5Expert", "quote\" back\\ nl\n ctl\x01 é"}) {
      for (int64_t issued_at_ms : {int64_t{0}, int64_t{1732368000123}, INT64_MIN}) {
        Receipt r;
        r.lock = "0x" + std::string(64, 'a');
        r.response_hash = "0x" + std::string(64, 'b');
        r.request_hash = "0x" + std::string(64, 'c');  // not signed
        r.expert_hotkey = hotkey;
        r.issued_at_ms = issued_at_ms;
        r.price = price;
        EXPECT_EQ(r.Hash(), CanonicalHash(JsonObject{{"lock", r.lock},
                                                     {"response_hash", r.response_hash},
                                                     {"expert_hotkey", r.expert_hotkey},
                                                     {"issued_at_ms", r.issued_at_ms},
                                                     {"price", r.price}}))
            << price << " " << hotkey << " " << issued_at_ms;
      }
    }
  }
}

// The receipt store keeps CanonicalReceiptJson(receipt), written directly: the same bytes as the
// generic writer, on escapes, prices, extreme times and an empty lock (unproven calls).
TEST(ReceiptTest, CanonicalJsonEqualsTheGenericCanonicalForm) {
  Fixture f;
  std::vector<Receipt> receipts = {f.Issue()};
  for (double price : {0.0, 1e-05, 123456.789, 1e16}) {
    for (const char* text : {"", "quote\" back\\ nl\n ctl\x01 \xc3\xa9"}) {
      for (int64_t issued_at_ms : {int64_t{0}, INT64_MIN, INT64_MAX}) {
        Receipt r = receipts.front();
        r.lock = text;
        r.signature = std::string("0x") + text;
        r.expert_hotkey = text;
        r.price = price;
        r.issued_at_ms = issued_at_ms;
        receipts.push_back(r);
      }
    }
  }
  for (const Receipt& r : receipts) {
    EXPECT_EQ(CanonicalReceiptJson(r), CanonicalJson(ToJson(r))) << r.lock << " " << r.price;
  }
}

TEST(ReceiptTest, TamperedFieldsFailWithTheReason) {
  Fixture f;
  Receipt price = f.Issue();
  price.price = 0.001;
  EXPECT_NE(VerifyReceipt(price, f.expectation).error().message.find("signature"),
            std::string::npos);

  Receipt good = f.Issue();
  ReceiptExpectation other_miner = f.expectation;
  other_miner.miner_hotkey = "5Thief";
  EXPECT_NE(VerifyReceipt(good, other_miner).error().message.find("lock"), std::string::npos);

  ReceiptExpectation other_step = f.expectation;
  other_step.step = 2;
  EXPECT_FALSE(VerifyReceipt(good, other_step).ok());

  ReceiptExpectation late = f.expectation;
  late.window_start_ms = 1600;
  EXPECT_NE(VerifyReceipt(good, late).error().message.find("window"), std::string::npos);

  ReceiptExpectation other_answer = f.expectation;
  other_answer.response = JsonObject{{"results", JsonArray{"forged"}}, {"total_found", 1}};
  EXPECT_NE(VerifyReceipt(good, other_answer).error().message.find("response_hash"),
            std::string::npos);

  ReceiptExpectation other_query = f.expectation;
  other_query.query = JsonObject{{"query", "something else"}};
  EXPECT_NE(VerifyReceipt(good, other_query).error().message.find("request_hash"),
            std::string::npos);
}

TEST(ReceiptTest, SignatureByAnotherKeyFails) {
  Fixture f;
  Receipt r = f.Issue();
  auto impostor = crypto::Keypair::FromMiniSecret(crypto::MiniSecret{9});
  r.expert_hotkey = crypto::Ss58Encode(impostor.public_key().bytes());
  EXPECT_FALSE(VerifyReceipt(r, f.expectation).ok());
  ReceiptExpectation registered = f.expectation;
  registered.expert_hotkey = f.expert_ss58;
  EXPECT_TRUE(VerifyReceipt(f.Issue(), registered).ok());
}

// Vectors computed outside the project, with the commands that made them:
//   python3: H(v) = "0x" + hashlib.blake2b(json.dumps(v, sort_keys=True, separators=(",", ":"),
//            ensure_ascii=False).encode(), digest_size=32).hexdigest()
//   node (tests/interop): blake2AsHex(canonical, 256) of @polkadot/util-crypto gives the same
//   digests; the signature is @scure/sr25519's sign(secretFromSeed(seed), hexToU8a(hash)) (the
//   32 raw bytes, as btwallet's Keypair.sign does with a "0x…" string) with
//   seed = 07 00 … 00 (our Keypair::FromMiniSecret(MiniSecret{7})), address encodeAddress(pub).
constexpr std::string_view kMiner = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
constexpr std::string_view kChallenge = "0x6f7263686573747261";
constexpr std::string_view kRequestHash =
    "0xde28b715f0ec6db1f45b2503ea0f271c451bb515fc7f0ae171252c2fd1b077a2";
constexpr std::string_view kLock =
    "0x2890381a191c7607ca084cf95be1b27dc7c5196a5251a0ba3a45c46107453b1d";
constexpr std::string_view kResponseHash =
    "0xd1e7acf3f80a93471d326753d27b7f4a6e93049ec46dfe5838dcab58eac3a5ae";
constexpr std::string_view kExpert = "5DFuJMgwAeVueeEvT1o2BvbzUaoYxAisnoUcdmcTSkUr3NNf";
constexpr int64_t kIssuedAt = 1765000000123;

Json VectorQuery() { return JsonObject{{"query", "decentralized compute"}, {"max_results", 20}}; }

Json VectorResponse() {
  return JsonObject{{"results", JsonArray{JsonObject{{"title", "Akash Network — décentralisé"},
                                                     {"url", "https://akash.network"},
                                                     {"score", 0.8125}}}},
                    {"total_found", 1}};
}

// The receipt as an independent implementation signed it.
Receipt VectorReceipt() {
  Receipt r;
  r.lock = std::string(kLock);
  r.request_hash = std::string(kRequestHash);
  r.response_hash = std::string(kResponseHash);
  r.expert_hotkey = std::string(kExpert);
  r.issued_at_ms = kIssuedAt;
  r.price = 0.002;
  r.signature =
      "0x0c20faf5d5b27c8bc14c163246a190ae12b2be3e79d03d2da866601443ed4c3c73a35b6684a4e8c0761fbad"
      "f6664095af59145e967a065c76de02315d1f88e80";
  return r;
}

ReceiptExpectation VectorExpectation() {
  return {std::string(kChallenge), std::string(kMiner), 1,
          VectorQuery(),           VectorResponse(),    std::string(kExpert),
          kIssuedAt - 123,         kIssuedAt + 877};
}

TEST(ReceiptVectorTest, LockAndRequestHashEqualPythons) {
  EXPECT_EQ(CanonicalHash(VectorQuery()), kRequestHash);
  EXPECT_EQ(CanonicalHash(VectorResponse()), kResponseHash);
  EXPECT_EQ(LockFor(kChallenge, kMiner, 1, kRequestHash), kLock);
  EXPECT_EQ(LockFor("d\xc3\xa9"
                    "fi-\xe2\x9c\x93",
                    kMiner, 0, kRequestHash),
            "0xe7f36a1d8e74828a460c7fac143a8753757c122e236bb6eea7cc0e66813ec6a6");
}

TEST(ReceiptVectorTest, HashEqualsPythonsForPricesAndTimes) {
  Receipt r = VectorReceipt();
  r.expert_hotkey = "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty";
  const struct {
    double price;
    int64_t issued_at_ms;
    std::string_view hash;
  } vectors[] = {
      {0.002, kIssuedAt, "0x5657f2a5cab04448c0ecfd4939579ff1458a03926be41fac0ca56582ab969545"},
      {1e-05, 0, "0x654f7290858d8798fa99228339ca851530298793ccb87601247523281f171262"},
      {1.0, kIssuedAt, "0x9488c4130cf6d5535f21032c5d270941595452035e3ef557d34de9934e9b0a0b"},
  };
  for (const auto& v : vectors) {
    r.price = v.price;
    r.issued_at_ms = v.issued_at_ms;
    EXPECT_EQ(r.Hash(), v.hash) << v.price << " " << v.issued_at_ms;
  }
}

TEST(ReceiptVectorTest, ReceiptSignedByAnIndependentImplementationVerifies) {
  const auto expert = crypto::Keypair::FromMiniSecret(crypto::MiniSecret{7});
  EXPECT_EQ(crypto::Ss58Encode(expert.public_key().bytes()), kExpert);
  const Receipt r = VectorReceipt();
  EXPECT_EQ(r.Hash(), "0x8b06e5b242ba261bfd987653f2fb9f80cd289c0baacc9dc5c448ac5ab1e4bfd9");
  const Status verdict = VerifyReceipt(r, VectorExpectation());
  EXPECT_TRUE(verdict.ok()) << verdict.error().message;
}

// The trap the raw-bytes rule closes: a receipt signed over the ASCII "0x…" text of its hash (what
// this project did before, and what a naive port would do) is not a valid receipt, whoever
// signed it. Python's btwallet would check the 32 raw bytes and refuse it; so do we.
TEST(ReceiptVectorTest, SignatureOverTheHashTextDoesNotVerify) {
  Receipt r = VectorReceipt();
  // @scure/sr25519's sign(secretFromSeed(07 00 … 00), utf8("0x8b06…bfd9")), the same key.
  r.signature =
      "0x747820381438750cc255719e7304d6381f3c8d92869ec0f68c2e30d712210b4abbfc100b9f418633100b4b0"
      "6b740479a08ab8052a4774e62e9dfb3ee973fa682";
  EXPECT_EQ(VerifyReceipt(r, VectorExpectation()).error().message,
            "signature does not verify against " + std::string(kExpert));

  // Signed here too: our key, the text of Hash() against the raw bytes of HashBytes().
  const auto expert = crypto::Keypair::FromMiniSecret(crypto::MiniSecret{7});
  const auto over_text = crypto::Sign(expert, r.Hash());
  r.signature = PrefixedHex(over_text.data(), over_text.size());
  EXPECT_FALSE(VerifyReceipt(r, VectorExpectation()).ok());
  const auto over_bytes = crypto::Sign(expert, crypto::AsBytes(r.HashBytes()));
  r.signature = PrefixedHex(over_bytes.data(), over_bytes.size());
  EXPECT_TRUE(VerifyReceipt(r, VectorExpectation()).ok());
}

// An issued receipt's signature is over the raw bytes, checked with the bare sr25519 verifier
// (what btwallet's Keypair.verify("0x…", sig) does after hex-decoding the string).
TEST(ReceiptTest, IssuedSignatureCoversTheRawHashBytes) {
  Fixture f;
  const Receipt r = f.Issue();
  auto signature = crypto::DecodeHex(r.signature);
  ASSERT_TRUE(signature.ok());
  const std::string_view sig(reinterpret_cast<const char*>(signature->data()), signature->size());
  const auto key = crypto::AsBytes(f.expert.public_key().bytes());
  EXPECT_TRUE(crypto::Verify(key, crypto::AsBytes(r.HashBytes()), sig).ok());
  EXPECT_FALSE(crypto::Verify(key, r.Hash(), sig).ok());
  EXPECT_EQ(PrefixedHex(r.HashBytes()), r.Hash());
}

// Each field of a receipt, changed alone, fails verification, and the message names the check.
// Signed fields fail the signature; a receipt re-signed by the expert over a changed field fails
// the check that binds that field.
TEST(ReceiptVectorTest, EveryChangedFieldFailsWithItsReason) {
  const ReceiptExpectation expected = VectorExpectation();
  auto reason = [&](const Receipt& r, const ReceiptExpectation& e) {
    const Status verdict = VerifyReceipt(r, e);
    return verdict.ok() ? std::string("verified") : verdict.error().message;
  };
  const auto expert = crypto::Keypair::FromMiniSecret(crypto::MiniSecret{7});
  auto resign = [&](Receipt r) {
    const auto signature = crypto::Sign(expert, crypto::AsBytes(r.HashBytes()));
    r.signature = PrefixedHex(signature.data(), signature.size());
    return r;
  };
  const std::string zeros = "0x" + std::string(64, '0');
  const Receipt good = VectorReceipt();
  ASSERT_EQ(reason(good, expected), "verified");

  const std::string bad_signature = "signature does not verify against " + std::string(kExpert);
  Receipt r = good;
  r.lock = zeros;
  EXPECT_EQ(reason(r, expected), bad_signature);
  EXPECT_EQ(reason(resign(r), expected),
            "lock does not bind this challenge, miner, step and request");
  r = good;
  r.response_hash = zeros;
  EXPECT_EQ(reason(r, expected), bad_signature);
  EXPECT_EQ(reason(resign(r), expected), "response_hash does not match the reported answer");
  r = good;
  r.issued_at_ms = kIssuedAt + 1000;
  EXPECT_EQ(reason(r, expected), bad_signature);
  EXPECT_EQ(reason(resign(r), expected),
            "issued_at_ms 1765000001123 lies outside the challenge window [1765000000000, "
            "1765000001000]");
  r = good;
  r.price = 0.0002;
  EXPECT_EQ(reason(r, expected), bad_signature);
  EXPECT_EQ(reason(resign(r), expected), "verified");  // the price is the expert's to set
  r = good;
  r.request_hash = zeros;  // not signed: bound through the lock and the reported query
  EXPECT_EQ(reason(r, expected), "request_hash does not match the reported query");
  r = good;
  r.signature[10] = r.signature[10] == '0' ? '1' : '0';
  EXPECT_EQ(reason(r, expected), bad_signature);
  r = good;
  r.signature = "0x1234";  // too short to be a signature
  EXPECT_EQ(reason(r, expected), bad_signature);
  r.signature = "0xzz";
  EXPECT_NE(reason(r, expected).find("receipt signature"), std::string::npos)
      << reason(r, expected);

  // The expert who signed must be the one the step names (its registered hotkey).
  const auto impostor = crypto::Keypair::FromMiniSecret(crypto::MiniSecret{9});
  const std::string impostor_ss58 = crypto::Ss58Encode(impostor.public_key().bytes());
  Receipt forged = IssueReceipt(impostor, impostor_ss58, kLock, kRequestHash, VectorResponse(),
                                0.002, kIssuedAt);
  EXPECT_EQ(reason(forged, expected), "receipt signed by " + impostor_ss58 +
                                          ", but the step names expert " + std::string(kExpert));
  r = good;
  r.expert_hotkey = impostor_ss58;
  EXPECT_EQ(reason(r, expected), "receipt signed by " + impostor_ss58 +
                                     ", but the step names expert " + std::string(kExpert));

  // And the expectation's side: another challenge, miner, step, query, answer or window.
  ReceiptExpectation e = expected;
  e.challenge_id = "0x00";
  EXPECT_EQ(reason(good, e), "lock does not bind this challenge, miner, step and request");
  e = expected;
  e.miner_hotkey = std::string(kExpert);
  EXPECT_EQ(reason(good, e), "lock does not bind this challenge, miner, step and request");
  e = expected;
  e.step = 2;
  EXPECT_EQ(reason(good, e), "lock does not bind this challenge, miner, step and request");
  e = expected;
  e.query.as_object()["max_results"] = 21;
  EXPECT_EQ(reason(good, e), "request_hash does not match the reported query");
  e = expected;
  e.response.as_object()["total_found"] = 2;
  EXPECT_EQ(reason(good, e), "response_hash does not match the reported answer");
  e = expected;
  e.window_start_ms = kIssuedAt + 1;
  EXPECT_NE(reason(good, e).find("outside the challenge window"), std::string::npos);
  e = expected;
  e.window_end_ms = kIssuedAt - 1;
  EXPECT_NE(reason(good, e).find("outside the challenge window"), std::string::npos);
}

TEST(ReceiptFromJsonTest, NamesTheBadField) {
  Fixture f;
  Json j = ToJson(f.Issue());
  j.as_object()["lock"] = "0x12";
  EXPECT_EQ(ReceiptFromJson(j).error().message, "receipt.lock: must be 0x + 64 lower-case hex");
  j = ToJson(f.Issue());
  j.as_object()["expert_hotkey"] = "not-an-address";
  EXPECT_EQ(ReceiptFromJson(j).error().message, "receipt.expert_hotkey: must be an SS58 address");
}

}  // namespace
}  // namespace orchestra::protocol
