#include "orchestra/ledger/diff.h"

#include <set>

namespace orchestra::ledger {

std::vector<FieldChange> DiffEntries(const LedgerEntry& from, const LedgerEntry& to) {
  const Json a = ToJson(from);
  const Json b = ToJson(to);
  std::set<std::string> fields;
  for (const auto& member : a.get_object()) fields.emplace(member.key());
  for (const auto& member : b.get_object()) fields.emplace(member.key());
  std::vector<FieldChange> changes;
  for (const std::string& field : fields) {
    const Json* old_value = a.get_object().if_contains(field);
    const Json* new_value = b.get_object().if_contains(field);
    const Json old_or_null = old_value ? *old_value : Json(nullptr);
    const Json new_or_null = new_value ? *new_value : Json(nullptr);
    if (CanonicalJson(old_or_null) == CanonicalJson(new_or_null)) continue;
    changes.push_back({field, old_or_null, new_or_null});
  }
  return changes;
}

std::string_view SubnetChangeName(SubnetChange change) {
  switch (change) {
    case SubnetChange::kAdded:
      return "added";
    case SubnetChange::kRemoved:
      return "removed";
    case SubnetChange::kChanged:
      return "changed";
  }
  return "changed";
}

LedgerDiff DiffLedgers(const Snapshot& from, const Snapshot& to) {
  LedgerDiff diff;
  diff.from_version = from.version();
  diff.to_version = to.version();
  std::set<std::string> ids;
  for (const auto& [id, entry] : from.entries()) ids.insert(id);
  for (const auto& [id, entry] : to.entries()) ids.insert(id);
  for (const std::string& id : ids) {
    const LedgerEntry* old_entry = from.Find(id);
    const LedgerEntry* new_entry = to.Find(id);
    if (old_entry == nullptr) {
      diff.subnets.push_back({id, SubnetChange::kAdded, {}, ToJson(*new_entry)});
    } else if (new_entry == nullptr) {
      diff.subnets.push_back({id, SubnetChange::kRemoved, {}, ToJson(*old_entry)});
    } else if (auto fields = DiffEntries(*old_entry, *new_entry); !fields.empty()) {
      diff.subnets.push_back({id, SubnetChange::kChanged, std::move(fields), nullptr});
    }
  }
  return diff;
}

Json ToJson(const LedgerDiff& diff) {
  JsonArray subnets;
  for (const SubnetDiff& s : diff.subnets) {
    JsonObject o{{"subnet", s.subnet_id}, {"change", SubnetChangeName(s.change)}};
    if (s.change == SubnetChange::kChanged) {
      JsonArray fields;
      for (const FieldChange& f : s.fields) {
        fields.push_back(
            JsonObject{{"field", f.field}, {"old", f.old_value}, {"new", f.new_value}});
      }
      o["fields"] = std::move(fields);
    } else {
      o["entry"] = s.entry;
    }
    subnets.push_back(std::move(o));
  }
  return JsonObject{{"from", JsonObject{{"version", diff.from_version}}},
                    {"to", JsonObject{{"version", diff.to_version}}},
                    {"identical", diff.identical()},
                    {"subnets", std::move(subnets)}};
}

}  // namespace orchestra::ledger
