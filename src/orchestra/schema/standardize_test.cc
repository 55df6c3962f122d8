#include "orchestra/schema/standardize.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "orchestra/schema/testing_json.h"

namespace orchestra::schema {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::J;

Standardized StandardizeTarget(std::string_view target, std::string_view dirty) {
  auto schema = Schema::FromTarget(J(target));
  EXPECT_TRUE(schema.ok()) << schema.error().message;
  if (!schema.ok()) return {};
  return Standardize(J(dirty), *schema);
}

std::string Clean(std::string_view target, std::string_view dirty) {
  return CanonicalJson(StandardizeTarget(target, dirty).clean);
}

TEST(StandardizeTest, CamelCaseAndSpacedKeysMatchSnakeCaseFields) {
  const auto out =
      StandardizeTarget(R"({"market_gaps":[{"gap":"str","opportunity":"str"}]})",
                        R"({"marketGaps":[{"Gap":"SLA","Opportunity ":"enterprise"}]})");
  EXPECT_EQ(CanonicalJson(out.clean),
            R"({"market_gaps":[{"gap":"SLA","opportunity":"enterprise"}]})");
  EXPECT_THAT(out.coercions, Contains("$.market_gaps: taken from key \"marketGaps\""));
  EXPECT_TRUE(out.missing.empty());
}

TEST(StandardizeTest, SynonymKeyFillsField) {
  EXPECT_EQ(Clean(R"({"name":"str","description":"str","link":"str"})",
                  R"({"title":"Akash","summary":"compute","url":"https://akash.network"})"),
            R"({"description":"compute","link":"https://akash.network","name":"Akash"})");
}

TEST(StandardizeTest, ExactKeyWinsOverSynonym) {
  EXPECT_EQ(Clean(R"({"name":"str"})", R"({"title":"T","name":"N"})"),
            R"({"name":"N","title":"T"})");
}

TEST(StandardizeTest, DataEnvelopeIsUnwrapped) {
  const auto out =
      StandardizeTarget(R"({"competitors":[{"name":"str"}]})",
                        R"({"status":"ok","data":{"competitors":[{"name":"Akash"}]}})");
  EXPECT_EQ(CanonicalJson(out.clean), R"({"competitors":[{"name":"Akash"}]})");
  EXPECT_THAT(out.coercions, Contains("$: unwrapped \"data\" envelope"));
}

TEST(StandardizeTest, ResultsEnvelopeAroundListIsUnwrapped) {
  EXPECT_EQ(Clean(R"({"items":[{"name":"str"}]})", R"({"items":{"results":[{"name":"a"}]}})"),
            R"({"items":[{"name":"a"}]})");
}

TEST(StandardizeTest, SingleElementListUnwrappedWhereObjectWanted) {
  EXPECT_EQ(Clean(R"({"recommendation":{"price_point":"float"}})",
                  R"({"recommendation":[{"price_point":2.5}]})"),
            R"({"recommendation":{"price_point":2.5}})");
}

TEST(StandardizeTest, NumericStringsBecomeNumbers) {
  const auto out = StandardizeTarget(R"({"users":"int","price":"float","share":"float"})",
                                     R"({"users":"1,234","price":"$6.6","share":"12%"})");
  EXPECT_EQ(CanonicalJson(out.clean), R"({"price":6.6,"users":1234})");
  EXPECT_THAT(out.coercions, Contains("$.users: parsed number 1234 from string \"1,234\""));
  EXPECT_THAT(out.coercions, Contains("$.price: parsed number 6.6 from string \"$6.6\""));
  EXPECT_THAT(out.missing, ElementsAre("$.share"));
}

TEST(StandardizeTest, IntegralFloatBecomesIntegerForIntegerField) {
  const auto out = StandardizeTarget(R"({"n":"int"})", R"({"n":3.0})");
  EXPECT_EQ(CanonicalJson(out.clean), R"({"n":3})");
  ASSERT_TRUE(out.clean.get_object().at("n").is_int64());
  EXPECT_THAT(out.coercions, ElementsAre("$.n: converted 3.0 to integer 3"));
}

TEST(StandardizeTest, BooleanStringsBecomeBooleans) {
  EXPECT_EQ(Clean(R"({"ok":"bool","up":"bool"})", R"({"ok":"TRUE","up":" false "})"),
            R"({"ok":true,"up":false})");
}

TEST(StandardizeTest, ScalarBecomesOneElementList) {
  const auto out = StandardizeTarget(R"({"scores":"list[int]"})", R"({"scores":"7"})");
  EXPECT_EQ(CanonicalJson(out.clean), R"({"scores":[7]})");
  EXPECT_THAT(out.coercions, Contains("$.scores: wrapped single value in a list"));
}

TEST(StandardizeTest, CommaJoinedStringBecomesListOfStrings) {
  const auto out = StandardizeTarget(R"({"tags":"list[str]"})", R"({"tags":"gpu, cheap ,,fast"})");
  EXPECT_EQ(CanonicalJson(out.clean), R"({"tags":["gpu","cheap","fast"]})");
  EXPECT_THAT(out.coercions, Contains("$.tags: split comma-separated string into 3 items"));
}

TEST(StandardizeTest, CommaStringStaysOneItemWhenItemsAreNotStrings) {
  EXPECT_EQ(Clean(R"({"strengths":"list"})", R"({"strengths":"fast, cheap"})"),
            R"({"strengths":["fast, cheap"]})");
}

TEST(StandardizeTest, IdenticalListItemsAreDeduplicatedAfterRepair) {
  const auto out = StandardizeTarget(R"({"competitors":[{"name":"str"}]})",
                                     R"({"competitors":[{"name":"A"},{"Name":"A"},{"name":"B"}]})");
  EXPECT_EQ(CanonicalJson(out.clean), R"({"competitors":[{"name":"A"},{"name":"B"}]})");
  EXPECT_THAT(out.coercions, Contains("$.competitors: removed 1 duplicate item"));
}

TEST(StandardizeTest, ListIsTruncatedToMaxItems) {
  auto schema = Schema::Compile(J(R"({"type":"array","items":{"type":"integer"},"maxItems":2})"));
  ASSERT_TRUE(schema.ok());
  const auto out = Standardize(J("[1, 2, 3, 4]"), *schema);
  EXPECT_EQ(CanonicalJson(out.clean), "[1,2]");
  EXPECT_THAT(out.coercions, ElementsAre("$: kept the first 2 items (maxItems), dropped 2 more"));
}

TEST(StandardizeTest, MissingOptionalIsFilledWithNull) {
  const auto out =
      StandardizeTarget(R"({"name":"str","website":"Optional[str]"})", R"({"name":"Akash"})");
  EXPECT_EQ(CanonicalJson(out.clean), R"({"name":"Akash","website":null})");
  EXPECT_THAT(out.coercions, ElementsAre("$.website: filled missing optional field with its "
                                         "default null"));
  EXPECT_TRUE(out.missing.empty());
}

TEST(StandardizeTest, UnusableOptionalValueFallsBackToNull) {
  EXPECT_EQ(Clean(R"({"rank":"Optional[int]"})", R"({"rank":"first"})"), R"({"rank":null})");
}

TEST(StandardizeTest, MissingRequiredFieldIsReportedNotInvented) {
  const auto out =
      StandardizeTarget(R"({"competitors":[{"name":"str","description":"str"}]})",
                        R"({"competitors":[{"name":"Akash"},{"description":"no name"}]})");
  EXPECT_EQ(CanonicalJson(out.clean),
            R"({"competitors":[{"name":"Akash"},{"description":"no name"}]})");
  EXPECT_THAT(out.missing, ElementsAre("$.competitors[0].description", "$.competitors[1].name"));
}

TEST(StandardizeTest, UnknownKeysDroppedOnlyWhenAdditionalPropertiesIsFalse) {
  EXPECT_EQ(Clean(R"({"name":"str"})", R"({"name":"a","score":1})"), R"({"name":"a","score":1})");
  const auto out = StandardizeTarget(R"({"type":"object","properties":{"name":{"type":"string"}},
                           "additionalProperties":false})",
                                     R"({"name":"a","score":1})");
  EXPECT_EQ(CanonicalJson(out.clean), R"({"name":"a"})");
  EXPECT_THAT(out.coercions,
              ElementsAre("$.score: dropped (not in properties; additionalProperties is false)"));
}

TEST(StandardizeTest, EnumSpellingIsNormalized) {
  EXPECT_EQ(Clean(R"({"difficulty":"Literal['low', 'high']"})", R"({"difficulty":" High"})"),
            R"({"difficulty":"high"})");
}

TEST(StandardizeTest, JsonHeldInAStringIsParsed) {
  EXPECT_EQ(Clean(R"({"pricing":{"gpu_hour":"float"}})", R"({"pricing":"{\"gpuHour\": \"1.5\"}"})"),
            R"({"pricing":{"gpu_hour":1.5}})");
}

TEST(StandardizeTest, NumberBecomesTextForStringField) {
  EXPECT_EQ(Clean(R"({"zip":"str"})", R"({"zip":94107})"), R"({"zip":"94107"})");
}

TEST(StandardizeTest, DateInAnotherNotationBecomesIsoDate) {
  const auto out = StandardizeTarget(R"({"founded":"date","launched":"date","seen":"date"})",
                                     R"({"founded":"March 5, 2024","launched":"5 Mar 2024",
                                         "seen":"2024/03/05"})");
  EXPECT_EQ(CanonicalJson(out.clean),
            R"({"founded":"2024-03-05","launched":"2024-03-05","seen":"2024-03-05"})");
  EXPECT_THAT(out.coercions,
              Contains("$.founded: parsed date \"2024-03-05\" from string \"March 5, 2024\""));
  EXPECT_TRUE(out.missing.empty());
}

