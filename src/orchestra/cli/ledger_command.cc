#include "orchestra/cli/ledger_command.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "orchestra/cli/input.h"
#include "orchestra/core/clock.h"
#include "orchestra/crypto/ss58.h"
#include "orchestra/ledger/diff.h"
#include "orchestra/ledger/exchange.h"
#include "orchestra/ledger/fetch.h"
#include "orchestra/ledger/merge.h"
#include "orchestra/ledger/open_store.h"
#include "orchestra/ledger/reader.h"

namespace orchestra::cli {
namespace {

constexpr std::string_view kCommand = "ledger";
constexpr auto kFetchBudget = std::chrono::seconds(30);

int LedgerFail(const LedgerFlags& f, int code, std::string_view message) {
  return Fail(fmt::format("{} {}", kCommand, f.action), code, message);
}

// The ledger store --ledger.store names (default <data dir>/ledger.db), as `orchestra miner`
// opens it.
Result<std::unique_ptr<ledger::Store>> OpenLedgerStore(const LedgerFlags& f) {
  auto store = ledger::OpenStore(f.store, DataDir(f.data_dir));
  if (!store) {
    return Error(store.error().code, fmt::format("--ledger.store: {}", store.error().message));
  }
  return store;
}

// The exit status of a store that would not open: the flag's fault, or the store's.
int StoreFailure(const LedgerFlags& f, const Error& error) {
  return Fail(fmt::format("ledger {}", f.action),
              error.code == ErrorCode::kInvalidArgument ? kExitBadInput : kExitFailed,
              error.message);
}

// The current ledger, seeded from the shipped snapshot on first use.
Result<ledger::SnapshotPtr> CurrentLedger(ledger::Store& store) {
  auto snapshot = ledger::LoadOrSeed(store);
  if (!snapshot) {
    return Error(snapshot.error().code,
                 fmt::format("{}: {}", store.Describe(), snapshot.error().message));
  }
  return snapshot;
}

// A value as one line: strings as they are, a list of strings comma-separated, else JSON.
std::string Readable(const Json& value) {
  if (value.is_string()) return std::string(value.get_string());
  if (value.is_array()) {
    const JsonArray& items = value.get_array();
    if (std::all_of(items.begin(), items.end(), [](const Json& v) { return v.is_string(); })) {
      std::string out;
      for (const Json& item : items) {
        if (!out.empty()) out += ", ";
        out += item.get_string();
      }
      return out;
    }
  }
  return CompactJson(value);
}

std::vector<const ledger::LedgerEntry*> ByNetuid(const ledger::Snapshot& snapshot) {
  std::vector<const ledger::LedgerEntry*> rows;
  for (const auto& [id, entry] : snapshot.entries()) rows.push_back(&entry);
  std::stable_sort(rows.begin(), rows.end(),
                   [](const ledger::LedgerEntry* a, const ledger::LedgerEntry* b) {
                     return a->netuid < b->netuid;
                   });
  return rows;
}

void PrintTable(const ledger::Snapshot& snapshot, const std::string& where) {
  const auto rows = ByNetuid(snapshot);
  size_t id_width = 6, name_width = 4, caps_width = 12;
  for (const ledger::LedgerEntry* e : rows) {
    id_width = std::max(id_width, e->subnet_id.size());
    name_width = std::max(name_width, e->name.size());
    caps_width = std::max(caps_width, fmt::format("{}", fmt::join(e->capabilities, ", ")).size());
  }
  fmt::print("ledger {}: {} subnet{} ({})\n", snapshot.version(), rows.size(),
             rows.size() == 1 ? "" : "s", where);
  fmt::print("{:<{}}  {:<{}}  {:<{}}  {:>7} {:>7}  {:>7}  {:>8}  {}\n", "subnet", id_width, "name",
             name_width, "capabilities", caps_width, "avg ms", "p95 ms", "reliab.", "cost",
             "last_updated");
  for (const ledger::LedgerEntry* e : rows) {
    fmt::print("{:<{}}  {:<{}}  {:<{}}  {:>7.0f} {:>7.0f}  {:>6.1f}%  {:>8.4f}  {}\n", e->subnet_id,
               id_width, e->name, name_width, fmt::format("{}", fmt::join(e->capabilities, ", ")),
               caps_width, e->avg_latency_ms, e->p95_latency_ms, e->reliability * 100,
               e->cost_per_query, e->last_updated.empty() ? "-" : e->last_updated);
  }
}

int Show(const LedgerFlags& f) {
  auto store = OpenLedgerStore(f);
  if (!store) return StoreFailure(f, store.error());
  auto snapshot = CurrentLedger(**store);
  if (!snapshot) return LedgerFail(f, kExitFailed, snapshot.error().message);
  const ledger::Snapshot& ledger = **snapshot;
  if (f.subnet.empty()) {
    if (f.json) {
      Json json = ledger.ToJson();
      json.as_object()["ledger_format"] = 1;
      json.as_object()["version"] = ledger.version();
      std::cout << PrettyJson(json) << "\n";
    } else {
      PrintTable(ledger, (*store)->Describe());
    }
    return kExitOk;
  }
  const ledger::LedgerEntry* entry = ledger.Find(f.subnet);
  if (entry == nullptr) {
    std::string held;
    for (const ledger::LedgerEntry* e : ByNetuid(ledger)) {
      held += (held.empty() ? "" : ", ") + e->subnet_id;
    }
    return LedgerFail(f, kExitBadInput,
                      fmt::format("no subnet {} in the ledger (it holds {})", f.subnet,
                                  held.empty() ? "none" : held));
  }
  const Json json = ledger::ToJson(*entry);
  if (f.json) {
    std::cout << PrettyJson(JsonObject{{f.subnet, json}}) << "\n";
    return kExitOk;
  }
  fmt::print("{} (ledger {})\n", f.subnet, ledger.version());
  for (const auto& member : json.get_object()) {
    fmt::print("  {:<16} {}\n", std::string_view(member.key()), Readable(member.value()));
  }
  return kExitOk;
}

// Writes `bytes` to `path` whole or not at all: into a temporary file beside it, then renamed
// over it.
Status WriteFileAtomically(const std::filesystem::path& path, std::string_view bytes) {
  const std::filesystem::path temporary =
      path.string() + fmt::format(".tmp-{}", static_cast<long>(getpid()));
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) {
      std::error_code ignored;
      std::filesystem::remove(temporary, ignored);
      return Error(ErrorCode::kIo, fmt::format("cannot write \"{}\"", path.string()));
    }
  }
  std::error_code ec;
  std::filesystem::rename(temporary, path, ec);
  if (ec) {
    std::filesystem::remove(temporary, ec);
    return Error(ErrorCode::kIo, fmt::format("cannot write \"{}\": {}", path.string(),
                                             std::error_code(ec).message()));
  }
  return {};
}

