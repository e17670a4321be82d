// The protocol's promises as an outside client sees them (docs/protocol.md): one command id, one change;
// what a client can see before it hits a closed term; plain dates for as_of; "expect an empty cell".
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "ejournal/projections/school_time.h"
#include "server_fixture.h"

using namespace ejournal;
using namespace ejournal::domain;
using namespace ejournal::servertest;
namespace json = boost::json;

TEST_CASE("a command_id names one change: a retry is a duplicate, anything else under it is a conflict", "[server][contract]") {
  Fixture f;
  auto teacher = signed_in(f, "teacher.a");
  const auto& s = f.school;
  const json::object topic{{"lesson", s.lesson_5a}, {"topic", "Дроби"}};
  const json::value first = teacher->call("set_topic", topic, "topic-0001-lesson-5a");
  REQUIRE(ok(first));
  CHECK_FALSE(first.at("result").at("duplicate").as_bool());
  const auto head = f.school.log().head();

  // The same change, its keys in another order: a retry.
  const json::value again = teacher->raw(R"({"op":"set_topic","id":"r","command_id":"topic-0001-lesson-5a","args":{"topic":"Дроби","lesson":)" +
                                         std::to_string(s.lesson_5a) + "}}");
  REQUIRE(ok(again));
  CHECK(again.at("result").at("duplicate").as_bool());
  CHECK(again.at("result").at("position") == first.at("result").at("position"));

  // Another topic, or another operation, under the same id: refused, nothing recorded.
  const json::value other = teacher->call("set_topic", json::object{{"lesson", s.lesson_5a}, {"topic", "Проценты"}}, "topic-0001-lesson-5a");
  CHECK(code(other) == "conflict");
  CHECK_THAT(std::string(other.at("error").at("message").as_string()), Catch::Contains("command_id"));
  CHECK(code(teacher->call("take_attendance", json::object{{"lesson", s.lesson_5a}}, "topic-0001-lesson-5a")) == "conflict");
  CHECK(f.school.log().head() == head);

  // Another user's identical string is another command id altogether (docs/protocol.md: user ‖ string).
  auto deputy = signed_in(f, "deputy");
  CHECK(ok(deputy->call("review_homework", json::object{{"lesson", s.lesson_5a}, {"conforms", true}}, "topic-0001-lesson-5a")));
}

TEST_CASE("expected_version 0 over the wire: the first of two first marks wins", "[server][contract]") {
  Fixture f;
  auto teacher = signed_in(f, "teacher.a");
  const auto& s = f.school;
  json::object mark{{"lesson", s.lesson_5a}, {"student", s.student_a2}, {"value", 4}, {"work_type", s.answer}, {"expected_version", 0}};
  CHECK(ok(teacher->call("set_mark", mark, "first-mark-0001")));
  mark["value"] = 5;
  CHECK(code(teacher->call("set_mark", mark, "first-mark-0002")) == "conflict");
  mark["expected_version"] = nullptr;  // null: no check
  CHECK(ok(teacher->call("set_mark", mark, "first-mark-0003")));
}

TEST_CASE("roster.terms says which terms are closed, as of any date", "[server][contract]") {
  Fixture f;
  auto& s = f.school;
  auto deputy = signed_in(f, "deputy");
  const domain::Day today = projections::school_day(s.clock->now());
  auto closed_of_q1 = [&](const json::object& args) {
    const json::value terms = deputy->call("roster.terms", args);
    REQUIRE(ok(terms));
    for (const auto& t : terms.at("result").as_array())
      if (t.at("id").as_int64() == s.q1) return std::optional<bool>(t.at("closed").as_bool());
    return std::optional<bool>();
  };
  CHECK(closed_of_q1({}) == std::optional<bool>(false));
  s.clock->advance(2 * projections::kMicrosPerDay);
  REQUIRE(ok(deputy->call("close_term", json::object{{"term", s.q1}}, "close-q1-0001")));
  CHECK(closed_of_q1({}) == std::optional<bool>(true));
  // A plain date is the end of that school day: the term was still open at the end of "today".
  CHECK(closed_of_q1({{"as_of", format_day(today)}}) == std::optional<bool>(false));
  CHECK(closed_of_q1({{"as_of", format_day(today + 2)}}) == std::optional<bool>(true));
  CHECK(closed_of_q1({{"as_of", "1999-12-31"}}) == std::nullopt);  // before the school existed
  CHECK(code(deputy->call("roster.terms", json::object{{"as_of", "31.12.1999"}})) == "invalid_argument");
}

TEST_CASE("a journal page of a term outside the class's grades is invalid_argument, not an empty page", "[server][contract]") {
  Fixture f;
  auto& s = f.school;
  const TermId senior = s.must(s.deputy, cmd::DefineTerm{s.year, "1 полугодие", testkit::kSep1, 19718, 10, 11});
  f.settle();
  auto deputy = signed_in(f, "deputy");
  const json::value page = deputy->call("journal.page", json::object{{"class_id", s.class_5a}, {"subject", s.math}, {"term", senior}});
  CHECK(code(page) == "invalid_argument");
  CHECK(ok(deputy->call("journal.page", json::object{{"class_id", s.class_5a}, {"subject", s.math}, {"term", s.q1}})));
}

