#include "orchestra/core/sqlite.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>

namespace orchestra {
namespace {

class SqliteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/orchestra-sqlite-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path dir_;
};

TEST_F(SqliteTest, CreatesTheFileAndItsDirectoryInWalMode) {
  auto db = SqliteDb::Open(dir_ / "a" / "b" / "x.db");
  ASSERT_TRUE(db.ok()) << db.error().ToString();
  EXPECT_TRUE(std::filesystem::exists(dir_ / "a" / "b" / "x.db"));
  auto stmt = db->Prepare("PRAGMA journal_mode");
  ASSERT_TRUE(stmt.ok());
  ASSERT_TRUE(*stmt->Step());
  EXPECT_EQ(*stmt->ColumnText(0), "wal");
  EXPECT_EQ(*db->QueryInt64("PRAGMA synchronous"), 2);  // FULL
}

TEST_F(SqliteTest, BindsAndReadsBackEveryType) {
  auto db = SqliteDb::Open(dir_ / "x.db");
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(db->Exec("CREATE TABLE t(i INTEGER, d REAL, s TEXT, n TEXT)").ok());
  auto insert = db->Prepare("INSERT INTO t VALUES(?1, ?2, ?3, ?4)");
  ASSERT_TRUE(insert.ok());
  ASSERT_TRUE(insert->BindInt64(1, int64_t{1} << 40).ok());
  ASSERT_TRUE(insert->BindDouble(2, 0.25).ok());
  ASSERT_TRUE(insert->BindText(3, std::string_view("a\0b", 3)).ok());
  ASSERT_TRUE(insert->BindNull(4).ok());
  ASSERT_TRUE(insert->Run().ok());
  EXPECT_EQ(db->Changes(), 1);

  auto select = db->Prepare("SELECT i, d, s, n FROM t");
  ASSERT_TRUE(select.ok());
  ASSERT_TRUE(*select->Step());
  EXPECT_EQ(*select->ColumnInt64(0), int64_t{1} << 40);
  EXPECT_EQ(*select->ColumnDouble(1), 0.25);
  EXPECT_EQ(*select->ColumnDouble(0), static_cast<double>(int64_t{1} << 40));
  EXPECT_EQ(*select->ColumnText(2), std::string("a\0b", 3));
  EXPECT_TRUE(select->ColumnIsNull(3));
  EXPECT_FALSE(*select->Step());
}

TEST_F(SqliteTest, ColumnOfTheWrongTypeIsAnErrorNamingTheColumn) {
  auto db = SqliteDb::Open(dir_ / "x.db");
  ASSERT_TRUE(db.ok());
  auto select = db->Prepare("SELECT 'text' AS word, NULL AS absent");
  ASSERT_TRUE(select.ok());
  ASSERT_TRUE(*select->Step());
  auto number = select->ColumnInt64(0);
  ASSERT_FALSE(number.ok());
  EXPECT_NE(number.error().message.find("column 0 (word) is not an integer"), std::string::npos)
      << number.error().message;
  EXPECT_FALSE(select->ColumnText(1).ok());
  EXPECT_FALSE(select->ColumnDouble(1).ok());
}

TEST_F(SqliteTest, ErrorsNameTheFileAndTheStatement) {
  auto db = SqliteDb::Open(dir_ / "x.db");
  ASSERT_TRUE(db.ok());
  auto bad = db->Prepare("SELECT * FROM missing_table");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kIo);
  const std::string& message = bad.error().message;
  EXPECT_NE(message.find((dir_ / "x.db").string()), std::string::npos) << message;
  EXPECT_NE(message.find("SELECT * FROM missing_table"), std::string::npos) << message;
  EXPECT_NE(message.find("no such table"), std::string::npos) << message;

  ASSERT_TRUE(db->Exec("CREATE TABLE t(k TEXT PRIMARY KEY)").ok());
  auto insert = db->Prepare("INSERT INTO t VALUES(?1)");
  ASSERT_TRUE(insert.ok());
  ASSERT_TRUE(insert->BindText(1, "k").ok());
  ASSERT_TRUE(insert->Run().ok());
  ASSERT_TRUE(insert->BindText(1, "k").ok());
  auto duplicate = insert->Run();
  ASSERT_FALSE(duplicate.ok());
  EXPECT_NE(duplicate.error().message.find("INSERT INTO t VALUES(?1)"), std::string::npos);
  EXPECT_NE(duplicate.error().message.find("UNIQUE"), std::string::npos)
      << duplicate.error().message;
  // The statement is usable again after the failure.
  ASSERT_TRUE(insert->BindText(1, "other").ok());
  EXPECT_TRUE(insert->Run().ok());
}

TEST_F(SqliteTest, FileThatIsNotSqliteIsRefusedAtOpen) {
  std::ofstream(dir_ / "junk.db") << std::string(4096, 'x');
  auto db = SqliteDb::Open(dir_ / "junk.db");
  ASSERT_FALSE(db.ok());
  EXPECT_NE(db.error().message.find("junk.db"), std::string::npos) << db.error().message;
}

TEST_F(SqliteTest, TransactionRollsBackUnlessCommitted) {
  auto db = SqliteDb::Open(dir_ / "x.db");
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(db->Exec("CREATE TABLE t(v INTEGER)").ok());
  {
    auto tx = SqliteTransaction::Begin(*db);
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(db->Exec("INSERT INTO t VALUES(1)").ok());
  }  // dropped: rolled back
  EXPECT_EQ(*db->QueryInt64("SELECT count(*) FROM t"), 0);
  {
    auto tx = SqliteTransaction::Begin(*db);
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(db->Exec("INSERT INTO t VALUES(2)").ok());
    ASSERT_TRUE(tx->Commit().ok());
  }
  auto reopened = SqliteDb::Open(dir_ / "x.db");
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ(*reopened->QueryInt64("SELECT sum(v) FROM t"), 2);
}

TEST_F(SqliteTest, SecondWriterWaitsOutTheBusyTimeoutThenFails) {
  auto first = SqliteDb::Open(dir_ / "x.db");
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(first->Exec("CREATE TABLE t(v INTEGER)").ok());
  SqliteOptions impatient;
  impatient.busy_timeout_ms = 0;
  auto second = SqliteDb::Open(dir_ / "x.db", impatient);
  ASSERT_TRUE(second.ok());
  auto held = SqliteTransaction::Begin(*first);
  ASSERT_TRUE(held.ok());
  auto blocked = SqliteTransaction::Begin(*second);
  ASSERT_FALSE(blocked.ok());
  EXPECT_NE(blocked.error().message.find("locked"), std::string::npos) << blocked.error().message;
}

}  // namespace
}  // namespace orchestra
