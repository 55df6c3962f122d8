#include "orchestra/core/sqlite.h"

#include <chrono>
#include <thread>

#include <fmt/format.h>
#include <sqlite3.h>

#include <system_error>

namespace orchestra {
namespace {

std::string FileName(sqlite3* db) {
  const char* name = db ? sqlite3_db_filename(db, "main") : nullptr;
  return name && *name ? name : ":memory:";
}

Error SqlError(std::string_view file, std::string_view what, std::string_view why) {
  return Error(ErrorCode::kIo, fmt::format("sqlite {}: {}: {}", file, what, why));
}

const char* SynchronousName(SqliteSynchronous s) {
  switch (s) {
    case SqliteSynchronous::kOff:
      return "OFF";
    case SqliteSynchronous::kNormal:
      return "NORMAL";
    case SqliteSynchronous::kFull:
      return "FULL";
  }
  return "FULL";
}

}  // namespace

// --- SqliteStatement ---

void SqliteStatement::Finalizer::operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }

std::string_view SqliteStatement::sql() const {
  const char* text = sqlite3_sql(stmt_.get());
  return text ? text : "";
}

Error SqliteStatement::Fail(std::string_view what) const {
  sqlite3* db = sqlite3_db_handle(stmt_.get());
  return SqlError(FileName(db), sql(), fmt::format("{}{}", what, sqlite3_errmsg(db)));
}

Status SqliteStatement::BindInt64(int index, int64_t value) {
  if (sqlite3_bind_int64(stmt_.get(), index, value) != SQLITE_OK) {
    return Fail(fmt::format("bind ?{}: ", index));
  }
  return {};
}

Status SqliteStatement::BindDouble(int index, double value) {
  if (sqlite3_bind_double(stmt_.get(), index, value) != SQLITE_OK) {
    return Fail(fmt::format("bind ?{}: ", index));
  }
  return {};
}

Status SqliteStatement::BindText(int index, std::string_view value) {
  if (sqlite3_bind_text64(stmt_.get(), index, value.data(), value.size(), SQLITE_TRANSIENT,
                          SQLITE_UTF8) != SQLITE_OK) {
    return Fail(fmt::format("bind ?{}: ", index));
  }
  return {};
}

Status SqliteStatement::BindNull(int index) {
  if (sqlite3_bind_null(stmt_.get(), index) != SQLITE_OK) {
    return Fail(fmt::format("bind ?{}: ", index));
  }
  return {};
}

Result<bool> SqliteStatement::Step() {
  const int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Error error = Fail("");
  sqlite3_reset(stmt_.get());
  return error;
}

Status SqliteStatement::Run() {
  for (;;) {
    auto row = Step();
    if (!row) return row.error();
    if (!*row) break;
  }
  Reset();
  return {};
}

void SqliteStatement::Reset() {
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
}

bool SqliteStatement::ColumnIsNull(int column) const {
  return sqlite3_column_type(stmt_.get(), column) == SQLITE_NULL;
}

Result<int64_t> SqliteStatement::ColumnInt64(int column) const {
  const int type = sqlite3_column_type(stmt_.get(), column);
  if (type != SQLITE_INTEGER) {
    return SqlError(FileName(sqlite3_db_handle(stmt_.get())), sql(),
                    fmt::format("column {} ({}) is not an integer", column,
                                sqlite3_column_name(stmt_.get(), column)
                                    ? sqlite3_column_name(stmt_.get(), column)
                                    : "?"));
  }
  return static_cast<int64_t>(sqlite3_column_int64(stmt_.get(), column));
}

Result<double> SqliteStatement::ColumnDouble(int column) const {
  const int type = sqlite3_column_type(stmt_.get(), column);
  if (type != SQLITE_FLOAT && type != SQLITE_INTEGER) {
    return SqlError(FileName(sqlite3_db_handle(stmt_.get())), sql(),
                    fmt::format("column {} ({}) is not a number", column,
                                sqlite3_column_name(stmt_.get(), column)
                                    ? sqlite3_column_name(stmt_.get(), column)
                                    : "?"));
  }
  return sqlite3_column_double(stmt_.get(), column);
}

Result<std::string> SqliteStatement::ColumnText(int column) const {
  const int type = sqlite3_column_type(stmt_.get(), column);
  if (type != SQLITE_TEXT) {
    return SqlError(FileName(sqlite3_db_handle(stmt_.get())), sql(),
                    fmt::format("column {} ({}) is not text", column,
                                sqlite3_column_name(stmt_.get(), column)
                                    ? sqlite3_column_name(stmt_.get(), column)
                                    : "?"));
  }
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_.get(), column));
  return std::string(text ? text : "",
                     static_cast<size_t>(sqlite3_column_bytes(stmt_.get(), column)));
}

