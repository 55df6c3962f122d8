#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "orchestra/core/embedded.h"
#include "orchestra/core/json.h"
#include "orchestra/core/result.h"
#include "orchestra/core/text.h"  // NormalizeUrl

namespace orchestra::sim {

// One web page the simulated experts can find (search) and read (scrape).
struct Document {
  std::string url;
  std::string title;
  std::string published_date;  // "YYYY-MM-DD", or "" when the file gives none
  std::string kind;            // "homepage", "pricing", "news" or "analysis"
  std::string snippet;         // at most a few hundred characters, shown in search results
  std::string text;            // the page's prose
  JsonObject fields;           // structured facts ("name", "strengths", "amount", "gap", ...)
  std::string topic;           // the "topic" of the file it came from
  std::string source;          // path of that file, e.g. "data/corpus/compute.json"
};

// Where Corpus::Open gets Debian's package list, and how many searches may run at once.
struct CorpusOpenOptions {
  // Shell command printing Debian's package list in deb822 form. When it is empty, when its
  // first word names no executable (on PATH, or as a path) or when it exits non-zero, the
  // corpus holds the curated documents only, and a log line says why.
  std::string debian_packages_command = "apt-cache dumpavail";
  // Files (for a directory, every file below it) whose names, sizes and modification times
  // stand for the command's output: while they are unchanged, Open reuses corpus.db without
  // running the command. When none of them exists, the command runs on every Open. A change
  // they do not show (an apt setting in the environment) goes unnoticed until they change.
  std::vector<std::filesystem::path> debian_packages_sources = {"/etc/apt", "/var/lib/apt/lists",
                                                                "/var/lib/dpkg/status"};
  // SQLite connections Search may use at once (each at most one query at a time); 0 means one
  // per hardware thread, at most 8.
  int search_connections = 0;
  // Told, on Open's thread, a line for a person when a build starts (what goes into which
  // file: "building the expert corpus (curated + 34,512 Debian packages) into
  // /home/u/.orchestra/experts/corpus.db, once ...") and when it ends ("... built in 6.1 s");
  // never when the index is reused. Empty: nothing is told (the log lines remain).
  std::function<void(std::string_view line)> progress;
};

// Where the index of `data_dir` lives: $ORCHESTRA_CORPUS_DIR when it is set and not empty,
// else `data_dir`. The variable lets processes with different data dirs (the test suite's,
// a benchmark's) share one corpus.db instead of each building its own; Open's flock makes
// them wait for the one that builds. Reads the environment; never fails.
std::filesystem::path CorpusDirectory(const std::filesystem::path& data_dir);

// How a corpus came to be, for logs and tests. The counts are those of the build that wrote
// the index file, whether this Open ran it or reused its file.
struct CorpusIndexInfo {
  std::filesystem::path path;     // the index file; empty for Load's in-memory index
  bool built = false;             // this Open built the file (false: it reused an existing one)
  std::string build_reason;       // why it was built ("no corpus.db yet", "inputs changed", ...)
  std::string fingerprint;        // hex blake2b-256 of index format, curated files, package list
  bool debian_available = false;  // the package command ran and its output was indexed
  size_t curated_documents = 0;
  size_t debian_documents = 0;
  size_t debian_records = 0;              // paragraphs in the package list
  size_t debian_malformed = 0;            // broken records skipped
  size_t debian_without_homepage = 0;     // packages without an http(s) Homepage
  size_t debian_duplicate_homepages = 0;  // packages whose homepage already had a document
  double build_seconds = 0;               // time this Open spent building (0 when reused)
};

// The simulator's web: documents loaded from corpus files (and, through Open, Debian's package
// descriptions), indexed for full-text search in an SQLite FTS5 table (porter + unicode61
// tokenizer; title weighted above snippet, snippet above text; the document kind is indexed
// too, so "analysis" or "news" in a query favours those kinds).
//
// Immutable after Load/Open. Thread-safety: every method may be called from several threads
// at once; each Search holds one SQLite connection for its query, waiting for a free one when
// all are busy (Load has one connection, Open CorpusOpenOptions::search_connections). A query
// over a few hundred documents takes well under a millisecond; with Debian's ~30k package
// homepages, the worked examples' queries take 0.1-3 ms and one whose every word is common
// ("library python development files data tool": ~12k matches) 20-45 ms. Blocking: call
// Search from a worker thread, not an event loop; Open at start-up (a build takes seconds).
// Move-only; Document pointers stay valid for the Corpus's lifetime, moves included.
class Corpus {
 public:
  // Parses corpus files, each {"topic": str, "documents": [{"url", "title", "published_date",
  // "kind", "snippet", "text", "fields"}]}, into an in-memory index. "url" is required; the
  // others are optional but, when present, must have the right type ("fields" an object,
  // "published_date" YYYY-MM-DD, "kind" one of homepage/pricing/news/analysis). Errors (kParse
  // for bad JSON, kInvalidArgument otherwise) name the file and the document:
  // "data/corpus/x.json: documents[3]: missing \"url\"", duplicate URLs (compared as FindByUrl
  // does) name both places. kInternal if SQLite cannot build the index.
  static Result<Corpus> Load(const std::vector<EmbeddedFile>& files);

