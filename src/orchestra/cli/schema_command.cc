#include "orchestra/cli/schema_command.h"

#include <fmt/format.h>

#include <cstdio>
#include <iostream>

#include "orchestra/cli/input.h"
#include "orchestra/core/json.h"
#include "orchestra/core/result.h"
#include "orchestra/schema/schema.h"
#include "orchestra/schema/shorthand.h"
#include "orchestra/schema/standardize.h"

namespace orchestra::cli {
namespace {

// `arg` is inline JSON when it starts with '{', '[' or '"' (after spaces), else a file path.
Result<Json> SchemaArgument(const std::string& arg) {
  const size_t first = arg.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && (arg[first] == '{' || arg[first] == '[' || arg[first] == '"')) {
    return ParseJson(arg, "--schema");
  }
  if (arg.empty()) return Error(ErrorCode::kInvalidArgument, "--schema: missing");
  auto text = ReadFileOrStdin(arg, "--schema");
  if (!text.ok()) return text.error();
  return ParseJson(*text, fmt::format("--schema ({})", arg));
}

Json ReportJson(const schema::ValidationReport& report) {
  JsonArray violations;
  for (const auto& v : report.violations) {
    violations.push_back(JsonObject{{"path", v.path}, {"rule", v.rule}, {"message", v.message}});
  }
  return JsonObject{{"valid", report.valid},
                    {"violations", std::move(violations)},
                    {"measures", JsonObject{{"compliance", report.compliance},
                                            {"completeness", report.completeness},
                                            {"total_fields", report.total_fields},
                                            {"populated_fields", report.populated_fields},
                                            {"required_fields", report.required_fields},
                                            {"required_populated", report.required_populated}}}};
}

std::string ReportText(const schema::ValidationReport& report) {
  std::string out = report.valid
                        ? "valid\n"
                        : fmt::format("invalid: {} violation{}\n", report.violations.size(),
                                      report.violations.size() == 1 ? "" : "s");
  for (const auto& v : report.violations) {
    out += fmt::format("  {}  [{}]  {}\n", v.path, v.rule, v.message);
  }
  out += fmt::format(
      "compliance {:.3f} (1 - {} errors / {} fields), completeness {:.3f} ({} of {} required "
      "fields populated; {} of {} fields populated)\n",
      report.compliance, report.violations.size(), report.total_fields, report.completeness,
      report.required_populated, report.required_fields, report.populated_fields,
      report.total_fields);
  return out;
}

}  // namespace

int SchemaCommand(const SchemaFlags& flags) {
  auto schema_json = SchemaArgument(flags.schema);
  if (!schema_json.ok()) {
    std::fprintf(stderr, "error: %s\n", schema_json.error().message.c_str());
    return 2;
  }
  schema::CompileOptions options;
  options.assert_format = flags.assert_format;
  Result<schema::Schema> compiled = Error(ErrorCode::kInternal, "");
  if (schema::LooksLikeJsonSchema(*schema_json)) {
    compiled = schema::Schema::Compile(*schema_json, options);
  } else {
    compiled = schema::Schema::FromTarget(*schema_json);
  }
  if (!compiled.ok()) {
    std::fprintf(stderr, "error: --schema: %s\n", compiled.error().message.c_str());
    return 2;
  }
  const std::string what = flags.input.empty() ? "stdin" : flags.input;
  auto text = ReadFileOrStdin(flags.input, "input");
  if (!text.ok()) {
    std::fprintf(stderr, "error: %s\n", text.error().message.c_str());
    return 2;
  }
  auto document = ParseJson(*text, what);
  if (!document.ok()) {
    std::fprintf(stderr, "error: %s\n", document.error().message.c_str());
    return 2;
  }
  if (flags.action == "check") {
    const schema::ValidationReport report = compiled->Validate(*document);
    if (flags.json_only) {
      std::printf("%s\n", PrettyJson(ReportJson(report)).c_str());
    } else {
      std::printf("%s", ReportText(report).c_str());
    }
    return report.valid ? 0 : 1;
  }
  if (flags.action != "standardize") {
    std::fprintf(stderr, "error: unknown schema action \"%s\"\n", flags.action.c_str());
    return 2;
  }
  const schema::Standardized standardized = schema::Standardize(*document, *compiled);
  const schema::ValidationReport report = compiled->Validate(standardized.clean);
  JsonObject provenance;
  for (const auto& [path, origin] : standardized.provenance) provenance[path] = Json(origin);
  JsonArray coercions(standardized.coercions.begin(), standardized.coercions.end());
  JsonArray missing(standardized.missing.begin(), standardized.missing.end());
  if (flags.json_only) {
    const Json out = JsonObject{{"clean", standardized.clean},
                                {"provenance", std::move(provenance)},
                                {"coercions", std::move(coercions)},
                                {"missing", std::move(missing)},
                                {"report", ReportJson(report)}};
    std::printf("%s\n", PrettyJson(out).c_str());
  } else {
    std::string out = PrettyJson(standardized.clean) + "\n\nprovenance:\n";
    for (const auto& [path, origin] : standardized.provenance) {
      out += fmt::format("  {} <- {}\n", path, origin);
    }
    out += "steps:\n";
    for (const auto& line : standardized.coercions) out += "  " + line + "\n";
    if (standardized.coercions.empty()) out += "  (none: the document already fit)\n";
    out += "missing:\n";
    for (const auto& path : standardized.missing) out += "  " + path + "\n";
    if (standardized.missing.empty()) out += "  (none)\n";
    out += "report on the clean document: " + ReportText(report);
    std::printf("%s", out.c_str());
  }
  return report.valid ? 0 : 1;
}

}  // namespace orchestra::cli
