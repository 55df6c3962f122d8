#include "orchestra/net/axon.h"

#include <fmt/format.h>
#include <sodium.h>
#include <spdlog/spdlog.h>

#include <array>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cmath>
#include <exception>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "orchestra/core/utf8.h"

namespace orchestra::net {
namespace {

using protocol::BittensorSynapse;
using protocol::SynapseClass;
using SteadyClock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
constexpr int64_t kAllowedNonceDeltaNs = 4'000'000'000;  // Bittensor's ALLOWED_DELTA
// Callers whose decoded public keys an axon keeps (a subnet has at most 256 UIDs).
constexpr size_t kMaxRememberedHotkeys = 1024;
constexpr int kMaxCountedStatus = 600;
// The longest status message copied into the bt_header_axon_status_message header (the body
// keeps it whole): Python's aiohttp refuses header lines over 8,190 bytes.
constexpr size_t kMaxHeaderMessageBytes = 1024;

int64_t SystemNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool IsIdentifier(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
    const bool digit = c >= '0' && c <= '9';
    if (!letter && !(digit && i > 0)) return false;
  }
  return true;
}

// The synapse name of a request target: the first path segment ("/Name", "/Name/", "/Name?q").
std::optional<std::string> RequestName(std::string_view target) {
  const size_t query = target.find_first_of("?#");
  std::string_view path = target.substr(0, query);
  if (path.empty() || path.front() != '/') return std::nullopt;
  path.remove_prefix(1);
  const std::string_view name = path.substr(0, path.find('/'));
  if (!IsIdentifier(name)) return std::nullopt;
  return std::string(name);
}

std::string Printable(std::string_view text, size_t limit = 80) {
  std::string out;
  for (size_t i = 0; i < text.size() && i < limit; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    out += (c < 0x20 || c >= 0x7f) ? fmt::format("\\x{:02x}", c) : std::string(1, text[i]);
  }
  if (text.size() > limit) out += "...";
  return out;
}

std::string ErrorId() {
  uint8_t bytes[8];
  randombytes_buf(bytes, sizeof(bytes));
  std::string out;
  for (uint8_t b : bytes) out += fmt::format("{:02x}", b);
  return out;
}

// `message` fit for a header line: at most kMaxHeaderMessageBytes (cut on a character, "..."
// appended) and control characters (CR, LF included, which would get the field dropped) as
// spaces. `message` is valid UTF-8.
std::string HeaderMessage(std::string_view message) {
  std::string out(Utf8Prefix(message, kMaxHeaderMessageBytes));
  if (out.size() < message.size()) out += "...";
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  return out;
}

double SecondsSince(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

// --- Priority admission ------------------------------------------------------------------------

// A bounded set of handler slots with a priority queue in front. Waiters sleep on a timer of
// their connection's executor; waking one is a cancel() posted to that executor, which runs
// only after the waiter has suspended: a strand, or the single thread of a single_threaded
// server, holds the waiter's executor from enqueueing until its wait starts.
class AdmissionQueue {
 public:
  enum class Outcome { kAdmitted, kFull, kDisplaced, kTimedOut, kStopped };

  AdmissionQueue(size_t max_active, size_t max_queued)
      : max_active_(std::max<size_t>(max_active, 1)), max_queued_(max_queued) {}

  asio::awaitable<Outcome> Acquire(double priority, SteadyClock::time_point deadline) {
    auto executor = co_await asio::this_coro::executor;
    auto waiter = std::make_shared<Waiter>(executor, priority);
    std::shared_ptr<Waiter> displaced;
    {
      std::lock_guard lock(mu_);
      if (active_ < max_active_ && queue_.empty()) {
        ++active_;
        co_return Outcome::kAdmitted;
      }
      if (queue_.size() >= max_queued_) {
        auto lowest = Lowest();
        if (lowest == queue_.end() || (*lowest)->priority >= priority) co_return Outcome::kFull;
        displaced = *lowest;
        displaced->state = State::kDisplaced;
        queue_.erase(lowest);
      }
      waiter->seq = next_seq_++;
      queue_.push_back(waiter);
    }
    if (displaced) Wake(displaced);
    waiter->timer.expires_at(deadline);
    // Woken by Release() (granted), by a newcomer (displaced), by the deadline, or by the
    // server cancelling the connection; the state under the lock says which.
    auto [ec] = co_await waiter->timer.async_wait(kNoThrow);
    std::lock_guard lock(mu_);
    if (waiter->state == State::kGranted) co_return Outcome::kAdmitted;
    if (waiter->state == State::kDisplaced) co_return Outcome::kDisplaced;
    const bool expired = !ec || SteadyClock::now() >= deadline;
    std::erase(queue_, waiter);
    co_return expired ? Outcome::kTimedOut : Outcome::kStopped;
  }

  // Frees a slot taken by a kAdmitted Acquire: hands it to the best waiter, if any.
  void Release() {
    std::shared_ptr<Waiter> next;
    {
      std::lock_guard lock(mu_);
      if (queue_.empty()) {
        --active_;
        return;
      }
      auto best = queue_.begin();
      for (auto it = queue_.begin(); it != queue_.end(); ++it) {
        if ((*it)->priority > (*best)->priority ||
            ((*it)->priority == (*best)->priority && (*it)->seq < (*best)->seq)) {
          best = it;
        }
      }
      next = *best;
      next->state = State::kGranted;
      queue_.erase(best);
    }
    Wake(next);
  }

  size_t queued() const {
    std::lock_guard lock(mu_);
    return queue_.size();
  }

 private:
  enum class State { kWaiting, kGranted, kDisplaced };
  struct Waiter {
    Waiter(asio::any_io_executor executor, double p) : timer(std::move(executor)), priority(p) {}
    asio::steady_timer timer;
    double priority;
    uint64_t seq = 0;
    State state = State::kWaiting;  // guarded by mu_
  };

  // The waiter a newcomer would displace: lowest priority, newest among equals.
  std::vector<std::shared_ptr<Waiter>>::iterator Lowest() {
    auto lowest = queue_.end();
    for (auto it = queue_.begin(); it != queue_.end(); ++it) {
      if (lowest == queue_.end() || (*it)->priority < (*lowest)->priority ||
          ((*it)->priority == (*lowest)->priority && (*it)->seq > (*lowest)->seq)) {
        lowest = it;
      }
    }
    return lowest;
  }

  static void Wake(const std::shared_ptr<Waiter>& waiter) {
    asio::post(waiter->timer.get_executor(), [waiter] { waiter->timer.cancel(); });
  }

  const size_t max_active_;
  const size_t max_queued_;
  mutable std::mutex mu_;
  size_t active_ = 0;                           // guarded by mu_
  std::vector<std::shared_ptr<Waiter>> queue_;  // guarded by mu_
  uint64_t next_seq_ = 0;                       // guarded by mu_
};

}  // namespace

namespace internal {

struct AxonState {
  AxonState(AxonOptions opts, std::shared_ptr<const MetagraphSource> source)
      : options(std::move(opts)),
        metagraph(std::move(source)),
        admission(options.max_concurrent_handlers, options.max_queued_requests) {
    if (!options.now_ns) options.now_ns = SystemNowNs;
    uint8_t bytes[16];
    randombytes_buf(bytes, sizeof(bytes));
    bytes[6] = static_cast<uint8_t>((bytes[6] & 0x0f) | 0x40);
    bytes[8] = static_cast<uint8_t>((bytes[8] & 0x3f) | 0x80);
    for (int i = 0; i < 16; ++i) {
      if (i == 4 || i == 6 || i == 8 || i == 10) uuid += '-';
      uuid += fmt::format("{:02x}", bytes[i]);
    }
  }

