#include "orchestra/sim/simulator.h"

#include <fmt/format.h>
#include <sodium.h>
#include <spdlog/spdlog.h>

#include <stdlib.h>
#include <algorithm>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <charconv>
#include <fstream>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "orchestra/core/ascii.h"
#include "orchestra/core/hash.h"
#include "orchestra/core/rng.h"
#include "orchestra/crypto/hex.h"
#include "orchestra/crypto/keyfile.h"
#include "orchestra/crypto/ss58.h"
#include "orchestra/experts/synapse_class.h"
#include "orchestra/experts/transport.h"
#include "orchestra/net/axon.h"
#include "orchestra/net/http_server.h"
#include "orchestra/protocol/receipt.h"
#include "orchestra/sim/completion.h"
#include "orchestra/sim/data_universe.h"
#include "orchestra/sim/desearch.h"
#include "orchestra/sim/receipt_store.h"

namespace orchestra::sim {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using protocol::BittensorSynapse;

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
// How long a UID playing the timeout fault holds the request before giving up itself.
constexpr auto kHang = 60s;

using net::JsonResponse;
using net::MessageResponse;

asio::awaitable<void> Pause(std::chrono::microseconds delay) {
  if (delay.count() <= 0) co_return;
  asio::steady_timer timer(co_await asio::this_coro::executor, delay);
  co_await timer.async_wait(kNoThrow);
}

// A UID's key, from the manifest's seed. Whoever holds the manifest can compute it, so its
// receipts are signed in variable time (Keypair::WithVariableTimeSigning: about 4 µs less per
// call): constant time would hide nothing.
crypto::Keypair KeyFor(std::string_view role, uint64_t seed, const std::string& subnet_id,
                       int uid) {
  return crypto::Keypair::FromMiniSecret(
             Blake2b256(fmt::format("orchestra-sim-{}|{}|{}|{}", role, seed, subnet_id, uid)))
      .WithVariableTimeSigning();
}

// A value converted to `type` the way a drifted subnet would send it.
Json Retype(const Json& value, std::string_view type) {
  double number = 0;
  const bool numeric = JsonNumber(value, &number);
  if (type == "str") return value.is_string() ? value : Json(CompactJson(value));
  if (type == "int") return numeric ? Json(static_cast<int64_t>(number)) : Json(0);
  if (type == "float") return numeric ? Json(number) : Json(0.0);
  if (type == "bool") return Json(numeric ? number != 0 : !value.is_null());
  if (type == "list") return value.is_array() ? value : Json(JsonArray{value});
  if (type == "dict") return value.is_object() ? value : Json(JsonObject{{"value", value}});
  return value;
}

struct Planted {
  JsonObject match;     // input field -> value, compared exactly
  JsonObject contains;  // input field -> substring of its string value, any letter case
  Json answer;
};

struct SubnetState;

struct UidState {
  explicit UidState(crypto::Keypair key) : hotkey(std::move(key)) {}
  SubnetState* subnet = nullptr;
  int uid = 0;
  crypto::Keypair hotkey;
  std::string hotkey_ss58;
  std::string coldkey_ss58;
  uint16_t port = 0;
  asio::io_context* io = nullptr;  // the simulator thread serving this UID
  std::atomic<std::shared_ptr<const UidSpec>> spec;
  std::atomic<uint64_t> calls{0};
  std::array<std::atomic<uint64_t>, kFaultKinds> faults{};
  std::shared_ptr<net::Axon> axon;
  net::Handler handler;
  std::unique_ptr<net::HttpServer> server;  // null while offline; guarded by Sim::admin_mu_
  std::mutex plans_mu;
  std::unordered_map<std::string, CallPlan> plans;  // by "uuid:nonce", for the axon handler
};

struct SubnetState {
  const SubnetSpec* spec = nullptr;
  protocol::SynapseClass cls;
  std::atomic<std::shared_ptr<const SchemaDrift>> drift{std::make_shared<const SchemaDrift>()};
  std::atomic<std::shared_ptr<const std::vector<Planted>>> planted{
      std::make_shared<const std::vector<Planted>>()};
  std::vector<std::unique_ptr<UidState>> uids;

