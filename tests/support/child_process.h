// Runs a helper program with its stdout on a pipe, and can kill it: for the crash, lock and backup tests.
// Test-only.
#pragma once

#include <string>
#include <vector>

namespace ejournal::testkit {

class ChildProcess {
 public:
  // Starts `program` with `args`; its stdout is readable through read_some()/read_line().
  ChildProcess(const std::string& program, const std::vector<std::string>& args);
  ~ChildProcess();  // kills and reaps it if still running
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Appends whatever the child wrote within `timeout_ms` to `out`. False at end of output.
  bool read_some(std::string& out, int timeout_ms);
  // Reads until a full line arrives (without '\n'), or returns false at end of output / timeout.
  bool read_line(std::string& line, int timeout_ms);
  void kill_hard();       // SIGKILL
  void terminate();       // SIGTERM: a clean stop
  int wait();             // reaps; returns the exit status as from waitpid

 private:
  int pid_ = -1;
  int fd_ = -1;
  std::string buffered_;
};

}  // namespace ejournal::testkit
