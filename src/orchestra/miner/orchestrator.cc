#include "orchestra/miner/orchestrator.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/this_coro.hpp>
#include <cmath>
#include <set>
#include <utility>

#include "orchestra/core/ascii.h"
#include "orchestra/core/memory.h"
#include "orchestra/core/text.h"
#include "orchestra/experts/adapters.h"
#include "orchestra/miner/llm_lead.h"
#include "orchestra/net/run_on_pool.h"
#include "orchestra/plan/architect.h"
#include "orchestra/synth/assemble.h"

namespace orchestra::miner {
namespace {

using std::chrono::milliseconds;

// Context items the synthesis expert sees, at most.
constexpr size_t kMaxContextItems = 40;
// Pages kept about the objective's subject (root fields).
constexpr size_t kSubjectItems = 2;
// A page about the subject scores at least this share of the best one of its search: the
// subject is one thing, and a page far less about it than the best is about another (a list's
// items, or a root list of examples, are peers, and none of them defines the others).
constexpr double kSubjectShareOfBest = 0.6;

bool ContainsIgnoringCase(std::string_view haystack, std::string_view needle) {
  if (needle.empty()) return false;
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                     [](char a, char b) { return AsciiLower(a) == AsciiLower(b); }) !=
         haystack.end();
}

// Everything one challenge's waves share.
struct Pipeline {
  Pipeline(const protocol::Challenge& challenge, const schema::Schema& target, Deadline deadline,
           const ledger::Snapshot& ledger, experts::Transport& transport,
           const OrchestratorOptions& options, exec::PipelineContext context, plan::Brief brief)
      : challenge(challenge),
        target(target),
        deadline(deadline),
        ledger(ledger),
        transport(transport),
        options(options),
        context(std::move(context)),
        brief(std::move(brief)) {}

  const protocol::Challenge& challenge;
  const schema::Schema& target;
  Deadline deadline;
  const ledger::Snapshot& ledger;
  experts::Transport& transport;
  const OrchestratorOptions& options;
  exec::PipelineContext context;
  plan::Brief brief;

  std::vector<protocol::TaskStep> steps;
  std::map<int, Json> outputs;
  std::map<int, plan::Task> tasks;
  synth::Material material;
  std::set<std::string> followed_up;  // "<kind>\n<item>" already chased
  std::set<std::string> asked;        // "<capability>\n<canonical query>" of every call
  double spent = 0;
  size_t targeted_searches = 0;
  std::set<std::string> retried;  // targets whose discovery was tried again
  int next_step = 1;

