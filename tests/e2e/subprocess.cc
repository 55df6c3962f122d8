#include "e2e/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace orchestra::testing {

namespace {

// Starts `argv` with stdin from /dev/null; *out_fd and *err_fd read its stdout and stderr.
pid_t Spawn(const std::vector<std::string>& argv, int* out_fd, int* err_fd) {
  int out_pipe[2], err_pipe[2];
  if (pipe(out_pipe) != 0 || pipe(err_pipe) != 0) throw std::runtime_error("pipe");
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork");
  if (pid == 0) {
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    close(out_pipe[0]);
    close(err_pipe[0]);
    int devnull = open("/dev/null", O_RDONLY);
    dup2(devnull, 0);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  *out_fd = out_pipe[0];
  *err_fd = err_pipe[0];
  return pid;
}

// Reads both descriptors until both end, handing every chunk to `sink(index, bytes)`.
template <typename Sink>
void ReadUntilClosed(int out_fd, int err_fd, Sink sink) {
  pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  int open_fds = 2;
  char buf[65536];
  while (open_fds > 0) {
    if (poll(fds, 2, -1) < 0) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const ssize_t n = read(fds[i].fd, buf, sizeof(buf));
      if (n > 0) {
        sink(i, std::string_view(buf, static_cast<size_t>(n)));
      } else {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
}

int ExitCodeOf(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : -1; }

}  // namespace

ProcessResult RunProcess(const std::vector<std::string>& argv) {
  int out_fd = -1, err_fd = -1;
  const pid_t pid = Spawn(argv, &out_fd, &err_fd);
  ProcessResult result;
  ReadUntilClosed(out_fd, err_fd, [&](int i, std::string_view bytes) {
    (i == 0 ? result.out : result.err).append(bytes);
  });
  int status = 0;
  waitpid(pid, &status, 0);
  result.exit_code = ExitCodeOf(status);
  return result;
}

BackgroundProcess::BackgroundProcess(const std::vector<std::string>& argv) {
  int out_fd = -1, err_fd = -1;
  pid_ = Spawn(argv, &out_fd, &err_fd);
  reader_ = std::thread([this, out_fd, err_fd] { Collect(out_fd, err_fd); });
}

BackgroundProcess::~BackgroundProcess() {
  if (!waited_) {
    kill(pid_, SIGKILL);
    Wait();
  }
}

void BackgroundProcess::Collect(int out_fd, int err_fd) {
  ReadUntilClosed(out_fd, err_fd, [this](int i, std::string_view bytes) {
    std::lock_guard lock(mu_);
    (i == 0 ? out_ : err_).append(bytes);
    changed_.notify_all();
  });
  std::lock_guard lock(mu_);
  closed_ = true;
  changed_.notify_all();
}

std::string BackgroundProcess::WaitForLine(std::string_view needle,
                                           std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  std::string line;
  changed_.wait_for(lock, timeout, [&] {
    for (size_t start = 0, end; (end = out_.find('\n', start)) != std::string::npos;
         start = end + 1) {
      std::string_view candidate(out_.data() + start, end - start);
      if (candidate.find(needle) != std::string_view::npos) {
        line = std::string(candidate);
        return true;
      }
    }
    return closed_;
  });
  return line;
}

bool BackgroundProcess::WaitForStderr(std::string_view needle, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  bool found = false;
  changed_.wait_for(lock, timeout, [&] {
    found = err_.find(needle) != std::string::npos;
    return found || closed_;
  });
  return found;
}

void BackgroundProcess::Signal(int signal) { kill(pid_, signal); }

ProcessResult BackgroundProcess::Wait() {
  if (!waited_) {
    int status = 0;
    waitpid(pid_, &status, 0);
    exit_code_ = ExitCodeOf(status);
    waited_ = true;
    reader_.join();
  }
  std::lock_guard lock(mu_);
  return ProcessResult{exit_code_, out_, err_};
}

std::string OrchestraBinary() {
  const char* bin = std::getenv("ORCHESTRA_BIN");
  return bin ? bin : "build/orchestra";
}

TempDir::TempDir() {
  char tmpl[] = "/tmp/orchestra-e2e-XXXXXX";
  path_ = mkdtemp(tmpl);
}

TempDir::~TempDir() { std::filesystem::remove_all(path_); }

}  // namespace orchestra::testing
