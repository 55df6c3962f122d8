#include "orchestra/sim/corpus.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sodium.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <list>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "orchestra/core/hash.h"
#include "orchestra/sim/debian_packages.h"
#include "orchestra/sim/embedded_corpus.h"
#include "orchestra/sim/text.h"

namespace orchestra::sim {
namespace {

constexpr int kMaxQueryTerms = 32;
constexpr std::string_view kKinds[] = {"homepage", "pricing", "news", "analysis"};

// Part of the fingerprint: change it whenever the file layout, the tokenizer or the mapping
// from inputs to documents changes, so that existing corpus.db files get rebuilt.
constexpr std::string_view kIndexFormat = "orchestra-corpus-index/1";
constexpr char kIndexFileName[] = "corpus.db";
constexpr int kMaxSearchConnections = 8;

// Documents live in a plain table; the FTS5 table indexes it as external content, so the text
// is stored once.
constexpr char kSchemaSql[] =
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE documents(id INTEGER PRIMARY KEY, url TEXT NOT NULL, title TEXT NOT NULL, "
    "published_date TEXT NOT NULL, kind TEXT NOT NULL, snippet TEXT NOT NULL, "
    "text TEXT NOT NULL, fields TEXT NOT NULL, topic TEXT NOT NULL, source TEXT NOT NULL);"
    "CREATE VIRTUAL TABLE docs USING fts5(title, snippet, text, kind, content = 'documents', "
    "content_rowid = 'id', tokenize = 'porter unicode61');";

// Rank: bm25 (column weights title, snippet, text, kind; negative, lower is better) times
// coverage_weight, the square of the share of query words the document contains, so that in a
// small corpus one rare word cannot lift a document above those matching most of the query.
constexpr char kSearchAllSql[] =
    "SELECT rowid FROM docs WHERE docs MATCH ?1 "
    "ORDER BY bm25(docs, 10.0, 4.0, 1.0, 3.0) * coverage_weight(docs), rowid LIMIT ?2";
constexpr char kSearchNewsSql[] =
    "SELECT rowid FROM docs WHERE docs MATCH ?1 AND kind IN ('news', 'analysis') "
    "ORDER BY bm25(docs, 10.0, 4.0, 1.0, 3.0) * coverage_weight(docs), rowid LIMIT ?2";

// FTS5 auxiliary function coverage_weight(docs): (phrases found in the row / phrases)^2.
void CoverageWeight(const Fts5ExtensionApi* api, Fts5Context* fts, sqlite3_context* result,
                    int /*argc*/, sqlite3_value** /*argv*/) {
  const int phrases = api->xPhraseCount(fts);
  int found = 0;
  for (int phrase = 0; phrase < phrases; ++phrase) {
    Fts5PhraseIter iter;
    int column = -1, offset = -1;
    if (api->xPhraseFirst(fts, phrase, &iter, &column, &offset) == SQLITE_OK && column >= 0) {
      ++found;
    }
  }
  const double share = phrases > 0 ? static_cast<double>(found) / phrases : 1.0;
  sqlite3_result_double(result, share * share);
}

// Registers coverage_weight with the FTS5 module of `db`.
bool RegisterCoverageWeight(sqlite3* db) {
  fts5_api* api = nullptr;
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &statement, nullptr) != SQLITE_OK) {
    return false;
  }
  sqlite3_bind_pointer(statement, 1, static_cast<void*>(&api), "fts5_api_ptr", nullptr);
  sqlite3_step(statement);
  sqlite3_finalize(statement);
  return api != nullptr && api->iVersion >= 2 &&
         api->xCreateFunction(api, "coverage_weight", nullptr, CoverageWeight, nullptr) ==
             SQLITE_OK;
}

bool IsIsoDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  const int month = (s[5] - '0') * 10 + (s[6] - '0');
  const int day = (s[8] - '0') * 10 + (s[9] - '0');
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

// Reads optional string member `key` of `doc` into `*out`. False when present but not a string.
bool ReadOptionalString(const JsonObject& doc, std::string_view key, std::string* out) {
  const Json* value = doc.if_contains(key);
  if (value == nullptr || value->is_null()) return true;
  if (!value->is_string()) return false;
  *out = std::string(value->get_string());
  return true;
}

std::string Where(std::string_view path, size_t index) {
  return fmt::format("{}: documents[{}]", path, index);
}

// The FTS5 MATCH expression for free text: quoted words OR-ed, stop words and duplicates
// dropped. Quoting makes every word a plain term whatever it spells (AND, NEAR, column:...).
std::string BuildMatchExpression(std::string_view query) {
  std::string expression;
  std::unordered_set<std::string> seen;
  int terms = 0;
  for (auto& word : Words(query)) {
    if (IsStopWord(word) || !seen.insert(word).second) continue;
    if (!expression.empty()) expression += " OR ";
    expression += '"';
    expression += word;
    expression += '"';
    if (++terms == kMaxQueryTerms) break;
  }
  return expression;
}

// The documents of corpus files, checked as Corpus::Load documents.
Result<std::vector<Document>> ParseCorpusFiles(const std::vector<EmbeddedFile>& files) {
  std::vector<Document> documents;
  std::vector<size_t> position_in_file;
  std::unordered_map<std::string, size_t> by_url;
  for (const EmbeddedFile& file : files) {
    const std::string path(file.path);
    auto parsed = ParseJson(file.bytes, path);
    if (!parsed.ok()) return parsed.error();
    if (!parsed->is_object()) {
      return Error(ErrorCode::kInvalidArgument, path + ": expected an object with \"documents\"");
    }
    const JsonObject& root = parsed->get_object();
    std::string topic;
    if (!ReadOptionalString(root, "topic", &topic)) {
      return Error(ErrorCode::kInvalidArgument, path + ": \"topic\" is not a string");
    }
    const Json* list_value = root.if_contains("documents");
    if (list_value == nullptr || !list_value->is_array()) {
      return Error(ErrorCode::kInvalidArgument, path + ": missing \"documents\" array");
    }
    const JsonArray& list = list_value->get_array();
    for (size_t i = 0; i < list.size(); ++i) {
      if (!list[i].is_object()) {
        return Error(ErrorCode::kInvalidArgument, Where(path, i) + ": not an object");
      }
      const JsonObject& item = list[i].get_object();
      Document doc;
      doc.topic = topic;
      doc.source = path;
      const Json* url = item.if_contains("url");
      if (url == nullptr || url->is_null()) {
        return Error(ErrorCode::kInvalidArgument, Where(path, i) + ": missing \"url\"");
      }
      if (!url->is_string() || NormalizeUrl(url->get_string()).empty()) {
        return Error(ErrorCode::kInvalidArgument,
                     Where(path, i) + ": \"url\" is not a non-empty string");
      }
      doc.url = std::string(url->get_string());
      for (auto [key, target] : {std::pair{"title", &doc.title},
                                 {"snippet", &doc.snippet},
                                 {"text", &doc.text},
                                 {"kind", &doc.kind},
                                 {"published_date", &doc.published_date}}) {
        if (!ReadOptionalString(item, key, target)) {
          return Error(ErrorCode::kInvalidArgument, fmt::format("{} ({}): \"{}\" is not a string",
                                                                Where(path, i), doc.url, key));
        }
      }
      if (!doc.published_date.empty() && !IsIsoDate(doc.published_date)) {
        return Error(ErrorCode::kInvalidArgument,
                     fmt::format("{} ({}): \"published_date\" {:?} is not YYYY-MM-DD",
                                 Where(path, i), doc.url, doc.published_date));
      }
      if (!doc.kind.empty() &&
          std::find(std::begin(kKinds), std::end(kKinds), doc.kind) == std::end(kKinds)) {
        return Error(
            ErrorCode::kInvalidArgument,
            fmt::format("{} ({}): \"kind\" {:?} is not homepage, pricing, news or analysis",
                        Where(path, i), doc.url, doc.kind));
      }
      if (const Json* fields = item.if_contains("fields"); fields && !fields->is_null()) {
        if (!fields->is_object()) {
          return Error(
              ErrorCode::kInvalidArgument,
              fmt::format("{} ({}): \"fields\" is not an object", Where(path, i), doc.url));
        }
        doc.fields = fields->get_object();
      }
      auto [it, inserted] = by_url.emplace(NormalizeUrl(doc.url), documents.size());
      if (!inserted) {
        const Document& first = documents[it->second];
        return Error(ErrorCode::kInvalidArgument,
                     fmt::format("{}: duplicate url {:?} (already in {})", Where(path, i), doc.url,
                                 Where(first.source, position_in_file[it->second])));
      }
      documents.push_back(std::move(doc));
      position_in_file.push_back(i);
    }
  }
  return documents;
}

struct SqliteCloser {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};
struct StatementFinalizer {
  void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
};
using Database = std::unique_ptr<sqlite3, SqliteCloser>;
using Statement = std::unique_ptr<sqlite3_stmt, StatementFinalizer>;

// The current error of `db` as an Error: kIo for file-system trouble, kParse for a file that
// is not (or no longer) a whole database, kInternal otherwise.
Error SqliteError(sqlite3* db, std::string_view what) {
  ErrorCode code = ErrorCode::kInternal;
  switch (db == nullptr ? SQLITE_NOMEM : sqlite3_errcode(db)) {
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
      code = ErrorCode::kIo;
      break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      code = ErrorCode::kParse;
      break;
    default:
      break;
  }
  return Error(code, fmt::format("{}: {}", what, db ? sqlite3_errmsg(db) : "out of memory"));
}

Result<Statement> Prepare(sqlite3* db, std::string_view sql) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                         &raw, nullptr) != SQLITE_OK) {
    return SqliteError(db, "corpus index");
  }
  return Statement(raw);
}