namespace {

// Every item of a paged listing, `limit` at a time, and how many pages it took.
std::pair<std::vector<json::value>, int> all_pages(testkit::WsClient& c, const std::string& op, json::object args, int limit) {
  std::vector<json::value> items;
  int pages = 0;
  args["limit"] = limit;
  for (;;) {
    const json::value page = c.call(op, args);
    REQUIRE(ok(page));
    ++pages;
    const auto& got = page.at("result").at("items").as_array();
    CHECK(got.size() <= static_cast<std::size_t>(limit));
    items.insert(items.end(), got.begin(), got.end());
    const json::value& next = page.at("result").at("next");
    if (next.is_null()) break;
    args["cursor"] = next;
    REQUIRE(pages < 1000);
  }
  return {items, pages};
}

}  // namespace

TEST_CASE("long answers page: limit and cursor give every item once, in the listing's order", "[server][contract][paging]") {
  Fixture f;
  auto& s = f.school;
  for (int i = 0; i < 4; ++i) s.must(s.teacher_a, cmd::SetTopic{s.lesson_5a, "Тема " + std::to_string(i)});
  const auto extra = s.must(s.teacher_a, cmd::ScheduleLesson{s.math_5a, testkit::kSep4, 4});
  s.must(s.deputy, cmd::SubstituteLesson{extra, s.teacher_b, "болезнь"});
  s.must(s.deputy, cmd::SubstituteLesson{s.lesson_1a, s.teacher_b, "болезнь"});
  s.must(s.deputy, cmd::CancelLesson{s.lesson_5b, "карантин"});
  f.settle();
  auto deputy = signed_in(f, "deputy");

  // The audit: newest first; pages of 2 give the same entries as one page.
  const json::object by_actor{{"actor", s.teacher_a}};
  const json::value whole = deputy->call("audit.actor", by_actor);
  REQUIRE(ok(whole));
  const auto& everything = whole.at("result").at("items").as_array();
  REQUIRE(everything.size() >= 6);
  CHECK(whole.at("result").at("next").is_null());
  auto [paged, pages] = all_pages(*deputy, "audit.actor", by_actor, 2);
  CHECK(pages == static_cast<int>((everything.size() + 1) / 2));
  REQUIRE(paged.size() == everything.size());
  for (std::size_t i = 0; i < paged.size(); ++i) {
    CHECK(paged[i] == everything[i]);
    if (i > 0) CHECK(paged[i].at("position").as_int64() < paged[i - 1].at("position").as_int64());
  }

  // A listing that grows between two pages neither repeats nor skips what was there.
  json::object first_args{{"actor", s.teacher_a}, {"limit", 3}};
  const json::value first = deputy->call("audit.actor", first_args);
  REQUIRE(ok(first));
  s.must(s.teacher_a, cmd::SetTopic{s.lesson_5a, "Новая тема"});
  first_args["cursor"] = first.at("result").at("next");
  first_args["limit"] = 1000;
  const json::value rest = deputy->call("audit.actor", first_args);
  REQUIRE(ok(rest));
  CHECK(first.at("result").at("items").as_array().size() + rest.at("result").at("items").as_array().size() == everything.size());

  // The register of missed and substituted lessons, by day, period and lesson.
  const json::object month{{"from", "2023-09-01"}, {"to", "2023-09-30"}};
  auto [reg, reg_pages] = all_pages(*deputy, "control.register", month, 1);
  CHECK(reg.size() == 3);
  CHECK(reg_pages == 3);
  for (std::size_t i = 1; i < reg.size(); ++i) CHECK(reg[i].at("period").as_int64() > reg[i - 1].at("period").as_int64());

  // Assignments, by id.
  auto [assignments, assignment_pages] = all_pages(*deputy, "roster.assignments", {}, 2);
  CHECK(assignments.size() == 3);
  CHECK(assignment_pages == 2);
  for (std::size_t i = 1; i < assignments.size(); ++i) CHECK(assignments[i].at("id").as_int64() > assignments[i - 1].at("id").as_int64());

  // Limits and cursors are checked.
  CHECK(code(deputy->call("audit.actor", json::object{{"actor", s.teacher_a}, {"limit", 10001}})) == "invalid_argument");
  CHECK(code(deputy->call("audit.actor", json::object{{"actor", s.teacher_a}, {"cursor", "что-то"}})) == "invalid_argument");
  CHECK(code(deputy->call("control.register", json::object{{"from", "2023-09-01"}, {"to", "2023-09-30"}, {"cursor", "5"}})) ==
        "invalid_argument");
}