  struct Route {
    SynapseClass cls;
    SynapseHandler handler;
    FieldMemory memory = FieldMemory::kHeap;
    bool blacklisted = true;  // false only for the built-in base Synapse (Python's ping)
  };

  AxonOptions options;
  std::shared_ptr<const MetagraphSource> metagraph;
  std::string uuid;
  std::unordered_map<std::string, std::shared_ptr<const Route>> routes;  // set before serving
  std::vector<std::string> route_names;  // in attach order, for the 404 message, as Python lists
  std::unordered_map<std::string, Handler> get_routes;  // path → handler; set before serving
  AdmissionQueue admission;
  std::mutex nonce_mu;
  std::unordered_map<std::string, int64_t> last_nonce;  // "hotkey:uuid" → nonce; nonce_mu
  size_t prune_at = 0;                                  // guarded by nonce_mu
  std::optional<int64_t> forced_sweep_ns;               // guarded by nonce_mu
  std::array<std::atomic<uint64_t>, kMaxCountedStatus> answered{};
  // Decoded public keys of the hotkeys that called, so that a returning caller's address is
  // not decoded again. Emptied when it reaches kMaxRememberedHotkeys: a flood of new addresses
  // costs no more than the decoding it would have cost anyway.
  std::mutex hotkeys_mu;
  std::unordered_map<std::string, crypto::PublicKey> hotkeys;  // guarded by hotkeys_mu
};

}  // namespace internal

namespace {

using State = internal::AxonState;

struct Rejection {
  int status;
  std::string message;
};

// The error answer; with the synapse headers (axon status included) once they are known, as
// Python's axon sends them.
// Messages may quote what the peer sent: they become valid UTF-8 before they go into JSON.
HttpResponse ErrorResponse(State& state, const Rejection& rejection, const SynapseClass* cls,
                           BittensorSynapse* synapse, SteadyClock::time_point start) {
  const std::string message = ToValidUtf8(rejection.message);
  protocol::WireHeaders headers;
  if (cls && synapse) {
    synapse->axon.status_code = rejection.status;
    synapse->axon.status_message = HeaderMessage(message);
    synapse->axon.process_time = SecondsSince(start);
    synapse->axon.hotkey = state.options.hotkey;
    synapse->axon.uuid = state.uuid;
    synapse->axon.version = protocol::kBittensorVersion;
    headers = protocol::ToHeaders(*cls, *synapse);
  }
  if (rejection.status >= 0 && rejection.status < kMaxCountedStatus) {
    state.answered[rejection.status].fetch_add(1, std::memory_order_relaxed);
  }
  spdlog::debug("axon | --> | {} | {} | {} | {}", cls ? cls->name : "?",
                synapse ? protocol::OrNone(synapse->dendrite.hotkey) : "None", rejection.status,
                message);
  return MessageResponse(rejection.status, message, std::move(headers));
}

std::optional<std::string> BlacklistReason(const State& state, const BittensorSynapse& synapse) {
  if (!synapse.dendrite.hotkey || synapse.dendrite.hotkey->empty()) {
    return "Missing dendrite or hotkey";  // the subnet template's words
  }
  const BlacklistPolicy& policy = state.options.blacklist;
  const auto metagraph = state.metagraph->Snapshot();
  const NeuronRecord* neuron = metagraph->Find(*synapse.dendrite.hotkey);
  if (!neuron) {
    if (policy.allow_unregistered) return std::nullopt;
    return "Unrecognized hotkey";
  }
  if (policy.require_validator_permit && !neuron->validator_permit) return "Non-validator hotkey";
  if (neuron->stake < policy.min_stake) {
    return fmt::format("Stake {} below minimum {}", FormatDouble(neuron->stake),
                       FormatDouble(policy.min_stake));
  }
  return std::nullopt;
}

double CallerStake(const State& state, const BittensorSynapse& synapse) {
  const auto metagraph = state.metagraph->Snapshot();
  const NeuronRecord* neuron = metagraph->Find(synapse.dendrite.hotkey.value_or(""));
  return neuron ? neuron->stake : 0.0;
}

double ClampedTimeout(const State& state, double timeout) {
  return std::min(timeout, state.options.max_timeout_seconds);
}

// Forgets endpoints whose last nonce is older than any first-nonce window. Called with nonce_mu
// held.
void SweepNonces(State& state, int64_t now_ns) {
  const int64_t horizon =
      now_ns - kAllowedNonceDeltaNs -
      static_cast<int64_t>(std::llround(state.options.max_timeout_seconds * 1e9));
  std::erase_if(state.last_nonce, [&](const auto& entry) { return entry.second <= horizon; });
  // Sweep again only after the table doubled, so the cost stays amortised.
  state.prune_at = state.last_nonce.size() * 2;
}

// SweepNonces once the table grew past its bound.
void PruneNonces(State& state, int64_t now_ns) {
  if (state.last_nonce.size() > std::max(state.options.max_nonce_entries, state.prune_at)) {
    SweepNonces(state, now_ns);
  }
}

// The public key of `ss58_hotkey`, decoded once per caller (state.hotkeys).
Result<crypto::PublicKey> CallerKey(State& state, const std::string& ss58_hotkey) {
  {
    std::lock_guard lock(state.hotkeys_mu);
    if (auto it = state.hotkeys.find(ss58_hotkey); it != state.hotkeys.end()) return it->second;
  }
  auto key = protocol::HotkeyPublicKey(ss58_hotkey);
  if (!key) return key;
  std::lock_guard lock(state.hotkeys_mu);
  if (state.hotkeys.size() >= kMaxRememberedHotkeys) state.hotkeys.clear();
  state.hotkeys.insert_or_assign(ss58_hotkey, *key);
  return key;
}

// Verify: the signature over PROTOCOL.md's message, then the nonce rules. Returns the reason
// for refusal, or nullopt when verified (the nonce is then recorded).
std::optional<std::string> VerifyFailure(State& state, const BittensorSynapse& synapse) {
  const protocol::TerminalInfo& d = synapse.dendrite;
  if (!d.nonce) return "Missing Nonce";
  if (!d.signature || d.signature->empty()) return "Missing Signature";
  const std::string endpoint =
      fmt::format("{}:{}", protocol::OrNone(d.hotkey), protocol::OrNone(d.uuid));
  const int64_t now = state.options.now_ns();
  const double timeout = ClampedTimeout(state, synapse.timeout);
  const int64_t window_ns =
      kAllowedNonceDeltaNs + static_cast<int64_t>(std::llround(timeout * 1e9));

  auto nonce_failure = [&]() -> std::optional<std::string> {
    const auto it = state.last_nonce.find(endpoint);
    if (it == state.last_nonce.end()) {
      if (*d.nonce <= now - window_ns) {
        return fmt::format(
            "Nonce is too old: acceptable delta is {:.2f} seconds but request was {:.2f} "
            "seconds old",
            static_cast<double>(window_ns) / 1e9, static_cast<double>(now - *d.nonce) / 1e9);
      }
    } else if (*d.nonce <= it->second) {
      return "Nonce is too old, a newer one was last processed";
    }
    // An entry with a nonce beyond the window cannot be pruned until the clock passes it
    // (forgetting it would let its request be replayed): a full table takes no more of them,
    // for a new endpoint or one it knows (which would otherwise be moved out of reach).
    if (*d.nonce > now + window_ns) {
      // Before refusing, a sweep: at most one a second, so that a caller cannot make every
      // request walk the whole table.
      if (state.last_nonce.size() >= state.options.max_nonce_entries &&
          (!state.forced_sweep_ns || now - *state.forced_sweep_ns >= 1'000'000'000)) {
        state.forced_sweep_ns = now;
        SweepNonces(state, now);
      }
      if (state.last_nonce.size() >= state.options.max_nonce_entries) {
        return fmt::format(
            "Nonce is too far in the future: {:.2f} seconds ahead, more than the acceptable "
            "delta of {:.2f} seconds, while the axon remembers {} endpoints already",
            static_cast<double>(*d.nonce - now) / 1e9, static_cast<double>(window_ns) / 1e9,
            state.last_nonce.size());
      }
    }
    return std::nullopt;
  };
  {
    std::lock_guard lock(state.nonce_mu);
    if (auto failure = nonce_failure()) return failure;
  }
  const std::string message = protocol::SignatureMessage(d.nonce, d.hotkey, state.options.hotkey,
                                                         d.uuid, synapse.computed_body_hash);
  auto key = CallerKey(state, d.hotkey.value_or(""));
  if (!key) return key.error().message;
  if (auto verified = protocol::VerifyMessageSignature(*key, message, *d.signature); !verified) {
    return verified.error().message;
  }
  std::lock_guard lock(state.nonce_mu);
  // Checked again: a concurrent request with the same nonce may have been recorded meanwhile.
  if (auto failure = nonce_failure()) return failure;
  state.last_nonce.insert_or_assign(endpoint, *d.nonce);
  PruneNonces(state, now);
  return std::nullopt;
}

// What a handler call leaves behind; shared with the spawned handler coroutine, which may
// outlive the request when it overran its timeout.
struct HandlerCall {
  explicit HandlerCall(asio::any_io_executor executor) : timer(std::move(executor)) {}

  // FieldMemory::kCallArena's arena: 16 KiB of its own, then blocks from the heap.
  struct Arena {
    std::array<unsigned char, 16384> buffer;
    boost::json::monotonic_resource resource{buffer.data(), buffer.size()};
  };

  // Where the request's fields go: the heap, or a new arena owned by this call.
  boost::json::storage_ptr FieldStorage(FieldMemory memory) {
    if (memory == FieldMemory::kHeap) return {};
    arena = std::make_unique<Arena>();
    return boost::json::storage_ptr(&arena->resource);
  }
  std::unique_ptr<Arena> arena;  // declared before `result`, which may hold values on it
  asio::steady_timer timer;
  asio::cancellation_signal cancel;
  std::optional<Result<BittensorSynapse>> result;
  bool done = false;
};

asio::awaitable<void> RunHandler(std::shared_ptr<HandlerCall> call,
                                 std::shared_ptr<const State::Route> route,
                                 BittensorSynapse request, Deadline deadline) {
  try {
    call->result.emplace(co_await route->handler(std::move(request), deadline));
  } catch (const std::exception& e) {
    call->result.emplace(Error(ErrorCode::kInternal, fmt::format("handler threw: {}", e.what())));
  } catch (...) {
    call->result.emplace(Error(ErrorCode::kInternal, "handler threw a non-standard exception"));
  }
}

Rejection HandlerErrorRejection(const Error& error, double timeout) {
  switch (error.code) {
    case ErrorCode::kDeadline:
      return {408, fmt::format("Response timeout after: {}s", FormatDouble(timeout))};
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kSchemaViolation:
    case ErrorCode::kParse:
      return {422, error.message};
    default: {
      const std::string id = ErrorId();
      spdlog::error("axon handler failed #{}: {}", id, error.ToString());
      return {500, fmt::format("Internal Server Error #{}", id)};
    }
  }
}

asio::awaitable<HttpResponse> Serve(std::shared_ptr<State> state, HttpRequest request) {
  const auto start = SteadyClock::now();
  State& s = *state;
  if (request.method != "POST" && request.method != "GET") {
    co_return ErrorResponse(s, {405, "Method Not Allowed"}, nullptr, nullptr, start);
  }
  if (request.method == "GET" && !s.get_routes.empty()) {
    const std::string_view target = request.target;
    const auto plain = s.get_routes.find(std::string(target.substr(0, target.find('?'))));
    if (plain != s.get_routes.end()) {
      HttpResponse response = co_await plain->second(std::move(request));
      if (response.status >= 0 && response.status < kMaxCountedStatus) {
        s.answered[response.status].fetch_add(1, std::memory_order_relaxed);
      }
      co_return response;
    }
  }
  const std::optional<std::string> name = RequestName(request.target);
  if (!name) {
    co_return ErrorResponse(
        s,
        {400, fmt::format("Improperly formatted request. Could not parse request name from {}.",
                          Printable(request.target))},
        nullptr, nullptr, start);
  }
  const auto route_it = s.routes.find(*name);
  if (route_it == s.routes.end()) {
    std::string available;
    for (const std::string& known : s.route_names) {
      available += fmt::format("{}'{}'", available.empty() ? "" : ", ", known);
    }
    co_return ErrorResponse(
        s,
        {404,
         fmt::format("Synapse name '{}' not found. Available synapses [{}]", *name, available)},
        nullptr, nullptr, start);
  }
  const std::shared_ptr<const State::Route> route = route_it->second;
  const SynapseClass& cls = route->cls;

  auto parsed = protocol::SynapseFromHeaders(cls, request.headers);
  if (!parsed) {
    co_return ErrorResponse(
        s,
        {400, fmt::format("Improperly formatted request. Could not parse headers into synapse "
                          "of type {}: {}",
                          cls.name, parsed.error().message)},
        nullptr, nullptr, start);
  }
  BittensorSynapse& synapse = *parsed;
  spdlog::debug("axon | <-- | {} B | {} | {}", request.body.size(), cls.name,
                protocol::OrNone(synapse.dendrite.hotkey));

  if (auto reason = route->blacklisted ? BlacklistReason(s, synapse) : std::nullopt) {
    co_return ErrorResponse(s, {403, fmt::format("Forbidden. Key is blacklisted: {}.", *reason)},
                            &cls, &synapse, start);
  }
  if (auto failure = VerifyFailure(s, synapse)) {
    co_return ErrorResponse(s, {401, fmt::format("Not Verified with error: {}", *failure)}, &cls,
                            &synapse, start);
  }

  const double timeout = ClampedTimeout(s, synapse.timeout);
  const auto deadline_at = start + std::chrono::duration_cast<SteadyClock::duration>(
                                       std::chrono::duration<double>(timeout));
  using Outcome = AdmissionQueue::Outcome;
  switch (co_await s.admission.Acquire(CallerStake(s, synapse), deadline_at)) {
    case Outcome::kAdmitted:
      break;
    case Outcome::kFull:
      co_return ErrorResponse(s, {503, "Service unavailable: request queue is full"}, &cls,
                              &synapse, start);
    case Outcome::kDisplaced:
      co_return ErrorResponse(
          s, {503, "Service unavailable: displaced from the queue by a higher-priority request"},
          &cls, &synapse, start);
    case Outcome::kTimedOut:
      co_return ErrorResponse(
          s, {408, fmt::format("Response timeout after: {}s", FormatDouble(synapse.timeout))}, &cls,
          &synapse, start);
    case Outcome::kStopped:
      co_return ErrorResponse(s, {503, "Service unavailable: axon stopping"}, &cls, &synapse,
                              start);
  }
  // From here on the slot is ours until the handler (or this check) is done with it.
  bool slot_handed_over = false;
  struct SlotGuard {
    State& state;
    bool& handed_over;
    ~SlotGuard() {
      if (!handed_over) state.admission.Release();
    }
  } slot_guard{s, slot_handed_over};

  auto executor = co_await asio::this_coro::executor;
  auto call = std::make_shared<HandlerCall>(executor);
  auto body = protocol::SynapseFromBody(cls, request.body, call->FieldStorage(route->memory));
  if (!body) {
    co_return ErrorResponse(
        s, {422, fmt::format("Body does not match {}: {}", cls.name, body.error().message)}, &cls,
        &synapse, start);
  }
  if (const std::string body_hash = protocol::BodyHash(cls, *body);
      body_hash != synapse.computed_body_hash) {
    co_return ErrorResponse(s,
                            {422, fmt::format("Hash mismatch between header body hash {} and "
                                              "parsed body hash {}",
                                              Printable(synapse.computed_body_hash), body_hash)},
                            &cls, &synapse, start);
  }
  // The handler sees the dendrite as the headers carried it and verify checked it, not as the
  // unsigned body claims.
  body->dendrite = synapse.dendrite;

  call->timer.expires_at(deadline_at);
  slot_handed_over = true;
  asio::co_spawn(
      executor, RunHandler(call, route, std::move(*body), Deadline(deadline_at)),
      asio::bind_cancellation_slot(call->cancel.slot(), [call, state](std::exception_ptr) {
        call->done = true;
        call->timer.cancel();
        state->admission.Release();
      }));
  while (!call->done) {
    auto [ec] = co_await call->timer.async_wait(kNoThrow);
    if (call->done) break;
    if (!ec || SteadyClock::now() >= deadline_at) {
      call->cancel.emit(asio::cancellation_type::terminal);
      co_return ErrorResponse(
          s, {408, fmt::format("Response timeout after: {}s", FormatDouble(synapse.timeout))}, &cls,
          &synapse, start);
    }
    // Woken without the handler finishing: the server is stopping this connection.
    call->cancel.emit(asio::cancellation_type::terminal);
    co_return ErrorResponse(s, {503, "Service unavailable: axon stopping"}, &cls, &synapse, start);
  }

  if (!call->result) {
    co_return ErrorResponse(
        s, HandlerErrorRejection(Error(ErrorCode::kInternal, "no result"), timeout), &cls, &synapse,
        start);
  }
  if (!call->result->ok()) {
    co_return ErrorResponse(s, HandlerErrorRejection(call->result->error(), synapse.timeout), &cls,
                            &synapse, start);
  }
  if (SteadyClock::now() > deadline_at) {
    co_return ErrorResponse(
        s, {408, fmt::format("Response timeout after: {}s", FormatDouble(synapse.timeout))}, &cls,
        &synapse, start);
  }

  BittensorSynapse& answer = call->result->value();
  answer.name = cls.name;
  answer.axon.status_code = 200;
  answer.axon.status_message = "Success";
  answer.axon.hotkey = s.options.hotkey;
  answer.axon.uuid = s.uuid;
  answer.axon.version = protocol::kBittensorVersion;
  answer.axon.nonce = s.options.now_ns();
  answer.axon.process_time = SecondsSince(start);
  s.answered[200].fetch_add(1, std::memory_order_relaxed);
  spdlog::debug("axon | --> | {} | {} | 200 | Success", cls.name,
                protocol::OrNone(synapse.dendrite.hotkey));
  HttpResponse response;
  response.status = 200;
  response.headers = protocol::ToHeaders(cls, answer);
  response.headers.Add("Content-Type", "application/json");
  response.body = protocol::ToBody(cls, answer);
  co_return response;
}

// Python's axon attaches `ping` for the base Synapse before anything else, with no blacklist:
// the synapse comes back as it came.
asio::awaitable<Result<BittensorSynapse>> Ping(BittensorSynapse request, Deadline) {
  co_return request;
}

}  // namespace

Axon::Axon(AxonOptions options, std::shared_ptr<const MetagraphSource> metagraph)
    : state_(std::make_shared<internal::AxonState>(std::move(options), std::move(metagraph))) {
  const SynapseClass& base = protocol::BaseSynapseClass();
  state_->routes.emplace(
      base.name,
      std::make_shared<const internal::AxonState::Route>(internal::AxonState::Route{
          .cls = base, .handler = Ping, .memory = FieldMemory::kHeap, .blacklisted = false}));
  state_->route_names.push_back(base.name);
}

Axon::~Axon() { Stop(); }

Status Axon::Attach(const protocol::SynapseClass& cls, SynapseHandler handler, FieldMemory memory) {
  if (!handler)
    return Error(ErrorCode::kInvalidArgument, fmt::format("{}: null handler", cls.name));
  if (!IsIdentifier(cls.name)) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("synapse name '{}' is not an identifier", cls.name));
  }
  const bool attached_before = state_->routes.contains(cls.name);
  state_->routes.insert_or_assign(cls.name,
                                  std::make_shared<const internal::AxonState::Route>(
                                      internal::AxonState::Route{cls, std::move(handler), memory}));
  if (!attached_before) state_->route_names.push_back(cls.name);
  return {};
}

