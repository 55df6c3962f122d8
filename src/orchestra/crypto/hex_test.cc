#include "orchestra/crypto/hex.h"

#include <gtest/gtest.h>

#include <cctype>
#include <string>
#include <vector>

namespace orchestra::crypto {
namespace {

TEST(DecodeHexTest, EveryByteRoundTripsInEitherCaseWithOrWithoutPrefix) {
  std::string bytes;
  for (int b = 0; b < 256; ++b) bytes += static_cast<char>(b);
  const std::string prefixed = PrefixedHexOf(bytes);
  const std::vector<uint8_t> expected(bytes.begin(), bytes.end());
  std::string upper = prefixed;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const std::string& text : {prefixed, prefixed.substr(2), upper, upper.substr(2)}) {
    auto decoded = DecodeHex(text);
    ASSERT_TRUE(decoded) << decoded.error().message;
    EXPECT_EQ(*decoded, expected) << text.substr(0, 12);
  }
  EXPECT_TRUE(DecodeHex("")->empty());
  EXPECT_TRUE(DecodeHex("0x")->empty());
}

TEST(DecodeHexTest, NamesTheFirstNonDigitAndItsPosition) {
  // Every byte that is not a hex digit, at an even and at an odd position after the prefix.
  for (int b = 0; b < 256; ++b) {
    const char c = static_cast<char>(b);
    if (std::isxdigit(static_cast<unsigned char>(c))) continue;
    for (const std::string& text :
         {"0xab" + std::string(1, c) + "0cd", "0xa" + std::string(1, c)}) {
      auto decoded = DecodeHex(text, "signature");
      ASSERT_FALSE(decoded) << "byte " << b;
      EXPECT_EQ(decoded.error().code, ErrorCode::kParse);
      const std::string position = text.size() == 4 ? "3" : "4";
      EXPECT_NE(decoded.error().message.find("signature: "), std::string::npos);
      EXPECT_NE(decoded.error().message.find(" at position " + position + " is not a hex digit"),
                std::string::npos)
          << decoded.error().message;
    }
  }
  EXPECT_EQ(DecodeHex("12g4z6", "key").error().message,
            "key: 'g' at position 2 is not a hex digit");
  EXPECT_EQ(DecodeHex("12\x80", "key").error().message,
            "key: byte 0x80 at position 2 is not a hex digit");
}

TEST(DecodeHexTest, RejectsAnOddDigitCountAfterCheckingTheDigits) {
  EXPECT_EQ(DecodeHex("0xabc", "lock").error().message, "lock: odd number of hex digits (3)");
  EXPECT_EQ(DecodeHex("a").error().message, "hex: odd number of hex digits (1)");
  // A non-digit is reported before the odd count.
  EXPECT_EQ(DecodeHex("abz").error().message, "hex: 'z' at position 2 is not a hex digit");
}

TEST(DecodeHexTest, FixedSizeChecksTheLength) {
  const std::string hex32(64, 'a');
  auto ok = DecodeHexFixed<32>(hex32, "hash");
  ASSERT_TRUE(ok);
  EXPECT_EQ((*ok)[31], 0xaa);
  auto short_one = DecodeHexFixed<32>(hex32.substr(2), "hash");
  ASSERT_FALSE(short_one);
  EXPECT_EQ(short_one.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(short_one.error().message, "hash: expected 32 bytes, got 31");
}

}  // namespace
}  // namespace orchestra::crypto