TEST(StandardizeTest, DateTimeForADateFieldKeepsTheWrittenDate) {
  const auto out =
      StandardizeTarget(R"({"day":"date","at":"date"})",
                        R"({"day":"2024-03-05T23:30:00-05:00","at":"2024-03-05 14:30"})");
  EXPECT_EQ(CanonicalJson(out.clean), R"({"at":"2024-03-05","day":"2024-03-05"})");
  EXPECT_THAT(out.coercions, Contains("$.day: parsed date \"2024-03-05\" from string "
                                      "\"2024-03-05T23:30:00-05:00\" (time of day dropped)"));
}

TEST(StandardizeTest, Rfc2822DateBecomesRfc3339DateTime) {
  const auto out = StandardizeTarget(R"({"published":"datetime"})",
                                     R"({"published":"Tue, 05 Mar 2024 14:30:00 GMT"})");
  EXPECT_EQ(CanonicalJson(out.clean), R"({"published":"2024-03-05T14:30:00Z"})");
  EXPECT_THAT(out.coercions, ElementsAre("$.published: parsed date-time "
                                         "\"2024-03-05T14:30:00Z\" from string \"Tue, 05 Mar "
                                         "2024 14:30:00 GMT\""));
}

TEST(StandardizeTest, DateTimeWithOffsetKeepsTheOffset) {
  EXPECT_EQ(Clean(R"({"type":"object","properties":{"at":{"type":"string","format":"date-time"}}})",
                  R"({"at":"March 5, 2024 2:30 PM +02:00"})"),
            R"({"at":"2024-03-05T14:30:00+02:00"})");
}