  UidState* Find(int uid) const {
    for (const auto& u : uids) {
      if (u->uid == uid) return u.get();
    }
    return nullptr;
  }
};

// Whether `needle` occurs in `text`, ASCII letter case ignored.
bool ContainsIgnoringCase(std::string_view text, std::string_view needle) {
  return std::search(text.begin(), text.end(), needle.begin(), needle.end(),
                     [](char a, char b) { return AsciiLower(a) == AsciiLower(b); }) != text.end();
}

// The first planted answer whose match `payload` satisfies, or null.
const Planted* FindPlanted(const std::vector<Planted>& planted, const JsonObject& payload) {
  for (const Planted& p : planted) {
    const bool matches = std::all_of(p.match.begin(), p.match.end(), [&](const auto& kv) {
      const Json* v = payload.if_contains(kv.key());
      return v && *v == kv.value();
    });
    const bool contains = std::all_of(p.contains.begin(), p.contains.end(), [&](const auto& kv) {
      const Json* v = payload.if_contains(kv.key());
      return v && v->is_string() && ContainsIgnoringCase(v->get_string(), kv.value().get_string());
    });
    if (matches && contains) return &p;
  }
  return nullptr;
}

// Netuids and UIDs are u16 on chain.
constexpr int kMaxId = 65535;

// A netuid or uid in a request path: the whole segment, decimal digits, 0 to kMaxId.
// kInvalidArgument names `what` and quotes the segment otherwise ("22abc" is not 22).
Result<int> PathId(std::string_view segment, std::string_view what) {
  int value = -1;
  const char* end = segment.data() + segment.size();
  const auto [stop, ec] = std::from_chars(segment.data(), end, value);
  if (segment.empty() || ec != std::errc() || stop != end || value < 0 || value > kMaxId) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("{}: must be an integer from 0 to {}, got '{}'", what, kMaxId,
                             segment.substr(0, 40)));
  }
  return value;
}

std::string PlanKey(const std::optional<std::string>& uuid, const std::optional<int64_t>& nonce) {
  return fmt::format("{}:{}", uuid.value_or(""), nonce.value_or(0));
}

class Sim : public Simulator {
 public:
  ~Sim() override {
    {
      std::lock_guard lock(admin_mu_);
      if (control_) control_->Stop();
      for (auto& s : subnets_) {
        for (auto& u : s->uids) {
          if (u->server) u->server->Stop();
        }
      }
    }
    work_.clear();
    for (auto& t : threads_) t.join();
    receipts_.reset();
    if (!temp_dir_.empty()) {
      std::error_code ignored;
      std::filesystem::remove_all(temp_dir_, ignored);
    }
  }

  Status Start(Manifest manifest, std::shared_ptr<const Corpus> corpus, SimulatorOptions options) {
    manifest_ = std::move(manifest);
    if (options.seed) manifest_.seed = *options.seed;
    corpus_ = std::move(corpus);
    options_ = std::move(options);
    if (options_.threads < 1) return Error(ErrorCode::kInvalidArgument, "threads: must be >= 1");
    const int search_threads = options_.search_threads >= 0 ? options_.search_threads
                               : corpus_->index_info().debian_documents > 0 ? 2
                                                                            : 0;
    if (search_threads > 0) search_pool_ = std::make_unique<asio::thread_pool>(search_threads);

    std::filesystem::path dir = options_.data_dir;
    if (dir.empty()) {
      std::string pattern = (std::filesystem::temp_directory_path() / "orchestra-sim-XXXXXX");
      if (!mkdtemp(pattern.data())) {
        return Error(ErrorCode::kIo, "cannot create a temporary directory for receipts");
      }
      dir = temp_dir_ = pattern;
    } else if (std::error_code ec; !std::filesystem::create_directories(dir, ec) && ec) {
      return Error(ErrorCode::kIo, fmt::format("data dir {}: {}", dir.string(), ec.message()));
    }
    auto store = ReceiptStore::Open(dir / "receipts.db", options_.receipts);
    if (!store) return store.error();
    receipts_ = std::move(*store);
    if (auto token = MakeToken(); !token) return token;

    // One io_context per thread, each UID's server on one of them in turn: a connection never
    // moves between threads, which costs about a quarter less CPU per call than one io_context
    // shared by all threads (bench/sim_load.cc).
    for (int i = 0; i < options_.threads; ++i) {
      ios_.push_back(std::make_unique<asio::io_context>(1));
      work_.push_back(asio::make_work_guard(*ios_.back()));
    }
    size_t uids_placed = 0;
    uint16_t next_port = options_.base_port == 0 ? 0 : options_.base_port + 1;
    for (const SubnetSpec& spec : manifest_.subnets) {
      auto subnet = std::make_unique<SubnetState>();
      subnet->spec = &spec;
      if (!spec.entry.synapse.empty()) {
        subnet->cls = experts::SynapseClassFor(spec.entry);
        // A subnet whose schema drifts (SetDrift) answers with fields its class did not
        // declare, as a subnet that changed its synapse class would.
        subnet->cls.extra_allowed = true;
      }
      for (const UidSpec& uid_spec : spec.uids) {
        auto u = std::make_unique<UidState>(
            KeyFor("hotkey", manifest_.seed, spec.entry.subnet_id, uid_spec.uid));
        u->subnet = subnet.get();
        u->uid = uid_spec.uid;
        u->io = ios_[uids_placed++ % ios_.size()].get();
        u->hotkey_ss58 = crypto::Ss58Encode(u->hotkey.public_key().bytes());
        u->coldkey_ss58 =
            crypto::Ss58Encode(KeyFor("coldkey", manifest_.seed, spec.entry.subnet_id, uid_spec.uid)
                                   .public_key()
                                   .bytes());
        u->spec.store(std::make_shared<const UidSpec>(uid_spec));
        if (auto s = Serve(*u, next_port); !s) return s;
        if (next_port != 0) ++next_port;
        directory_.Add(spec.entry.subnet_id,
                       experts::Endpoint{u->uid, options_.host, u->port, u->hotkey_ss58});
        subnet->uids.push_back(std::move(u));
      }
      subnets_.push_back(std::move(subnet));
    }
    net::ServerOptions control_options;
    control_options.address = options_.host;
    control_options.port = options_.base_port;
    control_options.single_threaded = true;
    // The simulator's clients are miners and load generators on this host, all 127.0.0.1.
    control_options.max_connections_per_client = 0;
    control_ = std::make_unique<net::HttpServer>(ios_[0]->get_executor(), control_options);
    auto port = control_->Start(
        [this](net::HttpRequest request) { return ServeControl(std::move(request)); });
    if (!port) return Error(port.error().code, "control API: " + port.error().message);
    control_port_ = *port;
    for (const auto& io : ios_) threads_.emplace_back([io = io.get()] { io->run(); });
    return {};
  }

