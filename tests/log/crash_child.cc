// Helper process for the crash and lock tests.
//   crash_child append DIR START   appends sample commands START, START+1, … from 8 threads forever, printing
//                                  "INDEX POSITION" on stdout for each one the log acknowledged as durable
//   crash_child hold DIR           opens the log, prints "ready", and waits to be killed
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "testkit.h"

using namespace ejournal;

int main(int argc, char** argv) {
  if (argc < 3) return 2;
  const std::string mode = argv[1];
  auto log = log::open_event_log(argv[2]);
  if (!log.ok()) {
    std::fprintf(stderr, "crash_child: %s\n", log.status().to_string().c_str());
    return 1;
  }
  if (mode == "hold") {
    const char ready[] = "ready\n";
    if (::write(STDOUT_FILENO, ready, sizeof ready - 1) < 0) return 1;
    for (;;) ::pause();
  }
  if (mode != "append" || argc < 4) return 2;
  const std::uint64_t start = std::strtoull(argv[3], nullptr, 10);
  constexpr unsigned kThreads = 8;
  std::mutex out_mu;
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (std::uint64_t k = 0;; ++k) {
        const std::uint64_t index = start + t + k * kThreads;
        auto r = (*log)->append(testkit::sample_command(index));
        if (!r.ok()) {
          std::fprintf(stderr, "crash_child: %s\n", r.status().to_string().c_str());
          std::_Exit(1);
        }
        char line[64];
        const int n = std::snprintf(line, sizeof line, "%llu %llu\n", static_cast<unsigned long long>(index),
                                    static_cast<unsigned long long>(r->first));
        std::lock_guard lock(out_mu);
        if (::write(STDOUT_FILENO, line, static_cast<std::size_t>(n)) < 0) std::_Exit(1);
      }
    });
  }
  for (auto& th : threads) th.join();
}