TEST(StandardizeTest, UnixSecondsBecomeDateTime) {
  const auto out = StandardizeTarget(R"({"published":"datetime"})", R"({"published":1709649000})");
  EXPECT_EQ(CanonicalJson(out.clean), R"({"published":"2024-03-05T14:30:00Z"})");
  EXPECT_THAT(out.coercions, ElementsAre("$.published: converted Unix time 1709649000 to "
                                         "date-time \"2024-03-05T14:30:00Z\""));
}

TEST(StandardizeTest, YearOrMillisecondsAreNotReadAsUnixTime) {
  const auto out = StandardizeTarget(R"({"a":"datetime","b":"datetime","c":"date"})",
                                     R"({"a":2024,"b":1709649000000,"c":1709649000})");
  EXPECT_EQ(CanonicalJson(out.clean), R"({"a":"2024","b":"1709649000000","c":"1709649000"})");
  EXPECT_THAT(out.coercions, Contains("$.a: left \"2024\" as is: a year alone, no month and day"));
  EXPECT_THAT(out.coercions,
              Contains("$.b: left \"1709649000000\" as is: not a date in a known notation"));
}

TEST(StandardizeTest, AmbiguousDateIsLeftAsIsAndReported) {
  const auto out = StandardizeTarget(R"({"founded":"date"})", R"({"founded":"03/05/2024"})");
  EXPECT_EQ(CanonicalJson(out.clean), R"({"founded":"03/05/2024"})");
  EXPECT_THAT(out.coercions, ElementsAre("$.founded: left \"03/05/2024\" as is: ambiguous day and "
                                         "month: 03 and 05 could each be the day or the month"));
}

TEST(StandardizeTest, UnreadableDatesAreLeftAsIsAndReported) {
  const auto out = StandardizeTarget(R"({"a":"date","b":"date","c":"date","d":"date"})",
                                     R"({"a":"05/03/24","b":"March 2024","c":"soon",
                                         "d":"Mon, 05 Mar 2024"})");
  EXPECT_EQ(CanonicalJson(out.clean),
            R"({"a":"05/03/24","b":"March 2024","c":"soon","d":"Mon, 05 Mar 2024"})");
  EXPECT_THAT(out.coercions,
              ElementsAre("$.a: left \"05/03/24\" as is: two-digit year (the century is not "
                          "guessed)",
                          "$.b: left \"March 2024\" as is: no day of the month",
                          "$.c: left \"soon\" as is: not a date in a known notation",
                          "$.d: left \"Mon, 05 Mar 2024\" as is: the weekday (Monday) does not "
                          "match 2024-03-05, a Tuesday"));
}

