#include "orchestra/net/server_thread.h"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <thread>
#include <utility>
#include <vector>

namespace orchestra::net {

struct ServerThread::Impl {
  Impl(ServerOptions options, Handler h, int thread_count)
      : io(std::max(thread_count, 1)),
        server(io.get_executor(), std::move(options)),
        handler(std::move(h)),
        thread_count(std::max(thread_count, 1)) {}

  asio::io_context io;
  HttpServer server;
  Handler handler;
  int thread_count;
  std::vector<std::thread> threads;
};

ServerThread::ServerThread(ServerOptions options, Handler handler, int threads)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler), threads)) {}

ServerThread::~ServerThread() {
  impl_->server.Stop();
  impl_->io.stop();
  for (auto& thread : impl_->threads) thread.join();
}

Result<uint16_t> ServerThread::Start() {
  Result<uint16_t> port = impl_->server.Start(std::move(impl_->handler));
  if (!port.ok()) return port;
  for (int i = 0; i < impl_->thread_count; ++i) {
    impl_->threads.emplace_back([io = &impl_->io] { io->run(); });
  }
  return port;
}

HttpServer& ServerThread::server() { return impl_->server; }

}  // namespace orchestra::net