  const Manifest& manifest() const override { return manifest_; }
  const experts::Directory& directory() const override { return directory_; }
  uint16_t control_port() const override { return control_port_; }
  const std::string& admin_token() const override { return token_; }

  Result<Json> Metagraph(int netuid) const override {
    const SubnetState* s = FindSubnet(netuid);
    if (!s) return Error(ErrorCode::kNotFound, fmt::format("no subnet {}", netuid));
    JsonArray neurons;
    for (const auto& u : s->uids) {
      neurons.push_back(JsonObject{{"uid", u->uid},
                                   {"hotkey", u->hotkey_ss58},
                                   {"coldkey", u->coldkey_ss58},
                                   {"stake", u->spec.load()->stake},
                                   {"validator_permit", false},
                                   {"axon", JsonObject{{"ip", options_.host}, {"port", u->port}}}});
    }
    return Json(JsonObject{
        {"netuid", netuid}, {"name", s->spec->entry.name}, {"neurons", std::move(neurons)}});
  }

  Status SetDrift(int netuid, SchemaDrift drift) override {
    SubnetState* s = FindSubnet(netuid);
    if (!s) return Error(ErrorCode::kNotFound, fmt::format("no subnet {}", netuid));
    s->drift.store(std::make_shared<const SchemaDrift>(std::move(drift)));
    return {};
  }

  Status SetOnline(int netuid, std::optional<int> uid, bool online) override {
    SubnetState* s = FindSubnet(netuid);
    if (!s) return Error(ErrorCode::kNotFound, fmt::format("no subnet {}", netuid));
    if (uid && !s->Find(*uid)) {
      return Error(ErrorCode::kNotFound, fmt::format("subnet {} has no uid {}", netuid, *uid));
    }
    std::lock_guard lock(admin_mu_);
    for (auto& u : s->uids) {
      if (uid && u->uid != *uid) continue;
      if (!online && u->server) {
        u->server->Stop();
        u->server.reset();
      } else if (online && !u->server) {
        if (auto started = Listen(*u, u->port); !started) return started;
      }
    }
    return {};
  }

  Status PatchUid(int netuid, int uid, const Json& patch) override {
    SubnetState* s = FindSubnet(netuid);
    UidState* u = s ? s->Find(uid) : nullptr;
    if (!u) return Error(ErrorCode::kNotFound, fmt::format("subnet {} has no uid {}", netuid, uid));
    if (!patch.is_object()) return Error(ErrorCode::kInvalidArgument, "patch: must be an object");
    // The patched UID is re-read as strictly as a manifest is.
    Json whole = ToJson(*u->spec.load());
    for (const auto& kv : patch.get_object()) whole.as_object()[kv.key()] = kv.value();
    whole.as_object()["uid"] = uid;
    auto parsed = UidSpecFromJson(whole, fmt::format("uid {}", uid));
    if (!parsed) return Error(ErrorCode::kInvalidArgument, parsed.error().message);
    u->spec.store(std::make_shared<const UidSpec>(*parsed));
    return {};
  }

