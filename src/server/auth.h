// Sessions and sign-in throttling for the protocol's auth.* operations.
//
// Sessions: a random 256-bit token (hex) is handed to the client once; the server keeps only its BLAKE2b
// hash, the user and an expiry that slides forward on each use (idle timeout). Tokens live in memory: a
// restart signs everyone out (they sign in again; nothing else is lost).
//
// Throttle: failed sign-ins are counted per login and per address. After `free_failures` failures each
// further attempt must wait 2^(n - free_failures) seconds (at most 5 minutes); after `lock_after` failures a
// login is locked until an administrator lifts it (auth.unlock) or it signs in after the lock's hour passes.
// Failures count once the password has been checked, so attempts still being checked count too: one at a
// time per login and at most `max_pending_per_address` per address (a school behind one NAT address signs
// in many people at once) — otherwise a client sending hundreds of sign-ins at once would have them all
// checked before its first failure counted.
// Thread-safety: all methods are safe from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "ejournal/domain/types.h"

namespace ejournal::server {

using Clock = std::chrono::steady_clock;

class Sessions {
 public:
  explicit Sessions(std::chrono::seconds idle) : idle_(idle) {}
  std::string create(domain::UserId user);
  // The token's user while its session lives, sliding its expiry; nullopt once it ended (expired, revoked).
  // Every request of a signed-in connection comes through here, so that a session ended anywhere ends on
  // every connection that holds it.
  std::optional<domain::UserId> resume(const std::string& token);
  // The same without counting as use (pushes are not the user's activity).
  std::optional<domain::UserId> peek(const std::string& token);
  void revoke(const std::string& token);
  void revoke_user(domain::UserId user);

 private:
  std::mutex mu_;
  std::chrono::seconds idle_;
  struct Entry {
    domain::UserId user;
    Clock::time_point expires;
  };
  std::map<std::string, Entry> by_hash_;
};

class Throttle {
 public:
  struct Verdict {
    bool allowed = true;
    bool locked = false;
    bool in_flight = false;  // refused because attempts of this login or address are still being checked
    std::chrono::seconds retry_after{0};
  };
  // Whether an attempt may be checked now; when it may, it is counted as in flight until end().
  Verdict begin(const std::string& login, const std::string& address);
  // What a checked attempt turned out to be: a wrong password (counted against the login and the address),
  // a right one (both forgotten), or nothing to count (not checked after all, or a blocked account).
  enum class Outcome { none, failed, succeeded };
  // Every attempt begin() allowed ends here, whatever its outcome, and in the same step its outcome is
  // counted: no attempt can begin between the two (one that did would be checked before this failure
  // slowed it).
  void end(const std::string& login, const std::string& address, Outcome outcome);
  void unlock(const std::string& login);

  int free_failures = 3;
  int lock_after = 10;
  int max_pending_per_address = 8;

 private:
  struct Record {
    int failures = 0;
    Clock::time_point next_try{};
    Clock::time_point locked_until{};
  };
  void fail(Record& r);
  void prune();  // REQUIRES: mu_ held
  static constexpr std::size_t kMaxRecords = 100'000;
  std::mutex mu_;
  std::map<std::string, Record> logins_, addresses_;
  std::map<std::string, int> pending_logins_, pending_addresses_;
};

}  // namespace ejournal::server
