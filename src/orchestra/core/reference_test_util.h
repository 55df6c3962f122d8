#pragma once

// Reference tests compare Orchestra with an implementation outside the project: Python's json
// and hashlib, jsonschema, Pydantic, PyNaCl, the npm packages of tests/interop. A reference
// that is missing must never let such a test pass by skipping quietly:
// - in CI (environment CI=true, as .ci/run is started), the test fails, naming what is missing;
// - elsewhere it skips, and says so on stderr as well as in the test's skip message.

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

namespace orchestra::testing {

inline bool InCi() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && (std::string_view(ci) == "true" || std::string_view(ci) == "1");
}

// The source tree: $ORCHESTRA_SOURCE_DIR (ctest sets it for every test), else the one the test
// was configured from.
inline std::filesystem::path SourceDir() {
  const char* source = std::getenv("ORCHESTRA_SOURCE_DIR");
  if (source != nullptr && *source) return source;
#ifdef ORCHESTRA_SOURCE_DIR_DEFAULT
  return ORCHESTRA_SOURCE_DIR_DEFAULT;
#else
  return std::filesystem::current_path();
#endif
}

// "" when node and the npm packages of tests/interop (installed by scripts/setup) are there,
// else why not, for ORCHESTRA_REQUIRE_REFERENCE.
inline std::string NodeInteropUnavailable() {
  const std::filesystem::path interop = SourceDir() / "tests" / "interop";
  if (std::system("command -v node > /dev/null 2>&1") != 0) return "node is not installed";
  for (const char* package : {"@scure/sr25519", "@polkadot/util-crypto", "@polkadot/wasm-crypto"}) {
    if (!std::filesystem::exists(interop / "node_modules" / package)) {
      return "tests/interop/node_modules has no " + std::string(package) +
             " (scripts/setup runs npm ci there)";
    }
  }
  return "";
}

// "" when python3 runs `imports` (a Python statement such as "import jsonschema"; "" for
// python3 alone), else why not, for ORCHESTRA_REQUIRE_REFERENCE.
inline std::string PythonUnavailable(const std::string& imports) {
  if (std::system("command -v python3 > /dev/null 2>&1") != 0) return "python3 is not installed";
  if (imports.empty()) return "";
  const std::string command = "python3 -c '" + imports + "' > /dev/null 2>&1";
  if (std::system(command.c_str()) != 0) return "python3 cannot run `" + imports + "`";
  return "";
}

}  // namespace orchestra::testing

// Fails (in CI) or skips (elsewhere) the current test when `why_missing`, an expression giving
// a std::string, is not empty. Use in a TEST body or a fixture's SetUp.
#define ORCHESTRA_REQUIRE_REFERENCE(why_missing)                                                \
  do {                                                                                          \
    if (const std::string orchestra_why_ = (why_missing); !orchestra_why_.empty()) {            \
      if (::orchestra::testing::InCi()) {                                                       \
        FAIL() << "reference missing in CI (CI=true), the test cannot run: " << orchestra_why_; \
      }                                                                                         \
      std::fprintf(stderr, "REFERENCE TEST SKIPPED (%s): %s\n",                                 \
                   ::testing::UnitTest::GetInstance()->current_test_info()->name(),             \
                   orchestra_why_.c_str());                                                     \
      GTEST_SKIP() << "reference missing: " << orchestra_why_;                                  \
    }                                                                                           \
  } while (0)
