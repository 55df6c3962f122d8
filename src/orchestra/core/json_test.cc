#include "orchestra/core/json.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdlib>
#include <random>
#include <vector>

#include "orchestra/core/hash.h"

namespace orchestra {
namespace {

TEST(ParseJsonTest, ReportsLineAndColumnOfSyntaxError) {
  auto r = ParseJson("{\n  \"a\": 1,\n  \"b\": ]\n}", "--schema");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kParse);
  EXPECT_NE(r.error().message.find("--schema"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("line 3, column 8"), std::string::npos) << r.error().message;
}

TEST(ParseJsonTest, RejectsTrailingCharacters) {
  auto r = ParseJson("{} x");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("line 1, column 4"), std::string::npos) << r.error().message;
}

TEST(ParseJsonTest, RejectsTruncatedDocument) {
  auto r = ParseJson("{\"a\": [1, 2");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("ends too early"), std::string::npos) << r.error().message;
}

TEST(ParseJsonTest, RejectsInvalidUtf8) { EXPECT_FALSE(ParseJson("\"\xff\xfe\"").ok()); }

TEST(ParseJsonTest, RejectsNestingBeyondLimitButAcceptsItsEdge) {
  std::string ok_doc = std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']');
  EXPECT_TRUE(ParseJson(ok_doc).ok());
  std::string deep = std::string(kMaxJsonDepth + 1, '[') + std::string(kMaxJsonDepth + 1, ']');
  EXPECT_FALSE(ParseJson(deep).ok());
}

// Values Boost.JSON 1.81's own number parsing got a unit in the last place wrong; the first is
// the synapse timeout of issue 16. Each must come back as the same text (repr round trip).
TEST(ParseJsonTest, DoublesAreCorrectlyRounded) {
  for (const char* text : {"1.7777777777777778e+61", "0.6255604547863464", "0.9418036574669962",
                           "8.41e+21", "4.35679e-10", "2.2250738585072014e-308",
                           "1.7976931348623157e+308", "5e-324", "9007199254740993.0"}) {
    auto parsed = ParseJson(text);
    ASSERT_TRUE(parsed.ok()) << text << ": " << parsed.error().message;
    ASSERT_TRUE(parsed->is_double()) << text;
    EXPECT_EQ(parsed->get_double(), std::strtod(text, nullptr)) << text;
  }
  auto timeout = ParseJson("{\"timeout\": 1.7777777777777778e+61}");
  ASSERT_TRUE(timeout.ok());
  EXPECT_EQ(CanonicalJson(*timeout), "{\"timeout\":1.7777777777777778e+61}");
}

// Python's float() flushes underflow to zero or a subnormal, as strtod does.
TEST(ParseJsonTest, UnderflowBecomesZeroOrSubnormal) {
  auto tiny = ParseJson("[1e-400, -1e-400, 2.4703282292062328e-324]");
  ASSERT_TRUE(tiny.ok()) << tiny.error().message;
  EXPECT_EQ(CanonicalJson(*tiny), "[0.0,-0.0,5e-324]");
}

// A double split by the end of the input is completed by the end of input, not cut short.
TEST(ParseJsonTest, NumberRunningToTheEndOfTheInputIsWhole) {
  auto whole = ParseJson("0.30000000000000004");
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(CanonicalJson(*whole), "0.30000000000000004");
  auto integer = ParseJson("18446744073709551615");
  ASSERT_TRUE(integer.ok());
  EXPECT_EQ(CanonicalJson(*integer), "18446744073709551615");
}

// Integers keep every digit within int64/uint64; beyond, Python keeps them exactly and a double
// would not, so the document is refused, naming the number and where it starts.
TEST(ParseJsonTest, IntegersBeyondSixtyFourBitsAreRefusedWithTheirPlace) {
  auto edges = ParseJson("[-9223372036854775808, 9223372036854775807, 18446744073709551615, -0]");
  ASSERT_TRUE(edges.ok());
  EXPECT_EQ(CanonicalJson(*edges),
            "[-9223372036854775808,9223372036854775807,18446744073709551615,0]");

  auto big = ParseJson("{\n  \"id\": 18446744073709551616}", "answer");
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error().code, ErrorCode::kParse);
  EXPECT_EQ(big.error().message,
            "answer: integer 18446744073709551616 does not fit 64 bits at line 2, column 9");

  auto negative = ParseJson("[-9223372036854775809]");
  ASSERT_FALSE(negative.ok());
  EXPECT_NE(negative.error().message.find("-9223372036854775809 does not fit 64 bits at line 1, "
                                          "column 2"),
            std::string::npos)
      << negative.error().message;

  // At the very end of the input too (the number completes when the input ends).
  auto last = ParseJson(std::string(400, '7'));
  ASSERT_FALSE(last.ok());
  EXPECT_NE(last.error().message.find("(400 digits) does not fit 64 bits at line 1, column 1"),
            std::string::npos)
      << last.error().message;
}

