#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "orchestra/crypto/sr25519.h"
#include "orchestra/net/http_client.h"
#include "orchestra/protocol/bittensor_synapse.h"

namespace orchestra::net {

// Where an axon listens and who it is (the hotkey the signature names).
struct AxonEndpoint {
  std::string ip;
  uint16_t port = 0;
  std::string hotkey;  // SS58
};

struct DendriteOptions {
  // Sent as bt_header_dendrite_ip (Python sends its external IP; nothing checks it).
  std::string external_ip = "127.0.0.1";
  ClientOptions client;
  // Unix time in ns, the nonce source; the system clock when empty. Nonces are made strictly
  // increasing per dendrite whatever the clock does.
  std::function<int64_t()> now_ns;
  // Sent as bt_header_dendrite_version: bittensor 10.2's version_as_int unless overridden (a
  // Python axon skips its first-nonce window below 7.2.0, ours does not; see net/axon.h).
  int64_t bittensor_version = protocol::kBittensorVersion;
};

// A Bittensor dendrite: signs synapses with its hotkey and sends them to axons, reusing
// kept-alive connections per axon (HttpClient's pool). One uuid per instance.
// Threading as HttpClient: call from coroutines on `executor` only (one strand when the
// io_context has several threads). Never throws; outcomes are in the returned synapse's
// dendrite.status_code / status_message, mapped as Python's dendrite maps them:
//   200 and the axon's synapse; an axon error status with its {"message"};
//   503 "Service unavailable at <ip>:<port>/<Name>" when the axon cannot be reached;
//   408 "Request timeout after <timeout> seconds" when no answer came in time;
//   422 "Failed to parse response: <why>" when the answer is not the synapse (or, for an
//   error status, not JSON with a message).
class Dendrite {
 public:
  Dendrite(asio::any_io_executor executor, crypto::Keypair hotkey, DendriteOptions options = {});
  Dendrite(const Dendrite&) = delete;
  Dendrite& operator=(const Dendrite&) = delete;

  const std::string& hotkey() const { return hotkey_ss58_; }
  const std::string& uuid() const { return uuid_; }

  // Python's preprocess_synapse_for_request: sets timeout, the dendrite terminal (ip, version,
  // a fresh nonce, uuid, hotkey, signature) and the axon terminal (ip, port, hotkey).
  protocol::BittensorSynapse Prepare(const AxonEndpoint& axon, const protocol::SynapseClass& cls,
                                     protocol::BittensorSynapse synapse, double timeout_seconds);

  // Sends `synapse` to `axon` and returns it filled in from the answer; the whole exchange is
  // bounded by `timeout_seconds`. `cls` must outlive the call.
  asio::awaitable<protocol::BittensorSynapse> Call(AxonEndpoint axon,
                                                   const protocol::SynapseClass& cls,
                                                   protocol::BittensorSynapse synapse,
                                                   double timeout_seconds);

  // Call() to every axon at once; one result per axon, in the order of `axons`.
  asio::awaitable<std::vector<protocol::BittensorSynapse>> Forward(
      std::vector<AxonEndpoint> axons, const protocol::SynapseClass& cls,
      protocol::BittensorSynapse synapse, double timeout_seconds);

 private:
  int64_t NextNonce();

  asio::any_io_executor executor_;
  crypto::Keypair keypair_;
  std::string hotkey_ss58_;
  std::string uuid_;
  DendriteOptions options_;
  HttpClient client_;
  std::atomic<int64_t> last_nonce_{0};
};

}  // namespace orchestra::net
