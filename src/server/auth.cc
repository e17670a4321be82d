#include "auth.h"

#include <sodium.h>

#include <algorithm>

namespace ejournal::server {
namespace {

std::string hex(const unsigned char* p, std::size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (std::size_t i = 0; i < n; ++i) {
    out += digits[p[i] >> 4];
    out += digits[p[i] & 15];
  }
  return out;
}

std::string token_hash(const std::string& token) {
  unsigned char h[32];
  crypto_generichash(h, sizeof h, reinterpret_cast<const unsigned char*>(token.data()), token.size(), nullptr, 0);
  return std::string(reinterpret_cast<const char*>(h), sizeof h);
}

}  // namespace

std::string Sessions::create(domain::UserId user) {
  unsigned char raw[32];
  randombytes_buf(raw, sizeof raw);
  const std::string token = hex(raw, sizeof raw);
  std::lock_guard lock(mu_);
  const auto now = Clock::now();
  for (auto it = by_hash_.begin(); it != by_hash_.end();) it = it->second.expires < now ? by_hash_.erase(it) : std::next(it);
  by_hash_[token_hash(token)] = Entry{user, now + idle_};
  return token;
}

std::optional<domain::UserId> Sessions::resume(const std::string& token) {
  if (token.size() != 64) return std::nullopt;
  std::lock_guard lock(mu_);
  auto it = by_hash_.find(token_hash(token));
  if (it == by_hash_.end()) return std::nullopt;
  const auto now = Clock::now();
  if (it->second.expires < now) {
    by_hash_.erase(it);
    return std::nullopt;
  }
  it->second.expires = now + idle_;
  return it->second.user;
}

std::optional<domain::UserId> Sessions::peek(const std::string& token) {
  if (token.size() != 64) return std::nullopt;
  std::lock_guard lock(mu_);
  auto it = by_hash_.find(token_hash(token));
  if (it == by_hash_.end() || it->second.expires < Clock::now()) return std::nullopt;
  return it->second.user;
}

void Sessions::revoke(const std::string& token) {
  std::lock_guard lock(mu_);
  by_hash_.erase(token_hash(token));
}

void Sessions::revoke_user(domain::UserId user) {
  std::lock_guard lock(mu_);
  std::erase_if(by_hash_, [&](const auto& kv) { return kv.second.user == user; });
}

Throttle::Verdict Throttle::begin(const std::string& login, const std::string& address) {
  std::lock_guard lock(mu_);
  const auto now = Clock::now();
  Verdict v;
  for (const auto* table : {&logins_, &addresses_}) {
    auto it = table->find(table == &logins_ ? login : address);
    if (it == table->end()) continue;
    const Record& r = it->second;
    if (r.locked_until > now) {
      v.allowed = false;
      v.locked = true;
    }
    if (r.next_try > now) {
      v.allowed = false;
      v.retry_after = std::max(v.retry_after, std::chrono::ceil<std::chrono::seconds>(r.next_try - now));
    }
  }
  if (v.allowed && (pending_logins_[login] >= 1 || pending_addresses_[address] >= max_pending_per_address)) {
    v.allowed = false;
    v.in_flight = true;
    v.retry_after = std::chrono::seconds(1);
  }
  if (v.allowed) {
    ++pending_logins_[login];
    ++pending_addresses_[address];
  } else {  // (operator[] above may have made empty entries)
    if (pending_logins_[login] == 0) pending_logins_.erase(login);
    if (pending_addresses_[address] == 0) pending_addresses_.erase(address);
  }
  return v;
}

void Throttle::end(const std::string& login, const std::string& address, Outcome outcome) {
  std::lock_guard lock(mu_);
  if (auto it = pending_logins_.find(login); it != pending_logins_.end() && --it->second <= 0) pending_logins_.erase(it);
  if (auto it = pending_addresses_.find(address); it != pending_addresses_.end() && --it->second <= 0) pending_addresses_.erase(it);
  if (outcome == Outcome::failed) {
    prune();
    fail(logins_[login]);
    Record& a = addresses_[address];
    // An address may host a whole school behind NAT: it is slowed, never locked.
    fail(a);
    a.locked_until = {};
  } else if (outcome == Outcome::succeeded) {
    logins_.erase(login);
    addresses_.erase(address);
  }
}

void Throttle::prune() {
  // Someone trying many logins must not grow the tables without bound: forget records that no longer slow
  // anyone down (their count restarts, which costs the guesser a few free tries, not the lock).
  const auto now = Clock::now();
  for (auto* table : {&logins_, &addresses_})
    if (table->size() > kMaxRecords)
      std::erase_if(*table, [&](const auto& kv) { return kv.second.next_try <= now && kv.second.locked_until <= now; });
}

void Throttle::fail(Record& r) {
  ++r.failures;
  const auto now = Clock::now();
  if (r.failures > free_failures) {
    const int doublings = std::min(r.failures - free_failures, 8);
    r.next_try = now + std::chrono::seconds(std::min(1 << doublings, 300));
  }
  if (r.failures >= lock_after) r.locked_until = now + std::chrono::hours(1);
}

void Throttle::unlock(const std::string& login) {
  std::lock_guard lock(mu_);
  logins_.erase(login);
}

}  // namespace ejournal::server
