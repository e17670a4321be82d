// WakeLoop: one thread that runs a step each time it is woken — the shape of the projection host's follower,
// snapshot writer and reaper and of the domain's snapshot writer, written once.
//
// Contract
//  - wake() asks for one more run of `step`; it never blocks. Wakes that come while a run is waiting or in
//    progress fold into one run after it (a step does all the work there is, so no request is lost).
//  - `step` runs only on the loop's thread, one run at a time. It must not throw.
//  - stop() (and the destructor) lets a run in progress finish and, when `finish_requested` was given at
//    construction, also the run a wake() asked for before stop(); then it joins the thread. Wakes after
//    stop() do nothing. Idempotent. Not from inside `step`.
//
// Thread-safety: wake() and stop() may be called from any thread.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace ejournal {

class WakeLoop {
 public:
  enum class AtStop { drop_requested, finish_requested };

  explicit WakeLoop(std::function<void()> step, AtStop at_stop = AtStop::drop_requested);
  ~WakeLoop();
  WakeLoop(const WakeLoop&) = delete;
  WakeLoop& operator=(const WakeLoop&) = delete;

  void wake();
  void stop();

 private:
  void run();

  const std::function<void()> step_;
  const AtStop at_stop_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool requested_ = false;
  bool stopping_ = false;
  std::thread thread_;  // last: it starts once the rest is made
};

}  // namespace ejournal
