#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "orchestra/core/clock.h"
#include "orchestra/core/result.h"
#include "orchestra/ledger/store.h"

struct redisContext;
struct redisReply;

namespace orchestra::ledger {

struct RedisOptions {
  std::string host = "127.0.0.1";
  int port = 6379;
  // Every key of the ledger starts with "<prefix>:", so that ledgers can share a server.
  std::string prefix = "orchestra-ledger";
  std::chrono::milliseconds connect_timeout{2000};
  // For each command's reply; a command that times out drops the connection (kUnavailable).
  std::chrono::milliseconds command_timeout{2000};
  // Update's optimistic attempts before it gives up with kUnavailable.
  int max_update_attempts = 100;
};

// Reads "redis://HOST[:PORT][/PREFIX]" (port 6379 and prefix "orchestra-ledger" by default;
// HOST may be a bracketed IPv6 address). kInvalidArgument naming the spec and what is wrong.
Result<RedisOptions> ParseRedisUrl(std::string_view url);

// The ledger on a Redis server, shared by a fleet of miner processes (hiredis, synchronous:
// call it from a worker thread, never an event loop). Keys, with P the prefix:
//   P:entries    hash, subnet id -> the entry's JSON; Load is one HGETALL, so a reader never
//                sees half of a write, and ReplaceAll is one MULTI/EXEC
//   P:events     sorted set of the event log, scored by id, members "<id> <event JSON>"
//   P:event_seq  the last event id (INCR); Append assigns it and adds the event in one script
// Update is WATCH P:entries / HGET / MULTI HSET EXEC, retried when another writer got in
// between (any write to the ledger counts), up to max_update_attempts. A lost connection is
// kUnavailable naming host:port; the next call connects again. SIGPIPE from a write to a dead
// server is blocked on the calling thread, never delivered. See ledger::Store for the rest.
class RedisStore : public Store {
 public:
  // Connects (kUnavailable naming host:port when the server does not answer PING);
  // kInvalidArgument for options that cannot work (empty host or prefix, bad port). `clock`
  // stamps events and must outlive the store.
  static Result<std::unique_ptr<RedisStore>> Open(RedisOptions options,
                                                  const TimeSource& clock = RealTime());
  ~RedisStore() override;
  RedisStore(const RedisStore&) = delete;
  RedisStore& operator=(const RedisStore&) = delete;

  Result<Snapshot> Load() override;
  Status Upsert(const LedgerEntry& entry) override;
  Status ReplaceAll(const Snapshot& snapshot) override;
  Result<bool> SeedIfEmpty(const Snapshot& seed) override;
  Result<int> Count() override;
  Result<LedgerEntry> Update(std::string_view subnet_id, const EntryUpdate& fn) override;
  Result<int64_t> Append(std::string_view kind, std::string_view subnet_id,
                         const Json& body) override;
  Result<std::vector<StoredEvent>> Events(int64_t since_id, int limit) override;
  // "redis://HOST:PORT/PREFIX".
  std::string Describe() const override;

  const RedisOptions& options() const { return options_; }

 private:
  struct ContextFree {
    void operator()(redisContext* context) const;
  };
  struct ReplyFree {
    void operator()(redisReply* reply) const;
  };
  using Reply = std::unique_ptr<redisReply, ReplyFree>;
  using Command = std::vector<std::string>;

  RedisStore(RedisOptions options, const TimeSource& clock);
  Status Connect();
  // Sends `commands` in one write and reads their replies (error replies included, to be
  // checked by the caller); kUnavailable, with the connection dropped, on any I/O failure.
  Result<std::vector<Reply>> Pipeline(const std::vector<Command>& commands);
  Result<Reply> Run(const Command& command);
  // kIo (kUnavailable for a server that is loading or read-only) when `reply` is an error.
  Status CheckNotError(const redisReply& reply, std::string_view command) const;
  Error Unavailable(std::string_view command, std::string_view why) const;
  Error Malformed(std::string_view command, std::string_view why) const;
  // Runs MULTI, `writes`, EXEC; false when a WATCHed key changed and nothing was written.
  Result<bool> Transaction(const std::vector<Command>& writes);
  void Unwatch();
  Command HsetAll(const Snapshot& snapshot) const;

  const RedisOptions options_;
  const TimeSource& clock_;
  const std::string entries_key_;
  const std::string events_key_;
  const std::string event_seq_key_;
  std::mutex mu_;
  std::unique_ptr<redisContext, ContextFree> context_;  // null while disconnected
};

}  // namespace orchestra::ledger
