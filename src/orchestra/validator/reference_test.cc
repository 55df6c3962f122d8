#include "orchestra/validator/reference.h"

#include <gtest/gtest.h>

namespace orchestra::validator {
namespace {

Json KeyJson(std::string_view key_members) {
  auto json =
      ParseJson(std::string(R"({"template": "explainer", "topic": "compression", "key": )") +
                std::string(key_members) + "}");
  EXPECT_TRUE(json.ok());
  return json.ok() ? *json : Json();
}

TEST(AnswerKeyTest, ReadsOffTopicTerms) {
  auto ref = ReferenceFromJson(
      KeyJson(R"({"entities": ["zstd"], "off_topic_terms": ["Kubernetes", "GPU marketplace"]})"));
  ASSERT_TRUE(ref.ok()) << ref.error().message;
  EXPECT_EQ(ref->key.off_topic_terms, (std::vector<std::string>{"Kubernetes", "GPU marketplace"}));
}

TEST(AnswerKeyTest, OffTopicTermsAreOptional) {
  auto ref =
      ReferenceFromJson(KeyJson(R"({"entities": ["zstd"], "topic_terms": ["compression"]})"));
  ASSERT_TRUE(ref.ok()) << ref.error().message;
  EXPECT_TRUE(ref->key.off_topic_terms.empty());
  EXPECT_EQ(ref->key.topic_terms, (std::vector<std::string>{"compression"}));
}

TEST(AnswerKeyTest, OffTopicTermsSurviveARoundTrip) {
  ChallengeReference reference;
  reference.key.entities = {"mosquitto"};
  reference.key.off_topic_terms = {"Akash Network", "TAO"};
  auto reread = ReferenceFromJson(ToJson(reference));
  ASSERT_TRUE(reread.ok()) << reread.error().message;
  EXPECT_EQ(reread->key.off_topic_terms, reference.key.off_topic_terms);
}

TEST(AnswerKeyTest, RejectsANonStringOffTopicTermNamingIt) {
  auto ref = ReferenceFromJson(KeyJson(R"({"off_topic_terms": ["Kubernetes", 7]})"));
  ASSERT_FALSE(ref.ok());
  EXPECT_EQ(ref.error().message, "reference.key.off_topic_terms[1]: must be a string");
}

}  // namespace
}  // namespace orchestra::validator