int Export(const LedgerFlags& f) {
  const std::filesystem::path data_dir = DataDir(f.data_dir);
  auto hotkey = LoadRoleHotkey(f.wallet, data_dir, "miner");
  if (!hotkey) return LedgerFail(f, kExitBadInput, hotkey.error().message);
  if (!hotkey->keypair) {
    return LedgerFail(f, kExitBadInput,
                      fmt::format("hotkey {} has no secret key: an export is signed with it",
                                  hotkey->ss58_address));
  }
  auto store = OpenLedgerStore(f);
  if (!store) return StoreFailure(f, store.error());
  auto snapshot = CurrentLedger(**store);
  if (!snapshot) return LedgerFail(f, kExitFailed, snapshot.error().message);
  const Json document = ledger::SignedExport(**snapshot, *hotkey->keypair, RealTime());
  const std::string text = PrettyJson(document) + "\n";
  const std::string summary =
      fmt::format("exported {} entries (ledger {}) signed by {}", (*snapshot)->entries().size(),
                  (*snapshot)->version(), hotkey->ss58_address);
  if (f.file == "-") {
    std::cout << text;
    fmt::print(stderr, "orchestra ledger export: {}\n", summary);
    return kExitOk;
  }
  if (auto written = WriteFileAtomically(f.file, text); !written) {
    return LedgerFail(f, kExitFailed, written.error().message);
  }
  fmt::print("{} to {}\n", summary, f.file);
  return kExitOk;
}