  Status Plant(int netuid, JsonObject match, Json answer, JsonObject match_contains) override {
    SubnetState* s = FindSubnet(netuid);
    if (!s) return Error(ErrorCode::kNotFound, fmt::format("no subnet {}", netuid));
    for (const auto& kv : match_contains) {
      if (!kv.value().is_string() || kv.value().get_string().empty()) {
        return Error(ErrorCode::kInvalidArgument,
                     fmt::format("match_contains.{}: must be a non-empty string", kv.key()));
      }
    }
    std::lock_guard lock(admin_mu_);
    auto planted = std::make_shared<std::vector<Planted>>(*s->planted.load());
    std::erase_if(*planted, [&](const Planted& p) {
      return p.match == match && p.contains == match_contains;
    });
    if (!answer.is_null()) {
      planted->push_back(Planted{std::move(match), std::move(match_contains), std::move(answer)});
    }
    s->planted.store(std::move(planted));
    return {};
  }

  UidCounters Counters(int netuid, int uid) const override {
    UidCounters c;
    const SubnetState* s = FindSubnet(netuid);
    const UidState* u = s ? s->Find(uid) : nullptr;
    if (!u) return c;
    c.calls = u->calls.load();
    for (size_t k = 0; k < kFaultKinds; ++k) c.faults[k] = u->faults[k].load();
    return c;
  }

 private:
  SubnetState* FindSubnet(int netuid) const {
    for (const auto& s : subnets_) {
      if (s->spec->entry.netuid == netuid) return s.get();
    }
    return nullptr;
  }

  Status MakeToken() {
    std::array<uint8_t, 24> random;
    randombytes_buf(random.data(), random.size());
    token_ = crypto::PrefixedHexOf(random).substr(2);
    if (options_.data_dir.empty()) return {};
    return crypto::WriteKeyfile(options_.data_dir / "experts.token", token_ + "\n",
                                /*overwrite=*/true);
  }

  // Builds the UID's axon and handler and starts listening on `port`.
  Status Serve(UidState& u, uint16_t port) {
    net::AxonOptions axon_options;
    axon_options.hotkey = u.hotkey_ss58;
    axon_options.blacklist.allow_unregistered = true;  // experts serve any paying caller
    axon_options.blacklist.require_validator_permit = false;
    u.axon =
        std::make_shared<net::Axon>(axon_options, std::make_shared<net::StaticMetagraphSource>());
    if (!u.subnet->cls.name.empty()) {
      // AnswerSynapse keeps nothing of a request past its call (PlayOnSearchPool copies what
      // it hands over to the pool).
      auto attached = u.axon->Attach(
          u.subnet->cls,
          [this, &u](BittensorSynapse s, Deadline d) { return AnswerSynapse(u, std::move(s), d); },
          net::FieldMemory::kCallArena);
      if (!attached) return attached;
    }
    u.handler = [this, &u, axon_handler = u.axon->AsHandler()](net::HttpRequest request) {
      return ServeUid(u, axon_handler, std::move(request));
    };
    return Listen(u, port);
  }

  Status Listen(UidState& u, uint16_t port) {
    net::ServerOptions server_options;
    server_options.address = options_.host;
    server_options.port = port;
    server_options.single_threaded = true;  // each of ios_ runs on one thread
    // Its clients are the miners on this host, all 127.0.0.1: one miner may hold many.
    server_options.max_connections_per_client = 0;
    u.server = std::make_unique<net::HttpServer>(u.io->get_executor(), server_options);
    auto bound = u.server->Start(u.handler);
    if (!bound) {
      u.server.reset();
      return Error(bound.error().code, fmt::format("{} uid {}: {}", u.subnet->spec->entry.subnet_id,
                                                   u.uid, bound.error().message));
    }
    u.port = *bound;
    return {};
  }

