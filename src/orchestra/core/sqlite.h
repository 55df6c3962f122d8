#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "orchestra/core/result.h"

struct sqlite3;
struct sqlite3_stmt;

// The one place that holds raw SQLite handles (ARCHITECTURE.md: SQLite lives once in core).
// A thin RAII layer: a database connection, its prepared statements and a transaction guard.
// Every error is ErrorCode::kIo and names the database file, the statement (its SQL) and
// SQLite's own message: "sqlite /data/validator.db: INSERT INTO ...: database is locked".
// Threading: a connection (and its statements) is used by one thread at a time; SQLite
// serialises writers across connections and processes (busy timeout below).
namespace orchestra {

enum class SqliteSynchronous { kOff, kNormal, kFull };

struct SqliteOptions {
  // Create the file, and its parent directories, when absent.
  bool create = true;
  bool read_only = false;
  // Write-ahead logging; opening fails when the file cannot use it.
  bool wal = true;
  // FULL makes a committed transaction durable across power loss; NORMAL (WAL) only across a
  // process crash.
  SqliteSynchronous synchronous = SqliteSynchronous::kFull;
  int busy_timeout_ms = 5000;
};

// A prepared statement. Bind indices are 1-based (as SQLite's ?1, ?2, ...), column indices
// 0-based. Column getters check the stored type: a NULL, or a text where a number is expected,
// is an error naming the column, so a corrupted row is reported rather than read as 0.
class SqliteStatement {
 public:
  SqliteStatement(SqliteStatement&&) noexcept = default;
  SqliteStatement& operator=(SqliteStatement&&) noexcept = default;

  Status BindInt64(int index, int64_t value);
  Status BindDouble(int index, double value);
  Status BindText(int index, std::string_view value);  // copied: `value` may die after
  Status BindNull(int index);

  // Advances: true when a row is ready to read, false when the statement is done.
  Result<bool> Step();
  // Steps until done (rows, if any, are skipped), then resets the statement for reuse.
  Status Run();
  // Makes the statement runnable again and clears its bindings.
  void Reset();

  Result<int64_t> ColumnInt64(int column) const;
  // Accepts an integer column too.
  Result<double> ColumnDouble(int column) const;
  Result<std::string> ColumnText(int column) const;
  bool ColumnIsNull(int column) const;

  // The statement's SQL, for messages.
  std::string_view sql() const;

 private:
  friend class SqliteDb;
  struct Finalizer {
    void operator()(sqlite3_stmt* stmt) const;
  };
  explicit SqliteStatement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  Error Fail(std::string_view what) const;

  std::unique_ptr<sqlite3_stmt, Finalizer> stmt_;
};

// An open connection. Movable; closing waits for nothing (statements still alive keep the
// connection open until they die).
class SqliteDb {
 public:
  static Result<SqliteDb> Open(const std::filesystem::path& path,
                               const SqliteOptions& options = {});
  SqliteDb(SqliteDb&&) noexcept = default;
  SqliteDb& operator=(SqliteDb&&) noexcept = default;

  // Runs one or more statements that return nothing useful (DDL, pragmas).
  Status Exec(std::string_view sql);
  Result<SqliteStatement> Prepare(std::string_view sql);
  // Runs `sql`, which yields one integer in its first row ("PRAGMA user_version",
  // "SELECT count(*) ...").
  Result<int64_t> QueryInt64(std::string_view sql);
  // Rows changed by the last INSERT/UPDATE/DELETE on this connection.
  int64_t Changes() const;

  const std::filesystem::path& path() const { return path_; }
  // For the rare call this wrapper does not cover (sqlite3_create_function, ...).
  sqlite3* handle() const { return db_.get(); }

 private:
  struct Closer {
    void operator()(sqlite3* db) const;
  };
  SqliteDb(sqlite3* db, std::filesystem::path path) : db_(db), path_(std::move(path)) {}

  std::unique_ptr<sqlite3, Closer> db_;
  std::filesystem::path path_;
};

// BEGIN ... COMMIT; rolls back when destroyed uncommitted (an early return on error, say).
// Holds a reference to the connection, which must outlive it.
class SqliteTransaction {
 public:
  // kImmediate takes the write lock at BEGIN, so a read-then-write transaction never fails
  // half-way with SQLITE_BUSY.
  enum class Mode { kDeferred, kImmediate };
  static Result<SqliteTransaction> Begin(SqliteDb& db, Mode mode = Mode::kImmediate);
  SqliteTransaction(SqliteTransaction&& other) noexcept;
  SqliteTransaction& operator=(SqliteTransaction&&) = delete;
  ~SqliteTransaction();

  // Commits; after a failed COMMIT the transaction is rolled back.
  Status Commit();

 private:
  explicit SqliteTransaction(SqliteDb* db) : db_(db) {}
  SqliteDb* db_;  // null once committed or rolled back
};

}  // namespace orchestra
