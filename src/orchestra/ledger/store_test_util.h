#pragma once

// What the store tests share: a counter kept in an entry, child processes that report on a
// pipe, and the entries they start from.

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "orchestra/ledger/snapshot.h"
#include "orchestra/ledger/store.h"

namespace orchestra::ledger::testing {

// The seed's entry for `subnet_id` (SN1, SN13, SN22, ...).
inline LedgerEntry SeedEntry(std::string_view subnet_id) {
  auto seed = SeedSnapshot();
  if (!seed) throw std::runtime_error(seed.error().ToString());
  const LedgerEntry* entry = seed->Find(subnet_id);
  if (entry == nullptr) throw std::runtime_error("no seed entry " + std::string(subnet_id));
  return *entry;
}

// The tests count in `notes`, a free-text field the entry model never validates.
inline int64_t Counter(const LedgerEntry& entry) {
  return entry.notes.empty() ? 0 : std::strtoll(entry.notes.c_str(), nullptr, 10);
}

// An update that adds one to the counter of `subnet_id`, starting from its seed entry.
inline EntryUpdate Increment(std::string subnet_id) {
  return [subnet_id](std::optional<LedgerEntry> current) -> Result<LedgerEntry> {
    LedgerEntry next = current ? std::move(*current) : SeedEntry(subnet_id);
    next.notes = std::to_string(Counter(next) + 1);
    return next;
  };
}

// Writes `line` and a newline in one write(2): lines of up to PIPE_BUF bytes from several
// processes never interleave, and a line is either wholly in the pipe or not at all.
inline void WriteLine(int fd, std::string line) {
  line += '\n';
  if (write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) _exit(3);
}

// Reads newline-terminated lines from a pipe, blocking; nullopt once every writer is gone.
class LineReader {
 public:
  explicit LineReader(int fd) : fd_(fd) {}
  ~LineReader() { close(fd_); }
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // True when Next() would not block: a line, or the end, is there.
  bool Ready() {
    if (buffer_.find('\n') != std::string::npos) return true;
    pollfd p{fd_, POLLIN, 0};
    return poll(&p, 1, 0) > 0;
  }

  std::optional<std::string> Next() {
    for (;;) {
      const size_t newline = buffer_.find('\n');
      if (newline != std::string::npos) {
        std::string line = buffer_.substr(0, newline);
        buffer_.erase(0, newline + 1);
        return line;
      }
      char chunk[4096];
      const ssize_t n = read(fd_, chunk, sizeof(chunk));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return std::nullopt;
      buffer_.append(chunk, static_cast<size_t>(n));
    }
  }

 private:
  int fd_;
  std::string buffer_;
};

// A forked child that runs `body(write_fd)` and exits with its result, without running the
// parent's destructors or atexit handlers. The parent reads what it writes through reader().
// The child must open its own connections: none may cross the fork.
class Child {
 public:
  explicit Child(const std::function<int(int write_fd)>& body) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2");
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork");
    if (pid_ == 0) {
      close(fds[0]);
      _exit(body(fds[1]));
    }
    close(fds[1]);
    reader_.emplace(fds[0]);
  }
  ~Child() {
    if (!waited_) {
      kill(pid_, SIGKILL);
      Wait();
    }
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  LineReader& reader() { return *reader_; }
  void Kill() { kill(pid_, SIGKILL); }
  // The exit code, or 128 + the signal that ended the child.
  int Wait() {
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    waited_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

 private:
  pid_t pid_ = -1;
  bool waited_ = false;
  std::optional<LineReader> reader_;
};

}  // namespace orchestra::ledger::testing
