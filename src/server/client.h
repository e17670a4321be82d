// Client: one connection as the protocol layer sees it — a way to send text frames, its address, its signed-in
// user and its request budget. The network layer (net.cc) implements send(); the protocol (api.cc) owns the rest.
// Thread-safety: send() from any thread; the session fields are guarded by `mu`.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

#include "ejournal/domain/types.h"

namespace ejournal::server {

class Client {
 public:
  virtual ~Client() = default;
  // Queues a text frame. Past the connection's cap on queued bytes the client is disconnected instead.
  virtual void send(std::string text) = 0;
  virtual const std::string& address() const = 0;

  std::mutex mu;
  domain::UserId user = 0;            // 0: not signed in
  std::string token;
  bool must_change_password = false;  // signed in with a one-time password: only auth.* until changed
  std::uint64_t last_write = 0;       // log position of this connection's newest acknowledged write

  // Token bucket for requests per second.
  double tokens = 0;
  std::chrono::steady_clock::time_point refilled{};
};

}  // namespace ejournal::server
