#pragma once

#include <cstddef>
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
  size_t item = 0;         // index of the context item it came from
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
  std::vector<size_t> sentence_items;  // index of the first context item each sentence is in
  // Per context item (the elements of the context array, in order): the TextTerms
  // (relevance.h) of all its string values, titles, names and links included, and the page it
  // is about (its "url" or "link", as NormalizeUrl gives it; "" for none).
  std::vector<std::vector<std::string>> item_terms;
  std::vector<std::string> item_urls;
};

// Indexes `context` (a JSON array of {"step", "kind", "data"} items; other values are walked
// the same way). Never fails.
ContextIndex IndexContext(const Json& context);

// Per context item of `index`: whether it is relevant to `objective` (TopicFilter, see
// relevance.h). Items about the same page (a search result and the record scraped from its
// link) are judged together, on the terms of all of them: a record that names only
// "Databricks" is as relevant as the search result that found its page. The simulated LLM
// quotes relevant items only.
std::vector<bool> RelevantItems(const ContextIndex& index, std::string_view objective);

// Up to `count` sentences sharing the most distinct words with `words` (ContentWords form),
// most overlapping first, ties in context order; sentences sharing none are never returned.
// With `usable_items` (indexed like item_terms), only sentences of items marked true count.
std::vector<std::string> RelevantSentences(const ContextIndex& index,
                                           const std::vector<std::string>& words, size_t count,
                                           const std::vector<bool>* usable_items = nullptr);

}  // namespace orchestra::sim