  // The p95 latency of the subnet a task of `capability` would go to first; 0 when none.
  milliseconds P95(std::string_view capability) const {
    const ledger::LedgerEntry* best = nullptr;
    for (const auto* e : ledger.WithCapability(capability)) {
      if (!best ||
          plan::ExpectedPrice(*e, options.routing) < plan::ExpectedPrice(*best, options.routing)) {
        best = e;
      }
    }
    return milliseconds(best ? static_cast<int64_t>(best->p95_latency_ms) : 0);
  }
  double Price(std::string_view capability) const {
    double price = 0;
    for (const auto* e : ledger.WithCapability(capability)) {
      price = price == 0 ? e->cost_per_query : std::min(price, e->cost_per_query);
    }
    return price;
  }
};

// Runs `tasks` as one wave, keeping back `reserve` of the deadline for later waves (unless
// that leaves less than the wave's own p95). Records every step and output.
boost::asio::awaitable<Status> RunWave(Pipeline& p, std::vector<plan::Task> tasks,
                                       milliseconds reserve) {
  // A call already made (same capability, same query) would only repeat its answer; a
  // re-routed one goes to another subnet first.
  std::erase_if(tasks, [&p](const plan::Task& t) {
    return !p.asked.insert(t.capability + "\n" + t.avoid_subnet + "\n" + CanonicalJson(t.query))
                .second;
  });
  if (tasks.empty()) co_return Status();
  for (size_t i = 0; i < tasks.size(); ++i) {
    const int step = tasks.front().step + static_cast<int>(i);
    if (tasks[i].step != step) {
      // Renumbered after a repeat was dropped; names carry their step in follow-up waves.
      const std::string suffix = fmt::format("_{}", tasks[i].step);
      if (tasks[i].name.ends_with(suffix)) {
        tasks[i].name = tasks[i].name.substr(0, tasks[i].name.size() - suffix.size()) +
                        fmt::format("_{}", step);
      }
      tasks[i].step = step;
    }
  }
  plan::TaskDag dag{std::move(tasks)};
  if (auto valid = dag.Validate(); !valid) co_return valid.error();
  const milliseconds remaining = p.deadline.Remaining();
  auto routing = plan::Route(dag, p.ledger, p.options.routing, remaining);
  if (!routing) co_return routing.error();
  for (size_t i = 0; i < dag.tasks.size(); ++i) {
    const std::string& avoid = dag.tasks[i].avoid_subnet;
    if (avoid.empty()) continue;
    auto& candidates = routing->routes[i].candidates;
    std::stable_partition(candidates.begin(), candidates.end(),
                          [&](const ledger::LedgerEntry* e) { return e->subnet_id != avoid; });
  }
  p.next_step = dag.tasks.back().step + 1;
  milliseconds own{0};
  for (const auto& route : routing->routes) {
    own =
        std::max(own, milliseconds(static_cast<int64_t>(route.candidates.front()->p95_latency_ms)));
  }
  const Deadline wave_deadline =
      remaining - reserve >= own ? p.deadline.Within(remaining - reserve) : p.deadline;
  exec::Execution execution =
      co_await exec::Execute(dag, *routing, p.transport, p.context, wave_deadline, p.options.exec);
  for (auto& step : execution.steps) {
    p.spent += step.cost;
    p.steps.push_back(std::move(step));
  }
  for (auto& [step, output] : execution.outputs) p.outputs[step] = std::move(output);
  for (auto& task : dag.tasks) p.tasks[task.step] = std::move(task);
  co_return Status();
}

size_t ListCap(const plan::Brief& brief, const std::string& target) {
  for (const auto& list : brief.needs.lists) {
    if (list.field != target) continue;
    if (list.single) return 1;
    size_t cap = &list == brief.needs.primary() ? plan::kPrimaryItems : plan::kSecondaryItems;
    if (list.max_items) cap = std::min<size_t>(cap, *list.max_items);
    return cap;
  }
  // A root list of names ("examples") takes as many as a primary list.
  const auto& roots = brief.needs.root_fields;
  const bool names = std::any_of(roots.begin(), roots.end(), [](const plan::FieldNeed& f) {
    return f.is_list && f.role == plan::FieldRole::kName;
  });
  return names ? plan::kPrimaryItems : kSubjectItems;
}

// The relevance audit of one search answer: results off the objective's topic (or, for a
// list whose kind the objective names, not of that kind), already kept (same page or same
// name) or empty are dropped; the rest, best first, become items of the task's target up to
// its cap, and passages for summaries. Returns how many results were kept.
size_t AbsorbSearch(Pipeline& p, const plan::Task& task) {
  auto output = p.outputs.find(task.step);
  if (output == p.outputs.end()) return 0;
  auto hits = experts::ReadSearch(output->second);
  if (!hits) return 0;
  const plan::Topic& topic = p.brief.topic;
  plan::ItemKind kind;
  if (auto found = p.brief.kinds.find(task.target); found != p.brief.kinds.end()) {
    kind = found->second;
  }
  bool of_subject = false;  // a relative list ("compared_with")
  for (const auto& list : p.brief.needs.lists) {
    if (list.field == task.target && !list.single) of_subject = list.relative;
  }
  const bool relative = of_subject && !p.brief.subject.empty();
  // Of the subject itself (its own page, its own name): not an item of a relative list, the
  // subject a URL names or the one its search found (a thing is not compared with itself).
  const std::vector<std::string> subject = Words(p.brief.subject);
  auto is_subject = [&](const experts::SearchHit& hit) {
    if (!of_subject) return false;
    const std::vector<std::string> name = Words(synth::NameFromTitle(hit.title));
    const std::string url = NormalizeUrl(hit.url);
    if (relative && (name == subject || url == NormalizeUrl(p.brief.urls.front()))) return true;
    return std::any_of(p.material.subject.begin(), p.material.subject.end(),
                       [&](const synth::Item& item) {
                         return NormalizeUrl(item.url) == url || Words(item.name) == name;
                       });
  };
  // Of a relative list, a result naming the subject is about something compared with it ("yq:
  // jq wrapper for YAML"); one that does not is about something else, whatever words it
  // shares with the objective.
  auto names_subject = [&](const std::string& text) {
    if (!relative) return false;
    const std::vector<std::string> words = Words(text);
    return std::search(words.begin(), words.end(), subject.begin(), subject.end()) != words.end();
  };
  // Unless the objective asks for libraries, plugins and the like, a result whose title says
  // it is one (a "Python wrapper for OCR engines") is not an item of the list.
  const auto& words = kind.empty() ? topic.terms() : kind.phrase.terms();
  const bool accessories = std::any_of(words.begin(), words.end(), [](const plan::Topic::Term& t) {
    return plan::IsAccessoryWord(t.word);
  });
  // In the search's own order: the engine ranks better than a count of shared words.
  std::vector<std::pair<double, const experts::SearchHit*>> admitted;
  for (const auto& hit : *hits) {
    const std::string text = hit.title + " " + hit.snippet;
    const std::vector<bool> in = topic.TermsIn(text);
    const bool on_topic = relative        ? kind.Admits(text) || names_subject(text)
                          : !kind.empty() ? kind.Admits(text)
                                          : topic.Admits(in);
    if (!on_topic || is_subject(hit)) {
      spdlog::trace("step {}: off topic: {} ({})", task.step, hit.title, hit.url);
      continue;
    }
    const std::vector<std::string> title = ContentWords(hit.title);
    if (!task.target.empty() && !accessories && !names_subject(text) &&
        std::any_of(title.begin(), title.end(),
                    [](const std::string& w) { return plan::IsAccessoryWord(w); })) {
      spdlog::trace("step {}: made for the kind, not of it: {} ({})", task.step, hit.title,
                    hit.url);
      continue;
    }
    admitted.emplace_back(topic.Score(in), &hit);
  }
  // The audit's verdict on the UID that answered: how much of its answer was worth keeping.
  if (ledger::Learner* learner = p.options.exec.learner) {
    for (const protocol::TaskStep& step : p.steps) {
      if (step.step != task.step || step.error) continue;
      learner->RecordQuality(
          step.subnet, step.uid,
          hits->empty() ? 0.0
                        : static_cast<double>(admitted.size()) / static_cast<double>(hits->size()));
    }
  }
  std::vector<synth::Item>& items =
      task.target.empty() ? p.material.subject : p.material.lists[task.target];
  const size_t cap = ListCap(p.brief, task.target);
  if (task.target.empty() && cap == kSubjectItems) {
    double best = 0;
    for (const auto& [score, hit] : admitted) best = std::max(best, score);
    std::erase_if(admitted, [&](const auto& a) {
      if (a.first >= kSubjectShareOfBest * best) return false;
      spdlog::trace("step {}: less about the subject: {} ({})", task.step, a.second->title,
                    a.second->url);
      return true;
    });
  }
  size_t kept = 0;
  for (const auto& [score, hit] : admitted) {
    const std::string key = NormalizeUrl(hit->url);
    const std::string name = synth::NameFromTitle(hit->title);
    const bool seen = std::any_of(items.begin(), items.end(), [&](const synth::Item& item) {
      return (!key.empty() && NormalizeUrl(item.url) == key) ||
             (!name.empty() && Words(item.name) == Words(name));
    });
    if (seen) continue;
    ++kept;
    p.material.passages.emplace_back(task.step, hit->snippet);
    if (items.size() >= cap) continue;
    spdlog::trace("step {}: kept: {} ({})", task.step, hit->title, hit->url);
    items.push_back(
        synth::Item{hit->url, name, hit->snippet, hit->published_date, task.step, {}, 0});
  }
  return kept;
}

// The records of a read, added to the item it was about (task.item) when they are on topic:
// a record naming neither the item nor any specific term of the topic is dropped. A read that
// failed marks the item for a re-read.
void AbsorbRead(Pipeline& p, const plan::Task& task) {
  auto output = p.outputs.find(task.step);
  synth::Item* item = p.material.FindItem(task.target, task.item);
  if (output == p.outputs.end()) {
    if (item) item->failed_read = task.step;
    return;
  }
  auto records = experts::ReadScrape(output->second);
  if (!records) return;
  const size_t before = item ? item->records.size() : 0;
  for (auto& record : *records) {
    const std::string text = plan::TextOf(Json(record.fields));
    if (text.empty()) continue;
    synth::Item* owner = item;
    if (!owner && task.depends_on.empty()) {
      // A read of URLs the objective named: each page is an item of the target.
      std::vector<synth::Item>& items =
          task.target.empty() ? p.material.subject : p.material.lists[task.target];
      items.push_back(synth::Item{record.url,
                                  synth::NameFromTitle(JsonString(Json(record.fields), "title")),
                                  "",
                                  "",
                                  0,
                                  {},
                                  0});
      owner = &items.back();
    }
    const bool about_item =
        owner && !owner->name.empty() && ContainsIgnoringCase(text, owner->name);
    if (!about_item && !p.brief.topic.MentionsSpecific(text)) continue;
    // Another page read for an item (a follow-up) lends its fields only when it is about that
    // item, not about something it merely mentions.
    if (owner && NormalizeUrl(record.url) != NormalizeUrl(owner->url)) {
      const std::string own_name = JsonString(Json(record.fields), "name");
      if (!own_name.empty() && !ContainsIgnoringCase(own_name, owner->name) &&
          !ContainsIgnoringCase(owner->name, own_name)) {
        continue;
      }
    }
    if (owner) {
      // The item goes by the name its page gives it ("OpenAI", not "New funding to scale...").
      for (const auto& list : p.brief.needs.lists) {
        if (list.field != task.target) continue;
        const std::string field = list.NameField().empty() ? "name" : list.NameField();
        if (auto it = record.fields.find(field); it != record.fields.end() &&
                                                 it->value().is_string() &&
                                                 !Trim(it->value().get_string()).empty()) {
          owner->name = synth::NameFromTitle(it->value().get_string());
        }
      }
      owner->records.emplace_back(task.step, std::move(record.fields));
      owner->failed_read = 0;
    }
    p.material.passages.emplace_back(task.step, text);
  }
  // A read that brought nothing back about its item (the page not returned, or nothing on it
  // on topic) failed as surely as one that timed out.
  if (item && item->records.size() == before) item->failed_read = task.step;
}

// What an item's own material says it is: its page's "description", else what its title
// says after the name ("jq: lightweight ... JSON processor"), else its search snippet.
std::string DescriptionOf(const synth::Item& item) {
  for (const auto& [step, fields] : item.records) {
    if (const std::string d = JsonString(Json(fields), "description"); !Trim(d).empty()) return d;
  }
  for (const auto& [step, fields] : item.records) {
    const std::string title = JsonString(Json(fields), "title");
    const std::string name = synth::NameFromTitle(title);
    if (title.size() > name.size() + 2) return std::string(Trim(title.substr(name.size() + 1)));
  }
  return item.snippet;
}

// The discovery of relative lists ("alternatives") of the subject a URL names, from what its
// page says the subject is; the kind each list's items must be of is kept for the audit.
std::vector<plan::Task> PlanRelative(Pipeline& p, int first_step) {
  std::vector<plan::Task> wave;
  if (p.brief.subject.empty()) return wave;
  int read = 0;
  std::string target;
  for (const auto& [step, task] : p.tasks) {
    if (task.purpose == plan::Purpose::kDetail && task.depends_on.empty()) {
      read = step;
      target = task.target;
    }
  }
  const synth::Item* subject = nullptr;
  const auto& items = target.empty() ? p.material.subject : p.material.lists[target];
  if (!items.empty()) subject = &items.front();
  const std::string description = subject ? DescriptionOf(*subject) : "";
  // Without a description (the page could not be read), the topic's words are searched for
  // and only results naming the subject are kept.
  const plan::ItemKind kind = plan::KindOfText(description);
  for (const auto& list : p.brief.needs.lists) {
    if (!list.relative) continue;
    if (!kind.empty()) p.brief.kinds[list.field] = kind;
    wave.push_back(plan::RelativeDiscovery(p.brief, list, kind, read,
                                           first_step + static_cast<int>(wave.size())));
  }
  return wave;
}

// The detail wave: every kept item of a list whose fields need its page, and the subject's
// pages when root fields need them.
// Each item's page is read once here; re-reads of failed reads are follow-ups.
std::vector<plan::Task> PlanDetail(Pipeline& p) {
  auto unread = [&p](const std::vector<synth::Item>& items) {
    std::vector<plan::Candidate> candidates;
    for (const auto& item : items) {
      if (item.records.empty() && !item.url.empty() &&
          p.followed_up.insert("read\n" + NormalizeUrl(item.url)).second) {
        candidates.push_back(plan::Candidate{item.url, item.name, item.found_by});
      }
    }
    return candidates;
  };
  std::vector<plan::Task> wave;
  for (const auto& list : p.brief.needs.lists) {
    if (!list.NeedsDetail()) continue;
    auto tasks = plan::DetailTasks(p.brief, list, unread(p.material.lists[list.field]),
                                   p.next_step + static_cast<int>(wave.size()));
    for (auto& t : tasks) wave.push_back(std::move(t));
  }
  if (!p.brief.needs.RootDetailFields().empty()) {
    std::vector<plan::Candidate> pages = unread(p.material.subject);
    if (pages.size() > kSubjectItems) pages.resize(kSubjectItems);
    auto tasks = plan::SubjectTasks(p.brief, pages, p.next_step + static_cast<int>(wave.size()));
    for (auto& t : tasks) wave.push_back(std::move(t));
  }
  return wave;
}

// Items of a list whose page was read but held none of the detail fields its peers' pages
// held are pages of another kind (an article among products): dropped, while some item has
// them.
void PruneNonInstances(Pipeline& p) {
  for (const auto& list : p.brief.needs.lists) {
    auto& items = p.material.lists[list.field];
    const bool some = std::any_of(items.begin(), items.end(), [&](const synth::Item& item) {
      return synth::DetailFieldsFound(item, list) > 0;
    });
    if (!some) continue;
    auto other_kind = [&](const synth::Item& item) {
      return !item.records.empty() && synth::DetailFieldsFound(item, list) == 0;
    };
    for (auto& item : items) {
      if (other_kind(item)) p.material.background.push_back(item);
    }
    std::erase_if(items, other_kind);
  }
}

// The gaps worth a follow-up: not judgement (synthesis fills it), not chased before.
std::vector<plan::Gap> OpenGaps(Pipeline& p) {
  // Nothing on topic at all after discovery (and its second try): more searches for the same
  // topic would find the same nothing.
  if (p.material.passages.empty()) return {};
  synth::Draft draft = synth::MakeDraft(p.brief.needs, p.brief.topic, p.material);
  std::vector<plan::Gap> reread, search;
  for (plan::Gap& gap : draft.gaps) {
    if (gap.target.empty()) {
      std::erase_if(gap.fields, [&](const std::string& f) {
        return plan::RoleOf(f, true) == plan::FieldRole::kJudgement;
      });
      if (gap.fields.empty()) continue;
    }
    // A list whose discovery was tried twice already is not searched for a third time.
    if (gap.item_name.empty() && p.retried.contains(gap.target)) continue;
    const bool rereading = gap.failed_read > 0 && !gap.item_url.empty();
    const std::string key = fmt::format("{}\n{}\n{}", rereading ? "reread" : "search", gap.target,
                                        gap.item_url.empty() ? gap.item_name : gap.item_url);
    if (!p.followed_up.insert(key).second) continue;
    (rereading ? reread : search).push_back(std::move(gap));
  }
  for (auto& g : search) {
    if (p.targeted_searches >= plan::kMaxTargetedSearches) break;
    ++p.targeted_searches;
    reread.push_back(std::move(g));
  }
  return reread;
}

// Pages a targeted search found about the item it looked for, to read next.
std::vector<plan::Task> AbsorbFollowUpSearch(Pipeline& p, const plan::Task& task) {
  std::vector<plan::Task> reads;
  auto output = p.outputs.find(task.step);
  if (output == p.outputs.end()) return reads;
  auto hits = experts::ReadSearch(output->second);
  if (!hits) return reads;
  if (task.item.empty()) {
    // A search for a list or root fields: treat it as discovery.
    AbsorbSearch(p, task);
    return reads;
  }
  std::vector<synth::Item>& items =
      task.target.empty() ? p.material.subject : p.material.lists[task.target];
  auto item = std::find_if(items.begin(), items.end(),
                           [&](const synth::Item& i) { return i.name == task.item; });
  if (item == items.end()) {
    // A search for a thing the objective names: its best result that names it is the item.
    for (const auto& hit : *hits) {
      if (!ContainsIgnoringCase(hit.title + " " + hit.snippet, task.item)) continue;
      if (p.material.FindItem(task.target, hit.url)) break;
      items.push_back(synth::Item{hit.url,
                                  synth::NameFromTitle(hit.title),
                                  hit.snippet,
                                  hit.published_date,
                                  task.step,
                                  {},
                                  0});
      p.material.passages.emplace_back(task.step, hit.snippet);
      break;
    }
    return reads;
  }
  for (const auto& hit : *hits) {
    const std::string text = hit.title + " " + hit.snippet;
    if (!ContainsIgnoringCase(text, item->name) || NormalizeUrl(hit.url) == NormalizeUrl(item->url))
      continue;
    if (!p.followed_up.insert("read\n" + NormalizeUrl(hit.url)).second) continue;
    p.material.passages.emplace_back(task.step, hit.snippet);
    for (const auto& list : p.brief.needs.lists) {
      if (list.field != task.target) continue;
      auto tasks =
          plan::DetailTasks(p.brief, list, {plan::Candidate{hit.url, item->name, task.step}}, 0);
      for (auto& t : tasks) {
        t.item = item->url;
        t.purpose = plan::Purpose::kFollowUp;
        reads.push_back(std::move(t));
      }
    }
    break;  // one more page per item
  }
  return reads;
}

// The audited material as the synthesis expert's context (experts::ContextPrompt).
JsonArray SynthesisContext(const synth::Material& material) {
  JsonArray context;
  auto add_item = [&](const synth::Item& item) {
    if (context.size() >= kMaxContextItems) return;
    if (item.found_by > 0) {
      context.push_back(JsonObject{
          {"step", item.found_by},
          {"kind", "search_result"},
          {"data",
           JsonObject{{"title", item.name}, {"link", item.url}, {"snippet", item.snippet}}}});
    }
    for (const auto& [step, fields] : item.records) {
      if (context.size() >= kMaxContextItems) return;
      JsonObject data = fields;
      data["url"] = item.url;
      context.push_back(JsonObject{{"step", step}, {"kind", "record"}, {"data", std::move(data)}});
    }
  };
  for (const auto& [field, items] : material.lists) {
    for (const auto& item : items) add_item(item);
  }
  for (const auto& item : material.subject) add_item(item);
  for (const auto& item : material.background) add_item(item);
  return context;
}

}  // namespace

