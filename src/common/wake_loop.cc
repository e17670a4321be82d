#include "ejournal/wake_loop.h"

namespace ejournal {

WakeLoop::WakeLoop(std::function<void()> step, AtStop at_stop)
    : step_(std::move(step)), at_stop_(at_stop), thread_([this] { run(); }) {}

WakeLoop::~WakeLoop() { stop(); }

void WakeLoop::wake() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    requested_ = true;
  }
  cv_.notify_one();
}

void WakeLoop::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void WakeLoop::run() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return requested_ || stopping_; });
    if (stopping_ && !(requested_ && at_stop_ == AtStop::finish_requested)) return;
    requested_ = false;
    lock.unlock();
    step_();
    lock.lock();
  }
}

}  // namespace ejournal
