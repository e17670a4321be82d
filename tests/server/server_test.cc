// ejournald end to end: a real log, domain, projections and server on an ephemeral loopback port, and a
// WebSocket client speaking the protocol (docs/protocol.md).
#include <set>

#include <catch2/catch.hpp>

#include <csignal>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include "backup_scheduler.h"
#include "ejournal/backup/backup.h"
#include "ejournal/domain/passwords.h"
#include "ejournal/projections/catalog.h"
#include "ejournal/projections/stats.h"
#include "server_fixture.h"

using namespace ejournal;
using namespace ejournal::domain;
using namespace ejournal::servertest;
namespace json = boost::json;


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

TEST_CASE("two devices, one cell: the second change sees a conflict", "[server]") {
  Fixture f;
  auto& s = f.school;
  testkit::WsClient one(f.port()), two(f.port());
  REQUIRE(ok(login(one, "teacher.a")));
  REQUIRE(ok(login(two, "teacher.a")));
  // Both devices show the journal page; the cell (lesson_5a, student_a1) has its first mark.
  const json::object page{{"class_id", s.class_5a}, {"subject", s.math}, {"term", s.q1}};
  auto version_seen = [&](testkit::WsClient& c) {
    const json::value p = c.call("journal.page", page);
    for (const auto& row : p.at("result").at("rows").as_array())
      if (row.at("student").as_int64() == s.student_a1) return row.at("cells").as_array().at(0).at("version").as_int64();
    return std::int64_t{-1};
  };
  const std::int64_t seen = version_seen(one);
  CHECK(seen == 1);
  CHECK(version_seen(two) == seen);
  json::object mark{{"lesson", s.lesson_5a}, {"student", s.student_a1}, {"value", 4}, {"work_type", s.answer}, {"expected_version", seen}};
  REQUIRE(ok(two.call("subscribe", json::object{{"topic", "journal"}, {"class_id", s.class_5a}, {"subject", s.math}})));
  const json::value first = one.call("set_mark", mark, "device-one-0001");
  REQUIRE(ok(first));
  mark["value"] = 3;
  const json::value second = two.call("set_mark", mark, "device-two-0001");
  CHECK(code(second) == "conflict");
  // The second device hears of the change, re-reads the cell and tries again.
  while (two.next_push().at("event").at("position") != first.at("result").at("position")) {
  }
  mark["expected_version"] = version_seen(two);
  CHECK(mark["expected_version"].as_int64() == 2);
  CHECK(ok(two.call("set_mark", mark, "device-two-0002")));
}

TEST_CASE("a client that stops reading is dropped while others keep working", "[server]") {
  server::ServerOptions o;
  o.max_queued_bytes = 64 * 1024;
  o.api.requests_per_second = 1e9;
  o.api.request_burst = 1e9;
  Fixture f(o);
  auto& s = f.school;
  testkit::WsClient good(f.port()), slow(f.port());
  REQUIRE(ok(login(good, "teacher.a")));
  REQUIRE(ok(login(slow, "teacher.a")));
  const std::string request = json::serialize(json::object{
      {"id", 1}, {"op", "journal.page"}, {"args", json::object{{"class_id", s.class_5a}, {"subject", s.math}, {"term", s.q1}}}});
  // Its answers pile up in the kernel's socket buffers, then in the server's queue, until the cap.
  std::size_t sent = 0;
  try {
    while (sent < 500'000 && f.srv->metrics().dropped_slow_clients.load() == 0) {
      slow.send_only(request);
      ++sent;
    }
  } catch (const std::exception&) {
    // the server closed the connection under our writes
  }
  CHECK(f.srv->metrics().dropped_slow_clients.load() == 1);
  CHECK(ok(good.call("me", json::object{})));
  CHECK(slow.count_until_closed() < sent);  // the rest of its answers were never sent
}

TEST_CASE("a client that reads gets an answer bigger than the cap on queued bytes, and keeps its connection", "[server]") {
  server::ServerOptions o;
  o.max_queued_bytes = 256;  // smaller than the journal page below
  Fixture f(o);
  auto& s = f.school;
  testkit::WsClient c(f.port());
  REQUIRE(ok(login(c, "teacher.a")));
  const json::object page{{"class_id", s.class_5a}, {"subject", s.math}, {"term", s.q1}};
  for (int i = 0; i < 3; ++i) {
    const json::value a = c.call("journal.page", page);
    REQUIRE(ok(a));
    CHECK(json::serialize(a).size() > o.max_queued_bytes);
  }
  CHECK(f.srv->metrics().dropped_slow_clients.load() == 0);
}