boost::asio::awaitable<Result<schema::Schema>> CompileTarget(Json target_schema,
                                                             boost::asio::thread_pool* pool) {
  // On the default heap: the caller's value may live on a per-call arena. (Moving a value
  // between two resources copies it; within the default one it moves.)
  Json owned(nullptr, boost::json::storage_ptr());
  owned = std::move(target_schema);
  auto compile = [json = std::move(owned)]() mutable {
    auto compiled = schema::Schema::FromTarget(std::move(json));
    // A schema past the size limits was large: give back what compiling it took at once
    // (tcmalloc otherwise keeps it, and the process stays at that size).
    if (!compiled && compiled.error().message.find("(CompileOptions::max_") != std::string::npos) {
      ReleaseFreeMemory();
    }
    return compiled;
  };
  co_return co_await net::RunOnPool(pool, std::move(compile));
}

boost::asio::awaitable<Result<protocol::Response>> Orchestrate(
    protocol::Challenge challenge, schema::Schema target, Deadline deadline,
    ledger::SnapshotPtr ledger, experts::Transport& transport, OrchestratorOptions options) {
  // A stop (terminal cancellation) that came while the target was compiled on the pool, where
  // nothing can notice it (net/run_on_pool.h): no expert is called for a challenge nobody will
  // read.
  if ((co_await boost::asio::this_coro::cancellation_state).cancelled() !=
      boost::asio::cancellation_type::none) {
    co_return Error(ErrorCode::kUnavailable, "cancelled: the miner is stopping");
  }
  const auto received_at = Deadline::Clock::now();
  if (challenge.challenge_id.empty()) {
    challenge.challenge_id = protocol::NewChallengeId(challenge.objective);
  }
  Pipeline p{challenge,
             target,
             deadline,
             *ledger,
             transport,
             options,
             exec::PipelineContext{challenge.challenge_id, challenge.objective,
                                   options.miner_hotkey, received_at,
                                   std::chrono::duration_cast<milliseconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count()},
             plan::MakeBrief(challenge.objective, challenge.hints, target, *ledger)};
  const plan::SchemaNeeds& needs = p.brief.needs;
  const bool judgement =
      needs.NeedsJudgement() && (options.llm || !ledger->WithCapability("synthesis").empty());
  const milliseconds synthesis_reserve = judgement ? p.P95("synthesis") : milliseconds(0);
  bool detail = !needs.RootDetailFields().empty();
  for (const auto& list : needs.lists) detail = detail || list.NeedsDetail();
  const milliseconds detail_reserve = detail ? p.P95("web_scraping") : milliseconds(0);
  const plan::PlanEstimate estimate = plan::Estimate(p.brief, *ledger, options.routing);
  spdlog::debug("challenge {}: plan of about {} calls, {:.4f} TAO, {:.0f} ms; topic \"{}\"",
                challenge.challenge_id, estimate.calls, estimate.cost, estimate.time_ms,
                p.brief.topic.query());

  // 1. Discovery, audited; a search with nothing on topic is tried once more.
  std::vector<plan::Task> discovery = plan::DiscoveryWave(p.brief, p.next_step);
  if (options.llm) {
    discovery =
        co_await options.llm->PlanDiscovery(p.brief, *ledger, std::move(discovery), p.deadline);
  }
  if (auto ran = co_await RunWave(p, std::move(discovery), detail_reserve + synthesis_reserve);
      !ran) {
    co_return ran.error();
  }
  std::vector<plan::Task> retries;
  // The subject's searches first: what a relative list holds is judged against the subject.
  for (const bool subject_pass : {true, false}) {
    for (auto& [step, task] : p.tasks) {
      if (task.target.empty() != subject_pass) continue;
      if (task.purpose == plan::Purpose::kDetail) {
        AbsorbRead(p, task);
      } else if (AbsorbSearch(p, task) == 0 && p.outputs.contains(step)) {
        retries.push_back(
            plan::RetryDiscovery(p.brief, task, p.next_step + static_cast<int>(retries.size())));
        p.retried.insert(task.target);
      }
    }
  }
  for (auto& t : PlanRelative(p, p.next_step + static_cast<int>(retries.size()))) {
    retries.push_back(std::move(t));
  }
  if (const plan::ListTarget* primary = needs.primary()) {
    for (const std::string& name : p.brief.named) {
      const auto& items = p.material.lists[primary->field];
      const bool found = std::any_of(items.begin(), items.end(), [&](const synth::Item& item) {
        return ContainsIgnoringCase(item.name, name) || ContainsIgnoringCase(name, item.name);
      });
      if (found) continue;
      plan::Task t = plan::FindNamed(p.brief, name, p.next_step + static_cast<int>(retries.size()));
      t.name = fmt::format("find_named_{}", t.step);
      for (const auto& [step, task] : p.tasks) {
        if (task.purpose == plan::Purpose::kDiscover && task.target == primary->field) {
          t.depends_on.push_back(step);
        }
      }
      retries.push_back(std::move(t));
    }
  }
  if (!retries.empty() && p.deadline.Remaining() > p.P95(p.brief.search_capability) +
                                                       detail_reserve + synthesis_reserve) {
    const int first = retries.front().step;
    if (auto ran = co_await RunWave(p, std::move(retries), detail_reserve + synthesis_reserve);
        ran) {
      for (auto it = p.tasks.lower_bound(first); it != p.tasks.end(); ++it) {
        if (it->second.item.empty()) {
          AbsorbSearch(p, it->second);
        } else {
          AbsorbFollowUpSearch(p, it->second);
        }
      }
    }
  }

  // The operator's LLM may drop what the topic audit kept, never add to it.
  if (options.llm) co_await options.llm->AuditRelevance(p.brief, p.material, p.deadline);

  // 2. Detail: the kept items' pages, in parallel.
  {
    const int first = p.next_step;
    if (auto ran = co_await RunWave(p, PlanDetail(p), synthesis_reserve); ran) {
      for (auto it = p.tasks.lower_bound(first); it != p.tasks.end(); ++it)
        AbsorbRead(p, it->second);
    }
    PruneNonInstances(p);
  }

  // 3. Follow-ups for what is still missing, while time and the spend cap allow.
  std::vector<plan::Task> pending_reads;
  for (int round = 0; round < options.follow_up_rounds; ++round) {
    // Pages of items found since the detail wave, and pages the targeted searches found.
    std::vector<plan::Task> wave = PlanDetail(p);
    for (auto& t : pending_reads) wave.push_back(std::move(t));
    pending_reads.clear();
    const std::vector<plan::Gap> gaps = OpenGaps(p);
    const size_t room = plan::kMaxFollowUps > wave.size() ? plan::kMaxFollowUps - wave.size() : 0;
    std::vector<int> deps;
    if (!p.steps.empty()) deps.push_back(p.steps.back().step);
    for (auto& t : plan::FollowUpTasks(p.brief, gaps, deps, 0, room)) wave.push_back(std::move(t));
    for (auto& t : wave) {
      // A re-read goes first to another subnet than the one whose read failed.
      if (t.purpose == plan::Purpose::kFollowUp &&
          experts::FamilyOf(t.capability) == experts::Family::kScrape && !t.depends_on.empty()) {
        for (const auto& s : p.steps) {
          if (s.step == t.depends_on.front()) t.avoid_subnet = s.subnet;
        }
      }
    }
    for (size_t i = 0; i < wave.size(); ++i) {
      // Numbered (and named) where the wave sits in the pipeline.
      wave[i].step = p.next_step + static_cast<int>(i);
      wave[i].name =
          fmt::format("{}_{}", wave[i].name.substr(0, wave[i].name.rfind('_')), wave[i].step);
    }
    if (wave.empty()) break;
    double cost = 0;
    milliseconds need{0};
    for (const auto& t : wave) {
      cost += p.Price(t.capability);
      need = std::max(need, p.P95(t.capability));
    }
    if (options.max_spend && p.spent + cost > *options.max_spend) {
      spdlog::debug("challenge {}: follow-ups skipped: {:.4f} + {:.4f} TAO is over the cap",
                    challenge.challenge_id, p.spent, cost);
      break;
    }
    if (p.deadline.Remaining() < need + synthesis_reserve) break;
    const int first = wave.front().step;
    if (auto ran = co_await RunWave(p, std::move(wave), synthesis_reserve); !ran) break;
    for (auto it = p.tasks.lower_bound(first); it != p.tasks.end(); ++it) {
      const plan::Task& task = it->second;
      if (experts::FamilyOf(task.capability) == experts::Family::kScrape) {
        AbsorbRead(p, task);
      } else {
        for (auto& read : AbsorbFollowUpSearch(p, task)) pending_reads.push_back(std::move(read));
      }
    }
    PruneNonInstances(p);
  }

  // 4. Synthesis by an inference subnet, for judgement only, over material on topic (none: no
  // call, and the judgement is reported as not found).
  const JsonArray context = SynthesisContext(p.material);
  if (judgement && !context.empty() && p.deadline.Remaining() > milliseconds(0)) {
    std::vector<int> deps;
    for (const auto& s : p.steps) {
      if (!s.error) deps.push_back(s.step);
    }
    // Lists whose items' pages left fields empty: the same call fills what the context holds.
    std::vector<std::string> incomplete;
    for (const plan::Gap& gap : synth::MakeDraft(needs, p.brief.topic, p.material).gaps) {
      if (!gap.item_name.empty() &&
          std::find(incomplete.begin(), incomplete.end(), gap.target) == incomplete.end()) {
        incomplete.push_back(gap.target);
      }
    }
    plan::Task task =
        plan::SynthesisTask(p.brief, target, context, incomplete, std::move(deps), p.next_step);
    const int step = task.step;
    std::optional<Json> local;
    if (options.llm) local = co_await options.llm->Synthesize(task, p.deadline);
    if (local) {
      p.material.judgement = std::move(*local);  // no expert hired: no step, no cost
    } else if (!ledger->WithCapability("synthesis").empty()) {
      std::vector<plan::Task> wave;
      wave.push_back(std::move(task));
      if (auto ran = co_await RunWave(p, std::move(wave), milliseconds(0)); ran) {
        if (auto output = p.outputs.find(step); output != p.outputs.end()) {
          if (auto doc = experts::ReadChatJson(output->second)) {
            p.material.judgement = std::move(*doc);
          }
        }
      }
    }
  }

  // Assembling is linear in the material but may be large: off the I/O thread.
  auto assemble = [&p] { return synth::Assemble(p.target, p.brief, p.material, p.outputs); };
  synth::Synthesis synthesis = co_await net::RunOnPool(options.cpu_pool, std::move(assemble));

  protocol::Response response;
  response.challenge_id = challenge.challenge_id;
  std::sort(p.steps.begin(), p.steps.end(),
            [](const auto& a, const auto& b) { return a.step < b.step; });
  for (const auto& step : p.steps) response.total_cost += step.cost;
  // A sum of prices: no more digits than the prices have (0.0176, not 0.017599999999999998).
  response.total_cost = std::round(response.total_cost * 1e9) / 1e9;
  response.task_pipeline = std::move(p.steps);
  response.standardized_data = std::move(synthesis.standardized_data);
  response.final_synthesis = std::move(synthesis.final_synthesis);
  response.provenance = std::move(synthesis.provenance);
  response.ledger_version = ledger->version();
  response.total_latency_ms =
      std::chrono::duration_cast<milliseconds>(Deadline::Clock::now() - received_at).count();
  co_return response;
}

}  // namespace orchestra::miner
