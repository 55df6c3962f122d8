#include "orchestra/protocol/receipt.h"

#include <gtest/gtest.h>

#include <vector>

#include "orchestra/core/hash.h"
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
  EXPECT_NE(VerifyReceipt(f.Issue(), registered).ok(), false);
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