Status Execute(sqlite3* db, const char* sql) {
  if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
    return SqliteError(db, "corpus index");
  }
  return {};
}

void BindText(sqlite3_stmt* statement, int index, std::string_view text) {
  sqlite3_bind_text(statement, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
}

std::string ColumnText(sqlite3_stmt* statement, int column) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, column));
  return text ? std::string(text, static_cast<size_t>(sqlite3_column_bytes(statement, column)))
              : std::string();
}

// One SQLite connection with its prepared searches; used by one query at a time.
struct Connection {
  Database db;
  // Declared after db so that they are finalized first.
  Statement search_all;
  Statement search_news;
};

Result<std::unique_ptr<Connection>> PrepareConnection(Database db) {
  auto connection = std::make_unique<Connection>();
  connection->db = std::move(db);
  sqlite3* raw = connection->db.get();
  if (!RegisterCoverageWeight(raw)) {
    return Error(ErrorCode::kInternal, "corpus index: SQLite lacks FTS5 auxiliary functions");
  }
  auto search_all = Prepare(raw, kSearchAllSql);
  if (!search_all.ok()) return search_all.error();
  auto search_news = Prepare(raw, kSearchNewsSql);
  if (!search_news.ok()) return search_news.error();
  connection->search_all = std::move(*search_all);
  connection->search_news = std::move(*search_news);
  return connection;
}

