// Hub: subscriptions and pushes. A client subscribes to a journal (class, group, subject), a student's diary,
// the audit stream or the control data; rights are checked when it subscribes (api.cc), and again before
// pushes are sent: a thread of the hub follows the log (its commit signal), waits until the projections have
// applied each new record — so a client that re-reads after a push sees the change — and asks the `Permit`
// once per batch of records whether each matching subscriber may still receive its topic. A subscriber whose
// session ended (sign-out, expiry, a password reset, a blocked account) loses every subscription, one whose
// rights ended (an assignment, a parent link, a role) loses that one; either gets one
// {"push":"closed","subscription":N,"reason":"signed_out"|"forbidden"} and nothing more. Otherwise it gets one
// push per matching record. Personal data never travels in a push: only the fact that a record changed.
// Thread-safety: all methods are safe from any thread.
#pragma once

#include <cstdint>
#include <functional>
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
  enum class Verdict { allowed, forbidden, signed_out };
  // Called on the hub's thread, with no projection lock held; it may read projections.
  using Permit = std::function<Verdict(Client& client, const Topic& topic)>;

  Hub(Services& services, Metrics& metrics, Permit permit);
  ~Hub();
  Hub(const Hub&) = delete;
  Hub& operator=(const Hub&) = delete;

  // Stops the thread that sends pushes. Idempotent.
  void stop();

  // Returns the subscription's id (unique within the server).
  std::uint64_t subscribe(const std::shared_ptr<Client>& client, const Topic& topic);
  bool unsubscribe(const Client* client, std::uint64_t id);
  // Ends every subscription of `client` (it signed out, or its connection closed).
  void forget(const Client* client);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace ejournal::server
