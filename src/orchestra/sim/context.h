#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "orchestra/core/json.h"
#include "orchestra/core/result.h"

namespace orchestra::sim {

// The miner's prompt, as the simulated LLM reads it (see completion.h for the contract).
struct Prompt {
  std::string objective;
  Json context = JsonArray();  // the context items, a JSON array
};

// Reads the last user message of a completion request: "Objective: <text>" on its first line
// (without it, the objective is all the text before the context) and, after a line starting
// "Context (JSON):", one JSON array (text after it is ignored). A message without that line
// has an empty context. kInvalidArgument when the context is not JSON or not an array.
Result<Prompt> ParsePrompt(std::string_view content);

// An object found in the context, or one parsed from labelled text in it.
struct ContextRecord {
  JsonObject fields;
  bool truncated = false;  // some string value looks cut off ("...")
};

// Everything the extractive LLM may quote, in context order.
struct ContextIndex {
  // Every object in the items' "data" (recursively; an item without "data" counts as its own
  // data), each followed by the records parsed from its labelled strings (ParseLabelledText).
  std::vector<ContextRecord> records;
  // The sentences of every string value that contains a space, deduplicated; values of keys
  // that label a record (title, name, headline, link, url) are not prose and are skipped.
  std::vector<std::string> sentences;
  std::vector<std::vector<std::string>> sentence_words;  // ContentWords, sorted, unique
};

// Indexes `context` (a JSON array of {"step", "kind", "data"} items; other values are walked
// the same way). Never fails.
ContextIndex IndexContext(const Json& context);

// Up to `count` sentences sharing the most distinct words with `words` (ContentWords form),
// most overlapping first, ties in context order; sentences sharing none are never returned.
std::vector<std::string> RelevantSentences(const ContextIndex& index,
                                           const std::vector<std::string>& words, size_t count);

}  // namespace orchestra::sim
