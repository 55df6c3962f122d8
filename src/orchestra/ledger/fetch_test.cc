#include "orchestra/ledger/fetch.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "orchestra/core/temp_dir.h"
#include "orchestra/crypto/test_util.h"
#include "orchestra/ledger/exchange.h"
#include "orchestra/net/server_thread.h"

namespace orchestra::ledger {
namespace {

constexpr auto kBudget = std::chrono::seconds(10);

// A loopback server publishing `document` at /ledger.json (404 elsewhere, 301 at /old).
class Publisher {
 public:
  explicit Publisher(std::string document)
      : server_(net::ServerOptions{},
                [document = std::move(document)](
                    net::HttpRequest request) -> boost::asio::awaitable<net::HttpResponse> {
                  if (request.method == "GET" && request.target == "/ledger.json?v=1") {
                    net::HttpResponse response;
                    response.body = document;
                    co_return response;
                  }
                  if (request.target == "/old") {
                    net::HttpResponse moved;
                    moved.status = 301;
                    moved.headers.Add("Location", "/ledger.json?v=1");
                    co_return moved;
                  }
                  co_return net::MessageResponse(404, "no such ledger");
                }) {
    auto port = server_.Start();
    EXPECT_TRUE(port.ok()) << port.error().ToString();
    port_ = port.ok() ? *port : 0;
  }
  std::string Url(std::string_view target) const {
    return fmt::format("http://127.0.0.1:{}{}", port_, target);
  }

 private:
  net::ServerThread server_;
  uint16_t port_ = 0;
};

TEST(LedgerFetchTest, ASignedExportPublishedOverHttpImports) {
  const Json document =
      SignedExport(*SeedSnapshot(), crypto::testing::KeyFromByte(3), ManualTime(1770544800000));
  Publisher publisher(PrettyJson(document));
  const std::string url = publisher.Url("/ledger.json?v=1");
  auto bytes = ReadLedgerSource(url, Deadline::After(kBudget));
  ASSERT_TRUE(bytes.ok()) << bytes.error().ToString();
  auto imported = ReadImportText(*bytes, url, ImportPolicy{});
  ASSERT_TRUE(imported.ok()) << imported.error().ToString();
  EXPECT_EQ(imported->signed_by, crypto::testing::AddressOf(crypto::testing::KeyFromByte(3)));
  EXPECT_EQ(imported->ledger_version, SeedSnapshot()->version());
}

TEST(LedgerFetchTest, AnAnswerOtherThan200IsAnErrorNamingTheUrlAndStatus) {
  Publisher publisher("{}");
  const std::string missing = publisher.Url("/nothing.json");
  auto read = ReadLedgerSource(missing, Deadline::After(kBudget));
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().message, "GET " + missing + ": HTTP 404");
  const std::string old = publisher.Url("/old");
  read = ReadLedgerSource(old, Deadline::After(kBudget));
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().message,
            "GET " + old + ": HTTP 301 (redirects to /ledger.json?v=1, which is not followed)");
}

TEST(LedgerFetchTest, AnUnreachablePublisherIsUnavailableNamingTheUrl) {
  std::string url;
  {
    Publisher gone("{}");
    url = gone.Url("/ledger.json?v=1");
  }
  auto read = ReadLedgerSource(url, Deadline::After(kBudget));
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code, ErrorCode::kUnavailable) << read.error().ToString();
  EXPECT_EQ(read.error().message.rfind("GET " + url + ": ", 0), 0u) << read.error().message;
}

TEST(LedgerFetchTest, UrlsTheClientCannotFetchAreRefusedSayingWhy) {
  auto https = ParseHttpUrl("https://miner.example/ledger.json");
  ASSERT_FALSE(https.ok());
  EXPECT_NE(https.error().message.find("https is not supported"), std::string::npos);
  EXPECT_NE(https.error().message.find("download the file and import it"), std::string::npos);
  EXPECT_EQ(ParseHttpUrl("ftp://h/x").error().message,
            "ftp://h/x: scheme \"ftp\" is not supported (expected http://)");
  EXPECT_EQ(ParseHttpUrl("http://me:pw@h/x").error().message,
            "http://me:pw@h/x: credentials in the URL are not supported");
  EXPECT_EQ(ParseHttpUrl("http://h:99999/x").error().message,
            "http://h:99999/x: port \"99999\" is not in 1..65535");
  EXPECT_EQ(ParseHttpUrl("http://h:0/x").error().message,
            "http://h:0/x: port \"0\" is not in 1..65535");
}

TEST(LedgerFetchTest, UrlsAreSplitForTheClient) {
  auto url = ParseHttpUrl("http://[::1]:8091/l/ledger.json?at=now#top");
  ASSERT_TRUE(url.ok()) << url.error().ToString();
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->port, 8091);
  EXPECT_EQ(url->target, "/l/ledger.json?at=now");
  auto bare = ParseHttpUrl("http://miner.example");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->port, 80);
  EXPECT_EQ(bare->target, "/");
}

TEST(LedgerFetchTest, WhatIsNoUrlIsAFile) {
  EXPECT_TRUE(LooksLikeUrl("http://h/x"));
  EXPECT_TRUE(LooksLikeUrl("https://h/x"));
  EXPECT_FALSE(LooksLikeUrl("ledger.json"));
  EXPECT_FALSE(LooksLikeUrl("/tmp/a://b.json"));
  EXPECT_FALSE(LooksLikeUrl("./x"));

  orchestra::testing::TempDir temp;
  const std::filesystem::path& dir = temp.path();
  const std::string path = (dir / "ledger.json").string();
  std::ofstream(path) << R"({"entries": {}})";
  auto bytes = ReadLedgerSource(path, Deadline::After(kBudget));
  ASSERT_TRUE(bytes.ok()) << bytes.error().ToString();
  EXPECT_EQ(*bytes, R"({"entries": {}})");
  auto missing = ReadLedgerSource((dir / "none.json").string(), Deadline::After(kBudget));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kIo);
  EXPECT_EQ(missing.error().message, "cannot read ledger file \"" + (dir / "none.json").string() +
                                         "\": No such file or directory");
}

}  // namespace
}  // namespace orchestra::ledger