  asio::awaitable<net::HttpResponse> ServeUid(UidState& u, const net::Handler& axon_handler,
                                              net::HttpRequest request) {
    if (request.method == "GET" && request.target.starts_with("/receipts/")) {
      const std::string_view hash = std::string_view(request.target).substr(10);
      auto stored = receipts_->Find(hash);
      if (!stored || stored->netuid != u.subnet->spec->entry.netuid || stored->uid != u.uid) {
        co_return MessageResponse(404, fmt::format("no receipt {}", hash));
      }
      co_return JsonResponse(200, protocol::ToJson(stored->receipt));
    }
    if (request.method != "POST")
      co_return MessageResponse(405, "POST a synapse or a chat completion");
    const bool chat = request.target == "/v1/chat/completions";
    const ledger::LedgerEntry& entry = u.subnet->spec->entry;
    if (chat && entry.transport != ledger::Transport::kOpenAiChat) {
      co_return MessageResponse(404,
                                fmt::format("{} does not serve chat completions", entry.subnet_id));
    }

    const std::shared_ptr<const UidSpec> spec = u.spec.load();
    const CallPlan plan = PlanCall(manifest_.seed, entry.netuid, *spec, u.calls.fetch_add(1));
    if (plan.faulty) u.faults[static_cast<size_t>(plan.fault)].fetch_add(1);
    co_await Pause(std::chrono::microseconds(
        static_cast<int64_t>(plan.latency_ms * options_.latency_scale * 1000)));
    if (plan.faulty) {
      switch (plan.fault) {
        case Fault::kTimeout:
          co_await Pause(kHang);
          co_return MessageResponse(408, "timed out");
        case Fault::kHttp503:
          co_return MessageResponse(503, "Service unavailable: no instances available");
        case Fault::kHttp429:
          co_return MessageResponse(429, "Too many requests: the miner is overloaded");
        case Fault::kHttp500:
          co_return MessageResponse(500, "Internal Server Error");
        default:
          break;
      }
    }

    net::HttpResponse response;
    if (chat) {
      response = AnswerChat(u, request, plan);
    } else {
      const std::string key =
          PlanKey(std::string(request.Header("bt_header_dendrite_uuid")), NonceHeader(request));
      {
        std::lock_guard lock(u.plans_mu);
        u.plans[key] = plan;
      }
      response = co_await axon_handler(std::move(request));
      std::lock_guard lock(u.plans_mu);
      u.plans.erase(key);
    }
    if (plan.faulty && response.status == 200) {
      if (plan.fault == Fault::kMalformedJson) {
        response.body = "<html><body><h1>502 Bad Gateway</h1></body></html>";
      } else if (plan.fault == Fault::kTruncatedBody) {
        response.body.resize(response.body.size() / 2);
      } else if (plan.fault == Fault::kSlowTrickle) {
        // The header at once, the body dribbled out until long after the UID's usual p95.
        response.trickle =
            std::chrono::milliseconds(static_cast<int64_t>(std::max(1000.0, 5 * spec->p95_ms)));
      }
    }
    co_return response;
  }

  static std::optional<int64_t> NonceHeader(const net::HttpRequest& request) {
    const std::string_view text = request.Header("bt_header_dendrite_nonce");
    int64_t nonce = 0;
    if (std::from_chars(text.data(), text.data() + text.size(), nonce).ec != std::errc()) {
      return std::nullopt;
    }
    return nonce;
  }

  // The subnet's answer to `payload` (input fields under their manifest names): a planted
  // answer, or the engine's with this UID's quality, then the plan's content fault and the
  // subnet's output drift.
  Result<Json> Play(const UidState& u, const JsonObject& payload, const CallPlan& plan) const {
    const SubnetSpec& subnet = *u.subnet->spec;
    Result<Json> output = Error(ErrorCode::kInternal, "no engine");
    const std::shared_ptr<const std::vector<Planted>> planted_list = u.subnet->planted.load();
    if (const Planted* planted = FindPlanted(*planted_list, payload)) {
      output = Json(planted->answer, payload.storage());
    } else {
      switch (subnet.engine) {
        case Engine::kSearch:
          output = Search(*corpus_, payload);
          if (output) Degrade(*output, u.spec.load()->quality, plan.content_seed);
          break;
        case Engine::kScrape:
          output = Scrape(*corpus_, payload);
          break;
        case Engine::kComplete:
          output = Complete(payload);
          break;
      }
    }
    if (!output || !output->is_object()) return output;
    JsonObject& o = output->as_object();
    if (plan.faulty && plan.fault == Fault::kSchemaViolation && !o.empty()) {
      o.begin()->value() = "unavailable";  // the first output field takes a wrong type
    }
    if (plan.faulty && plan.fault == Fault::kEmptyResults) {
      for (auto& kv : o) {
        if (kv.value().is_array()) kv.value() = JsonArray{};
        if (kv.value().is_int64() || kv.value().is_uint64()) kv.value() = 0;
      }
    }
    const std::shared_ptr<const SchemaDrift> drift = u.subnet->drift.load();
    for (const auto& [field, type] : drift->output_retypes) {
      if (Json* v = o.if_contains(field)) *v = Retype(*v, type);
    }
    for (const auto& [from, to] : drift->output_renames) {
      if (auto it = o.find(from); it != o.end()) {
        Json moved = std::move(it->value());
        o.erase(it);
        o[to] = std::move(moved);
      }
    }
    return output;
  }