TEST(ParseJsonTest, MagnitudesBeyondADoubleAreRefused) {
  for (const char* text : {"1e400", "[-1.5e309]", "{\"x\": 1e999999}"}) {
    auto r = ParseJson(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_NE(r.error().message.find("out of range"), std::string::npos) << r.error().message;
  }
}

// Doubles written the way Python's repr() writes them come back bit for bit (tests/: a million
// against Python itself; this one needs nothing outside the project).
TEST(ParseJsonTest, FormattedDoublesRoundTripBitExactly) {
  std::mt19937_64 rng(7);
  std::string text = "[";
  std::vector<double> values;
  while (values.size() < 200'000) {
    const double d = std::bit_cast<double>(rng());
    if (!std::isfinite(d)) continue;
    if (values.size()) text += ',';
    AppendDouble(text, d);
    values.push_back(d);
  }
  text += ']';
  auto parsed = ParseJson(text);
  ASSERT_TRUE(parsed.ok());
  size_t mismatches = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    if (std::bit_cast<uint64_t>(parsed->get_array()[i].get_double()) !=
        std::bit_cast<uint64_t>(values[i])) {
      ++mismatches;
    }
  }
  EXPECT_EQ(mismatches, 0u);
}

TEST(ParseJsonPrefixTest, ParsesTheFirstDocumentAndSaysWhereItEnded) {
  size_t consumed = 0;
  auto first = ParseJsonPrefix("{\"a\": 1.5} and more", "reply", &consumed);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(CanonicalJson(*first), "{\"a\":1.5}");
  EXPECT_EQ(consumed, 11u);
  auto number = ParseJsonPrefix("2.5", "reply", &consumed);
  ASSERT_TRUE(number.ok());
  EXPECT_EQ(number->get_double(), 2.5);
  auto bad = ParseJsonPrefix("[1, }", "reply", &consumed);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("reply: "), std::string::npos) << bad.error().message;
}

TEST(CanonicalJsonTest, SortsKeysAndDropsWhitespaceLikePython) {
  auto v = ParseJson(R"({"b": [1, 2.0, "x"], "a": {"d": null, "c": true}, "é": "ü\n"})");
  ASSERT_TRUE(v.ok());
  // python3 -c 'import json; print(json.dumps(v, sort_keys=True, separators=(",",":"),
  // ensure_ascii=False))'
  EXPECT_EQ(CanonicalJson(*v),
            "{\"a\":{\"c\":true,\"d\":null},\"b\":[1,2.0,\"x\"],\"é\":\"ü\\n\"}");
}

// The escaping of one byte, as json.dumps(..., ensure_ascii=False) writes it.
std::string EscapedByte(unsigned char c) {
  switch (c) {
    case '"':
      return "\\\"";
    case '\\':
      return "\\\\";
    case '\n':
      return "\\n";
    case '\r':
      return "\\r";
    case '\t':
      return "\\t";
    case '\b':
      return "\\b";
    case '\f':
      return "\\f";
    default:
      if (c < 0x20) return fmt::format("\\u{:04x}", c);
      return std::string(1, static_cast<char>(c));
  }
}

// Every byte value at every position of strings around the 16-byte blocks the scan reads, and
// runs of several escapes in a row.
TEST(AppendJsonStringTest, EscapesEveryByteAtEveryPosition) {
  for (size_t length : {1, 15, 16, 17, 31, 32, 33, 47}) {
    for (size_t at = 0; at < length; ++at) {
      for (int byte = 0; byte < 256; ++byte) {
        std::string text(length, 'a');
        text[at] = static_cast<char>(byte);
        std::string expected = "\"";
        for (char c : text) expected += EscapedByte(static_cast<unsigned char>(c));
        expected += '"';
        std::string out = "prefix:";
        AppendJsonString(out, text);
        ASSERT_EQ(out, "prefix:" + expected)
            << "length " << length << " at " << at << " byte " << byte;
      }
    }
  }
  std::string all;
  for (int byte = 0; byte < 256; ++byte) all += static_cast<char>(byte);
  std::string expected = "\"";
  for (char c : all) expected += EscapedByte(static_cast<unsigned char>(c));
  expected += '"';
  std::string out;
  AppendJsonString(out, all + all);
  EXPECT_EQ(out, expected.substr(0, expected.size() - 1) + expected.substr(1));
  out.clear();
  AppendJsonString(out, "");
  EXPECT_EQ(out, "\"\"");
}

