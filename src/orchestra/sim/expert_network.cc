#include "orchestra/sim/expert_network.h"

#include <fmt/format.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <thread>

#include "orchestra/core/hash.h"
#include "orchestra/core/rng.h"
#include "orchestra/crypto/ss58.h"
#include "orchestra/experts/transport.h"
#include "orchestra/net/http_server.h"
#include "orchestra/protocol/receipt.h"
#include "orchestra/sim/completion.h"
#include "orchestra/sim/data_universe.h"
#include "orchestra/sim/desearch.h"

namespace orchestra::sim {
namespace {
namespace asio = boost::asio;

// One simulated subnet (a single UID for now): what it plays, where, and its latency stream.
struct SimulatedSubnet {
  const ledger::LedgerEntry* entry;
  std::string path;  // the only request target it serves
  std::function<Result<Json>(const Json&)> play;
  Rng rng;
  double latency_scale;
  crypto::Keypair hotkey;
  std::string hotkey_ss58;
  std::unique_ptr<net::HttpServer> server;
};

net::HttpResponse JsonResponse(int status, const Json& body) {
  net::HttpResponse r;
  r.status = status;
  r.headers = {{"content-type", "application/json"}};
  r.body = CompactJson(body);
  return r;
}

net::Handler MakeHandler(SimulatedSubnet& subnet) {
  return [&subnet](net::HttpRequest request) -> asio::awaitable<net::HttpResponse> {
    if (request.target != subnet.path) {
      co_return JsonResponse(
          404, JsonObject{{"message", fmt::format("unknown synapse {} (serving {})", request.target,
                                                  subnet.path)}});
    }
    const double mean = subnet.entry->avg_latency_ms * subnet.latency_scale;
    const double p95 = subnet.entry->p95_latency_ms * subnet.latency_scale;
    const auto delay = std::chrono::microseconds(
        mean > 0 ? static_cast<int64_t>(subnet.rng.LogNormalMeanP95(mean, p95) * 1000) : 0);
    auto input = ParseJson(request.body, "request body");
    Result<Json> output = input ? subnet.play(*input) : Result<Json>(input.error());
    if (delay.count() > 0) {
      asio::steady_timer timer(co_await asio::this_coro::executor, delay);
      co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    if (!output) {
      const int status = output.error().code == ErrorCode::kParse ? 400 : 422;
      co_return JsonResponse(status, JsonObject{{"message", output.error().message}});
    }
    // Sign what was answered under the caller's lock (empty lock: an unproven call).
    net::HttpResponse response = JsonResponse(200, *output);
    const protocol::Receipt receipt = protocol::IssueReceipt(
        subnet.hotkey, subnet.hotkey_ss58, request.Header("orchestra-lock"), CanonicalHash(*input),
        *output, subnet.entry->cost_per_query, experts::UnixMillis());
    response.headers.emplace_back("orchestra-receipt", CompactJson(protocol::ToJson(receipt)));
    co_return response;
  };
}

// A UID's hotkey, derived from the network seed so that the same seed gives the same keys.
crypto::Keypair HotkeyFor(uint64_t seed, const std::string& subnet_id, int uid) {
  const Hash256 mini =
      Blake2b256(fmt::format("orchestra-sim-hotkey|{}|{}|{}", seed, subnet_id, uid));
  return crypto::Keypair::FromMiniSecret(mini);
}

class Network : public ExpertNetwork {
 public:
  ~Network() override {
    for (auto& s : subnets_) {
      if (s->server) asio::post(io_, [server = s->server.get()] { server->Stop(); });
    }
    work_.reset();
    if (thread_.joinable()) thread_.join();
  }

  const experts::Directory& directory() const override { return directory_; }

  Status Start(const ledger::Snapshot& ledger, std::shared_ptr<const Corpus> corpus,
               const NetworkOptions& options) {
    corpus_ = std::move(corpus);
    for (const auto& [id, entry] : ledger.entries()) {
      auto hotkey = HotkeyFor(options.seed, id, 0);
      const std::string ss58 = crypto::Ss58Encode(hotkey.public_key().bytes());
      auto subnet = std::make_unique<SimulatedSubnet>(
          SimulatedSubnet{&entry, "", nullptr, Rng(DeriveSeed(options.seed, id)),
                          options.latency_scale, std::move(hotkey), ss58, nullptr});
      const Corpus* corpus_ptr = corpus_.get();
      if (entry.HasCapability("web_search")) {
        subnet->play = [corpus_ptr](const Json& in) { return Search(*corpus_ptr, in); };
      } else if (entry.HasCapability("web_scraping")) {
        subnet->play = [corpus_ptr](const Json& in) { return Scrape(*corpus_ptr, in); };
      } else if (entry.HasCapability("synthesis") || entry.HasCapability("text_generation")) {
        subnet->play = [](const Json& in) { return Complete(in); };
      } else {
        continue;  // a subnet the simulator cannot play stays unreachable
      }
      subnet->path = entry.transport == ledger::Transport::kOpenAiChat ? "/v1/chat/completions"
                                                                       : "/" + entry.synapse;
      net::ServerOptions server_options;
      server_options.address = options.host;
      subnet->server = std::make_unique<net::HttpServer>(io_.get_executor(), server_options);
      auto port = subnet->server->Start(MakeHandler(*subnet));
      if (!port) {
        return Error(port.error().code, fmt::format("{}: {}", id, port.error().message));
      }
      directory_.Add(id, experts::Endpoint{0, options.host, *port, subnet->hotkey_ss58});
      subnets_.push_back(std::move(subnet));
    }
    thread_ = std::thread([this] { io_.run(); });
    return {};
  }

 private:
  asio::io_context io_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_{
      asio::make_work_guard(io_)};
  std::shared_ptr<const Corpus> corpus_;
  std::vector<std::unique_ptr<SimulatedSubnet>> subnets_;
  experts::Directory directory_;
  std::thread thread_;
};

}  // namespace

Result<std::unique_ptr<ExpertNetwork>> ExpertNetwork::Start(const ledger::Snapshot& ledger,
                                                            std::shared_ptr<const Corpus> corpus,
                                                            NetworkOptions options) {
  auto network = std::make_unique<Network>();
  if (auto s = network->Start(ledger, std::move(corpus), options); !s) return s.error();
  return std::unique_ptr<ExpertNetwork>(std::move(network));
}

}  // namespace orchestra::sim
