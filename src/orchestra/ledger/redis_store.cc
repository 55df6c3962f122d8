#include "orchestra/ledger/redis_store.h"

#include <fmt/format.h>
#include <hiredis/hiredis.h>
#include <pthread.h>
#include <signal.h>
#include <sys/time.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>

#include "orchestra/ledger/store_codec.h"

namespace orchestra::ledger {
namespace {

// Assigns the next event id and adds the event under it in one atomic step, so that a reader
// following ids never sees a later id before an earlier one.
constexpr std::string_view kAppendScript =
    "local id = redis.call('INCR', KEYS[1])\n"
    "redis.call('ZADD', KEYS[2], string.format('%d', id), string.format('%d', id) .. ' ' .. "
    "ARGV[1])\n"
    "return id\n";

timeval ToTimeval(std::chrono::milliseconds ms) {
  return timeval{static_cast<time_t>(ms.count() / 1000),
                 static_cast<suseconds_t>((ms.count() % 1000) * 1000)};
}

// hiredis writes with write(2): a write to a connection the server closed raises SIGPIPE,
// whose default action kills the process. Blocks it on this thread for the scope and discards
// one this thread raised meanwhile (the way libpq does), leaving the process's handlers alone.
class SigpipeBlock {
 public:
  SigpipeBlock() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
  }
  ~SigpipeBlock() {
    if (!was_pending_) {
      sigset_t pending;
      sigpending(&pending);
      if (sigismember(&pending, SIGPIPE) == 1) {
        const timespec now{0, 0};
        sigtimedwait(&pipe_, nullptr, &now);
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeBlock(const SigpipeBlock&) = delete;
  SigpipeBlock& operator=(const SigpipeBlock&) = delete;

 private:
  sigset_t pipe_;
  sigset_t old_;
  bool was_pending_ = false;
};

// "HSET orchestra-ledger:entries": the command and its key, without values, for messages.
std::string CommandName(const std::vector<std::string>& command) {
  if (command.empty()) return "";
  return command.size() > 1 ? command[0] + " " + command[1] : command[0];
}

bool IsPrefixChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == ':';
}

Status CheckOptions(const RedisOptions& o) {
  if (o.host.empty()) return Error(ErrorCode::kInvalidArgument, "redis store: empty host");
  if (o.port < 1 || o.port > 65535) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("redis store: port {} is not in [1, 65535]", o.port));
  }
  if (o.prefix.empty() || !std::all_of(o.prefix.begin(), o.prefix.end(), IsPrefixChar)) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("redis store: key prefix \"{}\" must be non-empty letters, digits, "
                             "'-', '_', '.' or ':'",
                             o.prefix));
  }
  if (o.max_update_attempts < 1) {
    return Error(ErrorCode::kInvalidArgument, "redis store: max_update_attempts must be >= 1");
  }
  return {};
}

}  // namespace

Result<RedisOptions> ParseRedisUrl(std::string_view url) {
  auto Bad = [url](std::string_view why) {
    return Error(
        ErrorCode::kInvalidArgument,
        fmt::format("ledger store \"{}\": {} (expected redis://HOST[:PORT][/PREFIX])", url, why));
  };
  constexpr std::string_view kScheme = "redis://";
  if (url.substr(0, kScheme.size()) != kScheme) return Bad("not a redis:// URL");
  std::string_view rest = url.substr(kScheme.size());
  if (rest.find_first_of("?#") != std::string_view::npos) {
    return Bad("a query or fragment is not supported");
  }
  const size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  RedisOptions options;
  if (slash != std::string_view::npos) {
    std::string_view prefix = rest.substr(slash + 1);
    if (!prefix.empty()) options.prefix = std::string(prefix);
  }
  if (authority.find('@') != std::string_view::npos) {
    return Bad("credentials in the URL are not supported");
  }
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return Bad("unterminated [IPv6 address]");
    options.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return Bad("expected ':PORT' after the IPv6 address");
      port_text = after.substr(1);
      if (port_text.empty()) return Bad("empty port");
    }
  } else {
    const size_t colon = authority.rfind(':');
    options.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return Bad("empty port");
    }
  }
  if (options.host.empty()) return Bad("no host");
  if (!port_text.empty()) {
    int port = 0;
    const auto [end, ec] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port < 1 ||
        port > 65535) {
      return Bad(fmt::format("port \"{}\" is not a number in [1, 65535]", port_text));
    }
    options.port = port;
  }
  if (auto s = CheckOptions(options); !s) return Bad(s.error().message);
  return options;
}