  // Replaces about (1 − quality) of the search results by unrelated documents.
  void Degrade(Json& output, double quality, uint64_t seed) const {
    Json* results = output.as_object().if_contains("results");
    const auto& documents = corpus_->documents();
    if (quality >= 1 || !results || !results->is_array() || documents.empty()) return;
    Rng rng(seed);
    for (Json& result : results->as_array()) {
      if (rng.Uniform() < quality) continue;
      const Document& d = documents[rng.Next() % documents.size()];
      result = JsonObject{{"title", d.title},
                          {"link", d.url},
                          {"snippet", d.snippet},
                          {"published_date", d.published_date}};
    }
  }

  protocol::Receipt Sign(UidState& u, std::string_view lock, const Json& request,
                         const Json& output) {
    protocol::Receipt receipt =
        protocol::IssueReceipt(u.hotkey, u.hotkey_ss58, lock, CanonicalHash(request), output,
                               u.subnet->spec->entry.cost_per_query, experts::UnixMillis());
    receipts_->Add(u.subnet->spec->entry.netuid, u.uid, receipt);
    return receipt;
  }

  // Play on the search pool; the caller resumes on its own I/O thread. The pool's coroutine
  // owns copies of what it reads (on the heap: the payload may be on the axon's call arena), so
  // a caller that times out and goes away leaves it nothing dangling (the UID itself outlives the
  // pool, which ~Sim joins after the I/O threads). co_spawn wants a default-constructible result,
  // hence the optional; the lambda and the awaitable are named locals because g++ 12 destroys
  // temporaries inside co_await twice. Play cannot be cancelled, and Boost 1.81's co_spawn forwards
  // a cancellation to the other executor through a raw pointer that may dangle by then
  // (chriskohlhoff/asio#1332), so the spawn gets an empty cancellation slot instead of inheriting
  // the handler's.
  asio::awaitable<Result<Json>> PlayOnSearchPool(const UidState& u, JsonObject payload,
                                                 CallPlan plan) {
    auto play = [this, &u, payload = JsonObject(payload, boost::json::storage_ptr()),
                 plan]() -> asio::awaitable<std::optional<Result<Json>>> {
      co_return Play(u, payload, plan);
    };
    asio::awaitable<std::optional<Result<Json>>> played = asio::co_spawn(
        *search_pool_, std::move(play),
        asio::bind_cancellation_slot(asio::cancellation_slot(), asio::use_awaitable));
    std::optional<Result<Json>> output = co_await std::move(played);
    co_return std::move(*output);
  }

  asio::awaitable<Result<BittensorSynapse>> AnswerSynapse(UidState& u, BittensorSynapse synapse,
                                                          Deadline) {
    CallPlan plan;
    {
      std::lock_guard lock(u.plans_mu);
      if (auto it = u.plans.find(PlanKey(synapse.dendrite.uuid, synapse.dendrite.nonce));
          it != u.plans.end()) {
        plan = it->second;
      }
    }
    const ledger::LedgerEntry& entry = u.subnet->spec->entry;
    const std::shared_ptr<const SchemaDrift> drift = u.subnet->drift.load();
    JsonObject payload(synapse.fields.storage());
    const Json* inputs = JsonFind(entry.input_schema, "properties");
    if (!inputs) inputs = &entry.input_schema;
    for (const auto& kv : inputs->get_object()) {
      const std::string field(kv.key());
      const auto renamed = drift->input_renames.find(field);
      const std::string wire = renamed == drift->input_renames.end() ? field : renamed->second;
      const Json* value = synapse.fields.if_contains(wire);
      if (!value || value->is_null()) {
        if (renamed != drift->input_renames.end()) {
          co_return Error(ErrorCode::kInvalidArgument, fmt::format("{}: field required", wire));
        }
        continue;
      }
      payload[field] = *value;
    }
    // Engine searches go to the search pool, planted answers (no search) stay here. An if, not
    // a conditional expression: g++ 12 miscompiles co_await inside ?: (every call then hung
    // until its timeout).
    Result<Json> output = Error(ErrorCode::kInternal, "not played");
    if (search_pool_ && u.subnet->spec->engine == Engine::kSearch &&
        !FindPlanted(*u.subnet->planted.load(), payload)) {
      output = co_await PlayOnSearchPool(u, payload, plan);
    } else {
      output = Play(u, payload, plan);
    }
    if (!output) co_return Error(ErrorCode::kInvalidArgument, output.error().message);
    const Json* lock = synapse.fields.if_contains(experts::kLockField);
    const protocol::Receipt receipt = Sign(
        u, lock && lock->is_string() ? std::string_view(lock->get_string()) : "", payload, *output);
    if (output->is_object()) {
      for (auto& kv : output->as_object()) synapse.fields[kv.key()] = std::move(kv.value());
    }
    synapse.fields[experts::kReceiptField] = protocol::ToJson(receipt, synapse.fields.storage());
    co_return synapse;
  }

