#pragma once

// What the closed-loop load benchmarks (axon_load, sim_load) share: clocks and CPU accounting,
// the machine's load, test keys, a one-shot HTTP exchange for their pre-flight checks, and how
// they report checks and statuses, and the hot path of their generators (a response reader
// and an arena of pre-serialized requests).

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "orchestra/core/json.h"
#include "orchestra/core/result.h"
#include "orchestra/crypto/sr25519.h"

namespace orchestra::bench {

// The wall clock in nanoseconds since the Unix epoch (the axon's nonce clock).
int64_t SystemNowNs();
// CPU seconds (user + system) used so far by the calling thread, and by the whole process.
double ThreadCpuSeconds();
double ProcessCpuSeconds();
// The 1-, 5- and 15-minute load averages ("" where /proc/loadavg is missing): how busy the
// shared machine was.
std::string LoadAverage();

// A keypair whose 32-byte mini secret is `byte` repeated: reproducible test identities.
crypto::Keypair KeyFromByte(uint8_t byte);

struct Answer {
  int status = 0;  // 0 when the exchange failed
  std::string body;
};
// Writes `wire` (a whole HTTP/1.1 request) on a fresh connection to host:port and reads the
// response (body up to 64 MiB), synchronously.
Answer SendOnce(const std::string& host, uint16_t port, const std::string& wire);

// The head of an HTTP/1.1 response, as far as a closed-loop generator needs it.
struct ResponseHead {
  int status = 0;
  size_t head_bytes = 0;  // status line and fields, through the blank line
  size_t content_length = 0;
  bool keep_alive = true;
};

// Parses the response head at the start of `bytes`: nullopt while its blank line has not
// arrived yet; an error, saying what and at which byte, for a malformed head, and for a body
// framed otherwise than by Content-Length (the servers under test always send it; a 1xx, 204
// or 304 answer has no body). content_length may be anything up to SIZE_MAX: a caller adding
// it to head_bytes bounds it first (as ResponseReader does with its max_body_bytes).
Result<std::optional<ResponseHead>> ParseResponseHead(std::string_view bytes);

// Frames the responses of one keep-alive connection in a buffer it reuses, so that a generator
// spends its CPU on the wire rather than on a parser's per-field allocations (with it instead
// of Beast's response parser the sim_load generator takes about 11% less CPU per call: median
// of six alternating runs). Bytes come in through Space()/Received() (an event loop's own
// reads) or Read() (a coroutine over an Asio socket). Not thread-safe; one per connection.
class ResponseReader {
 public:
  struct Response {
    int status = 0;
    bool keep_alive = true;
    std::string_view body;  // valid until the next Next, Space or Read
  };

  // The next final response among the bytes received, nullopt until all of it has arrived
  // (interim 1xx answers other than 101 are skipped). Errors: the head is malformed or longer
  // than 64 KiB, or the body is longer than `max_body_bytes`. After an error the connection's
  // stream is lost: drop the reader.
  Result<std::optional<Response>> Next(size_t max_body_bytes);
  // Room for the next read (at least 4 KiB, more when a known body needs it); report the
  // bytes read into it with Received(n).
  std::span<char> Space();
  void Received(size_t n) { end_ += n; }

  // The next final response read from `socket`. Errors as Next, and the connection failing or
  // closing early.
  boost::asio::awaitable<Result<Response>> Read(boost::asio::ip::tcp::socket& socket,
                                                size_t max_body_bytes);

 private:
  // Moves the bytes after the first `bytes` received to the front of the buffer.
  void DropFront(size_t bytes);

  std::vector<char> buffer_ = std::vector<char>(64 << 10);
  size_t begin_ = 0;                  // first byte not yet returned
  size_t end_ = 0;                    // one past the last byte received
  std::optional<ResponseHead> head_;  // of the response being received
};

// Pre-serialized requests stored back to back in one anonymous mapping that the kernel is
// asked to back with transparent huge pages (the 2 MiB-aligned ranges inside it; recent
// kernels align large anonymous mappings to 2 MiB). A generator that sends request after request
// then reads neighbouring memory, where separate heap blocks spread over hundreds of MiB cost
// the kernel's copy into the socket TLB and cache misses (sim_load's generator takes about 17%
// less CPU per call with the arena: median of six alternating runs). A view stays valid until
// the next Append or the arena's end.
class WireArena {
 public:
  WireArena() = default;
  ~WireArena();
  WireArena(WireArena&& other) noexcept;
  WireArena& operator=(WireArena&&) = delete;
  WireArena(const WireArena&) = delete;
  WireArena& operator=(const WireArena&) = delete;

  // Copies `wire` in after the others. Moves the mapping when it grows: views taken before
  // are invalid afterwards. Throws std::bad_alloc when the mapping cannot grow.
  void Append(std::string_view wire);

  std::string_view operator[](size_t i) const {
    const size_t begin = i == 0 ? 0 : ends_[i - 1];
    return {base_ + begin, ends_[i] - begin};
  }
  size_t size() const { return ends_.size(); }
  size_t bytes() const { return bytes_; }

 private:
  char* base_ = nullptr;
  size_t mapped_ = 0;
  size_t bytes_ = 0;
  std::vector<size_t> ends_;  // offset one past each wire
};

// One honesty check of a run; a failed one makes the run's figures not count.
struct Check {
  std::string what;
  bool passed = false;
  std::string detail;
};

// Status counts as text ("3×401 1×503", "0" when none) and as JSON ({"401": 3, ...}).
std::string StatusesText(const std::map<int, uint64_t>& statuses);
Json StatusesJson(const std::map<int, uint64_t>& statuses);

}  // namespace orchestra::bench