void RedisStore::ContextFree::operator()(redisContext* context) const { redisFree(context); }
void RedisStore::ReplyFree::operator()(redisReply* reply) const { freeReplyObject(reply); }

RedisStore::RedisStore(RedisOptions options, const TimeSource& clock)
    : options_(std::move(options)),
      clock_(clock),
      entries_key_(options_.prefix + ":entries"),
      events_key_(options_.prefix + ":events"),
      event_seq_key_(options_.prefix + ":event_seq") {}

RedisStore::~RedisStore() = default;

Result<std::unique_ptr<RedisStore>> RedisStore::Open(RedisOptions options,
                                                     const TimeSource& clock) {
  if (auto s = CheckOptions(options); !s) return s.error();
  std::unique_ptr<RedisStore> store(new RedisStore(std::move(options), clock));
  std::lock_guard lock(store->mu_);
  auto pong = store->Run({"PING"});
  if (!pong) return pong.error();
  if (auto s = store->CheckNotError(**pong, "PING"); !s) return s.error();
  return store;
}

std::string RedisStore::Describe() const {
  return fmt::format("redis://{}:{}/{}", options_.host, options_.port, options_.prefix);
}

Error RedisStore::Unavailable(std::string_view command, std::string_view why) const {
  return Error(ErrorCode::kUnavailable,
               fmt::format("redis {}:{}: {}: {}", options_.host, options_.port, command, why));
}

Error RedisStore::Malformed(std::string_view command, std::string_view why) const {
  return Error(ErrorCode::kIo,
               fmt::format("redis {}:{}: {}: {}", options_.host, options_.port, command, why));
}

Status RedisStore::CheckNotError(const redisReply& reply, std::string_view command) const {
  if (reply.type != REDIS_REPLY_ERROR) return {};
  const std::string_view message(reply.str, reply.len);
  // A server that is starting, busy with a script or demoted to replica will serve again.
  for (std::string_view transient : {"LOADING", "BUSY", "MASTERDOWN", "READONLY", "TRYAGAIN"}) {
    if (message.substr(0, transient.size()) == transient) return Unavailable(command, message);
  }
  return Malformed(command, message);
}

Status RedisStore::Connect() {
  if (context_) return {};
  redisContext* raw = redisConnectWithTimeout(options_.host.c_str(), options_.port,
                                              ToTimeval(options_.connect_timeout));
  std::unique_ptr<redisContext, ContextFree> context(raw);
  if (!context) return Unavailable("connect", "out of memory");
  if (context->err) return Unavailable("connect", context->errstr);
  if (redisSetTimeout(context.get(), ToTimeval(options_.command_timeout)) != REDIS_OK) {
    return Unavailable("connect", context->errstr);
  }
  redisEnableKeepAlive(context.get());
  context_ = std::move(context);
  return {};
}

Result<std::vector<RedisStore::Reply>> RedisStore::Pipeline(const std::vector<Command>& commands) {
  if (auto s = Connect(); !s) return s.error();
  SigpipeBlock no_sigpipe;
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  for (const Command& command : commands) {
    argv.clear();
    lengths.clear();
    for (const std::string& arg : command) {
      argv.push_back(arg.data());
      lengths.push_back(arg.size());
    }
    if (redisAppendCommandArgv(context_.get(), static_cast<int>(argv.size()), argv.data(),
                               lengths.data()) != REDIS_OK) {
      Error error = Unavailable(CommandName(command), context_->errstr);
      context_.reset();
      return error;
    }
  }
  std::vector<Reply> replies;
  for (const Command& command : commands) {
    void* raw = nullptr;
    if (redisGetReply(context_.get(), &raw) != REDIS_OK || raw == nullptr) {
      // hiredis reports a read that timed out with the text of the read's EAGAIN (errno
      // itself may be gone by now).
      const bool timed_out = context_->err == REDIS_ERR_IO &&
                             std::string_view(context_->errstr) == std::strerror(EAGAIN);
      const std::string why =
          timed_out ? fmt::format("no reply within {} ms", options_.command_timeout.count())
          : context_->errstr[0] != '\0' ? std::string(context_->errstr)
                                        : std::string("connection lost");
      // The connection is in an unknown state (a reply may be half read): start afresh.
      context_.reset();
      return Unavailable(CommandName(command), why);
    }
    replies.emplace_back(static_cast<redisReply*>(raw));
  }
  return replies;
}

Result<RedisStore::Reply> RedisStore::Run(const Command& command) {
  auto replies = Pipeline({command});
  if (!replies) return replies.error();
  return std::move(replies->front());
}

