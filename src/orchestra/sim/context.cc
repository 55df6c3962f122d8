#include "orchestra/sim/context.h"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "orchestra/sim/corpus.h"
#include "orchestra/sim/relevance.h"
#include "orchestra/sim/text.h"

namespace orchestra::sim {
namespace {

constexpr std::string_view kObjectiveLabel = "objective:";
constexpr std::string_view kContextMarker = "Context (JSON):";

bool StartsWithNoCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

// Offset of kContextMarker at the start of a line, or npos.
size_t FindContextMarker(std::string_view content) {
  for (size_t at = content.find(kContextMarker); at != std::string_view::npos;
       at = content.find(kContextMarker, at + 1)) {
    size_t line_start = at;
    while (line_start > 0 && (content[line_start - 1] == ' ' || content[line_start - 1] == '\t')) {
      --line_start;
    }
    if (line_start == 0 || content[line_start - 1] == '\n') return at;
  }
  return std::string_view::npos;
}

// The first JSON value of `text`; what follows it is ignored.
Result<Json> ParseLeadingJson(std::string_view text) {
  size_t consumed = 0;
  auto value = ParseJsonPrefix(
      text, fmt::format("messages: the context after \"{}\"", kContextMarker), &consumed);
  if (!value.ok()) return Error(ErrorCode::kInvalidArgument, value.error().message);
  return value;
}

bool IsLabelKey(std::string_view key) {
  const std::string normalized = NormalizeKey(key);
  return normalized == "title" || normalized == "name" || normalized == "headline" ||
         normalized == "link" || normalized == "url";
}

bool AnyStringTruncated(const JsonObject& object) {
  return std::any_of(object.begin(), object.end(), [](const auto& member) {
    return member.value().is_string() && LooksTruncated(member.value().get_string());
  });
}

class Indexer {
 public:
  explicit Indexer(ContextIndex* index) : index_(index) {}

  // Walks one context item and records its terms.
  void WalkItem(const Json& item) {
    item_text_.clear();
    Walk(item);
    index_->item_terms.push_back(TextTerms(item_text_));
    std::string url = JsonString(item, "url");
    if (url.empty()) url = JsonString(item, "link");
    index_->item_urls.push_back(url.empty() ? std::string() : NormalizeUrl(url));
    ++item_;
  }

 private:
  void Walk(const Json& value) {
    switch (value.kind()) {
      case boost::json::kind::object: {
        const JsonObject& object = value.get_object();
        if (!object.empty()) {
          index_->records.push_back({object, AnyStringTruncated(object), item_});
        }
        for (const auto& member : object) {
          // Titles, names and links label a record; they are not prose to quote as sentences,
          // but they do say what the item is about.
          if (member.value().is_string() && IsLabelKey(member.key())) {
            AddItemText(member.value().get_string());
            continue;
          }
          Walk(member.value());
        }
        return;
      }
      case boost::json::kind::array:
        for (const Json& element : value.get_array()) Walk(element);
        return;
      case boost::json::kind::string:
        AddItemText(value.get_string());
        AddText(value.get_string());
        return;
      default:
        return;
    }
  }

  void AddItemText(std::string_view text) {
    item_text_ += text;
    item_text_ += '\n';
  }

  void AddText(std::string_view text) {
    if (text.find(' ') == std::string_view::npos) return;
    for (JsonObject& labelled : ParseLabelledText(text)) {
      const bool truncated = AnyStringTruncated(labelled);
      index_->records.push_back({std::move(labelled), truncated, item_});
    }
    for (std::string_view sentence : SplitSentences(text)) {
      std::string owned(sentence);
      if (!seen_.insert(owned).second) continue;
      std::vector<std::string> words = ContentWords(owned);
      std::sort(words.begin(), words.end());
      words.erase(std::unique(words.begin(), words.end()), words.end());
      index_->sentences.push_back(std::move(owned));
      index_->sentence_words.push_back(std::move(words));
      index_->sentence_items.push_back(item_);
    }
  }

  ContextIndex* index_;
  std::unordered_set<std::string> seen_;
  size_t item_ = 0;
  std::string item_text_;  // every string of the current item, one per line
};

}  // namespace

Result<Prompt> ParsePrompt(std::string_view content) {
  Prompt prompt;
  const size_t marker = FindContextMarker(content);
  const std::string_view head =
      Trim(marker == std::string_view::npos ? content : content.substr(0, marker));
  const std::string_view first_line = Trim(head.substr(0, head.find('\n')));
  if (StartsWithNoCase(first_line, kObjectiveLabel)) {
    prompt.objective = std::string(Trim(first_line.substr(kObjectiveLabel.size())));
  } else {
    prompt.objective = std::string(head);
  }
  if (marker == std::string_view::npos) return prompt;

  auto context = ParseLeadingJson(content.substr(marker + kContextMarker.size()));
  if (!context.ok()) return context.error();
  if (!context->is_array()) {
    return Error(
        ErrorCode::kInvalidArgument,
        fmt::format("messages: the context after \"{}\" is not a JSON array", kContextMarker));
  }
  prompt.context = std::move(*context);
  return prompt;
}

ContextIndex IndexContext(const Json& context) {
  ContextIndex index;
  Indexer indexer(&index);
  const auto walk_item = [&](const Json& item) {
    const Json* data = JsonFind(item, "data");
    indexer.WalkItem(data != nullptr ? *data : item);
  };
  if (context.is_array()) {
    for (const Json& item : context.get_array()) walk_item(item);
  } else {
    walk_item(context);
  }
  return index;
}

std::vector<bool> RelevantItems(const ContextIndex& index, std::string_view objective) {
  const TopicFilter filter(objective);
  std::unordered_map<std::string, std::vector<std::string>> page_terms;
  for (size_t i = 0; i < index.item_terms.size(); ++i) {
    if (index.item_urls[i].empty()) continue;
    auto& terms = page_terms[index.item_urls[i]];
    terms.insert(terms.end(), index.item_terms[i].begin(), index.item_terms[i].end());
  }
  for (auto& [url, terms] : page_terms) {
    std::sort(terms.begin(), terms.end());
    terms.erase(std::unique(terms.begin(), terms.end()), terms.end());
  }
  std::vector<bool> relevant;
  relevant.reserve(index.item_terms.size());
  for (size_t i = 0; i < index.item_terms.size(); ++i) {
    const std::string& url = index.item_urls[i];
    relevant.push_back(filter.IsRelevant(url.empty() ? index.item_terms[i] : page_terms[url]));
  }
  return relevant;
}

std::vector<std::string> RelevantSentences(const ContextIndex& index,
                                           const std::vector<std::string>& words, size_t count,
                                           const std::vector<bool>* usable_items) {
  std::vector<std::string> wanted = words;
  std::sort(wanted.begin(), wanted.end());
  wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
  std::vector<std::pair<size_t, size_t>> scored;  // (overlap, sentence index)
  for (size_t i = 0; i < index.sentences.size(); ++i) {
    if (usable_items != nullptr && !(*usable_items)[index.sentence_items[i]]) continue;
    const auto& have = index.sentence_words[i];
    size_t overlap = 0;
    for (const auto& word : have) {
      if (std::binary_search(wanted.begin(), wanted.end(), word)) ++overlap;
    }
    if (overlap > 0) scored.emplace_back(overlap, i);
  }
  std::stable_sort(scored.begin(), scored.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<std::string> out;
  for (size_t i = 0; i < scored.size() && out.size() < count; ++i) {
    out.push_back(index.sentences[scored[i].second]);
  }
  return out;
}

}  // namespace orchestra::sim