std::string Changes(const std::vector<ledger::FieldChange>& changes) {
  std::string out;
  for (const ledger::FieldChange& c : changes) {
    if (!out.empty()) out += "; ";
    out += fmt::format("{}: {} -> {}", c.field, CompactJson(c.old_value), CompactJson(c.new_value));
  }
  return out;
}

Json ChangesJson(const std::vector<ledger::FieldChange>& changes) {
  JsonArray out;
  for (const ledger::FieldChange& c : changes) {
    out.push_back(JsonObject{{"field", c.field}, {"old", c.old_value}, {"new", c.new_value}});
  }
  return out;
}

int Import(const LedgerFlags& f) {
  ledger::ImportPolicy policy;
  policy.allow_unsigned = f.allow_unsigned;
  for (const std::string& signer : f.trusted) {
    if (auto account = crypto::Ss58Decode(signer); !account) {
      return LedgerFail(f, kExitBadInput,
                        fmt::format("--trust {}: {}", signer, account.error().message));
    }
    policy.trusted_signers.push_back(signer);
  }
  auto bytes = ledger::ReadLedgerSource(f.file, Deadline::After(kFetchBudget));
  if (!bytes) return LedgerFail(f, kExitBadInput, bytes.error().message);
  auto document = ParseJson(*bytes, f.file);
  if (!document) return LedgerFail(f, kExitBadInput, document.error().message);
  auto imported = ledger::ReadImport(*document, policy);
  if (!imported) {
    if (f.json) {
      std::cout << PrettyJson(JsonObject{{"source", f.file}, {"refused", imported.error().message}})
                << "\n";
    }
    return LedgerFail(
        f, kExitFailed,
        fmt::format("{} refused, nothing imported: {}", f.file, imported.error().message));
  }

  auto store = OpenLedgerStore(f);
  if (!store) return StoreFailure(f, store.error());
  auto before = CurrentLedger(**store);
  if (!before) return LedgerFail(f, kExitFailed, before.error().message);
  auto applied = ledger::ApplyImport(**store, imported->ledger);
  if (!applied) {
    return LedgerFail(f, kExitFailed,
                      fmt::format("{}: {}", (*store)->Describe(), applied.error().message));
  }
  const ledger::ImportReport& report = *applied;
  auto after = (*store)->Load();
  if (!after) {
    return LedgerFail(f, kExitFailed,
                      fmt::format("{}: {}", (*store)->Describe(), after.error().message));
  }

  const size_t rejected = report.Count(ledger::ImportOutcome::kRejected);
  if (f.json) {
    JsonArray entries;
    for (const ledger::EntryImport& e : report.outcomes) {
      JsonObject o{{"subnet", e.subnet_id}, {"outcome", ledger::ImportOutcomeName(e.outcome)}};
      if (!e.reason.empty()) o["reason"] = e.reason;
      if (!e.changes.empty()) o["changes"] = ChangesJson(e.changes);
      entries.push_back(std::move(o));
    }
    std::cout << PrettyJson(JsonObject{{"source", f.file},
                                       {"signed_by", imported->signed_by},
                                       {"exported_at", imported->exported_at},
                                       {"ledger_version", imported->ledger_version},
                                       {"before", (*before)->version()},
                                       {"after", after->version()},
                                       {"entries", std::move(entries)}})
              << "\n";
  } else {
    fmt::print(
        "{}: {}{}, ledger {}\n", f.file,
        imported->signed_by.empty() ? "unsigned" : fmt::format("signed by {}", imported->signed_by),
        imported->exported_at.empty() ? "" : fmt::format(" at {}", imported->exported_at),
        imported->ledger_version);
    size_t id_width = 6;
    for (const ledger::EntryImport& e : report.outcomes) {
      id_width = std::max(id_width, e.subnet_id.size());
    }
    for (const ledger::EntryImport& e : report.outcomes) {
      std::string detail = e.reason;
      if (e.outcome == ledger::ImportOutcome::kUpdated) detail = Changes(e.changes);
      std::string line = fmt::format("  {:<{}}  {:<9}  {}", e.subnet_id, id_width,
                                     ledger::ImportOutcomeName(e.outcome), detail);
      line.erase(line.find_last_not_of(' ') + 1);
      fmt::print("{}\n", line);
    }
    fmt::print("ledger {} -> {}: {} added, {} updated, {} unchanged, {} kept ours, {} rejected\n",
               (*before)->version(), after->version(), report.Count(ledger::ImportOutcome::kAdded),
               report.Count(ledger::ImportOutcome::kUpdated),
               report.Count(ledger::ImportOutcome::kUnchanged),
               report.Count(ledger::ImportOutcome::kKeptOurs), rejected);
  }
  return rejected > 0 ? kExitFailed : kExitOk;
}

