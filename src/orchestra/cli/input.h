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

// The bytes of the file at `path`, or of standard input when `path` is "" or "-". `what` names
// the flag or argument in the error ("--challenge: cannot read file \"x.json\"").
Result<std::string> ReadFileOrStdin(const std::string& path, std::string_view what);

// The data directory: `flag` if set, else $ORCHESTRA_DATA_DIR, else ~/.orchestra.
std::filesystem::path DataDir(const std::string& flag);

// Exit statuses of `run`, `miner` and `experts` (`wallet` follows btcli's: see its header).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;    // could not do the job (a port taken, a failed run)
inline constexpr int kExitBadInput = 2;  // wrong flags, files or input

// Prints "orchestra <command>: <message>" to stderr; returns `code`.
int Fail(std::string_view command, int code, std::string_view message);

}  // namespace orchestra::cli
