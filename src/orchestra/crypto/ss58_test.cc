#include "orchestra/crypto/ss58.h"

#include <gtest/gtest.h>

#include <string>

#include "orchestra/crypto/base58.h"
#include "orchestra/crypto/test_util.h"

namespace orchestra::crypto {
namespace {

using testing::HexOf;
using testing::Unhex;
using testing::UnhexArray;

constexpr std::string_view kDevPublic =
    "46ebddef8cd9bb167dc30878d7113b7e168e6f0646beffd77d69d39bad76b47a";
constexpr std::string_view kDevAddress = "5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV";
// Alice of Substrate's dev accounts, under prefix 42 and under Polkadot's prefix 0.
constexpr std::string_view kAlicePublic =
    "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d";
constexpr std::string_view kAliceAddress = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
constexpr std::string_view kAlicePolkadot = "15oF4uVJwmo4TdGW7VfQxNLavjCXviqxT9S1MgbjMNHr6Sp5";

TEST(Base58Test, EncodesBitcoinStyle) {
  EXPECT_EQ(Base58Encode(""), "");
  EXPECT_EQ(Base58Encode(std::string("\0\0\x01", 3)), "112");
  EXPECT_EQ(Base58Encode("hello world"), "StV1DL6CwTryKyV");
  auto decoded = Base58Decode("StV1DL6CwTryKyV");
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(std::string(decoded->begin(), decoded->end()), "hello world");
  auto zeros = Base58Decode("112");
  ASSERT_TRUE(zeros.ok());
  EXPECT_EQ(*zeros, (std::vector<uint8_t>{0, 0, 1}));
}

TEST(Base58Test, NamesTheBadCharacterAndPosition) {
  auto bad = Base58Decode("abc0def");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kParse);
  EXPECT_NE(bad.error().message.find("'0' at position 3"), std::string::npos)
      << bad.error().message;
  auto control = Base58Decode(std::string("ab\x01", 3));
  ASSERT_FALSE(control.ok());
  EXPECT_NE(control.error().message.find("byte 0x01 at position 2"), std::string::npos)
      << control.error().message;
  EXPECT_FALSE(Base58Decode(std::string(300, '2')).ok());
}

TEST(Ss58Test, EncodesProtocolVector) {
  EXPECT_EQ(Ss58Encode(UnhexArray<32>(kDevPublic)), kDevAddress);
  EXPECT_EQ(Ss58Encode(UnhexArray<32>(kAlicePublic)), kAliceAddress);
  EXPECT_EQ(Ss58Encode(UnhexArray<32>(kAlicePublic), 0), kAlicePolkadot);
  // Two-byte prefix form, as @polkadot/util-crypto's encodeAddress writes it.
  EXPECT_EQ(Ss58Encode(UnhexArray<32>(kAlicePublic), 1284),
            "VdvKmYJfD4VXA9fzz1SbmCo2eYHSzUFbaDCZSuaNKJAe8YNg6");
}

TEST(Ss58Test, DecodesProtocolVector) {
  auto account = Ss58Decode(kDevAddress);
  ASSERT_TRUE(account.ok()) << account.error().message;
  EXPECT_EQ(HexOf(*account), kDevPublic);
}

TEST(Ss58Test, RoundTripsTwoBytePrefixes) {
  const AccountId account = UnhexArray<32>(kAlicePublic);
  for (uint16_t prefix : {0, 2, 42, 63, 64, 255, 1284, 16383}) {
    const std::string address = Ss58Encode(account, prefix);
    auto decoded = Ss58DecodeAnyPrefix(address);
    ASSERT_TRUE(decoded.ok()) << prefix << ": " << decoded.error().message;
    EXPECT_EQ(decoded->prefix, prefix);
    EXPECT_EQ(decoded->account, account);
  }
}

void ExpectError(std::string_view address, ErrorCode code, std::string_view why) {
  auto decoded = Ss58Decode(address);
  ASSERT_FALSE(decoded.ok()) << address;
  EXPECT_EQ(decoded.error().code, code);
  EXPECT_NE(decoded.error().message.find(why), std::string::npos) << decoded.error().message;
}

TEST(Ss58ErrorsTest, Empty) { ExpectError("", ErrorCode::kParse, "empty"); }

TEST(Ss58ErrorsTest, CharacterOutsideBase58) {
  // 'l' is not in the alphabet (nor are 0, O, I).
  ExpectError("5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzl", ErrorCode::kParse,
              "'l' at position 47 is not a base58 character");
  ExpectError("5DfhGyQdF0bKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV", ErrorCode::kParse,
              "'0' at position 9");
  ExpectError(" 5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV", ErrorCode::kParse, "position 0");
}

TEST(Ss58ErrorsTest, WrongLength) {
  ExpectError(kDevAddress.substr(0, 47), ErrorCode::kParse, "decodes to 34 bytes");
  ExpectError(std::string(kDevAddress) + "2", ErrorCode::kParse, "decodes to 36 bytes but");
  ExpectError("2", ErrorCode::kParse, "decodes to 1 bytes");
}

TEST(Ss58ErrorsTest, BadChecksum) {
  ExpectError("5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzW", ErrorCode::kParse,
              "checksum mismatch");
  ExpectError("5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRyV", ErrorCode::kParse,
              "checksum mismatch");
}

TEST(Ss58ErrorsTest, UnexpectedPrefix) {
  ExpectError(kAlicePolkadot, ErrorCode::kInvalidArgument, "network prefix 0, expected 42");
}

TEST(Ss58ErrorsTest, ReservedPrefixByte) {
  const std::string body = std::string(1, '\x80') + Unhex(kDevPublic) + "ab";
  ExpectError(Base58Encode(body), ErrorCode::kParse, "reserved");
}

TEST(Ss58ErrorsTest, NonCanonicalTwoBytePrefix) {
  // Prefix 42 in the two-byte form: 0x40 | (42 >> 2), (42 & 3) << 6.
  std::string body = std::string("\x4a\x80", 2) + Unhex(kDevPublic);
  body += "cc";
  auto decoded = Ss58DecodeAnyPrefix(Base58Encode(body));
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.error().message.find("two-byte form"), std::string::npos)
      << decoded.error().message;
}

TEST(Ss58ErrorsTest, SurvivesEveryByteValue) {
  for (int c = 0; c < 256; ++c) {
    std::string text(kDevAddress);
    text[10] = static_cast<char>(c);
    auto decoded = Ss58Decode(text);
    if (static_cast<char>(c) == kDevAddress[10]) {
      EXPECT_TRUE(decoded.ok());
    } else {
      EXPECT_FALSE(decoded.ok()) << c;
    }
  }
}

}  // namespace
}  // namespace orchestra::crypto
