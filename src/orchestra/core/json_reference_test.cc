// Reference test: ParseJson + CanonicalJson against Python's json module. The cases are
// written at test time by tests/differential/gen_json_cases.py (fixed seed) into the build
// directory; nothing generated is committed.
#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "orchestra/core/json.h"
#include "orchestra/core/reference_test_util.h"

namespace orchestra {
namespace {

namespace fs = std::filesystem;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

class JsonReferenceTest : public ::testing::Test {
 protected:
  // Runs the generator for `part` ("doubles" or "documents") into a directory of that part's
  // own (ctest runs tests concurrently).
  void Generate(const std::string& part) {
    ORCHESTRA_REQUIRE_REFERENCE(testing::PythonUnavailable(""));
    dir_ = fs::read_symlink("/proc/self/exe").parent_path() / ("json_cases_" + part);
    const fs::path script = testing::SourceDir() / "tests" / "differential" / "gen_json_cases.py";
    const std::string command =
        "python3 '" + script.string() + "' '" + dir_.string() + "' " + part + " 2>&1";
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
  }

  fs::path dir_;
};

TEST_F(JsonReferenceTest, AMillionPythonReprDoublesParseBitExactly) {
  Generate("doubles");
  if (HasFatalFailure() || IsSkipped()) return;
  const std::string text = ReadFile(dir_ / "doubles.json");
  auto parsed = ParseJson(text, "doubles.json");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  ASSERT_TRUE(parsed->is_array());
  const JsonArray& values = parsed->get_array();

  std::ifstream bits(dir_ / "doubles_bits.txt");
  std::string line;
  size_t index = 0, mismatches = 0;
  while (std::getline(bits, line)) {
    ASSERT_LT(index, values.size());
    const Json& value = values[index];
    ASSERT_TRUE(value.is_double()) << "element " << index;
    const uint64_t expected = std::stoull(line, nullptr, 16);
    const uint64_t got = std::bit_cast<uint64_t>(value.get_double());
    if (got != expected && ++mismatches <= 5) {
      ADD_FAILURE() << "element " << index << ": Python's bits " << line << ", ours " << std::hex
                    << got << std::dec << " (text " << FormatDouble(value.get_double()) << ")";
    }
    ++index;
  }
  EXPECT_EQ(index, 1'000'000u);
  EXPECT_EQ(index, values.size());
  EXPECT_EQ(mismatches, 0u);
  std::printf("%zu doubles compared with Python's, %zu differ\n", index, mismatches);

  // Written back, every one of them is Python's repr() again.
  EXPECT_TRUE(CanonicalJson(*parsed) == ReadFile(dir_ / "doubles_canonical.json"))
      << "CanonicalJson of the parsed list differs from Python's json.dumps";
}

TEST_F(JsonReferenceTest, CanonicalFormOfPythonOutputEqualsPythons) {
  Generate("documents");
  if (HasFatalFailure() || IsSkipped()) return;
  std::ifstream in(dir_ / "documents.jsonl");
  std::string line;
  int documents = 0, differences = 0;
  while (std::getline(in, line)) {
    auto row = ParseJson(line, "documents.jsonl");
    ASSERT_TRUE(row.ok()) << row.error().message;
    const std::string input = JsonString(*row, "input");
    const std::string expected = JsonString(*row, "canonical");
    ++documents;
    auto parsed = ParseJson(input, "document");
    if (!parsed.ok()) {
      ++differences;
      ADD_FAILURE() << parsed.error().message << "\n  input: " << input;
      continue;
    }
    const std::string ours = CanonicalJson(*parsed);
    if (ours != expected && ++differences <= 5) {
      ADD_FAILURE() << "input:  " << input << "\nPython: " << expected << "\nours:   " << ours;
    }
  }
  EXPECT_EQ(documents, 3000);
  EXPECT_EQ(differences, 0);
  std::printf("%d documents compared with Python's canonical json.dumps, %d differ\n", documents,
              differences);
}

}  // namespace
}  // namespace orchestra
