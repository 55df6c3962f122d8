// The objective set of data/challenges/ (docs/quality.md) is read by `orchestra score
// --challenge`, `orchestra ask --challenge` and bench/quality.sh: every file must parse as a
// generated challenge and its target_schema must compile, or the bench measures nothing.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "orchestra/core/reference_test_util.h"
#include "orchestra/schema/schema.h"
#include "orchestra/validator/reference.h"

namespace orchestra::validator {
namespace {

std::vector<std::filesystem::path> ChallengeFiles() {
  std::vector<std::filesystem::path> files;
  const auto dir = testing::SourceDir() / "data" / "challenges";
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

TEST(ChallengeSetTest, HoldsAtLeast24Objectives) { EXPECT_GE(ChallengeFiles().size(), 24u); }

TEST(ChallengeSetTest, EveryFileParsesAndItsTargetSchemaCompiles) {
  for (const auto& path : ChallengeFiles()) {
    SCOPED_TRACE(path.filename().string());
    auto json = ParseJson(ReadAll(path), path.filename().string());
    if (!json.ok()) {
      ADD_FAILURE() << json.error().message;
      continue;
    }
    auto generated = GeneratedChallengeFromJson(*json);
    if (!generated.ok()) {
      ADD_FAILURE() << generated.error().message;
      continue;
    }
    EXPECT_FALSE(generated->challenge.objective.empty());
    auto schema = schema::Schema::FromTarget(generated->challenge.target_schema);
    EXPECT_TRUE(schema.ok()) << (schema.ok() ? "" : schema.error().message);
    // A key without topic terms cannot tell an on-topic answer from another topic's.
    EXPECT_FALSE(generated->reference.key.topic_terms.empty());
  }
}

// The set must keep objectives the corpus cannot answer (a key with no entities and no facts),
// so that an honest "not found" is measured and not only lucky retrieval.
TEST(ChallengeSetTest, KeepsObjectivesTheCorpusCannotAnswer) {
  int unanswerable = 0;
  for (const auto& path : ChallengeFiles()) {
    auto json = ParseJson(ReadAll(path), path.filename().string());
    ASSERT_TRUE(json.ok()) << json.error().message;
    auto generated = GeneratedChallengeFromJson(*json);
    ASSERT_TRUE(generated.ok()) << generated.error().message;
    const AnswerKey& key = generated->reference.key;
    unanswerable += key.entities.empty() && key.facts.empty();
  }
  EXPECT_GE(unanswerable, 3);
}

}  // namespace
}  // namespace orchestra::validator
