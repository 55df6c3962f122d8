#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "orchestra/core/json.h"
#include "orchestra/core/result.h"
#include "orchestra/protocol/orchestra_synapse.h"

namespace orchestra::cli {

// Names of the built-in example challenges ("competitive_landscape" first: the default).
std::vector<std::string> ExampleNames();
// The built-in example challenge called `name`; kNotFound lists the valid names.
Result<protocol::Challenge> ExampleChallenge(std::string_view name);

// `arg` is inline JSON when it starts with '{' (after spaces), else a path to a JSON file.
// `what` names the flag in errors ("--schema: line 2, column 5: ...").
Result<Json> JsonArgument(std::string_view arg, std::string_view what);

// The data directory: `flag` if set, else $ORCHESTRA_DATA_DIR, else ~/.orchestra.
std::filesystem::path DataDir(const std::string& flag);

}  // namespace orchestra::cli
