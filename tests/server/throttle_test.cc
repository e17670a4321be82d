// The sign-in throttle's counting (auth.h): how many guesses from one address are ever checked, and when.
#include <catch2/catch.hpp>
#include <string>

#include "auth.h"

using ejournal::server::Throttle;

TEST_CASE("guesses from one address: 8 checked at once, 3 fail freely, then none is checked until the wait passes", "[server][auth]") {
  Throttle t;  // free_failures 3, max_pending_per_address 8
  const std::string address = "192.0.2.7";
  int begun = 0, next = 0;
  std::vector<std::string> in_flight;
  const auto try_one = [&] {
    const std::string login = "guess." + std::to_string(next++);
    const Throttle::Verdict v = t.begin(login, address);
    if (!v.allowed) return false;
    ++begun;
    in_flight.push_back(login);
    return true;
  };
  // A client sends guesses as fast as it can: eight are checked at once, the ninth waits for one of them.
  for (int i = 0; i < 8; ++i) REQUIRE(try_one());
  const Throttle::Verdict ninth = t.begin("guess.x", address);
  CHECK_FALSE(ninth.allowed);
  CHECK(ninth.in_flight);
  // Each check fails; after each, the client tries again at once.
  while (!in_flight.empty()) {
    const std::string login = in_flight.front();
    in_flight.erase(in_flight.begin());
    t.end(login, address, Throttle::Outcome::failed);
    try_one();
  }
  // Three failures are free, so three more were checked; from the fourth on, the address waits (2 s, 4 s …
  // up to 5 minutes) and the guesses sent meanwhile are refused unchecked.
  CHECK(begun == 8 + 3);
  const Throttle::Verdict later = t.begin("guess.y", address);
  CHECK_FALSE(later.allowed);
  CHECK(later.retry_after.count() >= 2);
  // Another address is not slowed by this one's failures.
  CHECK(t.begin("someone", "192.0.2.8").allowed);
}

TEST_CASE("a right password forgets the login's and the address's failures; an unchecked attempt counts nothing", "[server][auth]") {
  Throttle t;
  for (int i = 0; i < 3; ++i) {
    REQUIRE(t.begin("teacher", "192.0.2.9").allowed);
    t.end("teacher", "192.0.2.9", Throttle::Outcome::failed);
  }
  REQUIRE(t.begin("teacher", "192.0.2.9").allowed);
  t.end("teacher", "192.0.2.9", Throttle::Outcome::none);  // refused before hashing (a full queue): not a failure
  REQUIRE(t.begin("teacher", "192.0.2.9").allowed);
  t.end("teacher", "192.0.2.9", Throttle::Outcome::succeeded);
  for (int i = 0; i < 3; ++i) {  // three free failures again
    REQUIRE(t.begin("teacher", "192.0.2.9").allowed);
    t.end("teacher", "192.0.2.9", Throttle::Outcome::failed);
  }
  REQUIRE(t.begin("teacher", "192.0.2.9").allowed);
  t.end("teacher", "192.0.2.9", Throttle::Outcome::failed);
  CHECK_FALSE(t.begin("teacher", "192.0.2.9").allowed);
}
