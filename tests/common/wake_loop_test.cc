// WakeLoop (include/ejournal/wake_loop.h): wakes fold into runs, no wake is lost, and stop() finishes what it
// promises to.
#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include <catch2/catch.hpp>

#include "ejournal/wake_loop.h"

using namespace ejournal;

namespace {

// A step that counts its runs and, on its first, waits until released (so that wakes come while it runs).
struct BlockingStep {
  std::atomic<int> runs{0};
  std::promise<void> started;
  std::promise<void> release;
  std::shared_future<void> released{release.get_future().share()};
  void operator()() {
    if (runs.fetch_add(1) == 0) {
      started.set_value();
      released.wait();
    }
  }
};

// Waits (boundedly) until `pred` holds.
template <typename Pred>
bool eventually(Pred pred) {
  for (int i = 0; i < 1000 && !pred(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  return pred();
}

}  // namespace

TEST_CASE("wakes during a run fold into one more run, and none is lost", "[common][wake_loop]") {
  BlockingStep step;
  auto started = step.started.get_future();
  WakeLoop loop([&] { step(); });
  loop.wake();
  started.wait();
  for (int i = 0; i < 50; ++i) loop.wake();  // while the first run waits
  step.release.set_value();
  CHECK(eventually([&] { return step.runs.load() == 2; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK(step.runs.load() == 2);  // fifty wakes, one run
  loop.wake();
  CHECK(eventually([&] { return step.runs.load() == 3; }));
}

TEST_CASE("stop finishes the run in progress, and the one asked for only when told to", "[common][wake_loop]") {
  for (const auto at_stop : {WakeLoop::AtStop::finish_requested, WakeLoop::AtStop::drop_requested}) {
    BlockingStep step;
    auto started = step.started.get_future();
    WakeLoop loop([&] { step(); }, at_stop);
    loop.wake();
    started.wait();
    loop.wake();  // asked for while the first run is in progress
    std::thread stopper([&] { loop.stop(); });
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // stop() is waiting for the run
    step.release.set_value();
    stopper.join();
    CHECK(step.runs.load() == (at_stop == WakeLoop::AtStop::finish_requested ? 2 : 1));
    loop.wake();  // after stop: nothing
    loop.stop();  // idempotent
    CHECK(step.runs.load() == (at_stop == WakeLoop::AtStop::finish_requested ? 2 : 1));
  }
}
