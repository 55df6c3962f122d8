#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <string_view>

#include "orchestra/crypto/sr25519.h"
#include "orchestra/experts/directory.h"
#include "orchestra/experts/transport.h"
#include "orchestra/net/dendrite.h"
#include "orchestra/net/http_client.h"
#include "orchestra/protocol/bittensor_synapse.h"

namespace orchestra::experts {

// Calls expert UIDs the way their subnets speak:
//   - a synapse subnet (ledger::Transport::kSynapse) through a Bittensor dendrite signed with
//     the miner's hotkey: the synapse class is SynapseClassFor(entry) (plus, appended, any
//     payload key the entry's input_schema does not declare), its fields are the payload's
//     keys and the hash lock in `orchestra_lock`, its timeout the time left before the
//     deadline; the answer's output is every field the UID filled in (not null) beyond those
//     of the request and the input_schema — fields the ledger does not declare included, so
//     that a subnet's drift shows — and its receipt the `orchestra_receipt` field (null when
//     absent);
//   - an OpenAI-compatible subnet (kOpenAiChat) by plain HTTP POST /v1/chat/completions with
//     the payload as body, the lock in the `orchestra-lock` header and the receipt read from
//     the `orchestra-receipt` response header (JSON).
// A call goes to the UID it names (ExpertCall::uid), else round-robin by attempt, so that a
// retry goes to another UID when the subnet has several; Uids() are the directory's. Errors
// (ExpertStatusError names the subnet, the UID and the status message): kNotFound (no UID),
// kDeadline (no time left, or no answer in time), kUnavailable (unreachable, overloaded, refused
// us), kMalformedAnswer (an answer that is not the subnet's), and kInvalidArgument for a synapse
// payload that is not a JSON object (the caller's bug). Not thread-safe: use from one event-loop
// thread (as the executor does), the one running `executor` and `client`'s executor.
class HttpTransport : public Transport {
 public:
  // `client` serves the OpenAI-compatible calls; synapse calls go through a dendrite of this
  // transport's own, created on `executor` and signing as `miner_hotkey`. `client` and
  // `directory` must outlive the transport.
  HttpTransport(net::HttpClient& client, const Directory& directory, crypto::Keypair miner_hotkey,
                boost::asio::any_io_executor executor);
  boost::asio::awaitable<Result<ExpertReply>> Call(ExpertCall call, Deadline deadline) override;
  std::vector<int> Uids(const ledger::LedgerEntry& entry) const override;

 private:
  boost::asio::awaitable<Result<ExpertReply>> CallSynapse(const ledger::LedgerEntry& entry,
                                                          const Endpoint& uid, ExpertCall call,
                                                          Deadline deadline);
  boost::asio::awaitable<Result<ExpertReply>> CallOpenAiChat(const ledger::LedgerEntry& entry,
                                                             const Endpoint& uid, ExpertCall call,
                                                             Deadline deadline);

  net::HttpClient& client_;
  const Directory& directory_;
  net::Dendrite dendrite_;
};

// Our error for an expert's answer with a status other than 200, whether an HTTP status or a
// dendrite's (which also stands for failures on our side of the wire: 408 no answer in time,
// 503 unreachable, 422 unparsable answer). `who` names the subnet and UID, `detail` is the
// status message or a body excerpt. Exposed for tests.
//   408, 504                     → kDeadline: the expert did not answer in time.
//   429, 503, other 5xx          → kUnavailable: unreachable, overloaded or broken for now;
//                                  worth a retry after a back-off, or another UID.
//   401, 402, 403                → kUnavailable: the UID refuses us (a signature or nonce it
//                                  does not accept, out of balance, a blacklist). Its refusal
//                                  says nothing about its answers, and another UID, or the
//                                  same later, may take the call: a 401 is also what a call
//                                  gets when a concurrent call of ours with a later nonce
//                                  reached the same axon first, and a retry (fresh nonce)
//                                  passes.
//   404, 422, other statuses     → kMalformedAnswer: the UID and our ledger disagree on the
//                                  contract (no such synapse, a request its class rejects, an
//                                  answer we cannot parse); sending the same call again will
//                                  not help.
Error ExpertStatusError(int status, std::string_view detail, std::string_view who);

// Maps an expert's plain HTTP answer to our error model (exposed for tests): 200 with a JSON
// object body → the output; other statuses as ExpertStatusError with a body excerpt; a 200
// body that is not a JSON object → kMalformedAnswer. `who` names the expert in messages.
Result<Json> InterpretAnswer(int status, std::string_view body, std::string_view who);

}  // namespace orchestra::experts