Status Axon::AttachGet(std::string path, Handler handler) {
  if (!handler)
    return Error(ErrorCode::kInvalidArgument, fmt::format("GET {}: null handler", path));
  if (!path.starts_with('/')) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("GET path '{}' does not start with '/'", path));
  }
  state_->get_routes.insert_or_assign(std::move(path), std::move(handler));
  return {};
}

Handler Axon::AsHandler() const {
  return [state = state_](HttpRequest request) -> asio::awaitable<HttpResponse> {
    return Serve(state, std::move(request));
  };
}

Result<uint16_t> Axon::Start(asio::any_io_executor executor) {
  if (server_) return Error(ErrorCode::kInternal, "axon: Start() called twice");
  server_ = std::make_unique<HttpServer>(std::move(executor), state_->options.server);
  return server_->Start(AsHandler());
}

void Axon::Stop() {
  if (server_) server_->Stop();
}

uint64_t Axon::answered(int status) const {
  if (status < 0 || status >= kMaxCountedStatus) return 0;
  return state_->answered[status].load(std::memory_order_relaxed);
}

size_t Axon::queued_requests() const { return state_->admission.queued(); }

size_t Axon::remembered_nonces() const {
  std::lock_guard lock(state_->nonce_mu);
  return state_->last_nonce.size();
}

}  // namespace orchestra::net
