// Api: the JSON protocol (docs/protocol.md) over any transport that delivers text frames.
//
// A request {"id":…, "op":"…", "args":{…}} gets exactly one answer with the same id: {"ok":true,"result":…} or
// {"ok":false,"error":{"code":…,"message":…}}. Before sign-in only auth.* works. Commands go to the Domain
// (their answer is sent once the events are durable); queries read the projections (under the host's shared
// lock, so they see a whole batch of applied records or none of it). Nothing slow runs on the caller's
// (network) thread: queries run on two pools of their own — quick ones, and as_of/report/verify ones that
// may take seconds — and password hashing on a third; each pool's queue is bounded, and past it the answer
// is `busy` at once. A query waits for its connection's own writes to be applied without holding a thread.
// Thread-safety: handle() and closed() may be called from any thread, concurrently.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "client.h"
#include "metrics.h"
#include "services.h"

namespace ejournal::server {

struct ApiOptions {
  std::chrono::seconds session_idle{12 * 3600};
  double requests_per_second = 200;  // per connection, sustained
  double request_burst = 400;        // per connection, at once
  int free_login_failures = 3;
  int lock_after_failures = 10;
  unsigned hashing_threads = 2;      // Argon2id: ~0.1 s and 64 MiB each
  std::size_t max_hashing_queue = 64;  // sign-ins and password changes waiting for a hashing thread; more: busy
  unsigned query_threads = 2;          // quick queries (journal pages, diaries, lists)
  std::size_t max_query_queue = 1024;  // quick queries waiting for a thread; more: busy
  unsigned slow_query_threads = 1;     // as_of queries, report.make, verify.digest
  std::size_t max_slow_query_queue = 64;
};

// Every operation name the protocol answers (docs/protocol.md lists each), sorted: auth.*, subscriptions,
// the domain's commands, the queries, the backup operations.
std::vector<std::string> protocol_operations();

class Api {
 public:
  Api(Services& services, Metrics& metrics, ApiOptions options);
  ~Api();
  Api(const Api&) = delete;
  Api& operator=(const Api&) = delete;

  void handle(const std::shared_ptr<Client>& client, std::string_view text);
  // The connection is gone: its subscriptions end.
  void closed(const std::shared_ptr<Client>& client);
  // For the fuzzer and tools that drive the Api without a password (never reachable from the protocol): a new
  // session of `user`, as a sign-in would make, and whether a token's session still lives (without using it).
  std::string open_session(domain::UserId user);
  bool session_live(const std::string& token) const;

  // Refuses new requests with `unavailable`, waits (up to `timeout`) for those in flight to be answered, then
  // stops the hashing threads and the hub: after it returns, nothing of the Api sends to a client. Idempotent.
  void stop(std::chrono::milliseconds timeout);

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace ejournal::server
