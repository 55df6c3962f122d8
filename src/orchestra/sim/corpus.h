#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "orchestra/core/embedded.h"
#include "orchestra/core/json.h"
#include "orchestra/core/result.h"

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

// The simulator's web: documents loaded from corpus files, indexed for full-text search in an
// in-memory SQLite FTS5 table (porter + unicode61 tokenizer; title weighted above snippet,
// snippet above text; the document kind is indexed too, so "analysis" or "news" in a query
// favours those kinds).
//
// Immutable after Load. Thread-safety: every method may be called from several threads at
// once; Search serialises its use of the single SQLite connection with a mutex (a query over a
// few hundred documents takes well under a millisecond; over 50k documents in which every
// query word is common, about 50 ms). Blocking: call Search from a worker thread, not an event
// loop. Move-only; Document pointers stay valid for the Corpus's lifetime, moves included.
class Corpus {
 public:
  // Parses corpus files, each {"topic": str, "documents": [{"url", "title", "published_date",
  // "kind", "snippet", "text", "fields"}]}. "url" is required; the others are optional but,
  // when present, must have the right type ("fields" an object, "published_date" YYYY-MM-DD,
  // "kind" one of homepage/pricing/news/analysis). Errors (kParse for bad JSON,
  // kInvalidArgument otherwise) name the file and the document: "data/corpus/x.json:
  // documents[3]: missing \"url\"", duplicate URLs (compared as FindByUrl does) name both
  // places. kInternal if SQLite cannot build the index.
  static Result<Corpus> Load(const std::vector<EmbeddedFile>& files);

  // Load(EmbeddedCorpus()): the corpus compiled into the binary.
  static Result<Corpus> LoadEmbedded();

  Corpus(Corpus&&) noexcept;
  Corpus& operator=(Corpus&&) noexcept;
  ~Corpus();

  // Documents best matching the free-text `query`, best first, at most `max_results`.
  // The query is split into words (FTS syntax characters and English stop words dropped) and
  // the words are OR-ed; rank is bm25 times the squared share of query words a document
  // contains, so documents matching more of the words, or matching them in the title, come
  // first. `search_type` "news" keeps only news and analysis documents; any
  // other value ("web", "") searches everything. No words, max_results < 1 or an SQLite
  // failure give an empty list; never throws.
  std::vector<const Document*> Search(std::string_view query, int max_results,
                                      std::string_view search_type) const;

  // The document at `url`, or nullptr. Tolerant of the forms one page goes by: scheme
  // (http/https/none), a leading "www.", letter case of scheme and host, a trailing slash.
  const Document* FindByUrl(std::string_view url) const;

  // All documents, in file order.
  const std::vector<Document>& documents() const;

 private:
  struct Index;
  explicit Corpus(std::unique_ptr<Index> index);

  std::unique_ptr<Index> index_;
};

// `url` reduced to the form FindByUrl compares: no scheme, no "www.", host lower-cased, no
// trailing slash ("https://www.Akash.network/" -> "akash.network").
std::string NormalizeUrl(std::string_view url);

}  // namespace orchestra::sim
