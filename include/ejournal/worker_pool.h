// WorkerPool: a few threads taking jobs from one queue, in order, with an explicit bound on what may wait.
//
// Contract
//  - try_post() queues a job unless `max_queued` already wait; it never blocks. A refused job is dropped
//    (the caller answers "busy"); an accepted one runs exactly once, on one of the pool's threads — stop()
//    included: the threads finish every job queued before they exit, so nothing accepted goes unanswered.
//  - post() queues a job whatever the queue's length: for the continuation of work already accepted (a
//    bound there would drop an answer half given).
//  - A job must not throw (an exception escaping it terminates the process, as from any thread).
//  - stop() (and the destructor) lets the threads finish what is queued and joins them; posts after it are
//    refused (try_post false; post runs the job at once on the caller's thread). Idempotent.
//
// Thread-safety: every method may be called from any thread, including from inside a job (not stop()).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace ejournal {

class WorkerPool {
 public:
  // `threads` at least 1.
  WorkerPool(unsigned threads, std::size_t max_queued);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  bool try_post(std::function<void()> job);
  void post(std::function<void()> job);
  void stop();

  std::size_t queued() const;        // jobs waiting now
  std::size_t max_queued() const { return max_queued_; }

 private:
  void run();

  const std::size_t max_queued_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace ejournal
