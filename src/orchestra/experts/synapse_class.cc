#include "orchestra/experts/synapse_class.h"

namespace orchestra::experts {
namespace {

// A JSON Schema object declares its fields under "properties": an object of schemas, each of
// them an object or a boolean. The shorthand may itself have a field named "properties" (a
// type string such as "dict", or a nested model whose leaves are type strings); that is not it.
bool IsJsonSchemaObject(const Json& schema) {
  const Json* properties = JsonFind(schema, "properties");
  if (properties == nullptr || !properties->is_object()) return false;
  if (const Json* type = JsonFind(schema, "type"); type && type->is_string()) {
    return type->get_string() == "object";
  }
  for (const auto& [key, member] : properties->get_object()) {
    if (!member.is_object() && !member.is_bool()) return false;
  }
  return true;
}

void AddField(std::string_view name, protocol::SynapseClass& cls) {
  if (cls.Find(name)) return;
  cls.fields.push_back(protocol::SynapseField{.name = std::string(name),
                                              .type = protocol::FieldType::kAny,
                                              .required = false,
                                              .nullable = true,
                                              .default_value = nullptr});
}

}  // namespace

std::vector<std::string> SchemaFieldNames(const Json& schema) {
  const Json* object = IsJsonSchemaObject(schema) ? JsonFind(schema, "properties") : &schema;
  std::vector<std::string> names;
  if (!object->is_object()) return names;
  names.reserve(object->get_object().size());
  for (const auto& [key, value] : object->get_object()) names.emplace_back(key);
  return names;
}

protocol::SynapseClass SynapseClassFor(const ledger::LedgerEntry& entry) {
  protocol::SynapseClass cls;
  cls.name = entry.synapse;
  for (const std::string& name : SchemaFieldNames(entry.input_schema)) AddField(name, cls);
  for (const std::string& name : SchemaFieldNames(entry.output_schema)) AddField(name, cls);
  AddField(kLockField, cls);
  AddField(kReceiptField, cls);
  return cls;
}

}  // namespace orchestra::experts