// The ledger `source` names: "current" (the store's), else a file or URL holding a ledger
// (either form) or an export (its content).
Result<ledger::Snapshot> LoadSide(const std::string& source, const LedgerFlags& f) {
  if (source == "current") {
    auto store = OpenLedgerStore(f);
    if (!store) return store.error();
    auto current = CurrentLedger(**store);
    if (!current) return current.error();
    return **current;
  }
  auto bytes = ledger::ReadLedgerSource(source, Deadline::After(kFetchBudget));
  if (!bytes) return bytes.error();
  auto json = ParseJson(*bytes, source);
  if (!json) return json.error();
  auto snapshot = ledger::ReadLedger(ledger::LedgerOf(*json));
  if (!snapshot) {
    return Error(snapshot.error().code, fmt::format("{}: {}", source, snapshot.error().message));
  }
  return snapshot;
}

int Diff(const LedgerFlags& f) {
  auto from = LoadSide(f.from, f);
  if (!from) return LedgerFail(f, kExitBadInput, from.error().message);
  auto to = LoadSide(f.to, f);
  if (!to) return LedgerFail(f, kExitBadInput, to.error().message);
  const ledger::LedgerDiff diff = ledger::DiffLedgers(*from, *to);
  if (f.json) {
    Json json = ledger::ToJson(diff);
    json.as_object()["from"].as_object()["source"] = f.from;
    json.as_object()["to"].as_object()["source"] = f.to;
    std::cout << PrettyJson(json) << "\n";
    return diff.identical() ? kExitOk : kExitFailed;
  }
  if (diff.identical()) {
    fmt::print("{} ({}) and {} ({}) are identical\n", f.from, diff.from_version, f.to,
               diff.to_version);
    return kExitOk;
  }
  auto count = [&](ledger::SubnetChange change) {
    return std::count_if(diff.subnets.begin(), diff.subnets.end(),
                         [change](const ledger::SubnetDiff& s) { return s.change == change; });
  };
  fmt::print("{} ({}) -> {} ({}): {} added, {} removed, {} changed\n", f.from, diff.from_version,
             f.to, diff.to_version, count(ledger::SubnetChange::kAdded),
             count(ledger::SubnetChange::kRemoved), count(ledger::SubnetChange::kChanged));
  for (const ledger::SubnetDiff& s : diff.subnets) {
    switch (s.change) {
      case ledger::SubnetChange::kAdded:
        fmt::print("+ {}  {}  added\n", s.subnet_id, JsonString(s.entry, "name"));
        break;
      case ledger::SubnetChange::kRemoved:
        fmt::print("- {}  {}  removed\n", s.subnet_id, JsonString(s.entry, "name"));
        break;
      case ledger::SubnetChange::kChanged:
        fmt::print("~ {}  {}\n", s.subnet_id, to->Find(s.subnet_id)->name);
        for (const ledger::FieldChange& c : s.fields) {
          fmt::print("    {}: {} -> {}\n", c.field, CompactJson(c.old_value),
                     CompactJson(c.new_value));
        }
        break;
    }
  }
  return kExitFailed;
}

}  // namespace

int LedgerCommand(const LedgerFlags& f) {
  if (f.action == "show") return Show(f);
  if (f.action == "export") return Export(f);
  if (f.action == "import") return Import(f);
  if (f.action == "diff") return Diff(f);
  return LedgerFail(f, kExitBadInput, fmt::format("unknown action \"{}\"", f.action));
}

}  // namespace orchestra::cli