  net::HttpResponse AnswerChat(UidState& u, const net::HttpRequest& request, const CallPlan& plan) {
    auto input = ParseJson(request.body, "request body");
    if (!input) return MessageResponse(400, input.error().message);
    if (!input->is_object()) return MessageResponse(400, "request body: must be a JSON object");
    auto output = Play(u, input->get_object(), plan);
    if (!output) return MessageResponse(422, output.error().message);
    const protocol::Receipt receipt = Sign(u, request.Header("orchestra-lock"), *input, *output);
    net::HttpResponse response = JsonResponse(200, *output);
    response.headers.Add("orchestra-receipt", CompactJson(protocol::ToJson(receipt)));
    return response;
  }

  asio::awaitable<net::HttpResponse> ServeControl(net::HttpRequest request) {
    const std::string_view target = request.target;
    if (request.method == "GET" && target == "/manifest") {
      co_return JsonResponse(200, manifest_.ToJson());
    }
    if (request.method == "GET" && target.starts_with("/metagraph/")) {
      const auto netuid = PathId(target.substr(11), "netuid");
      if (!netuid) co_return MessageResponse(400, netuid.error().message);
      auto metagraph = Metagraph(*netuid);
      if (!metagraph) co_return MessageResponse(404, metagraph.error().message);
      co_return JsonResponse(200, *metagraph);
    }
    if (!target.starts_with("/admin/")) co_return MessageResponse(404, "unknown path");
    if (!net::HasBearerToken(request, token_)) {
      co_return MessageResponse(401,
                                "admin API: missing or wrong bearer token (see experts.token)");
    }
    if (request.method != "POST") co_return MessageResponse(405, "admin API: use POST");
    co_return Admin(target, request.body);
  }

  net::HttpResponse Admin(std::string_view target, std::string_view body) {
    // /admin/subnets/{netuid}/{action}[/{uid}]
    std::vector<std::string_view> parts;
    for (size_t start = 1, end; start <= target.size(); start = end + 1) {
      end = std::min(target.find('/', start), target.size());
      parts.push_back(target.substr(start, end - start));
    }
    if (parts.size() < 4 || parts[1] != "subnets") {
      return MessageResponse(404, fmt::format("admin API: unknown path {}", target));
    }
    const auto parsed_netuid = PathId(parts[2], "netuid");
    if (!parsed_netuid) return MessageResponse(400, "admin API: " + parsed_netuid.error().message);
    const int netuid = *parsed_netuid;
    auto json = ParseJson(body.empty() ? std::string_view("{}") : body, "request body");
    if (!json) return MessageResponse(400, json.error().message);
    const std::string_view action = parts[3];
    Status done = Error(ErrorCode::kNotFound, fmt::format("admin API: unknown action {}", action));
    if (action == "drift") {
      auto drift = SchemaDrift::FromJson(*json);
      done = drift ? SetDrift(netuid, std::move(*drift)) : Status(drift.error());
    } else if (action == "offline" || action == "online") {
      const Json* uids = JsonFind(*json, "uids");
      if (!uids || uids->is_null()) {
        done = SetOnline(netuid, std::nullopt, action == "online");
      } else if (!uids->is_array()) {
        done = Error(ErrorCode::kInvalidArgument, "uids: must be a list of integers");
      } else {
        // All checked before any is changed.
        std::vector<int> ids;
        done = {};
        for (size_t i = 0; i < uids->get_array().size(); ++i) {
          int64_t id = -1;
          if (!JsonInteger(uids->get_array()[i], &id) || id < 0 || id > kMaxId) {
            done = Error(ErrorCode::kInvalidArgument,
                         fmt::format("uids[{}]: must be an integer from 0 to {}", i, kMaxId));
            break;
          }
          ids.push_back(static_cast<int>(id));
          const SubnetState* subnet = FindSubnet(netuid);
          if (subnet && !subnet->Find(ids.back())) {
            done = Error(ErrorCode::kNotFound,
                         fmt::format("subnet {} has no uid {}", netuid, ids.back()));
            break;
          }
        }
        for (size_t i = 0; done && i < ids.size(); ++i) {
          done = SetOnline(netuid, ids[i], action == "online");
        }
      }
    } else if (action == "uids" && parts.size() == 5) {
      const auto uid = PathId(parts[4], "uid");
      done = uid ? PatchUid(netuid, *uid, *json) : Status(uid.error());
    } else if (action == "plant") {
      const Json* match = JsonFind(*json, "match");
      const Json* contains = JsonFind(*json, "match_contains");
      const Json* answer = JsonFind(*json, "answer");
      if ((!match || match->is_null()) && (!contains || contains->is_null())) {
        done = Error(ErrorCode::kInvalidArgument,
                     "plant: needs {\"match\": {...} and/or \"match_contains\": {...}, "
                     "\"answer\": ...}");
      } else if (match && !match->is_null() && !match->is_object()) {
        done = Error(ErrorCode::kInvalidArgument, "match: must be an object");
      } else if (contains && !contains->is_null() && !contains->is_object()) {
        done = Error(ErrorCode::kInvalidArgument, "match_contains: must be an object");
      } else if (!answer) {
        done = Error(ErrorCode::kInvalidArgument, "answer: is required (null removes the plant)");
      } else {
        done =
            Plant(netuid, match && match->is_object() ? match->get_object() : JsonObject{}, *answer,
                  contains && contains->is_object() ? contains->get_object() : JsonObject{});
      }
    }
    if (!done) {
      return MessageResponse(done.error().code == ErrorCode::kNotFound ? 404 : 400,
                             done.error().message);
    }
    return JsonResponse(200, JsonObject{{"ok", true}});
  }

