// ejournald end to end: a real log, domain, projections and server on an ephemeral loopback port, and a
// WebSocket client speaking the protocol (docs/protocol.md).
#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include "ejournal/domain/passwords.h"
#include "ejournal/projections/catalog.h"
#include "school.h"
#include "server.h"
#include "ws_client.h"

using namespace ejournal;
using namespace ejournal::domain;
namespace json = boost::json;

namespace {

constexpr const char* kPassword = "Пароль-2024";

// The test school with passwords for its people, and a running server.
struct Fixture {
  testkit::School school;
  std::unique_ptr<projections::ProjectionHost> host;
  std::unique_ptr<server::Services> services;
  std::unique_ptr<server::Server> srv;

  explicit Fixture(server::ServerOptions options = {}) {
    auto hash = hash_password(kPassword);
    REQUIRE(hash.ok());
    for (UserId u : {school.teacher_a, school.teacher_b, school.parent_a1, school.parent_b1, school.deputy})
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
};

bool ok(const json::value& answer) { return answer.at("ok").as_bool(); }
std::string code(const json::value& answer) {
  return ok(answer) ? std::string("ok") : std::string(answer.at("error").at("code").as_string());
}

json::value login(testkit::WsClient& c, const std::string& who, const std::string& password = kPassword) {
  return c.call("auth.login", json::object{{"login", who}, {"password", password}});
}

}  // namespace

TEST_CASE("sign-in: a wrong password is refused, a right one opens a session, a one-time one must be changed", "[server]") {
  Fixture f;
  testkit::WsClient c(f.port());
  CHECK(code(c.call("me", json::object{})) == "forbidden");  // nothing but auth.* before sign-in
  CHECK(code(login(c, "teacher.a", "wrong-password-1")) == "forbidden");
  CHECK(code(login(c, "nobody", kPassword)) == "forbidden");
  const json::value in = login(c, "teacher.a");
  REQUIRE(ok(in));
  const std::string token(in.at("result").at("token").as_string());
  CHECK(token.size() == 64);
  CHECK(in.at("result").at("account").at("user").as_int64() == f.school.teacher_a);
  CHECK(ok(c.call("me", json::object{})));

  // The session resumes on another connection with its token, and ends with logout.
  testkit::WsClient c2(f.port());
  REQUIRE(ok(c2.call("auth.resume", json::object{{"token", token}})));
  CHECK(ok(c2.call("me", json::object{})));
  CHECK(ok(c2.call("auth.logout", json::object{})));
  CHECK(code(c2.call("me", json::object{})) == "forbidden");
  CHECK(code(c2.call("auth.resume", json::object{{"token", token}})) == "forbidden");

  // A one-time password signs in, but only auth.* works until it is changed.
  testkit::WsClient a(f.port());
  const json::value first = login(a, "admin");
  REQUIRE(ok(first));
  CHECK(first.at("result").at("account").at("must_change_password").as_bool());
  CHECK(code(a.call("stats.summary", json::object{})) == "forbidden");
  CHECK(code(a.call("auth.change_password", json::object{{"old_password", kPassword}, {"new_password", "short"}})) == "invalid_argument");
  REQUIRE(ok(a.call("auth.change_password", json::object{{"old_password", kPassword}, {"new_password", "Новый-пароль-7"}})));
  CHECK(ok(a.call("stats.summary", json::object{})));
}

TEST_CASE("failed sign-ins are slowed down and then locked until the administrator lifts the lock", "[server]") {
  server::ServerOptions o;
  o.api.free_login_failures = 1;
  o.api.lock_after_failures = 3;
  Fixture f(o);
  testkit::WsClient c(f.port());
  CHECK(code(login(c, "teacher.b", "wrong-1")) == "forbidden");
  CHECK(code(login(c, "teacher.b", "wrong-2")) == "forbidden");
  CHECK(code(login(c, "teacher.b", kPassword)) == "busy");  // must wait now, even with the right password
}

TEST_CASE("malformed requests get a clear error and the connection stays usable", "[server]") {
  Fixture f;
  testkit::WsClient c(f.port());
  REQUIRE(ok(login(c, "teacher.a")));
  CHECK(code(c.raw("this is not json")) == "invalid_argument");
  CHECK(code(c.raw("[1,2,3]")) == "invalid_argument");
  CHECK(code(c.raw(R"({"op":"me"})")) == "invalid_argument");                 // no id
  CHECK(code(c.raw(R"({"id":1})")) == "invalid_argument");                    // no op
  CHECK(code(c.raw(R"({"id":1,"op":"me","args":[]})")) == "invalid_argument"); // args not an object
  CHECK(code(c.call("no.such.op", json::object{})) == "not_found");
  const json::value wrong_type = c.call("set_mark", json::object{{"lesson", "первый"}, {"student", 1}, {"value", 5}, {"work_type", 1}}, "cmd-wrong-type");
  CHECK(code(wrong_type) == "invalid_argument");
  CHECK(std::string(wrong_type.at("error").at("message").as_string()).find("lesson") != std::string::npos);
  CHECK(code(c.call("set_mark", json::object{{"lesson", f.school.lesson_5a}, {"student", f.school.student_a2}, {"value", 9}, {"work_type", 1}},
                    "cmd-bad-value")) == "invalid_argument");
  CHECK(code(c.call("set_mark", json::object{{"lesson", f.school.lesson_5a}, {"student", f.school.student_a2}, {"value", 4}, {"work_type", 1}})) ==
        "invalid_argument");  // a write without a command id
  CHECK(ok(c.call("me", json::object{})));
}

TEST_CASE("a teacher's mark reaches the subscribed parent and not another parent, and a retry is idempotent", "[server]") {
  Fixture f;
  auto& s = f.school;
  testkit::WsClient teacher(f.port()), parent_a(f.port()), parent_b(f.port()), other_teacher(f.port());
  REQUIRE(ok(login(teacher, "teacher.a")));
  REQUIRE(ok(login(parent_a, "p" + std::to_string(s.parent_a1))));
  REQUIRE(ok(login(parent_b, "p" + std::to_string(s.parent_b1))));
  REQUIRE(ok(login(other_teacher, "teacher.b")));

  // A parent may follow only their own child's diary.
  CHECK(code(parent_a.call("subscribe", json::object{{"topic", "diary"}, {"student", s.student_b1}})) == "forbidden");
  CHECK(code(parent_a.call("diary.week", json::object{{"student", s.student_b1}, {"monday", "2023-09-04"}})) == "forbidden");
  REQUIRE(ok(parent_a.call("subscribe", json::object{{"topic", "diary"}, {"student", s.student_a1}})));
  REQUIRE(ok(parent_b.call("subscribe", json::object{{"topic", "diary"}, {"student", s.student_b1}})));

  const json::object mark{{"lesson", s.lesson_5a}, {"student", s.student_a1}, {"value", 4}, {"work_type", s.answer}};
  const json::value first = teacher.call("set_mark", mark, "mark-0001-student-a1");
  REQUIRE(ok(first));
  CHECK_FALSE(first.at("result").at("duplicate").as_bool());
  const json::value retry = teacher.call("set_mark", mark, "mark-0001-student-a1");
  REQUIRE(ok(retry));
  CHECK(retry.at("result").at("duplicate").as_bool());
  CHECK(retry.at("result").at("position") == first.at("result").at("position"));

  const json::value push = parent_a.next_push();
  CHECK(push.at("push").as_string() == "diary");
  CHECK(push.at("event").at("type").as_string() == "MarkSet");
  CHECK(push.at("event").at("student").as_int64() == s.student_a1);
  CHECK(push.at("event").at("value").as_int64() == 4);
  // The push comes after the projections applied the mark: the diary shows it now.
  const json::value week = parent_a.call("diary.week", json::object{{"student", s.student_a1}, {"monday", "2023-09-04"}});
  REQUIRE(ok(week));
  bool seen = false;
  for (const auto& l : week.at("result").at("lessons").as_array())
    for (const auto& m : l.at("cell").at("marks").as_array()) seen = seen || m.at("value").as_int64() == 4;
  CHECK(seen);
  // The other parent heard nothing (a round trip first, so a stray push would have arrived already).
  CHECK(ok(parent_b.call("me", json::object{})));
  CHECK(parent_b.pushes().empty());

  // Outside one's scope: another teacher's lesson.
  CHECK(code(other_teacher.call("set_mark", mark, "mark-0002-wrong-teacher")) == "forbidden");
  CHECK(code(other_teacher.call("journal.page", json::object{{"class_id", s.class_5a}, {"subject", s.math}, {"term", s.q1}})) == "forbidden");
  const json::value page = teacher.call("journal.page", json::object{{"class_id", s.class_5a}, {"subject", s.math}, {"term", s.q1}});
  REQUIRE(ok(page));
  CHECK(page.at("result").at("rows").as_array().size() == 2);
}

TEST_CASE("a frame over the size limit closes the connection with 1009, others keep working", "[server]") {
  server::ServerOptions o;
  o.max_frame_bytes = 1024;
  Fixture f(o);
  testkit::WsClient good(f.port()), big(f.port());
  REQUIRE(ok(login(good, "teacher.a")));
  big.raw(std::string(R"({"id":1,"op":"me","args":{"pad":")") + std::string(600, 'x') + "\"}}");  // under the limit: fine
  CHECK_THROWS(big.raw(std::string(R"({"id":2,"op":"me","args":{"pad":")") + std::string(4000, 'x') + "\"}}"));
  CHECK(big.read_until_closed() == 1009);
  CHECK(ok(good.call("me", json::object{})));
}
