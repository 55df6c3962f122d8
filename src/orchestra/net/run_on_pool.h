#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <optional>
#include <type_traits>
#include <utility>

namespace orchestra::net {

// Runs `work()` on `pool` and resumes the calling coroutine on its own executor with what it
// returned, so that CPU-heavy steps (compiling a target_schema, standardizing expert output)
// (or blocking database work) do not hold up an I/O thread serving other callers. Runs it inline
// when `pool` is null. `work` must own what it reads (capture by value): once started it runs to
// the end even if the caller's io_context stops. It cannot be cancelled: Boost 1.81's co_spawn
// forwards a cancellation to the other executor through a pointer that may dangle by then
// (chriskohlhoff/asio#1332), so the spawn gets an empty cancellation slot. co_spawn wants a
// default-constructible result, hence the optional; the job and the awaitable are named locals
// because g++ 12 destroys temporaries inside co_await twice.
template <typename Work>
boost::asio::awaitable<std::invoke_result_t<Work&>> RunOnPool(boost::asio::thread_pool* pool,
                                                              Work work) {
  using T = std::invoke_result_t<Work&>;
  if (!pool) co_return work();
  auto job = [work = std::move(work)]() mutable -> boost::asio::awaitable<std::optional<T>> {
    co_return work();
  };
  boost::asio::awaitable<std::optional<T>> done =
      boost::asio::co_spawn(*pool, std::move(job),
                            boost::asio::bind_cancellation_slot(boost::asio::cancellation_slot(),
                                                                boost::asio::use_awaitable));
  std::optional<T> result = co_await std::move(done);
  co_return std::move(*result);
}

}  // namespace orchestra::net
