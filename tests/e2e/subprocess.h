#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace orchestra::testing {

struct ProcessResult {
  int exit_code = -1;  // -1 when killed by a signal
  std::string out;
  std::string err;
};

// Runs `argv` (argv[0] is a path) to completion, capturing stdout and stderr.
ProcessResult RunProcess(const std::vector<std::string>& argv);

// A process running in the background (a daemon under test), its stdout and stderr collected
// as they arrive.
class BackgroundProcess {
 public:
  explicit BackgroundProcess(const std::vector<std::string>& argv);
  ~BackgroundProcess();  // kills the process if it still runs
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  // The first stdout line containing `needle`, waiting for it up to `timeout`; "" when the
  // process ended or the time ran out first.
  std::string WaitForLine(std::string_view needle, std::chrono::milliseconds timeout);
  // Whether stderr contains `needle` by `timeout` (false when the process ended without it).
  bool WaitForStderr(std::string_view needle, std::chrono::milliseconds timeout);
  void Signal(int signal);
  // Waits for the process to end; everything it wrote.
  ProcessResult Wait();

 private:
  void Collect(int out_fd, int err_fd);

  pid_t pid_ = -1;
  std::thread reader_;
  std::mutex mu_;
  std::condition_variable changed_;
  std::string out_, err_;  // guarded by mu_
  bool closed_ = false;    // guarded by mu_: both pipes reached end of file
  bool waited_ = false;
  int exit_code_ = -1;
};

// The orchestra binary under test ($ORCHESTRA_BIN).
std::string OrchestraBinary();

// A fresh temporary directory, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace orchestra::testing
