#pragma once

#include <string>

namespace orchestra::cli {

struct SchemaFlags {
  std::string action;  // "check" or "standardize"
  std::string schema;  // inline JSON (object, array or string shorthand) or a file path
  std::string input;   // the instance (check) or dirty document (standardize); "" = stdin
  bool json_only = false;
  bool assert_format = false;  // assert "format" (date, date-time, email, uri, ...)
};

// `orchestra schema check`: validates the instance against the schema (JSON Schema 2020-12 or
// the seed shorthand) and prints the verdict, every violation with its path and rule, and the
// measures (compliance, completeness, field counts); with json_only, one JSON object instead.
// `orchestra schema standardize`: maps the dirty document onto the schema and prints the clean
// document, its provenance (output path -> what it came from and what was done), the missing
// required fields and the report on the clean document.
// Returns the process exit code: 0 valid (the instance, or the standardized document), 1
// invalid, 2 bad input (unreadable or malformed schema or document).
int SchemaCommand(const SchemaFlags& flags);

}  // namespace orchestra::cli
