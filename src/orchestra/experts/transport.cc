#include "orchestra/experts/transport.h"

#include <chrono>

#include "orchestra/crypto/ss58.h"
#include "orchestra/protocol/receipt.h"

namespace orchestra::experts {

int64_t UnixMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

InProcessTransport::InProcessTransport(Handler handler, crypto::Keypair expert_key)
    : handler_(std::move(handler)),
      expert_key_(std::move(expert_key)),
      expert_ss58_(crypto::Ss58Encode(expert_key_.public_key().bytes())) {}

boost::asio::awaitable<Result<ExpertReply>> InProcessTransport::Call(ExpertCall call,
                                                                     Deadline deadline) {
  if (deadline.Expired()) {
    co_return Error(ErrorCode::kDeadline,
                    call.entry->subnet_id + ": deadline passed before the call");
  }
  auto output = handler_(*call.entry, call.payload);
  if (!output) co_return output.error();
  const double price = call.entry->cost_per_query;
  protocol::Receipt receipt = protocol::IssueReceipt(
      expert_key_, expert_ss58_, call.lock, call.request_hash, *output, price, UnixMillis());
  co_return ExpertReply{std::move(*output), 0, expert_ss58_, price, protocol::ToJson(receipt)};
}

}  // namespace orchestra::experts