// Connections handed to one query at a time; Acquire waits while all are busy.
class ConnectionPool {
 public:
  class Lease {
   public:
    Lease(ConnectionPool* pool, Connection* connection) : pool_(pool), connection_(connection) {}
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() { pool_->Release(connection_); }
    Connection* operator->() const { return connection_; }

   private:
    ConnectionPool* pool_;
    Connection* connection_;
  };

  void Add(std::unique_ptr<Connection> connection) {
    std::lock_guard lock(mutex_);
    idle_.push_back(connection.get());
    all_.push_back(std::move(connection));
  }

  Lease Acquire() {
    std::unique_lock lock(mutex_);
    idle_changed_.wait(lock, [&] { return !idle_.empty(); });
    Connection* connection = idle_.back();
    idle_.pop_back();
    return Lease(this, connection);
  }

  size_t size() const { return all_.size(); }

 private:
  void Release(Connection* connection) {
    {
      std::lock_guard lock(mutex_);
      idle_.push_back(connection);
    }
    idle_changed_.notify_one();
  }

  std::mutex mutex_;
  std::condition_variable idle_changed_;
  std::vector<Connection*> idle_;
  std::vector<std::unique_ptr<Connection>> all_;
};

// Recent Search results (document ids) by query; least recently used entries go first. The
// documents never change after indexing, so a cached result is exactly what SQLite would return:
// the cache only saves the FTS5 query (tens of microseconds for the curated corpus, up to tens
// of milliseconds for a common-word query over Debian's packages).
class SearchCache {
 public:
  static constexpr size_t kCapacity = 4096;

  std::optional<std::vector<size_t>> Get(const std::string& key) {
    std::lock_guard lock(mutex_);
    const auto it = by_key_.find(key);
    if (it == by_key_.end()) return std::nullopt;
    entries_.splice(entries_.begin(), entries_, it->second);
    return it->second->second;
  }

  void Put(std::string key, std::vector<size_t> ids) {
    std::lock_guard lock(mutex_);
    if (by_key_.contains(key)) return;  // another thread searched for the same query meanwhile
    entries_.emplace_front(std::move(key), std::move(ids));
    by_key_.emplace(entries_.front().first, entries_.begin());
    if (entries_.size() > kCapacity) {
      by_key_.erase(entries_.back().first);
      entries_.pop_back();
    }
  }

 private:
  using Entry = std::pair<std::string, std::vector<size_t>>;
  std::mutex mutex_;
  std::list<Entry> entries_;  // most recently used first
  std::unordered_map<std::string_view, std::list<Entry>::iterator> by_key_;  // keys in entries_
};

// Everything a Corpus holds; Corpus::Index is this (see below).
struct IndexData {
  std::vector<Document> documents;
  std::unordered_map<std::string, size_t> by_url;
  CorpusIndexInfo info;
  ConnectionPool connections;
  SearchCache search_cache;
};

