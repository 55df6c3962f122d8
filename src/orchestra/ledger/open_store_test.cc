#include "orchestra/ledger/open_store.h"

#include <gtest/gtest.h>

#include "orchestra/core/reference_test_util.h"
#include "orchestra/core/temp_dir.h"
#include "orchestra/ledger/redis_test_util.h"

namespace orchestra::ledger {
namespace {

using orchestra::testing::TempDir;

TEST(OpenStoreTest, NoOptionOrSqliteIsTheFileInTheDataDir) {
  TempDir dir;
  for (const char* spec : {"", "sqlite"}) {
    auto store = OpenStore(spec, dir.path() / "data");
    ASSERT_TRUE(store.ok()) << store.error().ToString();
    EXPECT_EQ((*store)->Describe(), "sqlite " + (dir.path() / "data" / "ledger.db").string());
  }
}

TEST(OpenStoreTest, SqliteWithAPathIsThatFile) {
  TempDir dir;
  const auto path = dir.path() / "elsewhere" / "fleet.db";
  auto store = OpenStore("sqlite:" + path.string(), dir.path());
  ASSERT_TRUE(store.ok()) << store.error().ToString();
  EXPECT_EQ((*store)->Describe(), "sqlite " + path.string());
  EXPECT_TRUE(std::filesystem::exists(path));
}

TEST(OpenStoreTest, RedisUrlIsTheSharedLedgerOnThatServer) {
  ORCHESTRA_REQUIRE_REFERENCE(testing::RedisServer::Unavailable());
  testing::RedisServer server;
  ASSERT_TRUE(server.Start().ok());
  TempDir dir;
  const std::string url = "redis://127.0.0.1:" + std::to_string(server.port()) + "/fleet";
  auto store = OpenStore(url, dir.path());
  ASSERT_TRUE(store.ok()) << store.error().ToString();
  EXPECT_EQ((*store)->Describe(), url);
  auto ledger = LoadOrSeed(**store);
  ASSERT_TRUE(ledger.ok()) << ledger.error().ToString();
  EXPECT_EQ(server.Command({"HLEN", "fleet:entries"}), std::to_string((*ledger)->entries().size()));
}

TEST(OpenStoreTest, UnknownOrMalformedOptionIsRejectedNamingIt) {
  TempDir dir;
  const std::pair<const char*, const char*> cases[] = {
      {"postgres://db/ledger",
       "ledger store \"postgres://db/ledger\": expected \"sqlite\", \"sqlite:PATH\" or "
       "redis://HOST[:PORT][/PREFIX]"},
      {"sqlite:", "ledger store \"sqlite:\": no file after \"sqlite:\""},
      {"redis:/127.0.0.1", "ledger store \"redis:/127.0.0.1\": not a redis:// URL"},
      {"redis://127.0.0.1:0/x", "ledger store \"redis://127.0.0.1:0/x\": port \"0\""},
  };
  for (const auto& [spec, message] : cases) {
    auto store = OpenStore(spec, dir.path());
    ASSERT_FALSE(store.ok()) << spec;
    EXPECT_EQ(store.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(store.error().message.rfind(message, 0), 0u) << store.error().message;
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));  // nothing was created
}

}  // namespace
}  // namespace orchestra::ledger