// --- SqliteDb ---

void SqliteDb::Closer::operator()(sqlite3* db) const { sqlite3_close_v2(db); }

Result<SqliteDb> SqliteDb::Open(const std::filesystem::path& path, const SqliteOptions& options) {
  const std::string file = path.string();
  if (options.create && !options.read_only && path.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec) {
      return SqlError(file, "create directory " + path.parent_path().string(), ec.message());
    }
  }
  int flags = options.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
  if (options.create && !options.read_only) flags |= SQLITE_OPEN_CREATE;
  // Each connection is used by one thread at a time (the header's contract).
  flags |= SQLITE_OPEN_NOMUTEX;
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(file.c_str(), &raw, flags, nullptr);
  SqliteDb db(raw, path);
  if (rc != SQLITE_OK) {
    return SqlError(file, "open", raw ? sqlite3_errmsg(raw) : "out of memory");
  }
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, options.busy_timeout_ms);
  if (!options.read_only && sqlite3_db_readonly(raw, "main") == 1) {
    return SqlError(file, "open", "the file is not writable");
  }
  if (options.wal) {
    // The first statement that reads the file: a file that is not SQLite fails here. Switching
    // a new file to WAL takes an exclusive lock for which SQLite may not wait (its busy handler
    // is skipped where waiting could deadlock): processes opening one new file at once retry,
    // within the busy timeout.
    auto mode = db.Prepare("PRAGMA journal_mode=WAL");
    if (!mode) return mode.error();
    auto row = mode->Step();
    const auto give_up =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(options.busy_timeout_ms);
    while (!row && (sqlite3_errcode(raw) & 0xff) == SQLITE_BUSY &&
           std::chrono::steady_clock::now() < give_up) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      mode->Reset();
      row = mode->Step();
    }
    if (!row) return row.error();
    auto name = *row ? mode->ColumnText(0) : Result<std::string>(std::string());
    if (!name) return name.error();
    if (*name != "wal") {
      return SqlError(file, "PRAGMA journal_mode=WAL",
                      fmt::format("cannot use WAL (journal mode stays {})", *name));
    }
  }
  if (!options.read_only) {
    if (auto s =
            db.Exec(fmt::format("PRAGMA synchronous={}", SynchronousName(options.synchronous)));
        !s) {
      return s.error();
    }
  }
  return db;
}

Status SqliteDb::Exec(std::string_view sql) {
  const std::string text(sql);
  char* message = nullptr;
  if (sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    Error e = SqlError(path_.string(), sql, message ? message : sqlite3_errmsg(db_.get()));
    sqlite3_free(message);
    return e;
  }
  return {};
}

Result<SqliteStatement> SqliteDb::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()),
                         SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
    return SqlError(path_.string(), sql, sqlite3_errmsg(db_.get()));
  }
  if (stmt == nullptr) return SqlError(path_.string(), sql, "no statement in the text");
  return SqliteStatement(stmt);
}

Result<int64_t> SqliteDb::QueryInt64(std::string_view sql) {
  auto stmt = Prepare(sql);
  if (!stmt) return stmt.error();
  auto row = stmt->Step();
  if (!row) return row.error();
  if (!*row) return SqlError(path_.string(), sql, "no row");
  return stmt->ColumnInt64(0);
}

int64_t SqliteDb::Changes() const { return sqlite3_changes64(db_.get()); }

// --- SqliteTransaction ---

Result<SqliteTransaction> SqliteTransaction::Begin(SqliteDb& db, Mode mode) {
  if (auto s = db.Exec(mode == Mode::kImmediate ? "BEGIN IMMEDIATE" : "BEGIN"); !s) {
    return s.error();
  }
  return SqliteTransaction(&db);
}

SqliteTransaction::SqliteTransaction(SqliteTransaction&& other) noexcept : db_(other.db_) {
  other.db_ = nullptr;
}

SqliteTransaction::~SqliteTransaction() {
  if (db_ != nullptr && !sqlite3_get_autocommit(db_->handle())) (void)db_->Exec("ROLLBACK");
}

Status SqliteTransaction::Commit() {
  if (db_ == nullptr) {
    return Error(ErrorCode::kInternal, "sqlite: COMMIT of a finished transaction");
  }
  SqliteDb* db = db_;
  db_ = nullptr;
  Status committed = db->Exec("COMMIT");
  if (!committed && !sqlite3_get_autocommit(db->handle())) (void)db->Exec("ROLLBACK");
  return committed;
}

}  // namespace orchestra