// Takes `documents` into `index` and indexes their URLs. kParse on a duplicate URL (the
// curated files are checked before; a stored index holding one is damaged).
Status AdoptDocuments(std::vector<Document> documents, IndexData* index) {
  index->by_url.reserve(documents.size());
  for (size_t id = 0; id < documents.size(); ++id) {
    if (!index->by_url.emplace(NormalizeUrl(documents[id].url), id).second) {
      return Error(ErrorCode::kParse, fmt::format("duplicate url {:?}", documents[id].url));
    }
  }
  index->documents = std::move(documents);
  return {};
}

// Creates the tables in `db` and fills them with `documents` and `meta`, in one transaction.
Status WriteIndex(sqlite3* db, const std::vector<Document>& documents,
                  const std::map<std::string, std::string>& meta) {
  if (auto s = Execute(db, "BEGIN"); !s.ok()) return s;
  if (auto s = Execute(db, kSchemaSql); !s.ok()) return s;
  {
    auto insert = Prepare(db,
                          "INSERT INTO documents(id, url, title, published_date, kind, snippet, "
                          "text, fields, topic, source) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
                          "?9, ?10)");
    if (!insert.ok()) return insert.error();
    sqlite3_stmt* statement = insert->get();
    for (size_t id = 0; id < documents.size(); ++id) {
      const Document& doc = documents[id];
      const std::string fields = CompactJson(doc.fields);
      sqlite3_bind_int64(statement, 1, static_cast<sqlite3_int64>(id));
      int column = 2;
      for (const std::string* text : {&doc.url, &doc.title, &doc.published_date, &doc.kind,
                                      &doc.snippet, &doc.text, &fields, &doc.topic, &doc.source}) {
        BindText(statement, column++, *text);
      }
      if (sqlite3_step(statement) != SQLITE_DONE) {
        return SqliteError(db, fmt::format("corpus index ({})", doc.url));
      }
      sqlite3_reset(statement);
    }
  }
  {
    auto insert = Prepare(db, "INSERT INTO meta(key, value) VALUES (?1, ?2)");
    if (!insert.ok()) return insert.error();
    for (const auto& [key, value] : meta) {
      BindText(insert->get(), 1, key);
      BindText(insert->get(), 2, value);
      if (sqlite3_step(insert->get()) != SQLITE_DONE) return SqliteError(db, "corpus index");
      sqlite3_reset(insert->get());
    }
  }
  if (auto s = Execute(db,
                       "INSERT INTO docs(docs) VALUES ('rebuild');"
                       "INSERT INTO docs(docs) VALUES ('optimize');");
      !s.ok()) {
    return s;
  }
  return Execute(db, "COMMIT");
}

// An in-memory index of `documents`, searched through one connection.
Status BuildInMemory(std::vector<Document> documents, IndexData* index) {
  sqlite3* raw = nullptr;
  const int open =
      sqlite3_open_v2(":memory:", &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  Database db(raw);
  if (open != SQLITE_OK) {
    return Error(ErrorCode::kInternal, "corpus index: cannot open an in-memory SQLite database");
  }
  if (auto s = WriteIndex(db.get(), documents, {{"format", std::string(kIndexFormat)}}); !s.ok()) {
    return s;
  }
  auto connection = PrepareConnection(std::move(db));
  if (!connection.ok()) return connection.error();
  index->connections.Add(std::move(*connection));
  index->info.curated_documents = documents.size();
  return AdoptDocuments(std::move(documents), index);
}

// ---- The index file: fingerprint, lock, build, checks.

// blake2b-256, as hex, of the index format, the curated files, the package command and
// `package_input` (what stands for the package list: its bytes, or a stamp of its sources).
std::string Fingerprint(const std::vector<EmbeddedFile>& files, const std::string& command,
                        std::string_view package_kind, std::string_view package_input) {
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, crypto_generichash_BYTES);
  // Each part is length-prefixed so that no two different inputs hash the same bytes.
  const auto add = [&](std::string_view part) {
    const std::string length = fmt::format("{}:", part.size());
    crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(length.data()),
                              length.size());
    crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(part.data()),
                              part.size());
  };
  add(kIndexFormat);
  add(fmt::format("{} curated files", files.size()));
  for (const EmbeddedFile& file : files) {
    add(file.path);
    add(file.bytes);
  }
  add(command);
  add(package_kind);
  add(package_input);
  Hash256 digest;
  crypto_generichash_final(&state, digest.data(), digest.size());
  return Hex(digest);
}

// An exclusive flock on a file, released on destruction.
class FileLock {
 public:
  static Result<FileLock> Acquire(const std::filesystem::path& path) {
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
      return Error(ErrorCode::kIo,
                   fmt::format("cannot open {}: {}", path.string(), std::strerror(errno)));
    }
    int locked;
    while ((locked = ::flock(fd, LOCK_EX)) != 0 && errno == EINTR) {
    }
    if (locked != 0) {
      const int error = errno;
      ::close(fd);
      return Error(ErrorCode::kIo,
                   fmt::format("cannot lock {}: {}", path.string(), std::strerror(error)));
    }
    return FileLock(fd);
  }
  FileLock(FileLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  FileLock& operator=(FileLock&&) = delete;
  ~FileLock() {
    if (fd_ >= 0) ::close(fd_);
  }

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_;
};