TEST(FormatDoubleTest, MatchesPythonRepr) {
  EXPECT_EQ(FormatDouble(0.002), "0.002");
  EXPECT_EQ(FormatDouble(1.0), "1.0");
  EXPECT_EQ(FormatDouble(-2.5), "-2.5");
  EXPECT_EQ(FormatDouble(0.0001), "0.0001");
  EXPECT_EQ(FormatDouble(0.00001), "1e-05");
  EXPECT_EQ(FormatDouble(1e15), "1000000000000000.0");
  EXPECT_EQ(FormatDouble(1e16), "1e+16");
  EXPECT_EQ(FormatDouble(123456.789), "123456.789");
  EXPECT_EQ(FormatDouble(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(FormatDouble(6.6e9), "6600000000.0");
  // Exponent and sign forms (expected values from Python 3.11's repr).
  EXPECT_EQ(FormatDouble(-1.5e-300), "-1.5e-300");
  EXPECT_EQ(FormatDouble(5e-324), "5e-324");
  EXPECT_EQ(FormatDouble(1.7976931348623157e308), "1.7976931348623157e+308");
  EXPECT_EQ(FormatDouble(1.5e16), "1.5e+16");
  EXPECT_EQ(FormatDouble(9999999999999998.0), "9999999999999998.0");
  EXPECT_EQ(FormatDouble(-0.000123), "-0.000123");
  EXPECT_EQ(FormatDouble(-0.0), "-0.0");
  EXPECT_EQ(FormatDouble(std::nan("")), "null");
  std::string appended = "x=";
  AppendDouble(appended, 2.5e-7);
  EXPECT_EQ(appended, "x=2.5e-07");
}

TEST(HashTest, Blake2b256OfEmptyInputIsTheKnownVector) {
  EXPECT_EQ(Hex(Blake2b256("")),
            "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
}

TEST(HashTest, CanonicalHashIgnoresKeyOrder) {
  auto a = ParseJson(R"({"x": 1, "y": [true]})");
  auto b = ParseJson(R"({"y": [true], "x": 1})");
  EXPECT_EQ(CanonicalHash(*a), CanonicalHash(*b));
  EXPECT_TRUE(IsPrefixedHash256(CanonicalHash(*a)));
  EXPECT_FALSE(IsPrefixedHash256("0x1234"));
}

// Python: "0x" + hashlib.blake2b(json.dumps(v, sort_keys=True, separators=(",", ":"),
// ensure_ascii=False).encode(), digest_size=32).hexdigest(). The document past the thread's
// kept buffer (64 KiB) sits between two small ones, which must not see its bytes.
TEST(HashTest, CanonicalHashMatchesPythonAcrossDocumentSizes) {
  const Json small = JsonObject{{"b", 1}, {"a", JsonArray{true, nullptr, "x"}}};
  const std::string small_hash =
      "0x85a2b870e70a970896f51dc228dc790584f658347cb3a96d7fbd2a92a1e14423";
  EXPECT_EQ(CanonicalHash(small), small_hash);
  EXPECT_EQ(CanonicalHash(JsonObject{{"big", std::string(100000, 'z')}}),
            "0x021a3f88d31a6d3cea863850c70c6e64151e2b21ec86818930c1bd98a52cc1d6");
  EXPECT_EQ(CanonicalHash(JsonObject{}),
            "0xc09da522dac261c3d2566230bed10d2f3ef13f8e7654576c12e857e07f786098");
  EXPECT_EQ(CanonicalHash(small), small_hash);
  EXPECT_EQ(PrefixedHex(Blake2b256("")),
            "0x0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
}

}  // namespace
}  // namespace orchestra

namespace orchestra {
namespace {

TEST(JsonIntegerTest, AcceptsIntegralValuesInRangeOnly) {
  int64_t v = 0;
  EXPECT_TRUE(JsonInteger(Json(3.0), &v));
  EXPECT_EQ(v, 3);
  EXPECT_TRUE(JsonInteger(Json(int64_t{-7}), &v));
  EXPECT_FALSE(JsonInteger(Json(3.5), &v));
  EXPECT_FALSE(JsonInteger(Json(1e300), &v));  // found by fuzzing: was an out-of-range cast
  EXPECT_FALSE(JsonInteger(Json(uint64_t{18446744073709551615u}), &v));
  EXPECT_FALSE(JsonInteger(Json("3"), &v));
}

}  // namespace
}  // namespace orchestra