  Manifest manifest_;
  std::shared_ptr<const Corpus> corpus_;
  SimulatorOptions options_;
  std::filesystem::path temp_dir_;  // holds receipts.db when no data dir was given
  std::unique_ptr<ReceiptStore> receipts_;
  std::string token_;
  std::vector<std::unique_ptr<asio::io_context>> ios_;  // one per thread
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  std::vector<std::unique_ptr<SubnetState>> subnets_;
  experts::Directory directory_;
  std::mutex admin_mu_;
  std::unique_ptr<net::HttpServer> control_;
  uint16_t control_port_ = 0;
  std::unique_ptr<asio::thread_pool> search_pool_;  // null: searches run on the I/O threads
  std::vector<std::thread> threads_;
};

Result<std::map<std::string, std::string>> StringMap(const Json& json, std::string_view where) {
  std::map<std::string, std::string> out;
  if (json.is_null()) return out;
  if (!json.is_object()) {
    return Error(ErrorCode::kInvalidArgument, fmt::format("{}: must be an object", where));
  }
  for (const auto& kv : json.get_object()) {
    if (!kv.value().is_string() || kv.value().get_string().empty()) {
      return Error(ErrorCode::kInvalidArgument, fmt::format("{}.{}: must be a non-empty string",
                                                            where, std::string_view(kv.key())));
    }
    out.emplace(kv.key(), kv.value().get_string());
  }
  return out;
}

}  // namespace

Result<SchemaDrift> SchemaDrift::FromJson(const Json& json) {
  if (!json.is_object()) return Error(ErrorCode::kInvalidArgument, "drift: must be an object");
  SchemaDrift d;
  const Json null;
  const Json* input = JsonFind(json, "input");
  const Json* output = JsonFind(json, "output");
  auto in =
      StringMap(input ? (JsonFind(*input, "rename") ? *JsonFind(*input, "rename") : null) : null,
                "input.rename");
  auto out =
      StringMap(output ? (JsonFind(*output, "rename") ? *JsonFind(*output, "rename") : null) : null,
                "output.rename");
  auto types =
      StringMap(output ? (JsonFind(*output, "retype") ? *JsonFind(*output, "retype") : null) : null,
                "output.retype");
  for (const auto* r : {&in, &out, &types}) {
    if (!*r) return r->error();
  }
  for (const auto& [field, type] : *types) {
    static constexpr std::string_view kTypes[] = {"str", "int", "float", "bool", "list", "dict"};
    if (std::find(std::begin(kTypes), std::end(kTypes), type) == std::end(kTypes)) {
      return Error(ErrorCode::kInvalidArgument,
                   fmt::format("output.retype.{}: unknown type \"{}\" (str, int, float, bool, "
                               "list, dict)",
                               field, type));
    }
  }
  d.input_renames = std::move(*in);
  d.output_renames = std::move(*out);
  d.output_retypes = std::move(*types);
  return d;
}

Json SchemaDrift::ToJson() const {
  auto object = [](const std::map<std::string, std::string>& m) {
    JsonObject o;
    for (const auto& [k, v] : m) o[k] = v;
    return o;
  };
  return JsonObject{{"input", JsonObject{{"rename", object(input_renames)}}},
                    {"output", JsonObject{{"rename", object(output_renames)},
                                          {"retype", object(output_retypes)}}}};
}

Result<std::unique_ptr<Simulator>> Simulator::Start(Manifest manifest,
                                                    std::shared_ptr<const Corpus> corpus,
                                                    SimulatorOptions options) {
  auto sim = std::make_unique<Sim>();
  if (auto s = sim->Start(std::move(manifest), std::move(corpus), std::move(options)); !s) {
    return s.error();
  }
  return std::unique_ptr<Simulator>(std::move(sim));
}

}  // namespace orchestra::sim
