// Progress over the protocol (stats.progress) and the day's entries in stats.summary: the figures of the
// director's start page, computed from marks and absences the test enters itself.
#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include "server_fixture.h"

using namespace ejournal;
using namespace ejournal::domain;
using namespace ejournal::servertest;
namespace json = boost::json;

TEST_CASE("progress sums a period's marks and absences by class, subject and teacher", "[server][progress]") {
  Fixture f;
  auto& s = f.school;
  // 5А has the fixture's 5 (an answer); add a 4 (a test, weight 2), a 2 and a 3 on a second lesson, an absence
  // and a sick pupil; a lesson not held counts for nothing, nor does a removed mark or one outside the period.
  const auto second = s.must(s.teacher_a, cmd::ScheduleLesson{s.math_5a, testkit::kSep4 + 1, 1});
  s.must(s.teacher_a, cmd::SetMark{second, s.student_a1, 4, s.test, "", std::nullopt});
  s.must(s.teacher_a, cmd::SetMark{second, s.student_a2, 2, s.answer, "", std::nullopt});
  const auto removed = s.must(s.teacher_a, cmd::SetMark{second, s.student_a2, 3, s.answer, "", std::nullopt});
  s.must(s.teacher_a, cmd::RemoveMark{removed, "не тому ученику"});
  s.must(s.teacher_a, cmd::SetAttendance{s.lesson_5a, s.student_a2, Attendance::Absent, std::nullopt});
  s.must(s.teacher_a, cmd::SetAttendance{second, s.student_a2, Attendance::Sick, std::nullopt});
  const auto later = s.must(s.teacher_a, cmd::ScheduleLesson{s.math_5a, testkit::kOct31, 1});
  s.must(s.teacher_a, cmd::SetMark{later, s.student_a1, 2, s.answer, "", std::nullopt});
  const auto cancelled = s.must(s.teacher_a, cmd::ScheduleLesson{s.math_5a, testkit::kSep4 + 2, 1});
  s.must(s.deputy, cmd::CancelLesson{cancelled, "карантин"});
  f.settle();

  auto director = signed_in(f, "director");
  const json::value all = director->call("stats.progress", json::object{{"from", "2023-09-01"}, {"to", "2023-09-30"}});
  REQUIRE(ok(all));
  const json::object* a5 = nullptr;
  for (const auto& r : all.at("result").as_array())
    if (r.at("class_id").as_int64() == s.class_5a && r.at("subject").as_int64() == s.math) a5 = &r.as_object();
  REQUIRE(a5 != nullptr);
  CHECK(a5->at("teacher").as_int64() == s.teacher_a);
  CHECK(a5->at("lessons").as_int64() == 2);  // the cancelled one is not held
  CHECK(a5->at("count").as_int64() == 3);    // 5, 4, 2: not the removed 3, not October's 2
  CHECK(a5->at("marks").at("5").as_int64() == 1);
  CHECK(a5->at("marks").at("4").as_int64() == 1);
  CHECK(a5->at("marks").at("2").as_int64() == 1);
  CHECK(a5->at("marks").at("3").as_int64() == 0);
  CHECK(a5->at("average").as_double() == Approx((5 + 4 * 2 + 2) / 4.0));  // weighted by work type
  CHECK(a5->at("success").as_double() == Approx(66.7));  // two of three above 2
  CHECK(a5->at("quality").as_double() == Approx(66.7));  // two of three are 4 or 5
  CHECK(a5->at("attendance").at("absent").as_int64() == 1);
  CHECK(a5->at("attendance").at("sick").as_int64() == 1);

  // One class; a curator may read their own class and no other; a parent none.
  const json::value one = director->call("stats.progress", json::object{{"from", "2023-09-01"}, {"to", "2023-11-30"}, {"class_id", s.class_5a}});
  REQUIRE(ok(one));
  for (const auto& r : one.at("result").as_array()) CHECK(r.at("class_id").as_int64() == s.class_5a);
  auto curator = signed_in(f, "teacher.a");
  CHECK(ok(curator->call("stats.progress", json::object{{"from", "2023-09-01"}, {"to", "2023-09-30"}, {"class_id", s.class_5a}})));
  CHECK(code(curator->call("stats.progress", json::object{{"from", "2023-09-01"}, {"to", "2023-09-30"}, {"class_id", s.class_5b}})) == "forbidden");
  CHECK(code(curator->call("stats.progress", json::object{{"from", "2023-09-01"}, {"to", "2023-09-30"}})) == "forbidden");
  auto parent = signed_in(f, "p" + std::to_string(s.parent_a1));
  CHECK(code(parent->call("stats.progress", json::object{{"from", "2023-09-01"}, {"to", "2023-09-30"}, {"class_id", s.class_5a}})) == "forbidden");
  CHECK(code(director->call("stats.progress", json::object{{"from", "2023-09-30"}, {"to", "2023-09-01"}})) == "invalid_argument");
  CHECK(code(director->call("stats.progress", json::object{{"from", "2023-09-01"}, {"to", "2023-09-30"}, {"class_id", 999}})) == "not_found");

  // The day's entries: every mark and absence above was entered on the fixture's clock's day.
  const json::value summary = director->call("stats.summary", json::object{{"from", "1970-01-01"}, {"to", "2100-01-01"}});
  REQUIRE(ok(summary));
  std::int64_t marks = 0, absences = 0;
  for (const auto& d : summary.at("result").at("days").as_array()) {
    marks += d.at("marks").as_int64();
    absences += d.at("absences").as_int64();
  }
  CHECK(marks == 5);     // the fixture's, and four here (a removed mark was still entered)
  CHECK(absences == 2);
}