TEST_CASE("connections beyond the limit are refused, the others served", "[server]") {
  server::ServerOptions o;
  o.max_connections = 3;
  Fixture f(o);
  std::vector<std::unique_ptr<testkit::WsClient>> open;
  for (int i = 0; i < 3; ++i) open.push_back(std::make_unique<testkit::WsClient>(f.port()));
  CHECK_THROWS(testkit::WsClient(f.port()));  // HTTP 503 instead of the upgrade
  CHECK(f.srv->metrics().connections_refused.load() == 1);
  CHECK(code(open[0]->call("me", json::object{})) == "forbidden");  // served: an answer, not a hang
}

TEST_CASE("a thousand simultaneous connections are all served", "[server]") {
  rlimit files{};
  getrlimit(RLIMIT_NOFILE, &files);
  files.rlim_cur = files.rlim_max;
  setrlimit(RLIMIT_NOFILE, &files);
  REQUIRE(files.rlim_cur >= 2'100);  // both ends of each connection live in this process
  Fixture f;
  testkit::WsClient first(f.port());
  const json::value in = login(first, "teacher.a");
  REQUIRE(ok(in));
  const json::value token = in.at("result").at("token");
  std::vector<std::unique_ptr<testkit::WsClient>> clients;
  for (int i = 0; i < 1000; ++i) clients.push_back(std::make_unique<testkit::WsClient>(f.port()));
  CHECK(f.srv->metrics().connections.load() == 1001);
  int served = 0;
  for (auto& c : clients)
    served += ok(c->call("auth.resume", json::object{{"token", token}})) && ok(c->call("me", json::object{}));
  CHECK(served == 1000);
}

TEST_CASE("SIGTERM during load loses no acknowledged command", "[server]") {
  testkit::School s;
  auto hash = hash_password(kPassword);
  REQUIRE(hash.ok());
  s.must(s.admin, cmd::IssueCredential{s.teacher_a, *hash, false});
  const std::string data = s.data_dir();
  s.close();

  int out[2];
  REQUIRE(pipe(out) == 0);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    close(out[0]);
    execl(EJOURNALD_PATH, "ejournald", "--data", data.c_str(), "--listen", "127.0.0.1:0", static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out[1]);
  // "ejournald: http://127.0.0.1:PORT/"
  std::string line;
  char ch = 0;
  while (read(out[0], &ch, 1) == 1 && ch != '\n') line += ch;
  const std::size_t colon = line.rfind(':');
  REQUIRE(colon != std::string::npos);
  const auto port = static_cast<std::uint16_t>(std::stoi(line.substr(colon + 1)));

  testkit::WsClient first(port);
  const json::value in = login(first, "teacher.a");
  REQUIRE(ok(in));
  const json::value token = in.at("result").at("token");
  struct Ack {
    std::uint64_t position;
    UserId student;
    int value;
  };
  std::mutex mu;
  std::vector<Ack> acks;
  std::atomic<int> running{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      try {
        testkit::WsClient c(port);
        if (!ok(c.call("auth.resume", json::object{{"token", token}}))) return;
        running.fetch_add(1);
        for (int n = 0;; ++n) {
          const UserId student = n % 2 == 0 ? s.student_a1 : s.student_a2;
          const int value = 1 + (n + t) % 5;
          const json::value a = c.call("set_mark", json::object{{"lesson", s.lesson_5a}, {"student", student}, {"value", value}, {"work_type", s.answer}},
                                       "sigterm-" + std::to_string(t) + "-" + std::to_string(n));
          if (!ok(a)) return;  // unavailable: the server is stopping
          std::lock_guard lock(mu);
          acks.push_back(Ack{a.at("result").at("position").to_number<std::uint64_t>(), student, value});
        }
      } catch (const std::exception&) {
        // the connection closed under us: the server has stopped
      }
    });
  }
  while (running.load() < 4) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  REQUIRE(kill(pid, SIGTERM) == 0);
  for (auto& t : threads) t.join();
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  close(out[0]);

  REQUIRE_FALSE(acks.empty());
  auto log = log::open_event_log(data);
  REQUIRE(log.ok());
  std::size_t found = 0;
  for (const Ack& a : acks) {
    auto r = (*log)->read(a.position);
    REQUIRE(r.ok());
    const auto* mark = r->envelope()->event_as_MarkSet();
    REQUIRE(mark != nullptr);
    found += mark->student() == a.student && mark->value() == a.value;
  }
  CHECK(found == acks.size());
}