TEST(StandardizeTest, DateTimeWithoutTimeOrOffsetIsNotCompleted) {
  const auto out = StandardizeTarget(R"({"a":"datetime","b":"datetime","c":"datetime"})",
                                     R"({"a":"March 5, 2024","b":"2024-03-05 14:30",
                                         "c":"5 Mar 2024 14:30 CST"})");
  EXPECT_EQ(CanonicalJson(out.clean),
            R"({"a":"March 5, 2024","b":"2024-03-05 14:30","c":"5 Mar 2024 14:30 CST"})");
  EXPECT_THAT(out.coercions,
              ElementsAre("$.a: left \"March 5, 2024\" as is: a date without a time of day (not "
                          "invented)",
                          "$.b: left \"2024-03-05 14:30\" as is: no UTC offset (not guessed)",
                          "$.c: left \"5 Mar 2024 14:30 CST\" as is: the time zone abbreviation "
                          "is not a UTC offset (not guessed)"));
}

TEST(StandardizeTest, IsoDatesAreLeftUntouched) {
  const auto out = StandardizeTarget(R"({"d":"date","t":"datetime"})",
                                     R"({"d":"2024-03-05","t":"2024-03-05T14:30:00+02:00"})");
  EXPECT_EQ(CanonicalJson(out.clean), R"({"d":"2024-03-05","t":"2024-03-05T14:30:00+02:00"})");
  EXPECT_TRUE(out.coercions.empty());
}

TEST(StandardizeTest, OptionalDateInAListIsRewritten) {
  const auto out = StandardizeTarget(R"({"events":[{"on":"Optional[date]"}]})",
                                     R"({"events":[{"on":"5th of March, 2024"},{"on":null}]})");
  EXPECT_EQ(CanonicalJson(out.clean), R"({"events":[{"on":"2024-03-05"},{"on":null}]})");
  EXPECT_THAT(out.coercions, ElementsAre("$.events[0].on: parsed date \"2024-03-05\" from string "
                                         "\"5th of March, 2024\""));
}

TEST(StandardizeTest, RewrittenDatesPassAssertedFormat) {
  CompileOptions options;
  options.assert_format = true;
  auto schema = Schema::Compile(J(R"({"type":"object","properties":{
      "d":{"type":"string","format":"date"},"t":{"type":"string","format":"date-time"}}})"),
                                options);
  ASSERT_TRUE(schema.ok());
  const Json dirty = J(R"({"d":"Mar 5, 2024","t":"Tue, 05 Mar 2024 14:30:00 +0200"})");
  EXPECT_FALSE(schema->Validate(dirty).valid);
  const auto out = Standardize(dirty, *schema);
  EXPECT_TRUE(schema->Validate(out.clean).valid) << CanonicalJson(out.clean);
}

TEST(StandardizeTest, RootThatFitsNothingListsEveryRequiredField) {
  const auto out = StandardizeTarget(R"({"a":"str","b":"Optional[int]"})", R"("garbage")");
  EXPECT_EQ(CanonicalJson(out.clean), R"({"b":null})");
  EXPECT_THAT(out.missing, ElementsAre("$.a"));
  EXPECT_THAT(out.coercions[0], HasSubstr("started from an empty object"));
}

TEST(StandardizeTest, DirtySeedAnswerBecomesValid) {
  constexpr std::string_view kSeed =
      R"({"competitors":[{"name":"str","description":"str","strengths":"list","weaknesses":"list"}],
          "market_gaps":[{"gap":"str","opportunity":"str","difficulty":"str"}],
          "recommendation":"str"})";
  auto schema = Schema::FromTarget(J(kSeed));
  ASSERT_TRUE(schema.ok());
  const auto out = Standardize(J(R"({"result": {
      "Competitors": [{"Title": "Akash", "About": "compute market", "strengths": "cheap",
                       "Weaknesses": ["ux", "ux"]}],
      "market-gaps": {"gap": "SLA", "opportunity": "enterprise", "difficulty": "medium"},
      "recommendation": ["Offer SLAs"]}})"),
                               *schema);
  EXPECT_TRUE(out.missing.empty());
  const auto report = schema->Validate(out.clean);
  EXPECT_TRUE(report.valid) << CanonicalJson(out.clean);
  EXPECT_EQ(CanonicalJson(out.clean),
            R"({"competitors":[{"description":"compute market","name":"Akash",)"
            R"("strengths":["cheap"],"weaknesses":["ux"]}],"market_gaps":[{"difficulty":"medium",)"
            R"("gap":"SLA","opportunity":"enterprise"}],"recommendation":"Offer SLAs"})");
}

}  // namespace
}  // namespace orchestra::schema
