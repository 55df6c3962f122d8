#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "orchestra/sim/corpus.h"

// Debian's package descriptions as simulator web pages: reading the package list
// (`apt-cache dumpavail`), parsing its deb822 records, and mapping a package to a corpus
// Document.
namespace orchestra::sim {

// What a package command printed, or why there is nothing to index.
struct DebianPackageList {
  bool available = false;  // the command ran and exited 0
  std::string bytes;       // its standard output ("" unless available)
  std::string why_not;     // when not available: "apt-cache not found", "`cmd` failed (...)"
};

// Runs the shell command `command` (e.g. "apt-cache dumpavail") and reads its output. Not
// available when the command is blank, when its first word names no executable (looked up on
// PATH unless it holds a '/'), when it exits non-zero or by a signal, or when it prints more
// than 1 GiB. Its standard error passes through. Blocks while it runs; never throws.
DebianPackageList ReadDebianPackageList(const std::string& command);

// A stamp of what a package list is made from: the path, size and modification time (ns) of
// each file at `paths` (for a directory, of every file below it that can be listed), one per
// line in name order; "" when none exists. Cheap: reads no file content.
std::string DebianPackageSourcesStamp(const std::vector<std::filesystem::path>& paths);

// One binary package of a Debian package list, reduced to what the corpus uses.
struct DebianPackage {
  std::string name;              // "Package"
  std::string version;           // "Version"
  std::string section;           // "Section"
  std::string homepage;          // "Homepage", trimmed; "" when absent
  std::string synopsis;          // the first line of "Description", trimmed
  std::string long_description;  // the rest of "Description", see ParseDebianPackages
};

// What parsing and mapping a package list met, for a log line and for tests.
struct DebianPackageStats {
  size_t records = 0;             // paragraphs (runs of non-blank lines)
  size_t malformed = 0;           // records skipped as broken, see ParseDebianPackages
  size_t without_homepage = 0;    // packages with no http(s) Homepage: no document
  size_t duplicate_homepage = 0;  // packages whose homepage already had a document
};

// Largest value (in bytes, continuation lines included) of a field read here; a record with a
// larger one is malformed. Real descriptions stay under 10 KiB. Fields not read here may be of
// any size (librust-winapi-dev's Provides is over 64 KiB).
inline constexpr size_t kMaxDebianFieldBytes = 64 * 1024;

// The packages of `text`, a Debian package list in deb822 form, in order. Paragraphs are
// separated by blank (or whitespace-only) lines; "\r\n" line ends are accepted; lines starting
// with '#' are comments. A field is "Name: value" (names compared without regard to case) and
// continues on the following lines that start with a space or a tab. A record is malformed,
// skipped and counted in `stats->malformed` when it has no (or an empty, or a blank-containing)
// Package, a line that is neither a field nor a continuation, a continuation before its first
// field, one of the fields read here twice or continued (Description excepted), or one of them
// larger than kMaxDebianFieldBytes.
// Description: the first line is the synopsis; on continuation lines the leading space is
// dropped, " ." is an empty line, lines of one paragraph are joined with a space, paragraphs
// are separated by "\n\n" and lines indented by two or more spaces are kept verbatim on their
// own line. `stats` may be null. Never fails and never throws on any input.
std::vector<DebianPackage> ParseDebianPackages(std::string_view text, DebianPackageStats* stats);

// The corpus document for each package with an http(s) Homepage, in order: url = the
// homepage, title = "<name>: <synopsis>", snippet = the synopsis followed by the start of the
// long description (a few hundred characters at most, cut at a word, "..." when cut),
// text = the long description, kind "homepage", fields {"name", "description" (the synopsis),
// "section", "version"} (empty ones left out), topic "debian_packages", source `source`.
// A package whose homepage (compared as NormalizeUrl does) is already in `*taken_urls` (seeded
// by the caller with the curated corpus's URLs) is counted as a duplicate and skipped; every
// URL used is added to `*taken_urls`. `stats` may be null.
std::vector<Document> DebianPackageDocuments(const std::vector<DebianPackage>& packages,
                                             std::string_view source,
                                             std::unordered_set<std::string>* taken_urls,
                                             DebianPackageStats* stats);

}  // namespace orchestra::sim
