// WorkerPool: bounded queue, every accepted job run once, stop() finishing what was accepted.
#include <atomic>
#include <condition_variable>
#include <mutex>

#include <catch2/catch.hpp>

#include "ejournal/worker_pool.h"

using ejournal::WorkerPool;

namespace {

// A job that holds its thread until released.
struct Gate {
  std::mutex mu;
  std::condition_variable cv;
  bool open = false;
  int entered = 0;
  void pass() {
    std::unique_lock lock(mu);
    ++entered;
    cv.notify_all();
    cv.wait(lock, [&] { return open; });
  }
  void wait_entered(int n) {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return entered >= n; });
  }
  void release() {
    std::lock_guard lock(mu);
    open = true;
    cv.notify_all();
  }
};

}  // namespace

TEST_CASE("a full queue refuses at once; every accepted job runs exactly once", "[common]") {
  Gate gate;
  std::atomic<int> ran{0};
  WorkerPool pool(1, 3);
  REQUIRE(pool.try_post([&] { gate.pass(); }));
  gate.wait_entered(1);  // the one thread is held: what follows waits in the queue
  for (int i = 0; i < 3; ++i) CHECK(pool.try_post([&] { ++ran; }));
  CHECK(pool.queued() == 3);
  CHECK_FALSE(pool.try_post([&] { ran += 100; }));  // the fourth would exceed the bound
  pool.post([&] { ++ran; });                        // a continuation is always taken
  CHECK(pool.queued() == 4);
  gate.release();
  pool.stop();
  CHECK(ran == 4);
}

TEST_CASE("stop() lets the threads finish what was queued, and refuses what comes after", "[common]") {
  Gate gate;
  std::atomic<int> ran{0};
  WorkerPool pool(2, 100);
  REQUIRE(pool.try_post([&] { gate.pass(); }));
  REQUIRE(pool.try_post([&] { gate.pass(); }));
  gate.wait_entered(2);
  for (int i = 0; i < 50; ++i) REQUIRE(pool.try_post([&] { ++ran; }));
  gate.release();
  pool.stop();
  CHECK(ran == 50);
  CHECK_FALSE(pool.try_post([&] { ++ran; }));
  pool.post([&] { ++ran; });  // after stop: runs on the caller's thread, never lost
  CHECK(ran == 51);
  pool.stop();  // idempotent
}
