#include "orchestra/validator/miner_client.h"

#include <string_view>

#include "orchestra/core/utf8.h"
#include "orchestra/protocol/bittensor_synapse.h"

namespace orchestra::validator {
namespace {

std::string CutMessage(std::string message) {
  if (message.size() <= kMaxMinerMessageBytes) return message;
  static constexpr std::string_view kCut = "... (cut)";
  std::string out(Utf8Prefix(message, kMaxMinerMessageBytes - kCut.size()));
  out += kCut;
  return out;
}

boost::asio::awaitable<std::vector<MinerReply>> Fan(net::Dendrite& dendrite,
                                                    const std::vector<MinerTarget>& miners,
                                                    const protocol::SynapseClass& cls,
                                                    protocol::BittensorSynapse synapse,
                                                    double timeout_seconds) {
  std::vector<net::AxonEndpoint> axons;
  axons.reserve(miners.size());
  for (const MinerTarget& m : miners) axons.push_back(m.axon);
  std::vector<protocol::BittensorSynapse> answers =
      co_await dendrite.Forward(std::move(axons), cls, std::move(synapse), timeout_seconds);
  std::vector<MinerReply> out;
  out.reserve(miners.size());
  for (size_t i = 0; i < miners.size(); ++i) {
    protocol::BittensorSynapse& answer = answers[i];
    MinerReply reply;
    reply.miner = miners[i];
    reply.status_code = static_cast<int>(answer.dendrite.status_code.value_or(0));
    reply.status_message = CutMessage(answer.dendrite.status_message.value_or(""));
    if (reply.status_code == 200) {
      reply.fields = std::move(answer.fields);
      reply.seconds = answer.dendrite.process_time.value_or(0.0);
    }
    out.push_back(std::move(reply));
  }
  co_return out;
}

}  // namespace

boost::asio::awaitable<std::vector<MinerReply>> AskChallenge(net::Dendrite& dendrite,
                                                             const std::vector<MinerTarget>& miners,
                                                             const protocol::Challenge& challenge,
                                                             double slack_seconds) {
  protocol::BittensorSynapse synapse;
  synapse.name = protocol::OrchestraSynapseClass().name;
  synapse.fields = protocol::ToJson(challenge).as_object();
  const double timeout = static_cast<double>(challenge.deadline_ms) / 1000.0 + slack_seconds;
  co_return co_await Fan(dendrite, miners, protocol::OrchestraSynapseClass(), std::move(synapse),
                         timeout);
}

boost::asio::awaitable<std::vector<MinerReply>> AskLedger(net::Dendrite& dendrite,
                                                          const std::vector<MinerTarget>& miners,
                                                          std::optional<std::string> since_version,
                                                          double timeout_seconds) {
  protocol::BittensorSynapse synapse;
  synapse.name = protocol::LedgerSynapseClass().name;
  if (since_version) synapse.fields["since_version"] = *since_version;
  co_return co_await Fan(dendrite, miners, protocol::LedgerSynapseClass(), std::move(synapse),
                         timeout_seconds);
}

}  // namespace orchestra::validator
