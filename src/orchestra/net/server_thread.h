#pragma once

#include <cstdint>
#include <memory>

#include "orchestra/core/result.h"
#include "orchestra/net/http_server.h"

namespace orchestra::net {

// An HttpServer on its own io_context and threads, for tests and CLI wiring that are not
// themselves asynchronous. The destructor stops the server, stops the io_context (handlers
// still in flight are abandoned) and joins the threads.
class ServerThread {
 public:
  ServerThread(ServerOptions options, Handler handler, int threads = 1);
  ~ServerThread();
  ServerThread(const ServerThread&) = delete;
  ServerThread& operator=(const ServerThread&) = delete;

  // Binds, listens and starts the threads; returns the bound port (errors as HttpServer::Start).
  Result<uint16_t> Start();

  // The server, e.g. for its counters or to Stop() it early.
  HttpServer& server();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace orchestra::net
