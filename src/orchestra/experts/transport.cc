#include "orchestra/experts/transport.h"

namespace orchestra::experts {

boost::asio::awaitable<Result<ExpertReply>> InProcessTransport::Call(ExpertCall call,
                                                                     Deadline deadline) {
  if (deadline.Expired()) {
    co_return Error(ErrorCode::kDeadline,
                    call.entry->subnet_id + ": deadline passed before the call");
  }
  auto output = handler_(*call.entry, call.payload);
  if (!output) co_return output.error();
  co_return ExpertReply{std::move(*output), 0, "in-process", call.entry->cost_per_query};
}

}  // namespace orchestra::experts
