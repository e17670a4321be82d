// The server tests' fixture: the test school with passwords for its people, its projections, and a real
// ejournald on an ephemeral loopback port; and helpers for a WebSocket client's answers.
#pragma once

#include <catch2/catch.hpp>

#include <csignal>

#include <boost/json.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "ejournal/domain/passwords.h"
#include "ejournal/projections/catalog.h"
#include "school.h"
#include "server.h"
#include "ws_client.h"

namespace ejournal::servertest {

using namespace ejournal::domain;
namespace json = boost::json;

inline constexpr const char* kPassword = "Пароль-2024";

// The test school with passwords for its people, and a running server.
struct Fixture {
  testkit::School school;
  std::unique_ptr<projections::ProjectionHost> host;
  std::unique_ptr<server::Services> services;
  std::unique_ptr<server::Server> srv;

  explicit Fixture(server::ServerOptions options = {}) {
    std::signal(SIGPIPE, SIG_IGN);  // a client writing to a connection the server closed
    auto hash = hash_password(kPassword);
    REQUIRE(hash.ok());
    for (UserId u : {school.teacher_a, school.teacher_b, school.parent_a1, school.parent_b1, school.deputy, school.director,
                     school.student_a1})
      school.must(school.admin, cmd::IssueCredential{u, *hash, false});
    school.must(school.admin, cmd::IssueCredential{school.admin, *hash, true});  // one-time
    auto h = projections::ProjectionHost::start(school.log(), projections::all_projections());
    REQUIRE(h.ok());
    host = std::move(*h);
    services = std::make_unique<server::Services>(server::Services{school.log(), school.domain(), *host, school.vault()});
    options.port = 0;
    options.api.hashing_threads = 1;
    auto s = server::Server::start(*services, options);
    REQUIRE(s.ok());
    srv = std::move(*s);
  }
  ~Fixture() {
    srv.reset();
    host.reset();
  }
  std::uint16_t port() const { return srv->port(); }
  // Waits until the projections hold everything in the log: for tests that wrote through the domain
  // directly (a connection's own writes are waited for by the server itself).
  void settle() { host->wait_applied(school.log().head(), std::chrono::seconds(10)); }
};

inline bool ok(const json::value& answer) { return answer.at("ok").as_bool(); }
inline std::string code(const json::value& answer) {
  return ok(answer) ? std::string("ok") : std::string(answer.at("error").at("code").as_string());
}

inline json::value login(testkit::WsClient& c, const std::string& who, const std::string& password = kPassword) {
  return c.call("auth.login", json::object{{"login", who}, {"password", password}});
}

// A new connection to the fixture's server, signed in as `who`.
inline std::unique_ptr<testkit::WsClient> signed_in(const Fixture& f, const std::string& who) {
  auto c = std::make_unique<testkit::WsClient>(f.port());
  REQUIRE(ok(login(*c, who)));
  return c;
}


}  // namespace ejournal::servertest
