#include "orchestra/net/http_message.h"

#include <gtest/gtest.h>

#include <string>

namespace orchestra::net {
namespace {

// RFC 9110 §5.6.2: token = 1*tchar.
TEST(HttpMessageTest, TokensAreExactlyTheTcharStrings) {
  const std::string tchars =
      "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  for (int c = 0; c < 256; ++c) {
    const std::string one(1, static_cast<char>(c));
    EXPECT_EQ(IsHttpToken(one), tchars.find(static_cast<char>(c)) != std::string::npos) << c;
  }
  EXPECT_TRUE(IsHttpToken("bt_header_axon_hotkey"));
  EXPECT_FALSE(IsHttpToken(""));
  EXPECT_FALSE(IsHttpToken("content type"));
  EXPECT_FALSE(IsHttpToken("name:"));
}

TEST(HttpMessageTest, SafeFieldsHaveATokenNameAndNoLineBreakOrNulInTheValue) {
  EXPECT_TRUE(IsSafeHeaderField("computed_body_hash", "a7ffc6f8 bf1e\t…"));
  EXPECT_TRUE(IsSafeHeaderField("x", ""));
  EXPECT_FALSE(IsSafeHeaderField("x", "a\r\nInjected: yes"));
  EXPECT_FALSE(IsSafeHeaderField("x", "a\nb"));
  EXPECT_FALSE(IsSafeHeaderField("x", "a\rb"));
  EXPECT_FALSE(IsSafeHeaderField("x", std::string("a\0b", 3)));
  EXPECT_FALSE(IsSafeHeaderField("bad name", "value"));
  EXPECT_FALSE(IsSafeHeaderField("", "value"));
}

TEST(HttpMessageTest, HeaderLookupIgnoresCase) {
  HttpRequest request;
  request.headers = {{"Content-Type", "application/json"}, {"name", "Echo"}};
  EXPECT_EQ(request.Header("content-type"), "application/json");
  EXPECT_EQ(request.Header("NAME"), "Echo");
  EXPECT_EQ(request.Header("missing"), "");
  HttpResponse response;
  response.headers = {{"Connection", "close"}};
  EXPECT_EQ(response.Header("connection"), "close");
}

}  // namespace
}  // namespace orchestra::net
