#include "orchestra/sim/corpus.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

#include "orchestra/sim/embedded_corpus.h"
#include "orchestra/sim/text.h"

namespace orchestra::sim {
namespace {

constexpr int kMaxQueryTerms = 32;
constexpr std::string_view kKinds[] = {"homepage", "pricing", "news", "analysis"};

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

struct SqliteCloser {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};
struct StatementFinalizer {
  void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
};
using Database = std::unique_ptr<sqlite3, SqliteCloser>;
using Statement = std::unique_ptr<sqlite3_stmt, StatementFinalizer>;

Result<Statement> Prepare(sqlite3* db, std::string_view sql) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                         &raw, nullptr) != SQLITE_OK) {
    return Error(ErrorCode::kInternal, fmt::format("corpus index: {}", sqlite3_errmsg(db)));
  }
  return Statement(raw);
}

Status Execute(sqlite3* db, const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message ? message : sqlite3_errmsg(db);
    sqlite3_free(message);
    return Error(ErrorCode::kInternal, fmt::format("corpus index: {}", text));
  }
  return {};
}

void BindText(sqlite3_stmt* statement, int index, const std::string& text) {
  sqlite3_bind_text(statement, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
}

}  // namespace

struct Corpus::Index {
  std::vector<Document> documents;
  std::vector<size_t> position_in_file;
  std::unordered_map<std::string, size_t> by_url;
  // Declared before the statements so that they are finalized first.
  Database db;
  Statement search_all;
  Statement search_news;
  std::mutex mutex;  // guards the statements (one connection, one query at a time)
};

std::string NormalizeUrl(std::string_view url) {
  url = Trim(url);
  const auto strip_prefix_ci = [&](std::string_view prefix) {
    if (url.size() < prefix.size()) return false;
    for (size_t i = 0; i < prefix.size(); ++i) {
      const char c = url[i];
      const char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
      if (lower != prefix[i]) return false;
    }
    url.remove_prefix(prefix.size());
    return true;
  };
  if (!strip_prefix_ci("https://") && !strip_prefix_ci("http://")) strip_prefix_ci("//");
  strip_prefix_ci("www.");
  if (const size_t hash = url.find('#'); hash != std::string_view::npos) url = url.substr(0, hash);
  while (!url.empty() && url.back() == '/') url.remove_suffix(1);
  std::string out(url);
  const size_t host_end = std::min(out.find_first_of("/?"), out.size());
  for (size_t i = 0; i < host_end; ++i) {
    if (out[i] >= 'A' && out[i] <= 'Z') out[i] = static_cast<char>(out[i] - 'A' + 'a');
  }
  return out;
}

Corpus::Corpus(std::unique_ptr<Index> index) : index_(std::move(index)) {}
Corpus::Corpus(Corpus&&) noexcept = default;
Corpus& Corpus::operator=(Corpus&&) noexcept = default;
Corpus::~Corpus() = default;

const std::vector<Document>& Corpus::documents() const { return index_->documents; }

Result<Corpus> Corpus::LoadEmbedded() { return Load(EmbeddedCorpus()); }

Result<Corpus> Corpus::Load(const std::vector<EmbeddedFile>& files) {
  auto index = std::make_unique<Index>();
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
    const Json* documents = root.if_contains("documents");
    if (documents == nullptr || !documents->is_array()) {
      return Error(ErrorCode::kInvalidArgument, path + ": missing \"documents\" array");
    }
    const JsonArray& list = documents->get_array();
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
      const size_t id = index->documents.size();
      auto [it, inserted] = index->by_url.emplace(NormalizeUrl(doc.url), id);
      if (!inserted) {
        const Document& first = index->documents[it->second];
        return Error(ErrorCode::kInvalidArgument,
                     fmt::format("{}: duplicate url {:?} (already in {})", Where(path, i), doc.url,
                                 Where(first.source, index->position_in_file[it->second])));
      }
      index->documents.push_back(std::move(doc));
      index->position_in_file.push_back(i);
    }
  }

  sqlite3* raw = nullptr;
  const int open =
      sqlite3_open_v2(":memory:", &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  index->db.reset(raw);
  if (open != SQLITE_OK) {
    return Error(ErrorCode::kInternal, "corpus index: cannot open an in-memory SQLite database");
  }
  sqlite3* db = index->db.get();
  if (!RegisterCoverageWeight(db)) {
    return Error(ErrorCode::kInternal, "corpus index: SQLite lacks FTS5 auxiliary functions");
  }
  if (auto s = Execute(db,
                       "CREATE VIRTUAL TABLE docs USING fts5(title, snippet, text, kind, "
                       "tokenize = 'porter unicode61'); BEGIN");
      !s.ok()) {
    return s.error();
  }
  {
    auto insert = Prepare(db,
                          "INSERT INTO docs(rowid, title, snippet, text, kind) "
                          "VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!insert.ok()) return insert.error();
    sqlite3_stmt* statement = insert->get();
    for (size_t id = 0; id < index->documents.size(); ++id) {
      const Document& doc = index->documents[id];
      sqlite3_bind_int64(statement, 1, static_cast<sqlite3_int64>(id));
      BindText(statement, 2, doc.title);
      BindText(statement, 3, doc.snippet);
      BindText(statement, 4, doc.text);
      BindText(statement, 5, doc.kind);
      if (sqlite3_step(statement) != SQLITE_DONE) {
        return Error(ErrorCode::kInternal,
                     fmt::format("corpus index: {} ({})", sqlite3_errmsg(db), doc.url));
      }
      sqlite3_reset(statement);
    }
  }
  if (auto s = Execute(db, "COMMIT"); !s.ok()) return s.error();
  auto search_all = Prepare(db, kSearchAllSql);
  if (!search_all.ok()) return search_all.error();
  auto search_news = Prepare(db, kSearchNewsSql);
  if (!search_news.ok()) return search_news.error();
  index->search_all = std::move(*search_all);
  index->search_news = std::move(*search_news);
  return Corpus(std::move(index));
}

std::vector<const Document*> Corpus::Search(std::string_view query, int max_results,
                                            std::string_view search_type) const {
  std::vector<const Document*> found;
  const std::string expression = BuildMatchExpression(query);
  if (expression.empty() || max_results < 1) return found;
  std::lock_guard lock(index_->mutex);
  sqlite3_stmt* statement =
      search_type == "news" ? index_->search_news.get() : index_->search_all.get();
  BindText(statement, 1, expression);
  sqlite3_bind_int(statement, 2, max_results);
  while (sqlite3_step(statement) == SQLITE_ROW) {
    const auto id = static_cast<size_t>(sqlite3_column_int64(statement, 0));
    if (id < index_->documents.size()) found.push_back(&index_->documents[id]);
  }
  sqlite3_reset(statement);
  sqlite3_clear_bindings(statement);
  return found;
}

const Document* Corpus::FindByUrl(std::string_view url) const {
  const auto it = index_->by_url.find(NormalizeUrl(url));
  return it == index_->by_url.end() ? nullptr : &index_->documents[it->second];
}

}  // namespace orchestra::sim