void RedisStore::Unwatch() { (void)Run({"UNWATCH"}); }

Result<bool> RedisStore::Transaction(const std::vector<Command>& writes) {
  std::vector<Command> commands;
  commands.reserve(writes.size() + 2);
  commands.push_back({"MULTI"});
  commands.insert(commands.end(), writes.begin(), writes.end());
  commands.push_back({"EXEC"});
  auto replies = Pipeline(commands);
  if (!replies) return replies.error();
  for (size_t i = 0; i < commands.size(); ++i) {
    if (auto s = CheckNotError(*(*replies)[i], CommandName(commands[i])); !s) return s.error();
  }
  const redisReply& exec = *replies->back();
  if (exec.type == REDIS_REPLY_NIL) return false;  // a WATCHed key changed
  if (exec.type != REDIS_REPLY_ARRAY || exec.elements != writes.size()) {
    return Malformed("EXEC", "expected one reply per queued command");
  }
  for (size_t i = 0; i < exec.elements; ++i) {
    if (auto s = CheckNotError(*exec.element[i], CommandName(writes[i])); !s) return s.error();
  }
  return true;
}

RedisStore::Command RedisStore::HsetAll(const Snapshot& snapshot) const {
  Command hset = {"HSET", entries_key_};
  for (const auto& [id, entry] : snapshot.entries()) {
    hset.push_back(id);
    hset.push_back(store_codec::EncodeEntry(entry));
  }
  return hset;
}

Result<Snapshot> RedisStore::Load() {
  std::lock_guard lock(mu_);
  const Command command = {"HGETALL", entries_key_};
  auto reply = Run(command);
  if (!reply) return reply.error();
  const redisReply& all = **reply;
  if (auto s = CheckNotError(all, CommandName(command)); !s) return s.error();
  if (all.type != REDIS_REPLY_ARRAY || all.elements % 2 != 0) {
    return Malformed(CommandName(command), "expected field/value pairs");
  }
  std::map<std::string, LedgerEntry> entries;
  for (size_t i = 0; i < all.elements; i += 2) {
    const redisReply& field = *all.element[i];
    const redisReply& value = *all.element[i + 1];
    if (field.type != REDIS_REPLY_STRING || value.type != REDIS_REPLY_STRING) {
      return Malformed(CommandName(command), "expected field/value pairs");
    }
    std::string id(field.str, field.len);
    auto entry = store_codec::DecodeEntry(id, std::string_view(value.str, value.len), Describe());
    if (!entry) return entry.error();
    entries.emplace(std::move(id), std::move(*entry));
  }
  return store_codec::BuildSnapshot(std::move(entries), Describe());
}

Status RedisStore::Upsert(const LedgerEntry& entry) {
  std::lock_guard lock(mu_);
  const Command command = {"HSET", entries_key_, entry.subnet_id, store_codec::EncodeEntry(entry)};
  auto reply = Run(command);
  if (!reply) return reply.error();
  return CheckNotError(**reply, CommandName(command));
}

Status RedisStore::ReplaceAll(const Snapshot& snapshot) {
  std::lock_guard lock(mu_);
  std::vector<Command> writes = {{"DEL", entries_key_}};
  if (!snapshot.entries().empty()) writes.push_back(HsetAll(snapshot));
  auto done = Transaction(writes);
  if (!done) return done.error();
  // Nothing is WATCHed here, so EXEC cannot abort.
  if (!*done) return Malformed("EXEC", "transaction aborted without a WATCH");
  return {};
}

Result<bool> RedisStore::SeedIfEmpty(const Snapshot& seed) {
  std::lock_guard lock(mu_);
  for (int attempt = 0; attempt < options_.max_update_attempts; ++attempt) {
    auto replies = Pipeline({{"WATCH", entries_key_}, {"HLEN", entries_key_}});
    if (!replies) return replies.error();
    if (auto s = CheckNotError(*(*replies)[0], "WATCH"); !s) return s.error();
    const redisReply& count = *(*replies)[1];
    if (auto s = CheckNotError(count, "HLEN"); !s) {
      Unwatch();
      return s.error();
    }
    if (count.type != REDIS_REPLY_INTEGER) {
      Unwatch();
      return Malformed("HLEN", "expected an integer");
    }
    if (count.integer > 0 || seed.entries().empty()) {
      Unwatch();
      return false;
    }
    auto written = Transaction({HsetAll(seed)});
    if (!written) return written.error();
    if (*written) return true;
  }
  return Unavailable("seed", fmt::format("concurrent writers won {} attempts in a row",
                                         options_.max_update_attempts));
}

