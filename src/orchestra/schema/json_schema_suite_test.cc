// Runs the official JSON-Schema-Test-Suite (draft 2020-12, json-schema-org, MIT licensed) from
// data/json-schema-test-suite/ (copied from ../shared/data, see its README) against
// Schema::Compile + Validate.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "orchestra/schema/schema.h"

namespace orchestra::schema {
namespace {

namespace fs = std::filesystem;

// Every file for a keyword we support: each of its cases must pass.
const char* const kInScopeFiles[] = {
    "additionalProperties.json",
    "allOf.json",
    "anyOf.json",
    "boolean_schema.json",
    "const.json",
    "contains.json",
    "default.json",
    "dependentRequired.json",
    "dependentSchemas.json",
    "enum.json",
    "exclusiveMaximum.json",
    "exclusiveMinimum.json",
    "format.json",
    "if-then-else.json",
    "infinite-loop-detection.json",
    "items.json",
    "maxContains.json",
    "maxItems.json",
    "maxLength.json",
    "maxProperties.json",
    "maximum.json",
    "minContains.json",
    "minItems.json",
    "minLength.json",
    "minProperties.json",
    "minimum.json",
    "multipleOf.json",
    "not.json",
    "oneOf.json",
    "pattern.json",
    "patternProperties.json",
    "prefixItems.json",
    "properties.json",
    "propertyNames.json",
    "ref.json",
    "required.json",
    "type.json",
    "uniqueItems.json",
    "anchor.json",
};

struct Skipped {
  const char* file;
  const char* reason;
};

// Files for features outside the scope: not run at all.
const Skipped kSkippedFiles[] = {
    {"dynamicRef.json", "$dynamicRef/$dynamicAnchor (out of scope)"},
    {"vocabulary.json", "$vocabulary in custom metaschemas (out of scope)"},
    {"unevaluatedItems.json", "unevaluatedItems (out of scope)"},
    {"unevaluatedProperties.json", "unevaluatedProperties (out of scope)"},
    {"refRemote.json", "remote $ref to http://localhost:1234 (remote references unsupported)"},
    {"defs.json", "validates schemas against the 2020-12 metaschema (remote reference)"},
    {"content.json", "contentMediaType/contentEncoding/contentSchema (out of scope)"},
};

// Individual case groups of in-scope files that need a remote schema, the metaschema or an
// out-of-scope keyword.
const Skipped kSkippedGroups[] = {
    {"ref.json|remote ref, containing refs itself",
     "$ref to the 2020-12 metaschema (remote reference)"},
    {"ref.json|ref creates new scope when adjacent to keywords",
     "exercises unevaluatedProperties (out of scope)"},
    {"not.json|collect annotations inside a 'not', even if collection is disabled",
     "exercises unevaluatedProperties (out of scope)"},
};

fs::path SuiteDir() {
  const char* source = std::getenv("ORCHESTRA_SOURCE_DIR");
  const fs::path root = source ? fs::path(source) : fs::current_path();
  return root / "data" / "json-schema-test-suite" / "draft2020-12";
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

bool GroupSkipped(const std::string& file, const std::string& description) {
  const std::string key = file + "|" + description;
  for (const Skipped& s : kSkippedGroups) {
    if (key == s.file) return true;
  }
  return false;
}

TEST(JsonSchemaSuiteTest, EveryFileIsEitherRunOrSkippedWithAReason) {
  const fs::path dir = SuiteDir();
  ASSERT_TRUE(fs::is_directory(dir)) << "JSON-Schema-Test-Suite not found at " << dir;
  std::set<std::string> known;
  for (const char* f : kInScopeFiles) known.insert(f);
  for (const Skipped& s : kSkippedFiles) known.insert(s.file);
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    EXPECT_TRUE(known.count(entry.path().filename().string()))
        << entry.path().filename() << " is neither run nor listed as skipped";
  }
  for (const char* f : kInScopeFiles) EXPECT_TRUE(fs::exists(dir / f)) << f;
}

TEST(JsonSchemaSuiteTest, Draft202012InScopeFilesPassCompletely) {
  const fs::path dir = SuiteDir();
  ASSERT_TRUE(fs::is_directory(dir)) << "JSON-Schema-Test-Suite not found at " << dir;
  int passed = 0, failed = 0, skipped = 0;
  for (const char* file : kInScopeFiles) {
    auto document = ParseJson(ReadFile(dir / file), file);
    ASSERT_TRUE(document.ok()) << document.error().message;
    ASSERT_TRUE(document->is_array()) << file;
    for (const Json& group : document->get_array()) {
      const std::string description = JsonString(group, "description");
      const Json* tests = JsonFind(group, "tests");
      ASSERT_TRUE(tests && tests->is_array()) << file << ": " << description;
      if (GroupSkipped(file, description)) {
        skipped += static_cast<int>(tests->get_array().size());
        continue;
      }
      auto schema = Schema::Compile(*JsonFind(group, "schema"));
      for (const Json& test : tests->get_array()) {
        const std::string what =
            std::string(file) + " / " + description + " / " + JsonString(test, "description");
        const Json* data = JsonFind(test, "data");
        const Json* valid = JsonFind(test, "valid");
        ASSERT_TRUE(data && valid && valid->is_bool()) << what;
        if (!schema.ok()) {
          ++failed;
          ADD_FAILURE() << what << ": schema does not compile: " << schema.error().message;
          continue;
        }
        const ValidationReport report = schema->Validate(*data);
        if (report.valid == valid->get_bool()) {
          ++passed;
        } else {
          ++failed;
          std::string first = report.violations.empty()
                                  ? std::string("(no violation)")
                                  : report.violations[0].path + " " + report.violations[0].rule +
                                        ": " + report.violations[0].message;
          ADD_FAILURE() << what << ": expected " << (valid->get_bool() ? "valid" : "invalid")
                        << ", got " << (report.valid ? "valid" : "invalid") << " " << first
                        << "\n  data: " << CompactJson(*data);
        }
      }
    }
  }
  std::printf(
      "JSON-Schema-Test-Suite draft2020-12: %d of %d cases pass (%zu files; %d cases in "
      "%zu remote/metaschema/unevaluated groups and %zu out-of-scope files skipped)\n",
      passed, passed + failed, std::size(kInScopeFiles), skipped, std::size(kSkippedGroups),
      std::size(kSkippedFiles));
  EXPECT_EQ(failed, 0);
}

}  // namespace
}  // namespace orchestra::schema