TEST_CASE("HTTP serves the web client's files with their types, health and metrics, and nothing outside the root", "[server]") {
  testkit::TempDir web;
  std::filesystem::create_directories(web.sub("js"));
  std::ofstream(web.sub("index.html")) << "<!doctype html><title>Электронный журнал</title>";
  std::ofstream(web.sub("js/app.js")) << "console.log('журнал');";
  std::ofstream(web.sub(".secret")) << "hidden";
  server::ServerOptions o;
  o.web_root = web.path();
  Fixture f(o);
  const auto index = testkit::http_get(f.port(), "/");
  CHECK(index.status == 200);
  CHECK(index.content_type == "text/html; charset=utf-8");
  CHECK(index.body.find("Электронный журнал") != std::string::npos);
  const auto js = testkit::http_get(f.port(), "/js/app.js");
  CHECK(js.status == 200);
  CHECK(js.content_type == "text/javascript; charset=utf-8");
  for (const char* bad : {"/../etc/passwd", "/js/../../etc/passwd", "/.secret", "/js//app.js", "/%2e%2e/etc/passwd", "/nothing.html"})
    CHECK(testkit::http_get(f.port(), bad).status == 404);
  CHECK(testkit::http_get(f.port(), "/healthz").body == "ok\n");
  {
    testkit::WsClient c(f.port());
    c.call("no.such.operation", json::object{});  // before sign-in, both are forbidden
    c.call("me", json::object{});
  }
  const auto metrics = testkit::http_get(f.port(), "/metrics");
  CHECK(metrics.status == 200);
  CHECK(metrics.body.find("ejournal_requests_total{op=\"unknown\"} 1") != std::string::npos);
  CHECK(metrics.body.find("no.such.operation") == std::string::npos);  // a client's made-up names never become series
  CHECK(metrics.body.find("ejournal_errors_total{code=\"forbidden\"} 2") != std::string::npos);
  CHECK(metrics.body.find("ejournal_log_head ") != std::string::npos);
}

TEST_CASE("requests past the per-connection rate are refused with busy, and a silent connection is closed", "[server]") {
  server::ServerOptions o;
  o.api.requests_per_second = 0.5;
  o.api.request_burst = 3;
  o.idle_timeout = std::chrono::seconds(1);
  Fixture f(o);
  testkit::WsClient c(f.port());
  for (int i = 0; i < 3; ++i) CHECK(code(c.call("me", json::object{})) == "forbidden");  // within the burst
  CHECK(code(c.call("me", json::object{})) == "busy");
  testkit::WsClient other(f.port());  // the budget is per connection
  CHECK(code(other.call("me", json::object{})) == "forbidden");
  // Nothing from the client for longer than the idle timeout: the server closes the connection.
  const auto t0 = std::chrono::steady_clock::now();
  c.read_until_closed();
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(10));
}

TEST_CASE("slow queries have a queue of their own: when it is full they are answered busy at once, and quick "
          "queries are served meanwhile", "[server]") {
  server::ServerOptions o;
  o.api.max_slow_query_queue = 0;  // every slow query finds its queue full
  Fixture f(o);
  auto& s = f.school;
  auto deputy = signed_in(f, "deputy");
  const json::object page{{"class_id", s.class_5a}, {"subject", s.math}, {"term", s.q1}};
  json::object past = page;
  past["as_of"] = "2023-09-15";
  const json::value refused = deputy->call("journal.page", past);
  CHECK(code(refused) == "busy");
  CHECK_THAT(std::string(refused.at("error").at("message").as_string()), Catch::Contains("Сервер занят"));
  CHECK(code(deputy->call("report.make", json::object{{"kind", "summary"}, {"format", "csv"}, {"class", "5А"}})) == "busy");
  CHECK(ok(deputy->call("journal.page", page)));  // the quick queue is another
  CHECK(ok(deputy->call("me", json::object{})));
}

