// Hub: subscriptions and pushes. A client subscribes to a journal (class, group, subject), a student's diary,
// the audit stream or the control data; rights are checked when it subscribes (api.cc). A thread of the hub
// follows the log (its commit signal), waits until the projections have applied each new record — so a client
// that re-reads after a push sees the change — and sends every matching subscriber one push per record.
// Personal data never travels in a push: only the fact that a record changed.
// Thread-safety: all methods are safe from any thread.
#pragma once

#include <cstdint>
#include <memory>

#include "client.h"
#include "metrics.h"
#include "services.h"

namespace ejournal::server {

struct Topic {
  enum class Kind { journal, diary, audit, control } kind = Kind::journal;
  domain::ClassId class_id = 0;
  domain::GroupId group = 0;
  domain::SubjectId subject = 0;
  domain::UserId student = 0;
};

class Hub {
 public:
  Hub(Services& services, Metrics& metrics);
  ~Hub();
  Hub(const Hub&) = delete;
  Hub& operator=(const Hub&) = delete;

  // Returns the subscription's id (unique within the server).
  // Stops the thread that sends pushes. Idempotent.
  void stop();

  std::uint64_t subscribe(const std::shared_ptr<Client>& client, const Topic& topic);
  bool unsubscribe(const Client* client, std::uint64_t id);
  void forget(const Client* client);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace ejournal::server
