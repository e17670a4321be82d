// The protocol's promises as an outside client sees them (docs/protocol.md): one command id, one change;
// what a client can see before it hits a closed term; plain dates for as_of; "expect an empty cell".
#include <catch2/catch.hpp>

#include <boost/json.hpp>

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
  auto deputy = signed_in(f, "deputy");
  const json::value page = deputy->call("journal.page", json::object{{"class_id", s.class_5a}, {"subject", s.math}, {"term", senior}});
  CHECK(code(page) == "invalid_argument");
  CHECK(ok(deputy->call("journal.page", json::object{{"class_id", s.class_5a}, {"subject", s.math}, {"term", s.q1}})));
}