TEST_CASE("pipelined slow and quick queries are each answered once, with their own ids", "[server]") {
  Fixture f;
  auto& s = f.school;
  auto deputy = signed_in(f, "deputy");
  const json::object page{{"class_id", s.class_5a}, {"subject", s.math}, {"term", s.q1}};
  json::object past = page;
  past["as_of"] = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  // Pipelined: slow ones, then a quick one; every answer comes, once, with its request's id.
  for (int i = 0; i < 8; ++i)
    deputy->send_only(json::serialize(json::object{{"id", 100 + i}, {"op", "journal.page"}, {"args", past}}));
  deputy->send_only(json::serialize(json::object{{"id", 200}, {"op", "journal.page"}, {"args", page}}));
  std::set<std::int64_t> ids;
  for (int i = 0; i < 9; ++i) {
    const json::value a = deputy->next_answer();
    INFO(json::serialize(a));
    CHECK(ok(a));
    ids.insert(a.at("id").to_number<std::int64_t>());
  }
  CHECK(ids.size() == 9);
  CHECK(ids.contains(200));
}

TEST_CASE("each role reads what its duty needs and is refused outside its scope", "[server]") {
  Fixture f;
  auto& s = f.school;
  auto as = [&](const std::string& who) { return signed_in(f, who); };
  const json::object page{{"class_id", s.class_5a}, {"subject", s.math}, {"term", s.q1}};
  const json::object diary{{"student", s.student_a1}, {"monday", "2023-09-04"}};
  const json::object other_diary{{"student", s.student_b1}, {"monday", "2023-09-04"}};
  const json::object register_args{{"from", "2023-09-01"}, {"to", "2023-09-30"}};

  auto deputy = as("deputy");
  CHECK(ok(deputy->call("journal.page", page)));
  CHECK(ok(deputy->call("audit.cell", json::object{{"lesson", s.lesson_5a}, {"student", s.student_a1}})));
  CHECK(ok(deputy->call("control.register", register_args)));
  CHECK(ok(deputy->call("subscribe", json::object{{"topic", "audit"}})));

  auto director = as("director");
  CHECK(ok(director->call("control.time_sheet", register_args)));
  CHECK(ok(director->call("stats.summary", json::object{})));
  CHECK(code(director->call("set_topic", json::object{{"lesson", s.lesson_5a}, {"topic", "Тема"}}, "director-topic-1")) == "forbidden");

  auto teacher = as("teacher.b");  // math in 5Б, curator of 5Б
  const json::value b_page = teacher->call("journal.page", json::object{{"class_id", s.class_5b}, {"subject", s.math}, {"term", s.q1}});
  REQUIRE(ok(b_page));
  CHECK(b_page.at("result").at("rows").as_array().at(0).at("name").as_string() == "Кузнецов Илья");  // named by the page itself
  CHECK(b_page.at("result").at("rows").as_array().at(0).at("left").is_null());
  CHECK(ok(teacher->call("diary.week", other_diary)));  // a student of the class they curate
  CHECK(code(teacher->call("diary.week", diary)) == "forbidden");
  CHECK(code(teacher->call("audit.cell", json::object{{"lesson", s.lesson_5a}, {"student", s.student_a1}})) == "forbidden");
  CHECK(code(teacher->call("control.register", register_args)) == "forbidden");
  CHECK(code(teacher->call("subscribe", json::object{{"topic", "journal"}, {"class_id", s.class_5a}, {"subject", s.math}})) == "forbidden");
  CHECK(code(teacher->call("roster.class", json::object{{"class_id", s.class_5a}})) == "forbidden");
  const json::value own_class = teacher->call("roster.class", json::object{{"class_id", s.class_5b}});
  REQUIRE(ok(own_class));
  CHECK(own_class.at("result").as_array().at(0).at("name").as_string() == "Кузнецов Илья");  // opened from the sealed record

  auto student = as("s" + std::to_string(s.student_a1));
  const json::value me = student->call("me", json::object{});
  REQUIRE(ok(me));
  CHECK(me.at("result").at("class_id").as_int64() == s.class_5a);
  CHECK(ok(student->call("diary.week", diary)));
  CHECK(code(student->call("diary.week", other_diary)) == "forbidden");
  CHECK(code(student->call("journal.page", page)) == "forbidden");
  CHECK(code(student->call("roster.classes", json::object{})) == "forbidden");

  auto parent = as("p" + std::to_string(s.parent_a1));
  const json::value children = parent->call("me", json::object{});
  REQUIRE(ok(children));
  CHECK(children.at("result").at("children").as_array().size() == 1);
  CHECK(children.at("result").at("children").as_array().at(0).at("name").as_string() == "Иванов Пётр");
  CHECK(code(parent->call("stats.summary", json::object{})) == "forbidden");
}