Result<int> RedisStore::Count() {
  std::lock_guard lock(mu_);
  const Command command = {"HLEN", entries_key_};
  auto reply = Run(command);
  if (!reply) return reply.error();
  if (auto s = CheckNotError(**reply, CommandName(command)); !s) return s.error();
  if ((*reply)->type != REDIS_REPLY_INTEGER) {
    return Malformed(CommandName(command), "expected an integer");
  }
  return static_cast<int>((*reply)->integer);
}

Result<LedgerEntry> RedisStore::Update(std::string_view subnet_id, const EntryUpdate& fn) {
  std::lock_guard lock(mu_);
  const std::string id(subnet_id);
  for (int attempt = 0; attempt < options_.max_update_attempts; ++attempt) {
    auto replies = Pipeline({{"WATCH", entries_key_}, {"HGET", entries_key_, id}});
    if (!replies) return replies.error();
    if (auto s = CheckNotError(*(*replies)[0], "WATCH"); !s) return s.error();
    const redisReply& stored = *(*replies)[1];
    if (auto s = CheckNotError(stored, "HGET " + entries_key_); !s) {
      Unwatch();
      return s.error();
    }
    std::optional<LedgerEntry> current;
    if (stored.type == REDIS_REPLY_STRING) {
      auto entry =
          store_codec::DecodeEntry(id, std::string_view(stored.str, stored.len), Describe());
      if (!entry) {
        Unwatch();
        return entry.error();
      }
      current = std::move(*entry);
    } else if (stored.type != REDIS_REPLY_NIL) {
      Unwatch();
      return Malformed("HGET " + entries_key_, "expected a string or nil");
    }
    auto next = store_codec::ApplyUpdate(id, current, fn, Describe());
    if (!next) {
      Unwatch();
      return next.error();
    }
    auto written = Transaction({{"HSET", entries_key_, id, store_codec::EncodeEntry(*next)}});
    if (!written) return written.error();
    if (*written) return next;
  }
  return Unavailable("update of " + id, fmt::format("concurrent writers won {} attempts in a row",
                                                    options_.max_update_attempts));
}

Result<int64_t> RedisStore::Append(std::string_view kind, std::string_view subnet_id,
                                   const Json& body) {
  if (auto s = store_codec::CheckEventKind(kind, Describe()); !s) return s.error();
  const Command command = {
      "EVAL",      std::string(kAppendScript),
      "2",         event_seq_key_,
      events_key_, store_codec::EncodeEvent(kind, subnet_id, clock_.UnixMillis(), body)};
  std::lock_guard lock(mu_);
  auto reply = Run(command);
  if (!reply) return reply.error();
  if (auto s = CheckNotError(**reply, "EVAL append to " + events_key_); !s) return s.error();
  if ((*reply)->type != REDIS_REPLY_INTEGER) {
    return Malformed("EVAL append to " + events_key_, "expected the new id");
  }
  return static_cast<int64_t>((*reply)->integer);
}

Result<std::vector<StoredEvent>> RedisStore::Events(int64_t since_id, int limit) {
  if (auto s = store_codec::CheckEventLimit(limit, Describe()); !s) return s.error();
  const Command command = {"ZRANGEBYSCORE", events_key_, fmt::format("({}", since_id), "+inf",
                           "LIMIT",         "0",         std::to_string(limit)};
  std::lock_guard lock(mu_);
  auto reply = Run(command);
  if (!reply) return reply.error();
  const redisReply& members = **reply;
  if (auto s = CheckNotError(members, CommandName(command)); !s) return s.error();
  if (members.type != REDIS_REPLY_ARRAY) {
    return Malformed(CommandName(command), "expected an array");
  }
  std::vector<StoredEvent> events;
  events.reserve(members.elements);
  for (size_t i = 0; i < members.elements; ++i) {
    const redisReply& member = *members.element[i];
    if (member.type != REDIS_REPLY_STRING) {
      return Malformed(CommandName(command), "expected string members");
    }
    const std::string_view text(member.str, member.len);
    int64_t id = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (ec != std::errc() || end == text.data() + text.size() || *end != ' ') {
      return Error(ErrorCode::kParse,
                   fmt::format("ledger event in {}: member \"{}\" does not start with its id",
                               Describe(), text.substr(0, 40)));
    }
    auto event = store_codec::DecodeEvent(id, text.substr(end - text.data() + 1), Describe());
    if (!event) return event.error();
    events.push_back(std::move(*event));
  }
  return events;
}

}  // namespace orchestra::ledger