  // Load(EmbeddedCorpus()): the corpus compiled into the binary.
  static Result<Corpus> LoadEmbedded();

  // The curated `files` (checked as Load does) plus, when the package command works, one
  // document per Debian package homepage (see DebianPackageDocuments; curated URLs win),
  // indexed in the file `<data_dir>/corpus.db`. The file is built when it is missing, when it
  // cannot be read or fails its checks (never trusted), or when the fingerprint of the inputs
  // (index format, curated files, package command and its output) differs from the one it
  // stores; otherwise it is reused as is. The command runs only when the stamp of
  // `options.debian_packages_sources` differs from the one recorded with the index (it takes
  // about 2 s for apt-cache on this machine; an unchanged output then keeps the index).
  // Building writes `corpus.db.tmp` and renames it over corpus.db, so an interrupted build
  // leaves the previous file (or none), never half an index; `corpus.db.lock` (flock) keeps
  // two processes from building at once.
  // Errors: those of Load for the curated files; kIo when data_dir or the index file cannot be
  // created or written; kInternal when SQLite fails otherwise. Logs what it did (info).
  static Result<Corpus> Open(const std::filesystem::path& data_dir,
                             const std::vector<EmbeddedFile>& files,
                             const CorpusOpenOptions& options = {});

  // Open(data_dir, EmbeddedCorpus(), options).
  static Result<Corpus> OpenEmbedded(const std::filesystem::path& data_dir,
                                     const CorpusOpenOptions& options = {});

  Corpus(Corpus&&) noexcept;
  Corpus& operator=(Corpus&&) noexcept;
  ~Corpus();

  // Documents best matching the free-text `query`, best first, at most `max_results`.
  // The query is split into words (FTS syntax characters and English stop words dropped) and
  // the words are OR-ed; rank is bm25 times the squared share of query words a document
  // contains, so documents matching more of the words, or matching them in the title, come
  // first. `search_type` "news" keeps only news and analysis documents; any
  // other value ("web", "") searches everything. No words, max_results < 1 or an SQLite
  // failure give an empty list; never throws. The results of the last 4,096 distinct
  // (query words, max_results, news or not) are remembered, so a repeated query costs a map
  // lookup instead of an FTS5 query.
  std::vector<const Document*> Search(std::string_view query, int max_results,
                                      std::string_view search_type) const;

  // The document at `url`, or nullptr. Tolerant of the forms one page goes by: scheme
  // (http/https/none), a leading "www.", letter case of scheme and host, a trailing slash.
  const Document* FindByUrl(std::string_view url) const;

  // All documents: the curated ones in file order, then the Debian ones in package order.
  const std::vector<Document>& documents() const;

  // How this corpus was indexed.
  const CorpusIndexInfo& index_info() const;

 private:
  struct Index;
  explicit Corpus(std::unique_ptr<Index> index);

  std::unique_ptr<Index> index_;
};

}  // namespace orchestra::sim
