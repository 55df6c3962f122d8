#include "orchestra/cli/input.h"

#include <fmt/format.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "orchestra/core/embedded.h"

namespace orchestra {
const std::vector<EmbeddedFile>& EmbeddedExamples();
}  // namespace orchestra

namespace orchestra::cli {

std::vector<std::string> ExampleNames() {
  std::vector<std::string> names;
  for (const auto& f : EmbeddedExamples()) names.push_back(std::filesystem::path(f.path).stem());
  std::stable_partition(names.begin(), names.end(),
                        [](const std::string& n) { return n == "competitive_landscape"; });
  return names;
}

Result<protocol::Challenge> ExampleChallenge(std::string_view name) {
  for (const auto& f : EmbeddedExamples()) {
    if (std::filesystem::path(f.path).stem() != name) continue;
    auto json = ParseJson(f.bytes, f.path);
    if (!json) return json.error();
    return protocol::ChallengeFromJson(*json);
  }
  std::string names;
  for (const auto& n : ExampleNames()) names += (names.empty() ? "" : ", ") + n;
  return Error(ErrorCode::kNotFound, fmt::format("no example \"{}\" (have: {})", name, names));
}

Result<Json> JsonArgument(std::string_view arg, std::string_view what) {
  const size_t first = arg.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && arg[first] == '{') return ParseJson(arg, what);
  std::ifstream in{std::string(arg), std::ios::binary};
  if (!in) {
    return Error(
        ErrorCode::kInvalidArgument,
        fmt::format("{}: cannot read file \"{}\" (pass a JSON object or a file path)", what, arg));
  }
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return ParseJson(bytes.str(), fmt::format("{} ({})", what, arg));
}

std::filesystem::path DataDir(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* env = std::getenv("ORCHESTRA_DATA_DIR"); env && *env) return env;
  const char* home = std::getenv("HOME");
  return std::filesystem::path(home && *home ? home : ".") / ".orchestra";
}

int Fail(std::string_view command, int code, std::string_view message) {
  fmt::print(stderr, "orchestra {}: {}\n", command, message);
  return code;
}

Result<std::string> ReadFileOrStdin(const std::string& path, std::string_view what) {
  if (path.empty() || path == "-") {
    return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("{}: cannot read file \"{}\"", what, path));
  }
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

}  // namespace orchestra::cli
