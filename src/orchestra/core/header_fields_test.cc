#include "orchestra/core/header_fields.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <string>
#include <vector>

namespace orchestra {
namespace {

using Field = HeaderFields::Field;

static_assert(std::random_access_iterator<HeaderFields::Iterator>);

std::vector<Field> Fields(const HeaderFields& headers) {
  return std::vector<Field>(headers.begin(), headers.end());
}

TEST(HeaderFieldsTest, KeepsOrderCaseAndRepeats) {
  HeaderFields headers = {{"Content-Type", "application/json"}, {"name", "Echo"}};
  headers.Add("name", "again");
  headers.Add("", "");
  headers.Add("bt_header_axon_", "nonce", "1732368000123456789");
  EXPECT_EQ(Fields(headers), (std::vector<Field>{{"Content-Type", "application/json"},
                                                 {"name", "Echo"},
                                                 {"name", "again"},
                                                 {"", ""},
                                                 {"bt_header_axon_nonce", "1732368000123456789"}}));
  ASSERT_EQ(headers.size(), 5u);
  EXPECT_EQ(headers[4].first, "bt_header_axon_nonce");
  EXPECT_EQ(headers.Find("BT_HEADER_AXON_NONCE"), "1732368000123456789");
  EXPECT_EQ(headers.text_size(), std::string("Content-Typeapplication/jsonnameEchonameagain"
                                             "bt_header_axon_nonce1732368000123456789")
                                     .size());
}

TEST(HeaderFieldsTest, FindIgnoresCaseAndTakesTheFirst) {
  HeaderFields headers = {{"Content-Type", "application/json"}, {"name", "Echo"}, {"NAME", "2"}};
  EXPECT_EQ(headers.Find("content-type"), "application/json");
  EXPECT_EQ(headers.Find("NAME"), "Echo");
  EXPECT_EQ(headers.Find("missing"), "");
  EXPECT_EQ(headers.Find("nam"), "");
  EXPECT_EQ(HeaderFields().Find("name"), "");
}

// Views are into one buffer: growing it many times over must leave every field intact.
TEST(HeaderFieldsTest, FieldsSurviveGrowth) {
  HeaderFields headers;
  for (int i = 0; i < 500; ++i) {
    headers.Add("bt_header_input_obj_field_" + std::to_string(i),
                std::string(i % 40, 'a' + i % 26));
  }
  ASSERT_EQ(headers.size(), 500u);
  for (int i = 0; i < 500; ++i) {
    EXPECT_EQ(headers[i].first, "bt_header_input_obj_field_" + std::to_string(i));
    EXPECT_EQ(headers[i].second, std::string(i % 40, 'a' + i % 26));
  }
  EXPECT_EQ(headers.end() - headers.begin(), 500);
  EXPECT_EQ(std::count_if(headers.begin(), headers.end(),
                          [](const Field& f) { return f.second.empty(); }),
            13);  // i % 40 == 0
}

TEST(HeaderFieldsTest, CopiesAreIndependentAndCompareByContent) {
  HeaderFields a = {{"x", "1"}, {"y", "2"}};
  HeaderFields b = a;
  EXPECT_EQ(a, b);
  b.Add("z", "3");
  EXPECT_NE(a, b);
  EXPECT_EQ(a.size(), 2u);
  EXPECT_NE(a, (HeaderFields{{"x", "1"}, {"Y", "2"}}));  // names compare exactly
  EXPECT_NE((HeaderFields{{"x", "1y"}, {"", "2"}}), a);  // same bytes, other split
  HeaderFields moved = std::move(b);
  EXPECT_EQ(moved[2], Field("z", "3"));
  moved.Clear();
  EXPECT_TRUE(moved.empty());
  EXPECT_EQ(moved.text_size(), 0u);
  moved.Add("after", "clear");
  EXPECT_EQ(Fields(moved), (std::vector<Field>{{"after", "clear"}}));
}

}  // namespace
}  // namespace orchestra