TEST_CASE("control.late_marks pages by mark", "[server][contract][paging]") {
  Fixture f;
  auto& s = f.school;
  // Marks entered days after their lesson (4 September 2023; the school's clock is now).
  for (int i = 0; i < 3; ++i) s.must(s.teacher_a, cmd::SetMark{s.lesson_5a, s.student_a2, 3 + i, s.answer, "", std::nullopt});
  f.settle();
  auto deputy = signed_in(f, "deputy");
  const json::value whole = deputy->call("control.late_marks", json::object{{"days", 1}});
  REQUIRE(ok(whole));
  const auto& everything = whole.at("result").at("items").as_array();
  REQUIRE(everything.size() >= 3);
  auto [paged, pages] = all_pages(*deputy, "control.late_marks", json::object{{"days", 1}}, 1);
  CHECK(pages == static_cast<int>(everything.size()));
  REQUIRE(paged.size() == everything.size());
  for (std::size_t i = 0; i < paged.size(); ++i) CHECK(paged[i] == everything[i]);
}

namespace {

// The text a command printed and its exit status; `input` is written to its standard input first.
std::pair<int, std::string> run_with_input(const std::string& command, const std::string& input) {
  const std::string in = std::filesystem::temp_directory_path() / ("ej-metrics-" + std::to_string(::getpid()) + ".txt");
  {
    std::ofstream f(in);
    f << input;
  }
  std::string out;
  FILE* p = ::popen((command + " < " + in + " 2>&1").c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  const int status = ::pclose(p);
  std::filesystem::remove(in);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

double series_value(const std::string& body, const std::string& series) {
  const auto at = body.find("\n" + series + " ");
  REQUIRE(at != std::string::npos);
  return std::stod(body.substr(at + series.size() + 2));
}

}  // namespace

TEST_CASE("/metrics passes promtool, with the process series and request latency by kind", "[server][contract][metrics]") {
  Fixture f;
  auto teacher = signed_in(f, "teacher.a");
  const auto& s = f.school;
  REQUIRE(ok(teacher->call("set_topic", json::object{{"lesson", s.lesson_5a}, {"topic", "Дроби"}}, "metrics-topic-0001")));
  REQUIRE(ok(teacher->call("roster.terms", json::object{})));
  REQUIRE(ok(teacher->call("roster.terms", json::object{{"as_of", "2023-09-04"}})));
  const auto metrics = testkit::http_get(f.port(), "/metrics");
  REQUIRE(metrics.status == 200);
  const std::string& body = metrics.body;

  CHECK(series_value(body, "process_resident_memory_bytes") > 1e6);
  CHECK(series_value(body, "process_cpu_seconds_total") > 0);
  CHECK(series_value(body, "process_open_fds") > 3);
  const double started = series_value(body, "process_start_time_seconds");
  const double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  CHECK(started <= now);
  CHECK(started > now - 3600);
  CHECK(series_value(body, "ejournal_request_duration_seconds_count{kind=\"write\"}") == 1);
  CHECK(series_value(body, "ejournal_request_duration_seconds_count{kind=\"query\"}") >= 1);
  CHECK(series_value(body, "ejournal_request_duration_seconds_count{kind=\"as_of\"}") == 1);

  if (std::system("command -v promtool > /dev/null 2>&1") != 0) {
    WARN("promtool is not installed (tools/install-deps.sh installs it): /metrics not checked by it");
    return;
  }
  const auto [status, said] = run_with_input("promtool check metrics", body);
  INFO(said);
  CHECK(status == 0);
  CHECK(said.find("no help") == std::string::npos);
}

TEST_CASE("audit entries name the pupil they concern", "[server][contract][audit]") {
  Fixture f;
  auto& s = f.school;
  auto deputy = signed_in(f, "deputy");
  const json::value cell = deputy->call("audit.cell", json::object{{"lesson", s.lesson_5a}, {"student", s.student_a1}});
  REQUIRE(ok(cell));
  REQUIRE(cell.at("result").at("items").as_array().size() == 1);
  CHECK(cell.at("result").at("items").at(0).at("student_name") == "Иванов Пётр");
  // A parent's personal data: named too; an entry about no one (a topic) carries null.
  s.must(s.teacher_a, cmd::SetTopic{s.lesson_5a, "Дроби"});
  f.settle();
  const json::value trail = deputy->call("audit.class_subject", json::object{{"class_id", s.class_5a}, {"subject", s.math}});
  REQUIRE(ok(trail));
  bool topic_seen = false;
  for (const auto& e : trail.at("result").at("items").as_array())
    if (e.at("kind") == "topic_set") {
      topic_seen = true;
      CHECK(e.at("student_name").is_null());
    }
  CHECK(topic_seen);
  const json::value parent = deputy->call("audit.student", json::object{{"student", s.parent_a1}});
  REQUIRE(ok(parent));
  REQUIRE_FALSE(parent.at("result").at("items").as_array().empty());
  CHECK(parent.at("result").at("items").at(0).at("student_name") == "Иванова Елена");
}