// fsync of a file or directory; false (errno set) on failure.
bool SyncPath(const std::filesystem::path& path, bool directory) {
  const int fd = ::open(path.c_str(), (directory ? O_DIRECTORY : 0) | O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  return synced;
}

void RemoveTemporaryFile(const std::filesystem::path& path) {
  std::error_code ignored;
  std::filesystem::remove(path, ignored);
  std::filesystem::remove(path.string() + "-journal", ignored);
}

std::string MetaNumber(size_t value) { return std::to_string(value); }

// The meta table's record of the build `info` describes.
std::map<std::string, std::string> MetaOf(const CorpusIndexInfo& info,
                                          const std::string& quick_fingerprint, size_t documents) {
  return {{"format", std::string(kIndexFormat)},
          {"fingerprint", info.fingerprint},
          {"quick_fingerprint", quick_fingerprint},
          {"documents", MetaNumber(documents)},
          {"curated_documents", MetaNumber(info.curated_documents)},
          {"debian_available", info.debian_available ? "1" : "0"},
          {"debian_documents", MetaNumber(info.debian_documents)},
          {"debian_records", MetaNumber(info.debian_records)},
          {"debian_malformed", MetaNumber(info.debian_malformed)},
          {"debian_without_homepage", MetaNumber(info.debian_without_homepage)},
          {"debian_duplicate_homepages", MetaNumber(info.debian_duplicate_homepages)}};
}

// Writes `documents` to a temporary file next to `path` and renames it over `path`, so that
// `path` is always either the previous file or the whole new one.
Status WriteIndexFile(const std::filesystem::path& path, const std::vector<Document>& documents,
                      const CorpusIndexInfo& info, const std::string& quick_fingerprint) {
  const std::filesystem::path temporary = path.string() + ".tmp";
  RemoveTemporaryFile(temporary);  // left by an interrupted build
  const std::string where = fmt::format("corpus index {}", temporary.string());
  {
    sqlite3* raw = nullptr;
    const int open = sqlite3_open_v2(temporary.c_str(), &raw,
                                     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    Database db(raw);
    if (open != SQLITE_OK) {
      RemoveTemporaryFile(temporary);
      return SqliteError(db.get(), where);
    }
    // No journal and no syncs while writing: an interrupted build is thrown away whole.
    Status written = Execute(db.get(), "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;");
    if (written.ok()) {
      written = WriteIndex(db.get(), documents, MetaOf(info, quick_fingerprint, documents.size()));
    }
    if (written.ok() && sqlite3_close(db.release()) != SQLITE_OK) {
      written = Error(ErrorCode::kIo, where + ": cannot close");
    }
    if (!written.ok()) {
      RemoveTemporaryFile(temporary);
      return Error(written.error().code, where + ": " + written.error().message);
    }
  }
  if (!SyncPath(temporary, false) || ::rename(temporary.c_str(), path.c_str()) != 0) {
    const std::string reason = std::strerror(errno);
    RemoveTemporaryFile(temporary);
    return Error(ErrorCode::kIo, fmt::format("cannot write {}: {}", path.string(), reason));
  }
  SyncPath(path.parent_path(), true);
  return {};
}

bool ParseCount(const std::map<std::string, std::string>& meta, const std::string& key,
                size_t* out) {
  const auto it = meta.find(key);
  if (it == meta.end()) return false;
  const char* end = it->second.data() + it->second.size();
  const auto [ptr, ec] = std::from_chars(it->second.data(), end, *out);
  return ec == std::errc() && ptr == end;
}

Result<Database> OpenReadOnly(const std::filesystem::path& path) {
  sqlite3* raw = nullptr;
  const int open =
      sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
  Database db(raw);
  if (open != SQLITE_OK) return SqliteError(db.get(), "cannot open corpus.db");
  // Index pages are read through the page cache of the OS, not copied per connection.
  sqlite3_exec(db.get(), "PRAGMA mmap_size = 1073741824", nullptr, nullptr, nullptr);
  return db;
}

Result<std::map<std::string, std::string>> ReadMeta(sqlite3* db) {
  auto select = Prepare(db, "SELECT key, value FROM meta");
  if (!select.ok()) return select.error();
  std::map<std::string, std::string> meta;
  int step;
  while ((step = sqlite3_step(select->get())) == SQLITE_ROW) {
    meta[ColumnText(select->get(), 0)] = ColumnText(select->get(), 1);
  }
  if (step != SQLITE_DONE) return SqliteError(db, "corpus.db meta");
  return meta;
}

Result<std::vector<Document>> ReadDocuments(sqlite3* db) {
  auto select = Prepare(db,
                        "SELECT id, url, title, published_date, kind, snippet, text, fields, "
                        "topic, source FROM documents ORDER BY id");
  if (!select.ok()) return select.error();
  sqlite3_stmt* statement = select->get();
  std::vector<Document> documents;
  int step;
  while ((step = sqlite3_step(statement)) == SQLITE_ROW) {
    if (sqlite3_column_int64(statement, 0) != static_cast<sqlite3_int64>(documents.size())) {
      return Error(ErrorCode::kParse, "documents are not numbered 0, 1, 2, ...");
    }
    Document doc;
    doc.url = ColumnText(statement, 1);
    doc.title = ColumnText(statement, 2);
    doc.published_date = ColumnText(statement, 3);
    doc.kind = ColumnText(statement, 4);
    doc.snippet = ColumnText(statement, 5);
    doc.text = ColumnText(statement, 6);
    auto fields = ParseJson(ColumnText(statement, 7), "fields");
    if (!fields.ok() || !fields->is_object()) {
      return Error(ErrorCode::kParse, fmt::format("document {}: bad fields", doc.url));
    }
    doc.fields = std::move(fields->get_object());
    doc.topic = ColumnText(statement, 8);
    doc.source = ColumnText(statement, 9);
    documents.push_back(std::move(doc));
  }
  if (step != SQLITE_DONE) return SqliteError(db, "corpus.db documents");
  return documents;
}

// Opens the index at `path` into `index` if its meta `fingerprint_key` ("fingerprint" or
// "quick_fingerprint") is `fingerprint` and it passes its checks. kNotFound when it was built
// from other inputs; kParse (or kIo) when it is damaged or unreadable.
Status ReadIndexFile(const std::filesystem::path& path, const std::string& fingerprint_key,
                     const std::string& fingerprint, int connections, IndexData* index) {
  auto first = OpenReadOnly(path);
  if (!first.ok()) return first.error();
  sqlite3* db = first->get();
  auto meta = ReadMeta(db);
  if (!meta.ok()) return meta.error();
  if (fingerprint.empty() || (*meta)[fingerprint_key] != fingerprint) {
    return Error(ErrorCode::kNotFound, "inputs changed");
  }
  CorpusIndexInfo& info = index->info;
  size_t documents_count = 0;
  for (auto [key, out] : {std::pair{"documents", &documents_count},
                          {"curated_documents", &info.curated_documents},
                          {"debian_documents", &info.debian_documents},
                          {"debian_records", &info.debian_records},
                          {"debian_malformed", &info.debian_malformed},
                          {"debian_without_homepage", &info.debian_without_homepage},
                          {"debian_duplicate_homepages", &info.debian_duplicate_homepages}}) {
    if (!ParseCount(*meta, key, out)) {
      return Error(ErrorCode::kParse, fmt::format("corpus.db meta: bad {:?}", key));
    }
  }
  info.debian_available = (*meta)["debian_available"] == "1";
  info.fingerprint = (*meta)["fingerprint"];
  info.path = path;
  {
    auto check = Prepare(db, "PRAGMA quick_check");
    if (!check.ok()) return check.error();
    if (sqlite3_step(check->get()) != SQLITE_ROW) return SqliteError(db, "corpus.db quick_check");
    const std::string verdict = ColumnText(check->get(), 0);
    if (verdict != "ok") return Error(ErrorCode::kParse, "corpus.db quick_check: " + verdict);
  }
  auto documents = ReadDocuments(db);
  if (!documents.ok()) return documents.error();
  if (documents->size() != documents_count) {
    return Error(ErrorCode::kParse, fmt::format("corpus.db holds {} documents, its meta says {}",
                                                documents->size(), documents_count));
  }
  if (auto s = AdoptDocuments(std::move(*documents), index); !s.ok()) return s;
  auto connection = PrepareConnection(std::move(*first));
  if (!connection.ok()) return connection.error();
  index->connections.Add(std::move(*connection));
  while (static_cast<int>(index->connections.size()) < connections) {
    auto db_more = OpenReadOnly(path);
    if (!db_more.ok()) return db_more.error();
    auto more = PrepareConnection(std::move(*db_more));
    if (!more.ok()) return more.error();
    index->connections.Add(std::move(*more));
  }
  return {};
}

// Records in the index at `path` that `quick_fingerprint` stands for the inputs it was built
// from, so that the next Open need not run the package command. Best effort.
void StoreQuickFingerprint(const std::filesystem::path& path,
                           const std::string& quick_fingerprint) {
  sqlite3* raw = nullptr;
  sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr);
  Database db(raw);
  Statement update;
  if (auto prepared = Prepare(db.get(),
                              "INSERT OR REPLACE INTO meta(key, value) "
                              "VALUES ('quick_fingerprint', ?1)");
      prepared.ok()) {
    update = std::move(*prepared);
    BindText(update.get(), 1, quick_fingerprint);
    if (sqlite3_step(update.get()) == SQLITE_DONE) return;
  }
  spdlog::warn("corpus: cannot update {}: {}", path.string(), sqlite3_errmsg(db.get()));
}

int SearchConnections(const CorpusOpenOptions& options) {
  if (options.search_connections > 0) return options.search_connections;
  const int threads = static_cast<int>(std::thread::hardware_concurrency());
  return std::clamp(threads, 1, kMaxSearchConnections);
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// 34512 -> "34,512".
std::string GroupThousands(size_t n) {
  const std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace

struct Corpus::Index : IndexData {};

Corpus::Corpus(std::unique_ptr<Index> index) : index_(std::move(index)) {}
Corpus::Corpus(Corpus&&) noexcept = default;
Corpus& Corpus::operator=(Corpus&&) noexcept = default;
Corpus::~Corpus() = default;

const std::vector<Document>& Corpus::documents() const { return index_->documents; }

const CorpusIndexInfo& Corpus::index_info() const { return index_->info; }

Result<Corpus> Corpus::LoadEmbedded() { return Load(EmbeddedCorpus()); }

Result<Corpus> Corpus::Load(const std::vector<EmbeddedFile>& files) {
  auto documents = ParseCorpusFiles(files);
  if (!documents.ok()) return documents.error();
  auto index = std::make_unique<Index>();
  if (auto s = BuildInMemory(std::move(*documents), index.get()); !s.ok()) return s.error();
  return Corpus(std::move(index));
}

std::filesystem::path CorpusDirectory(const std::filesystem::path& data_dir) {
  const char* shared = std::getenv("ORCHESTRA_CORPUS_DIR");
  if (shared != nullptr && *shared != '\0') return shared;
  return data_dir;
}

Result<Corpus> Corpus::OpenEmbedded(const std::filesystem::path& data_dir,
                                    const CorpusOpenOptions& options) {
  return Open(data_dir, EmbeddedCorpus(), options);
}

Result<Corpus> Corpus::Open(const std::filesystem::path& data_dir,
                            const std::vector<EmbeddedFile>& files,
                            const CorpusOpenOptions& options) {
  auto curated = ParseCorpusFiles(files);
  if (!curated.ok()) return curated.error();
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) {
    return Error(ErrorCode::kIo,
                 fmt::format("cannot create data dir {}: {}", data_dir.string(), ec.message()));
  }
  const std::string& command = options.debian_packages_command;
  const std::string stamp = DebianPackageSourcesStamp(options.debian_packages_sources);
  const std::string quick_fingerprint =
      stamp.empty() ? std::string() : Fingerprint(files, command, "package sources", stamp);
  const std::filesystem::path path = data_dir / kIndexFileName;
  const int connections = SearchConnections(options);

  auto lock = FileLock::Acquire(path.string() + ".lock");
  if (!lock.ok()) return lock.error();
  const bool exists = std::filesystem::exists(path, ec);
  const auto reuse = [&](std::unique_ptr<Index> index, std::string_view why) {
    spdlog::info("corpus: reusing {} ({}; {} documents: {} curated, {} Debian packages)",
                 path.string(), why, index->documents.size(), index->info.curated_documents,
                 index->info.debian_documents);
    return Corpus(std::move(index));
  };
  std::string reason = "no corpus.db yet";
  // While the package list's sources are unchanged, the index is reused without running the
  // command (which takes seconds); any failure here falls through to the full check.
  if (exists && !quick_fingerprint.empty()) {
    auto index = std::make_unique<Index>();
    if (ReadIndexFile(path, "quick_fingerprint", quick_fingerprint, connections, index.get())
            .ok()) {
      return reuse(std::move(index), "package sources unchanged");
    }
  }
  const auto command_started = std::chrono::steady_clock::now();
  DebianPackageList packages = ReadDebianPackageList(command);
  const double command_seconds = SecondsSince(command_started);
  const std::string fingerprint =
      Fingerprint(files, command, packages.available ? "packages" : "no packages", packages.bytes);
  if (exists) {
    auto index = std::make_unique<Index>();
    const Status read = ReadIndexFile(path, "fingerprint", fingerprint, connections, index.get());
    if (read.ok()) {
      if (!quick_fingerprint.empty()) StoreQuickFingerprint(path, quick_fingerprint);
      return reuse(std::move(index), "package list unchanged");
    }
    if (read.error().code == ErrorCode::kNotFound) {
      reason = read.error().message;
    } else {
      reason = "unreadable corpus.db: " + read.error().message;
      spdlog::warn("corpus: {}: not trusted, rebuilding", reason);
    }
  }

  const auto started = std::chrono::steady_clock::now();
  CorpusIndexInfo info;
  info.fingerprint = fingerprint;
  info.debian_available = packages.available;
  std::vector<Document> documents = std::move(*curated);
  info.curated_documents = documents.size();
  if (packages.available) {
    DebianPackageStats stats;
    const std::vector<DebianPackage> parsed = ParseDebianPackages(packages.bytes, &stats);
    const size_t packages_bytes = packages.bytes.size();
    packages.bytes = std::string();
    std::unordered_set<std::string> taken;
    for (const Document& doc : documents) taken.insert(NormalizeUrl(doc.url));
    std::vector<Document> debian = DebianPackageDocuments(parsed, command, &taken, &stats);
    info.debian_documents = debian.size();
    info.debian_records = stats.records;
    info.debian_malformed = stats.malformed;
    info.debian_without_homepage = stats.without_homepage;
    info.debian_duplicate_homepages = stats.duplicate_homepage;
    spdlog::info("corpus: `{}` printed {:.1f} MB in {:.1f} s", command,
                 static_cast<double>(packages_bytes) / 1e6, command_seconds);
    documents.insert(documents.end(), std::make_move_iterator(debian.begin()),
                     std::make_move_iterator(debian.end()));
  } else {
    spdlog::info("corpus: {}: indexing the curated corpus only", packages.why_not);
  }
  if (options.progress) {
    options.progress(fmt::format(
        "building the expert corpus ({}) into {}, once ...",
        packages.available
            ? fmt::format("curated + {} Debian packages", GroupThousands(info.debian_documents))
            : fmt::format("curated pages only: {}", packages.why_not),
        path.string()));
  }
  if (auto s = WriteIndexFile(path, documents, info, quick_fingerprint); !s.ok()) {
    return s.error();
  }
  documents = std::vector<Document>();
  const double build_seconds = SecondsSince(started);

  auto index = std::make_unique<Index>();
  if (auto s = ReadIndexFile(path, "fingerprint", fingerprint, connections, index.get()); !s.ok()) {
    return Error(ErrorCode::kInternal, fmt::format("{}: unreadable right after building: {}",
                                                   path.string(), s.error().message));
  }
  index->info.built = true;
  index->info.build_reason = reason;
  index->info.build_seconds = build_seconds;
  if (options.progress) {
    options.progress(fmt::format("expert corpus built in {:.1f} s ({} documents)",
                                 build_seconds + command_seconds,
                                 GroupThousands(index->documents.size())));
  }
  std::error_code size_error;
  const auto bytes = std::filesystem::file_size(path, size_error);
  spdlog::info(
      "corpus: built {} ({}) in {:.1f} s, {:.1f} MB: {} documents, {} curated + {} Debian "
      "packages ({} records, {} malformed, {} without homepage, {} duplicate homepages)",
      path.string(), reason, build_seconds, size_error ? 0.0 : bytes / 1e6, index->documents.size(),
      info.curated_documents, info.debian_documents, info.debian_records, info.debian_malformed,
      info.debian_without_homepage, info.debian_duplicate_homepages);
  return Corpus(std::move(index));
}

std::vector<const Document*> Corpus::Search(std::string_view query, int max_results,
                                            std::string_view search_type) const {
  std::vector<const Document*> found;
  const std::string expression = BuildMatchExpression(query);
  if (expression.empty() || max_results < 1) return found;
  const bool news = search_type == "news";
  std::string key = fmt::format("{}:{}:{}", news ? "news" : "all", max_results, expression);
  std::optional<std::vector<size_t>> ids = index_->search_cache.Get(key);
  if (!ids) {
    ids.emplace();
    const ConnectionPool::Lease connection = index_->connections.Acquire();
    sqlite3_stmt* statement = news ? connection->search_news.get() : connection->search_all.get();
    BindText(statement, 1, expression);
    sqlite3_bind_int(statement, 2, max_results);
    int rc;
    while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
      const auto id = static_cast<size_t>(sqlite3_column_int64(statement, 0));
      if (id < index_->documents.size()) ids->push_back(id);
    }
    sqlite3_reset(statement);
    sqlite3_clear_bindings(statement);
    if (rc != SQLITE_DONE) return found;  // a failure is not remembered
    index_->search_cache.Put(std::move(key), *ids);
  }
  found.reserve(ids->size());
  for (const size_t id : *ids) found.push_back(&index_->documents[id]);
  return found;
}

const Document* Corpus::FindByUrl(std::string_view url) const {
  const auto it = index_->by_url.find(NormalizeUrl(url));
  return it == index_->by_url.end() ? nullptr : &index_->documents[it->second];
}

}  // namespace orchestra::sim
