// Server: the network side of ejournald — one port for HTTP (the web client's files, /healthz, /metrics) and
// the WebSocket protocol at /ws — on an Asio io_context run by `threads` threads, a strand per connection.
// Beast and Asio stay inside net.cc; this header is cheap to include.
//
// Limits (every one explicit): frame size (a bigger message closes the connection with 1009), open
// connections (more are answered 503), bytes queued for a client that does not read (past it, the client is
// disconnected), idle time without a frame, HTTP request size and time.
// Thread-safety: start() once; stop() from any thread (a signal handler's thread included), once.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "api.h"
#include "services.h"

namespace ejournal::server {

struct ServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8080;           // 0: any free port (tests)
  std::string web_root;                // "" : no static files
  unsigned threads = 2;
  std::size_t max_frame_bytes = 1 << 20;
  std::size_t max_connections = 2'000;
  std::size_t max_queued_bytes = 8 << 20;
  std::chrono::seconds idle_timeout{300};
  ApiOptions api;
};

class Server {
 public:
  static Result<std::unique_ptr<Server>> start(Services& services, ServerOptions options);
  ~Server();
  std::uint16_t port() const;
  // Stops accepting, refuses new requests, waits for those in flight (up to 10 s), closes every connection
  // and returns once the network threads have finished.
  void stop();
  // Blocks until stop() has finished (from another thread) — for main().
  void wait();
  Metrics& metrics();

 private:
  struct Impl;
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ejournal::server