TEST_CASE("a curator reads and edits their own class's personal data and groups; others are refused", "[server]") {
  Fixture f;
  auto& s = f.school;
  auto as = [&](const std::string& who) { return signed_in(f, who); };
  const auto student_args = [](UserId id) { return json::object{{"kind", "student"}, {"subject", id}}; };
  auto curator = as("teacher.a");  // curator of 5А
  const json::value record = curator->call("people.personal_data", student_args(s.student_a1));
  REQUIRE(ok(record));
  const auto& r = record.at("result");
  CHECK(r.at("data").at("last_name").as_string() == "Иванов");
  CHECK(r.at("class_id").as_int64() == s.class_5a);
  CHECK(r.at("checked_on").is_null());
  REQUIRE(r.at("parents").as_array().size() == 1);
  CHECK(r.at("parents").as_array().at(0).at("id").as_int64() == s.parent_a1);
  CHECK(r.at("parents").as_array().at(0).at("name").as_string().size() > 0);

  // Edit the record and confirm it: both show.
  json::object data{{"last_name", "Иванов"}, {"first_name", "Пётр"}, {"phone", "+7 900 000-00-01"}, {"birth_day", "2013-05-02"}};
  REQUIRE(ok(curator->call("record_personal_data", json::object{{"kind", "student"}, {"subject", s.student_a1}, {"data", data}}, "pd-edit-1")));
  REQUIRE(ok(curator->call("check_personal_data", json::object{{"kind", "student"}, {"subject", s.student_a1}, {"day", "2023-09-15"}}, "pd-check-1")));
  // Read your writes: the connection's next query sees both.
  const json::value now = curator->call("people.personal_data", student_args(s.student_a1));
  REQUIRE(ok(now));
  CHECK(now.at("result").at("data").at("phone") == "+7 900 000-00-01");
  CHECK(now.at("result").at("data").at("birth_day") == "2013-05-02");
  CHECK(now.at("result").at("checked_on") == "2023-09-15");
  const json::value list = curator->call("roster.class", json::object{{"class_id", s.class_5a}});
  REQUIRE(ok(list));
  bool checked = false;
  for (const auto& st : list.at("result").as_array())
    if (st.at("id").as_int64() == s.student_a1) checked = st.at("checked_on") == "2023-09-15";
  CHECK(checked);

  // The parent's record lists their children.
  const json::value parent = curator->call("people.personal_data", json::object{{"kind", "parent"}, {"subject", s.parent_a1}});
  REQUIRE(ok(parent));
  CHECK(parent.at("result").at("children").as_array().at(0).at("id").as_int64() == s.student_a1);

  // Study groups of the class, with their members.
  const json::value groups = curator->call("roster.groups", json::object{{"class_id", s.class_5a}});
  REQUIRE(ok(groups));
  REQUIRE(groups.at("result").as_array().size() == 1);
  CHECK(groups.at("result").as_array().at(0).at("name").as_string() == "Английский, группа 1");
  CHECK(groups.at("result").as_array().at(0).at("students").as_array().at(0).as_int64() == s.student_a1);

  // Another class's curator, a parent and a bad kind are refused; a deputy may read.
  auto other = as("teacher.b");
  CHECK(code(other->call("people.personal_data", student_args(s.student_a1))) == "forbidden");
  CHECK(code(other->call("people.personal_data", json::object{{"kind", "parent"}, {"subject", s.parent_a1}})) == "forbidden");
  CHECK(code(other->call("roster.groups", json::object{{"class_id", s.class_5a}})) == "forbidden");
  CHECK(code(other->call("people.personal_data", json::object{{"kind", "teacher"}, {"subject", s.student_a1}})) == "invalid_argument");
  CHECK(ok(other->call("people.personal_data", student_args(s.student_b1))));
  auto parent_client = as("p" + std::to_string(s.parent_a1));
  CHECK(code(parent_client->call("people.personal_data", student_args(s.student_a1))) == "forbidden");
  CHECK(ok(as("deputy")->call("people.personal_data", student_args(s.student_a1))));
  CHECK(code(as("deputy")->call("people.personal_data", student_args(999'999))) == "not_found");
}

TEST_CASE("the administrator starts a backup: it lands on the disk that is there, in the log and in /metrics", "[server]") {
  Fixture f;
  testkit::TempDir disks;
  const std::string a = disks.sub("A"), b = disks.sub("B-not-mounted");
  std::filesystem::create_directories(a);
  server::BackupSchedule schedule;
  schedule.targets = {a, b};
  schedule.check_every = std::chrono::hours(1);  // only backup.run starts one here
  server::BackupScheduler scheduler(f.school.data_dir(), f.school.domain(), schedule);
  f.services->backups = &scheduler;
  struct Detach {
    server::Services& s;
    ~Detach() { s.backups = nullptr; }
  } detach{*f.services};

  testkit::WsClient t(f.port());
  REQUIRE(ok(login(t, "teacher.a")));
  CHECK(code(t.call("backup.run", json::object{})) == "forbidden");
  CHECK(code(t.call("backup.status", json::object{})) == "forbidden");

  testkit::WsClient adm(f.port());
  REQUIRE(ok(login(adm, "admin")));
  REQUIRE(ok(adm.call("auth.change_password", json::object{{"old_password", kPassword}, {"new_password", "Новый-пароль-7"}})));
  const json::value before = adm.call("backup.status", json::object{});
  REQUIRE(ok(before));
  CHECK(before.at("result").at("configured").as_bool());
  CHECK(before.at("result").at("targets").as_array().at(0).at("last_success_us").as_int64() == 0);
  REQUIRE(ok(adm.call("backup.run", json::object{})));

  // Wait for the run and for its two records (A done, B failed) to reach the statistics. (Whether a monthly
  // archive is due too depends on the date the test school's records carry.)
  json::value status;
  for (int i = 0; i < 200; ++i) {
    status = adm.call("backup.status", json::object{});
    REQUIRE(ok(status));
    const auto& r = status.at("result");
    int backups = 0;
    for (const auto& h : r.at("history").as_array()) backups += h.at("kind").as_string() == "backup" ? 1 : 0;
    if (!r.at("running").as_bool() && backups == 2) break;  // one record per disk
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const auto& r = status.at("result");
  const auto& ta = r.at("targets").as_array().at(0);
  const auto& tb = r.at("targets").as_array().at(1);
  CHECK(ta.at("ok").as_bool());
  CHECK(ta.at("last_success_us").as_int64() > 0);
  CHECK(ta.at("head").as_int64() > 0);
  CHECK_FALSE(tb.at("ok").as_bool());
  CHECK_THAT(std::string(tb.at("error").as_string()), Catch::Contains(b));
  bool a_ok = false, b_failed = false;
  for (const auto& h : r.at("history").as_array()) {
    if (h.at("kind").as_string() != "backup") continue;
    if (h.at("target").as_string() == a) a_ok = h.at("ok").as_bool();
    if (h.at("target").as_string() == b) b_failed = !h.at("ok").as_bool() && h.at("failures").as_int64() == 1;
  }
  CHECK(a_ok);
  CHECK(b_failed);
  auto check = backup::verify_backup(a);
  REQUIRE(check.ok());
  CHECK(check->ok());
  CHECK(check->head == static_cast<log::Position>(ta.at("head").as_int64()));
  CHECK_FALSE(std::filesystem::exists(b));

  // The deputies see the runs in the audit trail, as the server's (actor 0) entries.
  testkit::WsClient dep(f.port());
  REQUIRE(ok(login(dep, "deputy")));
  const json::value trail = dep.call("audit.actor", json::object{{"actor", 0}});
  REQUIRE(ok(trail));
  int backup_entries = 0;
  for (const auto& e : trail.at("result").at("items").as_array())
    if (e.at("kind").as_string() == "backup_recorded") {
      ++backup_entries;
      CHECK_THAT(std::string(e.at("after").as_string()), Catch::Contains("резервная копия") || Catch::Contains("архив"));
    }
  CHECK(backup_entries >= 2);

  const auto metrics = testkit::http_get(f.port(), "/metrics");
  CHECK_THAT(metrics.body, Catch::Contains("ejournal_last_backup_time_seconds{target=\"" + a + "\"} ") &&
                               Catch::Contains("ejournal_backup_failures_total{target=\"" + b + "\"} ") &&
                               !Catch::Contains("ejournal_backup_failures_total{target=\"" + b + "\"} 0"));
}

TEST_CASE("a disk that stays missing is tried again after retry_after, not at every check; backup.run is not held back", "[server]") {
  Fixture f;
  testkit::TempDir disks;
  server::BackupSchedule schedule;
  schedule.targets = {disks.sub("not-mounted")};
  schedule.check_every = std::chrono::milliseconds(20);
  schedule.retry_after = std::chrono::minutes(60);
  schedule.archive_monthly = false;
  server::BackupScheduler scheduler(f.school.data_dir(), f.school.domain(), schedule);
  auto recorded_runs = [&] {
    f.host->wait_applied(f.school.log().head(), std::chrono::seconds(2));
    return f.host->read<projections::StatsProjection>("stats", [](const projections::StatsProjection& p) {
      std::uint64_t n = 0;
      for (const auto& r : p.backups()) n += r.runs;
      return n;
    });
  };
  for (int i = 0; i < 500 && scheduler.state().targets[0].last_attempt == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  REQUIRE(scheduler.state().targets[0].last_attempt != 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // about fifteen more checks
  CHECK(recorded_runs() == 1);
  CHECK_FALSE(scheduler.state().targets[0].last_ok);

  REQUIRE(scheduler.run_now().ok());
  for (int i = 0; i < 500 && recorded_runs() < 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  CHECK(recorded_runs() == 2);
}

TEST_CASE("as_of: the journal page and the cell's audit trail show the state at that time", "[server]") {
  Fixture f;
  auto& s = f.school;
  auto teacher = signed_in(f, "teacher.a");
  auto deputy = signed_in(f, "deputy");
  json::object mark{{"lesson", s.lesson_5a}, {"student", s.student_a2}, {"value", 5}, {"work_type", s.answer}};
  REQUIRE(ok(teacher->call("set_mark", mark, "asof-mark-0001")));
  s.clock->advance(60'000'000);  // a minute later (the log's clock is the test's)
  const log::Timestamp between = s.clock->now();
  s.clock->advance(60'000'000);
  mark["value"] = 2;
  REQUIRE(ok(teacher->call("set_mark", mark, "asof-mark-0002")));
  // The deputy reads over another connection: wait until the projections have the second mark.
  REQUIRE(f.host->wait_applied(s.log().head(), std::chrono::seconds(10)) == s.log().head());

  // The page: one mark in the cell then, two now.
  json::object page{{"class_id", s.class_5a}, {"subject", s.math}, {"term", s.q1}};
  const auto marks_in_cell = [&](const json::value& answer) {
    REQUIRE(ok(answer));
    for (const auto& row : answer.at("result").at("rows").as_array())
      if (row.at("student").as_int64() == s.student_a2) return row.at("cells").as_array().at(0).at("marks").as_array().size();
    return std::size_t{0};
  };
  CHECK(marks_in_cell(deputy->call("journal.page", page)) == 2);
  page["as_of"] = between;
  CHECK(marks_in_cell(deputy->call("journal.page", page)) == 1);
  // The cell's trail: the same.
  json::object cell{{"lesson", s.lesson_5a}, {"student", s.student_a2}};
  const json::value now = deputy->call("audit.cell", cell);
  REQUIRE(ok(now));
  CHECK(now.at("result").at("items").as_array().size() == 2);
  cell["as_of"] = between;
  const json::value then = deputy->call("audit.cell", cell);
  REQUIRE(ok(then));
  REQUIRE(then.at("result").at("items").as_array().size() == 1);
  CHECK(then.at("result").at("items").as_array().at(0).at("after").as_string() == "5");
}
