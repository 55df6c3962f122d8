#include "orchestra/synth/draft.h"

#include <algorithm>
#include <set>

#include "orchestra/core/ascii.h"
#include "orchestra/core/text.h"
#include "orchestra/schema/key_match.h"

namespace orchestra::synth {
namespace {

using plan::FieldNeed;
using plan::FieldRole;

bool HasValue(const Json& v) {
  if (v.is_null()) return false;
  if (v.is_string()) return !Trim(v.get_string()).empty();
  if (v.is_array()) return !v.get_array().empty();
  if (v.is_object()) return !v.get_object().empty();
  return true;
}

// The value of the first record holding `field` (key matched as the standardizer matches).
const Json* FromRecords(const std::string& field,
                        const std::vector<std::pair<int, JsonObject>>& records) {
  for (const auto& [step, fields] : records) {
    std::vector<std::string_view> keys;
    std::vector<const Json*> values;
    for (const auto& kv : fields) {
      keys.push_back(kv.key());
      values.push_back(&kv.value());
    }
    const auto match = schema::MatchKeys({field}, keys);
    if (match[0] && HasValue(*values[*match[0]])) return values[*match[0]];
  }
  return nullptr;
}

// What an item's search result gives a field of `role`.
Json FromHit(const Item& item, FieldRole role) {
  switch (role) {
    case FieldRole::kName:
      return item.name.empty() ? Json() : Json(item.name);
    case FieldRole::kUrl:
      return item.url.empty() ? Json() : Json(item.url);
    case FieldRole::kText:
      return item.snippet.empty() ? Json() : Json(item.snippet);
    case FieldRole::kDate:
      return item.date.empty() ? Json() : Json(item.date);
    default:
      return Json();
  }
}

// The element of the synthesis expert's `list` (its answer for one list field) that names
// `item`, or nullptr.
const Json* LentFor(const Item& item, const std::string& name_field, const Json* list) {
  if (!list || !list->is_array() || name_field.empty()) return nullptr;
  const std::vector<std::string> name = Words(NameFromTitle(item.name));
  if (name.empty()) return nullptr;
  for (const Json& element : list->get_array()) {
    const Json* n = JsonFind(element, name_field);
    if (n && n->is_string() && Words(NameFromTitle(n->get_string())) == name) return &element;
  }
  return nullptr;
}

// What an item's own material says about it: its records' texts, then its search snippet.
std::string ItemText(const Item& item) {
  std::string text;
  for (const auto& [step, fields] : item.records) text += plan::TextOf(Json(fields)) + " ";
  return text + item.snippet;
}

// The choice of a string enum that `text` names: the one whose words occur there as a run
// (inflections aside), the earliest named first ("fast and reliable load balancing reverse
// proxy" names "load balancer" before "proxy"); "" when it names none.
std::string ChoiceNamedIn(const std::vector<std::string>& choices, std::string_view text) {
  const std::vector<std::string> words = Words(text);
  std::string best;
  size_t best_at = words.size();
  for (const std::string& choice : choices) {
    const std::vector<std::string> run = Words(choice);
    if (run.empty() || run.size() > words.size()) continue;
    for (size_t at = 0; at + run.size() <= words.size() && at < best_at; ++at) {
      size_t k = 0;
      while (k < run.size() && plan::WordsMatch(words[at + k], run[k])) ++k;
      if (k == run.size()) {
        best = choice;
        best_at = at;
        break;
      }
    }
  }
  return best;
}

// `value` as one of `f`'s choices: itself when it is one, else the choice it names, else the
// one the item's own material names; null when none is named.
Json Chosen(const FieldNeed& f, const Json& value, const Item* item) {
  if (value.is_string()) {
    for (const std::string& choice : f.choices) {
      if (EqualsIgnoringAsciiCase(choice, value.get_string())) return Json(choice);
    }
    if (std::string c = ChoiceNamedIn(f.choices, value.get_string()); !c.empty()) return Json(c);
  }
  if (item) {
    if (std::string c = ChoiceNamedIn(f.choices, ItemText(*item)); !c.empty()) return Json(c);
  }
  return Json();
}

// What an item's material gives field `f`: its records, else its search result, else what
// the synthesis expert read in its material (`lent`).
Json ItemValue(const Item& item, const FieldNeed& f, const Json* lent) {
  // A thing's name is best taken from a field named for it; a page's title is cleaned.
  if (const Json* value = FromRecords(f.name, item.records)) {
    if (f.role == FieldRole::kName && value->is_string()) {
      return Json(NameFromTitle(value->get_string()));
    }
    return *value;
  }
  if (Json hit = FromHit(item, f.role); HasValue(hit)) return hit;
  if (const Json* v = lent ? JsonFind(*lent, f.name) : nullptr; v && HasValue(*v)) return *v;
  return Json();
}

JsonObject ItemObject(const Item& item, const std::vector<FieldNeed>& fields, const Json* lent,
                      std::vector<std::string>* missing) {
  JsonObject out;
  for (const FieldNeed& f : fields) {
    Json value = ItemValue(item, f, lent);
    if (!f.choices.empty()) value = Chosen(f, value, &item);
    if (HasValue(value)) {
      out[f.name] = std::move(value);
    } else {
      missing->push_back(f.name);
    }
  }
  return out;
}

// Up to `limit` sentences of the passages, on topic, most relevant first, each once.
std::string Summary(const plan::Topic& topic,
                    const std::vector<std::pair<int, std::string>>& passages, size_t limit) {
  struct Scored {
    double score;
    size_t order;
    std::string text;
  };
  std::vector<Scored> sentences;
  std::set<std::string> seen;
  size_t order = 0;
  for (const auto& [step, text] : passages) {
    for (std::string_view s : SplitSentences(text)) {
      if (s.size() < 20 || s.ends_with("...") || !topic.Admits(s)) continue;
      std::string sentence(s);
      if (!seen.insert(sentence).second) continue;
      sentences.push_back(Scored{topic.Score(s), order++, std::move(sentence)});
    }
  }
  std::stable_sort(sentences.begin(), sentences.end(),
                   [](const Scored& a, const Scored& b) { return a.score > b.score; });
  std::string out;
  for (size_t i = 0; i < sentences.size() && i < limit; ++i) {
    std::string& s = sentences[i].text;
    // Page synopses often end without a full stop; joined, they would run together.
    if (!s.ends_with('.') && !s.ends_with('!') && !s.ends_with('?')) s += '.';
    out += (out.empty() ? "" : " ") + s;
  }
  return out;
}

}  // namespace

Item* Material::FindItem(const std::string& target, const std::string& url) {
  std::vector<Item>* items = target.empty() ? &subject : nullptr;
  if (!items) {
    auto it = lists.find(target);
    if (it == lists.end()) return nullptr;
    items = &it->second;
  }
  for (Item& item : *items) {
    if (item.url == url) return &item;
  }
  return nullptr;
}

size_t DetailFieldsFound(const Item& item, const plan::ListTarget& list) {
  size_t found = 0;
  for (const FieldNeed& f : list.item_fields) {
    if (f.role == FieldRole::kDetail && FromRecords(f.name, item.records)) ++found;
  }
  return found;
}

std::string NameFromTitle(std::string_view title) {
  title = Trim(title);
  size_t cut = std::string_view::npos;
  for (std::string_view sep : {" - ", " | ", " \xE2\x80\x94 ", " \xE2\x80\x93 ", ": "}) {
    cut = std::min(cut, title.find(sep));
  }
  if (cut == std::string_view::npos || cut == 0) return std::string(title);
  const std::string_view head = Trim(title.substr(0, cut));
  if (Words(head).size() > 6) return std::string(title);
  return std::string(head);
}

Draft MakeDraft(const plan::SchemaNeeds& needs, const plan::Topic& topic,
                const Material& material) {
  Draft draft;
  JsonObject doc;
  const Json* judgement = material.judgement.is_object() ? &material.judgement : nullptr;
  for (const plan::ListTarget& list : needs.lists) {
    auto found = material.lists.find(list.field);
    JsonArray items;
    if (found != material.lists.end()) {
      for (const Item& item : found->second) {
        std::vector<std::string> missing;
        const Json* answer = judgement ? JsonFind(*judgement, list.field) : nullptr;
        JsonObject object =
            ItemObject(item, list.item_fields, LentFor(item, list.NameField(), answer), &missing);
        if (object.empty()) continue;
        if (!missing.empty()) {
          // The item goes by the name its entry shows ("OpenAI"), not its page's title.
          std::string name = NameFromTitle(item.name);
          if (const std::string field = list.NameField(); !field.empty()) {
            if (auto it = object.find(field); it != object.end() && it->value().is_string()) {
              name = std::string(it->value().get_string());
            }
          }
          draft.gaps.push_back(plan::Gap{list.field, std::move(name), item.url, std::move(missing),
                                         item.failed_read});
        }
        items.emplace_back(std::move(object));
      }
    }
    if (items.empty()) {
      // Nothing gathered: what the synthesis expert wrote, if anything.
      if (judgement) {
        if (const Json* v = JsonFind(*judgement, list.field); v && HasValue(*v)) {
          doc[list.field] = *v;
          continue;
        }
      }
      draft.gaps.push_back(plan::Gap{list.field, "", "", {list.field}, 0});
      continue;
    }
    if (list.single) {
      doc[list.field] = std::move(items.front());
    } else {
      doc[list.field] = std::move(items);
    }
  }
  std::vector<std::string> root_missing;
  for (const FieldNeed& f : needs.root_fields) {
    Json value;
    if (f.role == FieldRole::kSummary) {
      std::string text = Summary(topic, material.passages, 3);
      if (!text.empty()) value = Json(std::move(text));
    } else if (f.role == FieldRole::kName && f.is_list) {
      JsonArray names;
      for (const Item& item : material.subject) {
        if (!item.name.empty()) names.emplace_back(NameFromTitle(item.name));
      }
      if (!names.empty()) value = std::move(names);
    } else if (f.role != FieldRole::kJudgement) {
      for (const Item& item : material.subject) {
        if (const Json* v = FromRecords(f.name, item.records)) {
          value = f.role == FieldRole::kName && v->is_string()
                      ? Json(NameFromTitle(v->get_string()))
                      : *v;
          break;
        }
        if (Json hit = FromHit(item, f.role); HasValue(hit)) {
          value = std::move(hit);
          break;
        }
      }
    }
    if (!HasValue(value) && judgement) {
      if (const Json* v = JsonFind(*judgement, f.name); v && HasValue(*v)) value = *v;
    }
    if (!f.choices.empty()) {
      value = Chosen(f, value, material.subject.empty() ? nullptr : &material.subject.front());
    }
    if (HasValue(value)) {
      doc[f.name] = std::move(value);
    } else {
      root_missing.push_back(f.name);
    }
  }
  if (!root_missing.empty()) {
    draft.gaps.push_back(plan::Gap{"", "", "", std::move(root_missing), 0});
  }
  draft.document = std::move(doc);
  return draft;
}

}  // namespace orchestra::synth
