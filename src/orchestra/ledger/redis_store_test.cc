// What only the Redis store does: a server that goes away and comes back, key prefixes, and
// optimistic updates that retry. The common contract is in store_contract_test.cc.

#include "orchestra/ledger/redis_store.h"

#include <gtest/gtest.h>

#include <csignal>
#include <string>

#include "orchestra/core/reference_test_util.h"
#include "orchestra/ledger/redis_test_util.h"
#include "orchestra/ledger/store_test_util.h"

namespace orchestra::ledger {
namespace {

using testing::Counter;
using testing::Increment;
using testing::RedisServer;
using testing::SeedEntry;

class RedisStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ORCHESTRA_REQUIRE_REFERENCE(RedisServer::Unavailable());
    auto started = server_.Start();
    ASSERT_TRUE(started.ok()) << started.error().ToString();
  }

  std::unique_ptr<RedisStore> Open(std::string prefix, int max_update_attempts = 100) {
    RedisOptions options = server_.Options(std::move(prefix));
    options.max_update_attempts = max_update_attempts;
    auto store = RedisStore::Open(options);
    EXPECT_TRUE(store.ok()) << store.error().ToString();
    return store ? std::move(*store) : nullptr;
  }
  std::string HostPort() const { return "127.0.0.1:" + std::to_string(server_.port()); }
  template <typename R>
  void ExpectDown(const R& result) {
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
    EXPECT_EQ(result.error().message.rfind("redis " + HostPort() + ": ", 0), 0u)
        << result.error().message;
  }

  RedisServer server_;
};

TEST_F(RedisStoreTest, ServerThatIsDownIsUnavailableNamingHostAndPort) {
  server_.Kill();
  auto store = RedisStore::Open(server_.Options("ledger"));
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(store.error().message, "redis " + HostPort() + ": connect: Connection refused");
}

TEST_F(RedisStoreTest, ServerKilledMidRunIsUnavailableUntilItIsBack) {
  auto store = Open("ledger");
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->ReplaceAll(*SeedSnapshot()).ok());
  ASSERT_TRUE(store->Load().ok());

  server_.Kill();
  auto load = store->Load();  // the connection dies under this call
  ASSERT_FALSE(load.ok());
  EXPECT_EQ(load.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(load.error().message.rfind("redis " + HostPort() + ": HGETALL ledger:entries: ", 0), 0u)
      << load.error().message;
  ExpectDown(store->Upsert(SeedEntry("SN22")));
  ExpectDown(store->Count());
  ExpectDown(store->Update("SN22", Increment("SN22")));
  ExpectDown(store->Append("drift", "SN22", JsonObject()));
  ExpectDown(store->Events(0, 10));

  // Back on the same port, empty (the test server keeps nothing): the next call reconnects.
  ASSERT_TRUE(server_.Start().ok());
  auto count = store->Count();
  ASSERT_TRUE(count.ok()) << count.error().ToString();
  EXPECT_EQ(*count, 0);
  ASSERT_TRUE(store->SeedIfEmpty(*SeedSnapshot()).ok());
  auto reloaded = store->Load();
  ASSERT_TRUE(reloaded.ok()) << reloaded.error().ToString();
  EXPECT_EQ(reloaded->version(), SeedSnapshot()->version());
}

TEST_F(RedisStoreTest, ServerThatStopsAnsweringIsUnavailableAfterTheCommandTimeout) {
  RedisOptions options = server_.Options("ledger");
  options.command_timeout = std::chrono::milliseconds(100);
  auto store = RedisStore::Open(options);
  ASSERT_TRUE(store.ok()) << store.error().ToString();
  ASSERT_TRUE((*store)->Upsert(SeedEntry("SN22")).ok());

  server_.Signal(SIGSTOP);
  auto hung = (*store)->Count();
  server_.Signal(SIGCONT);
  ASSERT_FALSE(hung.ok());
  EXPECT_EQ(hung.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(hung.error().message,
            "redis " + HostPort() + ": HLEN ledger:entries: no reply within 100 ms");
  // The late reply died with the dropped connection; a new one gets its own.
  auto count = (*store)->Count();
  ASSERT_TRUE(count.ok()) << count.error().ToString();
  EXPECT_EQ(*count, 1);
}

// A write too large for the socket buffers, to a server that died: write(2) fails with EPIPE,
// which must come back as kUnavailable rather than kill the process with SIGPIPE.
TEST_F(RedisStoreTest, LargeWriteToADeadServerIsUnavailableNotSigpipe) {
  auto store = Open("ledger");
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Count().ok());
  server_.Kill();
  std::map<std::string, LedgerEntry> entries;
  for (int i = 0; i < 64; ++i) {
    LedgerEntry entry = SeedEntry("SN22");
    entry.subnet_id = "SN" + std::to_string(1000 + i);
    entry.notes = std::string(256 * 1024, 'x');
    entries.emplace(entry.subnet_id, std::move(entry));
  }
  auto replaced = store->ReplaceAll(Snapshot(std::move(entries)));
  ASSERT_FALSE(replaced.ok());
  EXPECT_EQ(replaced.error().code, ErrorCode::kUnavailable);
}

