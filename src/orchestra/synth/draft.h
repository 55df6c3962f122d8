#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "orchestra/core/json.h"
#include "orchestra/plan/architect.h"

// The material the managerial loop gathered, and the document it supports. The loop fills a
// Material as waves come back (only audited, on-topic items go in); Draft maps it onto the
// target's fields by role (plan/needs.h) and says what is still missing, which is what the
// loop's follow-ups go after. Pure; thread-compatible.
namespace orchestra::synth {

// A thing the answer describes: one item of a list target, or a page about the subject.
struct Item {
  std::string url;
  std::string name;  // from the search result's title ("Akash Network - ..." → "Akash Network")
  std::string snippet;  // the search result's snippet
  std::string date;     // the search result's date
  int found_by = 0;     // the step whose answer named it (0: named by the objective)
  std::vector<std::pair<int, JsonObject>> records;  // (step, fields) read from its page(s)
  int failed_read = 0;  // the step of a read of its page that failed, until one succeeds
};

struct Material {
  std::map<std::string, std::vector<Item>> lists;  // by list field, in discovery order
  std::vector<Item> subject;                       // pages about the objective's subject
  // On-topic pages that are not items of their list (an analysis among products): context
  // for the synthesis expert, not entries of the answer.
  std::vector<Item> background;
  // On-topic texts for summaries (search snippets, page texts), with their step.
  std::vector<std::pair<int, std::string>> passages;
  Json judgement;  // the synthesis expert's document (null when none)

  Item* FindItem(const std::string& target, const std::string& url);
};

// The name a page title gives a thing: the part before " - ", " | ", " — " or ": " when that
// part is short (at most 6 words), else the whole title.
std::string NameFromTitle(std::string_view title);

// How many of `list`'s detail fields (role kDetail) the item's records hold.
size_t DetailFieldsFound(const Item& item, const plan::ListTarget& list);

struct Draft {
  Json document;                // the target's shape, filled only from the material
  std::vector<plan::Gap> gaps;  // items (and root fields) with fields nothing filled
};

// Maps `material` onto `needs`: list items from their records (keys matched as the
// standardizer does), then their search result (name, URL, snippet, date by role); root
// detail fields from the subject's records; summaries from the passages that `topic` admits
// (at most 3 sentences, most relevant first); judgement fields, and any field the rest left
// empty, from material.judgement. A field nothing supports is left out and named in a gap.
Draft MakeDraft(const plan::SchemaNeeds& needs, const plan::Topic& topic, const Material& material);

}  // namespace orchestra::synth