TEST_CASE("report.make answers a file to save, within the reader's scope; verify.digest checks a printed record", "[server][reports]") {
  Fixture f;
  auto& s = f.school;
  f.settle();
  const auto written = s.log().head();
  auto director = signed_in(f, "director");
  const json::value made = director->call("report.make", json::object{{"kind", "summary"}, {"format", "csv"}, {"class", "5А"}});
  REQUIRE(ok(made));
  const auto& r = made.at("result").as_object();
  CHECK(r.at("name") == "summary-5А.csv");
  CHECK(r.at("content_type") == "text/csv; charset=utf-8");
  const std::string digest(r.at("digest").as_string());
  // The state of now: at least everything the test wrote (sign-ins are recorded beside the answers).
  const auto position = std::stoull(digest.substr(0, digest.find(':')));
  CHECK(position >= written);
  CHECK(position <= f.school.log().head());
  CHECK(r.at("data").as_string().size() > 100);
  const json::value checked = director->call("verify.digest", json::object{{"digest", digest}});
  REQUIRE(ok(checked));
  CHECK(checked.at("result").at("in_log").as_bool());
  std::string changed = digest;
  changed.back() = changed.back() == 'a' ? 'b' : 'a';
  CHECK_FALSE(director->call("verify.digest", json::object{{"digest", changed}}).at("result").at("in_log").as_bool());
  CHECK(code(director->call("verify.digest", json::object{{"digest", "12:zz"}})) == "invalid_argument");
  CHECK(code(director->call("report.make", json::object{{"kind", "nonsense"}, {"format", "csv"}})) == "invalid_argument");
  CHECK(code(director->call("report.make", json::object{{"kind", "summary"}, {"format", "docx"}})) == "invalid_argument");

  // The curator of 5А: their class, not another, not the whole school; a parent nothing.
  auto curator = signed_in(f, "teacher.a");
  CHECK(ok(curator->call("report.make", json::object{{"kind", "attendance"}, {"format", "csv"}, {"class", "5А"}})));
  CHECK(code(curator->call("report.make", json::object{{"kind", "attendance"}, {"format", "csv"}, {"class", "5Б"}})) == "forbidden");
  CHECK(code(curator->call("report.make", json::object{{"kind", "progress"}, {"format", "csv"}})) == "forbidden");
  // teacher.b teaches mathematics in 5Б: that journal, not 5А's.
  auto teacher = signed_in(f, "teacher.b");
  CHECK(ok(teacher->call("report.make", json::object{{"kind", "journal"}, {"format", "pdf"}, {"class", "5Б"}, {"subject", "Математика"}})));
  CHECK(code(teacher->call("report.make", json::object{{"kind", "journal"}, {"format", "pdf"}, {"class", "5А"}, {"subject", "Математика"}})) == "forbidden");
  auto parent = signed_in(f, "p" + std::to_string(s.parent_a1));
  CHECK(code(parent->call("report.make", json::object{{"kind", "summary"}, {"format", "csv"}, {"class", "5А"}})) == "forbidden");
}
