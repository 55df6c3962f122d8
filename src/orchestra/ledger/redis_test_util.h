#pragma once

// A real redis-server for the tests, on a free loopback port, without persistence; and a raw
// connection to it for writing what the store never would.

#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "orchestra/core/result.h"
#include "orchestra/core/temp_dir.h"
#include "orchestra/ledger/redis_store.h"

namespace orchestra::ledger::testing {

class RedisServer {
 public:
  // "" when redis-server is on PATH, else why not (for ORCHESTRA_REQUIRE_REFERENCE).
  static std::string Unavailable() {
    const char* path = std::getenv("PATH");
    std::string dirs = path ? path : "/usr/bin:/bin";
    for (size_t start = 0; start <= dirs.size();) {
      size_t end = dirs.find(':', start);
      if (end == std::string::npos) end = dirs.size();
      const std::filesystem::path candidate =
          std::filesystem::path(dirs.substr(start, end - start)) / "redis-server";
      if (access(candidate.c_str(), X_OK) == 0) return "";
      start = end + 1;
    }
    return "redis-server is not installed (scripts/setup installs Debian's redis-server)";
  }

  RedisServer() = default;
  ~RedisServer() { Kill(); }
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  // Starts the server: on a free port the first time, on the same port after Kill(). Waits
  // until it says it accepts connections (reading its log on a pipe), then checks PING.
  Status Start() {
    for (int attempt = 0; attempt < 5; ++attempt) {
      const bool fixed_port = port_ != 0;
      if (!fixed_port) port_ = FreePort();
      auto started = Spawn();
      if (started || fixed_port) return started;
      port_ = 0;  // another process took the port between our probe and redis' bind
    }
    return Error(ErrorCode::kUnavailable, "redis-server did not start in 5 attempts: " + log_);
  }

  // SIGKILL: the server is gone at once, as in a crash (its data too: no persistence).
  void Kill() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    close(log_fd_);
    log_fd_ = -1;
  }

  // SIGSTOP makes a server that accepts connections but never answers; SIGCONT wakes it.
  void Signal(int signal) { kill(pid_, signal); }

  int port() const { return port_; }
  const std::string& log() const { return log_; }

  RedisOptions Options(std::string prefix) const {
    RedisOptions options;
    options.host = "127.0.0.1";
    options.port = port_;
    options.prefix = std::move(prefix);
    return options;
  }

  // Runs one command on a connection of its own; the reply as text ("" for nil, the message
  // for an error).
  std::string Command(const std::vector<std::string>& args) const {
    redisContext* c = redisConnect("127.0.0.1", port_);
    if (c == nullptr || c->err) {
      std::string why = c ? c->errstr : "out of memory";
      redisFree(c);
      return "connect failed: " + why;
    }
    std::vector<const char*> argv;
    std::vector<size_t> lengths;
    for (const auto& a : args) {
      argv.push_back(a.data());
      lengths.push_back(a.size());
    }
    auto* reply = static_cast<redisReply*>(
        redisCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lengths.data()));
    std::string text = reply == nullptr                     ? std::string("no reply: ") + c->errstr
                       : reply->type == REDIS_REPLY_INTEGER ? std::to_string(reply->integer)
                       : reply->str != nullptr              ? std::string(reply->str, reply->len)
                                                            : std::string();
    freeReplyObject(reply);
    redisFree(c);
    return text;
  }

 private:
  static int FreePort() {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    int port = 0;
    if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
        getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      port = ntohs(addr.sin_port);
    }
    close(fd);
    return port;
  }

  Status Spawn() {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return Error(ErrorCode::kIo, "pipe2 failed");
    const std::string port = std::to_string(port_);
    const std::string dir = dir_.path().string();
    const pid_t pid = fork();
    if (pid < 0) return Error(ErrorCode::kIo, "fork failed");
    if (pid == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the test binary
      dup2(fds[1], 1);
      dup2(fds[1], 2);
      execlp("redis-server", "redis-server", "--port", port.c_str(), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", dir.c_str(), "--loglevel", "notice",
             static_cast<char*>(nullptr));
      _exit(127);
    }
    close(fds[1]);
    pid_ = pid;
    log_fd_ = fds[0];
    log_.clear();
    // Wait on the log: redis says "Ready to accept connections" once it listens.
    while (log_.find("Ready to accept connections") == std::string::npos) {
      pollfd p{log_fd_, POLLIN, 0};
      if (poll(&p, 1, 20000) <= 0) break;  // a bound on a hung server, not a pause
      char chunk[4096];
      const ssize_t n = read(log_fd_, chunk, sizeof(chunk));
      if (n <= 0) break;
      log_.append(chunk, static_cast<size_t>(n));
    }
    if (log_.find("Ready to accept connections") == std::string::npos ||
        Command({"PING"}) != "PONG") {
      Kill();
      return Error(ErrorCode::kUnavailable, "redis-server on port " + port + " failed: " + log_);
    }
    return {};
  }

  orchestra::testing::TempDir dir_;  // redis' working directory; nothing is saved there
  int port_ = 0;
  pid_t pid_ = -1;
  int log_fd_ = -1;
  std::string log_;
};

}  // namespace orchestra::ledger::testing