TEST_F(RedisStoreTest, PrefixesKeepTwoLedgersApartOnOneServer) {
  auto a = Open("fleet-a");
  auto b = Open("fleet-b");
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  ASSERT_TRUE(a->ReplaceAll(*SeedSnapshot()).ok());
  ASSERT_TRUE(a->Append("drift", "SN22", JsonObject()).ok());
  ASSERT_TRUE(b->Upsert(SeedEntry("SN22")).ok());

  EXPECT_EQ(*a->Count(), static_cast<int>(SeedSnapshot()->entries().size()));
  EXPECT_EQ(*b->Count(), 1);
  EXPECT_EQ(a->Events(0, 10)->size(), 1u);
  EXPECT_TRUE(b->Events(0, 10)->empty());
  // The documented layout, and nothing outside the prefixes.
  EXPECT_EQ(server_.Command({"HGET", "fleet-b:entries", "SN22"}),
            CanonicalJson(ToJson(SeedEntry("SN22"))));
  EXPECT_EQ(server_.Command({"GET", "fleet-a:event_seq"}), "1");
  EXPECT_EQ(server_.Command({"ZCARD", "fleet-a:events"}), "1");
  EXPECT_EQ(server_.Command({"DBSIZE"}), "4");
}

// fn runs between WATCH and EXEC; a write made meanwhile by another client aborts the EXEC and
// fn runs again on the newer ledger.
TEST_F(RedisStoreTest, UpdateRunsAgainWhenAnotherWriterGotInBetween) {
  auto store = Open("ledger");
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Upsert(SeedEntry("SN22")).ok());
  LedgerEntry other = SeedEntry("SN13");
  other.notes = "written by another miner";
  int calls = 0;
  auto updated =
      store->Update("SN22", [&](std::optional<LedgerEntry> current) -> Result<LedgerEntry> {
        if (++calls == 1) {
          EXPECT_EQ(
              server_.Command({"HSET", "ledger:entries", "SN13", CanonicalJson(ToJson(other))}),
              "1");
        }
        return Increment("SN22")(std::move(current));
      });
  ASSERT_TRUE(updated.ok()) << updated.error().ToString();
  EXPECT_EQ(calls, 2);
  auto loaded = store->Load();
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(Counter(*loaded->Find("SN22")), 1);
  EXPECT_EQ(loaded->Find("SN13")->notes, "written by another miner");
}

TEST_F(RedisStoreTest, UpdateThatKeepsLosingGivesUpUnavailable) {
  auto store = Open("ledger", /*max_update_attempts=*/5);
  ASSERT_NE(store, nullptr);
  int calls = 0;
  auto updated =
      store->Update("SN22", [&](std::optional<LedgerEntry> current) -> Result<LedgerEntry> {
        ++calls;
        server_.Command({"HSET", "ledger:entries", "SN13", std::to_string(calls)});
        return Increment("SN22")(std::move(current));
      });
  ASSERT_FALSE(updated.ok());
  EXPECT_EQ(updated.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(updated.error().message, "redis " + HostPort() +
                                         ": update of SN22: concurrent writers won 5 attempts "
                                         "in a row");
  EXPECT_EQ(calls, 5);
  EXPECT_EQ(server_.Command({"HGET", "ledger:entries", "SN22"}), "");
}

TEST(ParseRedisUrlTest, FillsDefaultsForWhatTheUrlLeavesOut) {
  auto bare = ParseRedisUrl("redis://cache.internal");
  ASSERT_TRUE(bare.ok()) << bare.error().ToString();
  EXPECT_EQ(bare->host, "cache.internal");
  EXPECT_EQ(bare->port, 6379);
  EXPECT_EQ(bare->prefix, "orchestra-ledger");

  auto full = ParseRedisUrl("redis://127.0.0.1:6380/fleet-a:ledger");
  ASSERT_TRUE(full.ok()) << full.error().ToString();
  EXPECT_EQ(full->host, "127.0.0.1");
  EXPECT_EQ(full->port, 6380);
  EXPECT_EQ(full->prefix, "fleet-a:ledger");

  auto v6 = ParseRedisUrl("redis://[::1]:7000/");
  ASSERT_TRUE(v6.ok()) << v6.error().ToString();
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 7000);
  EXPECT_EQ(v6->prefix, "orchestra-ledger");
}

TEST(ParseRedisUrlTest, MalformedUrlIsRejectedSayingWhatIsWrong) {
  const std::pair<const char*, const char*> cases[] = {
      {"http://127.0.0.1:6379/x", "not a redis:// URL"},
      {"redis://", "no host"},
      {"redis://:6379/x", "no host"},
      {"redis://127.0.0.1:/x", "empty port"},
      {"redis://127.0.0.1:65536/x", "port \"65536\" is not a number in [1, 65535]"},
      {"redis://127.0.0.1:6379x/x", "port \"6379x\" is not a number in [1, 65535]"},
      {"redis://[::1/x", "unterminated [IPv6 address]"},
      {"redis://user:secret@127.0.0.1/x", "credentials in the URL are not supported"},
      {"redis://127.0.0.1/x?db=2", "a query or fragment is not supported"},
      {"redis://127.0.0.1/my ledger", "key prefix \"my ledger\" must be"},
  };
  for (const auto& [url, why] : cases) {
    auto parsed = ParseRedisUrl(url);
    ASSERT_FALSE(parsed.ok()) << url;
    EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(parsed.error().message.rfind(std::string("ledger store \"") + url + "\": ", 0), 0u)
        << parsed.error().message;
    EXPECT_NE(parsed.error().message.find(why), std::string::npos) << parsed.error().message;
    EXPECT_NE(parsed.error().message.find("expected redis://HOST[:PORT][/PREFIX]"),
              std::string::npos);
  }
}

}  // namespace
}  // namespace orchestra::ledger
