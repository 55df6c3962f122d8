#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "orchestra/core/deadline.h"
#include "orchestra/core/result.h"
#include "orchestra/net/http_client.h"

namespace orchestra::ledger {

// Where a published ledger is fetched from: a local file or an http:// URL (seed 000,
// "Download published Ledger snapshots from top miners").

// An http:// URL split for net::HttpClient.
struct HttpUrl {
  std::string host;  // a name or an IP literal (IPv6 without brackets)
  uint16_t port = 80;
  std::string target = "/";  // path and query, as sent
};

// Whether `text` names a URL (it has a scheme, "http://", "https://", "ftp://", ...) rather
// than a file.
bool LooksLikeUrl(std::string_view text);

// Splits an http://HOST[:PORT][/PATH][?QUERY] URL (a fragment is dropped). kInvalidArgument
// naming the URL and what is wrong: https:// (net::HttpClient speaks plain HTTP; the message
// says to download the file and import it, or to put a TLS-terminating proxy on loopback),
// another scheme, credentials in the URL, no host, a port outside 1..65535.
Result<HttpUrl> ParseHttpUrl(std::string_view url);

// GETs `url` with `client` before `deadline`: the body of a 200 answer. Errors name the URL:
// those of ParseHttpUrl, of HttpClient::Send ("GET http://127.0.0.1:1/l.json: connect ...:
// Connection refused", kDeadline), and kUnavailable "GET <url>: HTTP 404" for any other status
// (redirects are not followed: the message gives the Location). Runs on `client`'s executor.
boost::asio::awaitable<Result<std::string>> FetchLedgerUrl(net::HttpClient& client, std::string url,
                                                           Deadline deadline);

// The bytes of the document `file_or_url` names: FetchLedgerUrl on an io_context of its own
// for a URL, else the file's content (kIo "cannot read ledger file \"x.json\": No such file or
// directory"). Blocks the calling thread: for commands, never on an event-loop thread.
Result<std::string> ReadLedgerSource(std::string_view file_or_url, Deadline deadline);

}  // namespace orchestra::ledger
